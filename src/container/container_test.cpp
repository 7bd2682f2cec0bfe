// Unit tests of the container module: Docker's command and environment rules,
// the -v/--mount/--tmpfs grammars, the spec's defaults, overlay
// options, the vfs copy with whiteouts and the containers/volumes tables.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "base/fs.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "container/container_check.h"
#include "container/container_store.h"
#include "container/options.h"
#include "container/removal.h"
#include "container/rootfs.h"
#include "container/spec_builder.h"
#include "container/volume_store.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace berth;
using namespace berth::container;

namespace {

image::ImageConfig busybox_like()
{
    image::ImageConfig c;
    c.cmd = { "sh" };
    c.env = { "PATH=/bin:/usr/bin", "LANG=C" };
    return c;
}

std::string env_value(std::vector<std::string> const& env, std::string const& key)
{
    for (auto const& e : env)
        if (e.rfind(key + "=", 0) == 0)
            return e.substr(key.size() + 1);
    return "<unset>";
}

} // namespace

TEST_CASE("command: image CMD, arguments replace it, ENTRYPOINT is kept")
{
    auto img = busybox_like();
    CreateOptions o;
    CHECK(resolve_args(img, o) == std::vector<std::string> { "sh" });
    o.command = { "echo", "hi" };
    CHECK(resolve_args(img, o) == std::vector<std::string> { "echo", "hi" });
    img.entrypoint = { "/init", "--" };
    CHECK(resolve_args(img, o) == std::vector<std::string> { "/init", "--", "echo", "hi" });
    o.command.clear();
    CHECK(resolve_args(img, o) == std::vector<std::string> { "/init", "--", "sh" });
}

TEST_CASE("command: --entrypoint replaces ENTRYPOINT and clears CMD unless arguments are given")
{
    auto img = busybox_like();
    img.entrypoint = { "/init" };
    CreateOptions o;
    o.entrypoint = "/bin/date";
    CHECK(resolve_args(img, o) == std::vector<std::string> { "/bin/date" });
    o.command = { "-u" };
    CHECK(resolve_args(img, o) == std::vector<std::string> { "/bin/date", "-u" });
    o.entrypoint = "";
    o.command = {};
    CHECK(resolve_args(img, o).empty());
    o.command = { "true" };
    CHECK(resolve_args(img, o) == std::vector<std::string> { "true" });
}

TEST_CASE("environment: defaults < image < env-host < env-file < -e, HOSTNAME and HOME added")
{
    auto img = busybox_like();
    CreateOptions o;
    std::map<std::string, std::string> host { { "FROMHOST", "h" }, { "LANG", "host-lang" } };
    auto env = resolve_env(img, o, host, "abc", "/root").release_value();
    CHECK(env_value(env, "PATH") == "/bin:/usr/bin");
    CHECK(env_value(env, "LANG") == "C");
    CHECK(env_value(env, "HOSTNAME") == "abc");
    CHECK(env_value(env, "HOME") == "/root");
    CHECK(env_value(env, "TERM") == "xterm");  // as Podman, without -t too
    CHECK(env_value(env, "FROMHOST") == "<unset>");

    o.tty = true;
    o.env_host = true;
    o.env_files = { "LANG=file", "X=1" };
    o.env = { "X=2", "FROMHOST", "MISSING", "HOME=/h" };
    env = resolve_env(img, o, host, "abc", "/root").release_value();
    CHECK(env_value(env, "TERM") == "xterm");
    CHECK(env_value(env, "LANG") == "file");
    CHECK(env_value(env, "X") == "2");
    CHECK(env_value(env, "FROMHOST") == "h");
    CHECK(env_value(env, "MISSING") == "<unset>");
    CHECK(env_value(env, "HOME") == "/h");
    // A name appears once, where it first appeared.
    CHECK(std::count_if(env.begin(), env.end(), [](auto const& e) { return e.rfind("X=", 0) == 0; }) == 1);

    o.env = { "=bad" };
    CHECK_FALSE(resolve_env(img, o, host, "abc", "/").has_value());
}

TEST_CASE("env-file: comments, blanks, CRLF and names taken from the host")
{
    auto env = parse_env_file("# comment\n\nA=1\r\n  B=two words\nC\nD\n", { { "C", "from-host" } });
    CHECK(env == std::vector<std::string> { "A=1", "B=two words", "C=from-host" });
}

TEST_CASE("workdir, hostname and user defaults")
{
    auto img = busybox_like();
    CreateOptions o;
    CHECK(resolve_workdir(img, o) == "/");
    img.working_dir = "/srv";
    CHECK(resolve_workdir(img, o) == "/srv");
    o.workdir = "/tmp";
    CHECK(resolve_workdir(img, o) == "/tmp");
    std::string id(64, 'a');
    id[12] = 'b';
    CHECK(resolve_hostname(o, id) == std::string(12, 'a'));
    o.hostname = "box";
    CHECK(resolve_hostname(o, id) == "box");
    CHECK(requested_user(img, o) == "");
    img.user = "nobody";
    CHECK(requested_user(img, o) == "nobody");
    o.user = "1000:1000";
    CHECK(requested_user(img, o) == "1000:1000");
}

TEST_CASE("-v: bind mounts, named and anonymous volumes, options")
{
    auto bind = parse_volume("/host:/ctr:ro,z").release_value();
    CHECK(bind.type == MountRequest::Type::Bind);
    CHECK(bind.source == "/host");
    CHECK(bind.destination == "/ctr");
    CHECK(bind.read_only);
    auto rel = parse_volume("./data:/data:U,Z").release_value();
    CHECK(rel.type == MountRequest::Type::Bind);
    CHECK(rel.chown);
    CHECK_FALSE(rel.read_only);
    auto named = parse_volume("cache:/var/cache:O").release_value();
    CHECK(named.type == MountRequest::Type::Volume);
    CHECK(named.source == "cache");
    CHECK(named.overlay);
    auto anon = parse_volume("/scratch").release_value();
    CHECK(anon.type == MountRequest::Type::Volume);
    CHECK(anon.source.empty());
    CHECK(anon.destination == "/scratch");
    CHECK(parse_volume("/a:/b:rw,rshared")->propagation == "rshared");
    CHECK_FALSE(parse_volume("/a:relative").has_value());
    CHECK_FALSE(parse_volume("/a:/b:bogus").has_value());
    CHECK_FALSE(parse_volume("/a:/b:ro:extra").has_value());
    // O goes with U, z and Z only, as in Podman.
    CHECK(parse_volume("/a:/b:O,U,z")->overlay);
    CHECK_FALSE(parse_volume("/a:/b:O,ro").has_value());
    CHECK_FALSE(parse_volume("/a:/b:rshared,O").has_value());
}

TEST_CASE("--mount and --tmpfs")
{
    auto b = parse_mount("type=bind,source=/src,target=/dst,ro").release_value();
    CHECK(b.type == MountRequest::Type::Bind);
    CHECK(b.source == "/src");
    CHECK(b.destination == "/dst");
    CHECK(b.read_only);
    auto v = parse_mount("type=volume,src=vol,dst=/v").release_value();
    CHECK(v.type == MountRequest::Type::Volume);
    CHECK(v.source == "vol");
    auto t = parse_mount("type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777").release_value();
    CHECK(t.type == MountRequest::Type::Tmpfs);
    CHECK(t.tmpfs_options == std::vector<std::string> { "size=1m", "mode=1777" });
    CHECK_FALSE(parse_mount("type=nfs,target=/x").has_value());
    CHECK_FALSE(parse_mount("type=bind,target=/x").has_value());
    CHECK_FALSE(parse_mount("type=bind,source=/a,target=/x,weird=1").has_value());
    auto tmp = parse_tmpfs("/run:size=10m,noexec").release_value();
    CHECK(tmp.destination == "/run");
    CHECK(tmp.tmpfs_options == std::vector<std::string> { "size=10m", "noexec" });
    CHECK_FALSE(parse_tmpfs("run").has_value());
}

TEST_CASE("spec: namespaces, mounts, masked paths, capabilities and security options")
{
    auto img = busybox_like();
    CreateOptions o;
    o.command = { "echo", "hi" };
    SpecContext ctx;
    ctx.id = std::string(64, 'c');
    ctx.rootfs = "/rootfs";
    auto spec = build_spec_json(img, o, ctx).release_value();
    CHECK(spec["process"]["args"] == Json { "echo", "hi" });
    CHECK(spec["hostname"] == std::string(12, 'c'));
    CHECK(spec["root"]["path"] == "/rootfs");
    CHECK(spec["process"]["capabilities"]["bounding"].size() == 11);
    CHECK(spec["process"]["noNewPrivileges"] == false);
    bool has_net = false;
    for (auto const& n : spec["linux"]["namespaces"])
        has_net |= n["type"] == "network";
    CHECK(has_net);
    CHECK(spec["annotations"]["io.berth.seccomp"] == "default");
    auto masked = spec["linux"]["maskedPaths"].get<std::vector<std::string>>();
    CHECK(std::find(masked.begin(), masked.end(), "/proc/kcore") != masked.end());

    o.network = "host";
    o.cap_drop = { "chown" };
    o.cap_add = { "NET_ADMIN" };
    o.security_opt = { "no-new-privileges", "seccomp=unconfined", "unmask=/proc/kcore", "mask=/secret" };
    o.ulimits = { "nofile=100:200" };
    o.read_only = true;
    o.tmpfs = { "/scratch:size=1m" };
    ctx.mounts = { ResolvedMount { parse_volume("/h:/c:ro").release_value(), "/h" } };
    spec = build_spec_json(img, o, ctx).release_value();
    for (auto const& n : spec["linux"]["namespaces"])
        CHECK(n["type"] != "network");
    auto caps = spec["process"]["capabilities"]["effective"].get<std::vector<std::string>>();
    CHECK(std::find(caps.begin(), caps.end(), "CAP_CHOWN") == caps.end());
    CHECK(std::find(caps.begin(), caps.end(), "CAP_NET_ADMIN") != caps.end());
    CHECK(spec["process"]["noNewPrivileges"] == true);
    CHECK(spec["annotations"]["io.berth.seccomp"] == "unconfined");
    masked = spec["linux"]["maskedPaths"].get<std::vector<std::string>>();
    CHECK(std::find(masked.begin(), masked.end(), "/proc/kcore") == masked.end());
    CHECK(std::find(masked.begin(), masked.end(), "/secret") != masked.end());
    CHECK(spec["process"]["rlimits"][0] == Json { { "type", "RLIMIT_NOFILE" }, { "soft", 100 }, { "hard", 200 } });
    CHECK(spec["root"]["readonly"] == true);
    bool bind_ro = false, tmp_run = false;
    for (auto const& m : spec["mounts"]) {
        if (m["destination"] == "/c")
            bind_ro = m["source"] == "/h" && std::find(m["options"].begin(), m["options"].end(), "ro") != m["options"].end();
        tmp_run |= m["destination"] == "/run" && m["type"] == "tmpfs";
    }
    CHECK(bind_ro);
    CHECK(tmp_run);

    o.ulimits = { "nofile=200:100" };
    CHECK_FALSE(build_spec_json(img, o, ctx).has_value());
    o.ulimits.clear();
    o.network = "none";
    o.cap_add = { "NOT_A_CAP" };
    CHECK_FALSE(build_spec_json(img, o, ctx).has_value());
}

TEST_CASE("spec: --pid private, host, ns:PATH; rootless with the host's binds its /proc")
{
    auto img = busybox_like();
    CreateOptions o;
    o.command = { "true" };
    SpecContext ctx;
    ctx.id = std::string(64, 'c');
    ctx.rootfs = "/rootfs";
    auto pid_entry = [](Json const& spec) {
        for (auto const& n : spec["linux"]["namespaces"])
            if (n["type"] == "pid")
                return n;
        return Json();
    };
    auto proc_mount = [](Json const& spec) {
        for (auto const& m : spec["mounts"])
            if (m["destination"] == "/proc")
                return m;
        return Json();
    };
    auto spec = build_spec_json(img, o, ctx).release_value();
    CHECK(pid_entry(spec) == Json { { "type", "pid" } });
    CHECK(proc_mount(spec)["type"] == "proc");
    o.pid = "ns:/proc/42/ns/pid";
    spec = build_spec_json(img, o, ctx).release_value();
    CHECK(pid_entry(spec) == Json { { "type", "pid" }, { "path", "/proc/42/ns/pid" } });
    o.pid = "host";
    spec = build_spec_json(img, o, ctx).release_value();
    CHECK(pid_entry(spec).is_null());
    CHECK(proc_mount(spec)["type"] == "proc");
    ctx.rootless = true;
    spec = build_spec_json(img, o, ctx).release_value();
    CHECK(proc_mount(spec)["type"] == "bind");
    CHECK(proc_mount(spec)["source"] == "/proc");
}

TEST_CASE("spec: an image without a command and no arguments is an error")
{
    image::ImageConfig empty;
    SpecContext ctx;
    ctx.id = std::string(64, 'd');
    auto spec = build_spec_json(empty, CreateOptions {}, ctx);
    REQUIRE_FALSE(spec.has_value());
    CHECK(spec.error().message.find("no command specified") != std::string::npos);
}

TEST_CASE("create options survive the JSON round trip")
{
    CreateOptions o;
    o.image = "busybox";
    o.command = { "echo", "hi" };
    o.entrypoint = "";
    o.env = { "A=1" };
    o.tty = true;
    o.remove = true;
    o.volumes = { "/a:/b" };
    auto back = CreateOptions::from_json(o.to_json()).release_value();
    CHECK(back.to_json() == o.to_json());
    CHECK(back.entrypoint.has_value());
    CHECK(back.entrypoint->empty());
}

TEST_CASE("overlay options: lowerdir top first, userxattr when rootless")
{
    RootfsRequest r;
    r.lower_dirs = { "/l/bottom", "/l/top" };
    r.container_dir = "/c";
    CHECK(overlay_options(r) == "lowerdir=/l/top:/l/bottom,upperdir=/c/upper,workdir=/c/work");
    r.rootless = true;
    CHECK(overlay_options(r) == "lowerdir=/l/top:/l/bottom,upperdir=/c/upper,workdir=/c/work,userxattr");
    CHECK(parse_driver("overlay2").value() == Driver::Overlay);
    CHECK_FALSE(parse_driver("btrfs").has_value());
}

TEST_CASE("overlay options from the layers directory: short links, container dirs relative to it")
{
    RootfsRequest r;
    r.layers_dir = "/home/u/.local/share/berth/layers";
    r.container_dir = "/home/u/.local/share/berth/containers/" + std::string(64, 'c');
    r.lower_dirs = { "l/AAAAAAAAAAAAAAAAAAAAAAAAAA", "l/BBBBBBBBBBBBBBBBBBBBBBBBBB" };
    std::string c = "../containers/" + std::string(64, 'c');
    CHECK(overlay_options(r) == "lowerdir=l/BBBBBBBBBBBBBBBBBBBBBBBBBB:l/AAAAAAAAAAAAAAAAAAAAAAAAAA,upperdir=" + c
            + "/upper,workdir=" + c + "/work");
    r.lower_dirs.clear();
    CHECK(overlay_options(r).starts_with("lowerdir=" + c + "/empty,"));
    // 127 layers (Docker's and Podman's limit) fit in a page, rootless and volatile, wherever the store is.
    r.lower_dirs.assign(127, "l/AAAAAAAAAAAAAAAAAAAAAAAAAA");
    r.rootless = true;
    CHECK(overlay_options(r).size() + std::string(",volatile").size() < 4096);
}

TEST_CASE("vfs copy applies whiteouts and opaque directories in layer order")
{
    auto dir = TempDir::create("/tmp", "berth-vfs-test-").release_value();
    std::string l1 = dir.path() + "/l1", l2 = dir.path() + "/l2", out = dir.path() + "/out";
    REQUIRE(fs::mkdir_p(l1 + "/etc").has_value());
    REQUIRE(fs::mkdir_p(l1 + "/opaque").has_value());
    REQUIRE(fs::write_file_atomic(l1 + "/etc/keep", "k").has_value());
    REQUIRE(fs::write_file_atomic(l1 + "/etc/gone", "g").has_value());
    REQUIRE(fs::write_file_atomic(l1 + "/opaque/old", "o").has_value());
    REQUIRE(::symlink("keep", (l1 + "/etc/link").c_str()) == 0);
    REQUIRE(fs::mkdir_p(l2 + "/etc").has_value());
    REQUIRE(fs::mkdir_p(l2 + "/opaque").has_value());
    REQUIRE(fs::write_file_atomic(l2 + "/opaque/new", "n").has_value());
    if (::mknod((l2 + "/etc/gone").c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
        return; // creating a whiteout needs CAP_MKNOD: nothing to test without it
    bool opaque = ::setxattr((l2 + "/opaque").c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0
        || ::setxattr((l2 + "/opaque").c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
    REQUIRE(copy_layer(l1, out).has_value());
    REQUIRE(copy_layer(l2, out).has_value());
    CHECK(fs::read_file(out + "/etc/keep").value() == "k");
    CHECK_FALSE(fs::exists(out + "/etc/gone"));
    CHECK(sys::readlink(out + "/etc/link").value() == "keep");
    CHECK(fs::exists(out + "/opaque/new"));
    if (opaque)
        CHECK_FALSE(fs::exists(out + "/opaque/old"));
}

TEST_CASE("container store: insert, find by name, id and prefix, update, remove")
{
    auto dir = TempDir::create("/tmp", "berth-cstore-test-").release_value();
    store::Layout layout(dir.path(), dir.path());
    auto db = store::Database::open(layout.database()).release_value();
    auto cs = ContainerStore::open(*db, layout).release_value();
    ContainerRecord r;
    r.id = generate_id();
    r.name = "web";
    r.image_id = "img";
    r.image_name = "busybox";
    r.created = 100;
    r.config = Json { { "x", 1 } };
    REQUIRE(cs.insert(r).has_value());
    auto dup = r;
    dup.id = generate_id();
    auto taken = cs.insert(dup);
    REQUIRE_FALSE(taken.has_value());
    CHECK(taken.error().message.find("already in use") != std::string::npos);
    CHECK(cs.find("web")->id == r.id);
    CHECK(cs.find(r.id.substr(0, 6))->name == "web");
    CHECK_FALSE(cs.find("nothere").has_value());
    r.state = State::Exited;
    r.exit_code = 3;
    REQUIRE(cs.update(r).has_value());
    auto got = cs.get(r.id).release_value();
    REQUIRE(got.has_value());
    CHECK(got->state == State::Exited);
    CHECK(got->exit_code == 3);
    CHECK(got->config["x"] == 1);
    CHECK(cs.lock(r.id).has_value());
    REQUIRE(cs.remove(r.id).has_value());
    CHECK(cs.list()->empty());
    CHECK(cs.remove(r.id).error().code == ENOENT);
    CHECK(generate_id().size() == 64);
    CHECK(generate_name().find('_') != std::string::npos);
}

TEST_CASE("volume store: create, duplicate, list, in use through container_volumes, remove")
{
    auto dir = TempDir::create("/tmp", "berth-vstore-test-").release_value();
    store::Layout layout(dir.path(), dir.path());
    auto db = store::Database::open(layout.database()).release_value();
    auto vs = VolumeStore::open(*db, layout).release_value();
    auto v = vs.create("data", { { "a", "b" } }, {}).release_value();
    CHECK(fs::is_dir(v.mountpoint));
    CHECK(v.mountpoint == dir.path() + "/volumes/data/_data");
    CHECK_FALSE(vs.create("data", {}, {}).has_value());
    CHECK(vs.create("data", {}, {}, false, true).has_value());
    CHECK_FALSE(vs.create("../evil", {}, {}).has_value());
    CHECK(vs.list()->size() == 1);
    CHECK(inspect_volume(v)["Labels"]["a"] == "b");
    auto cs = ContainerStore::open(*db, layout).release_value();
    ContainerRecord r;
    r.id = generate_id();
    r.name = "user";
    CreateOptions o;
    o.volumes = { "data:/d", "/host:/h", "/anon" };
    r.config = o.to_json();
    r.volumes = volume_uses(mount_requests(o).value(), { { "/anon", "a1" } });
    CHECK(r.volumes == std::vector<VolumeUse> { { "data", "/d", false }, { "a1", "/anon", true } });
    r.restart = parse_restart_policy("on-failure:3").value();
    REQUIRE(cs.insert(r).has_value());
    // Read back typed, by id, by name and in the list.
    auto back = cs.find("user").value();
    CHECK(back.volumes == r.volumes);
    CHECK(back.restart == RestartPolicy { RestartPolicy::Kind::OnFailure, 3 });
    CHECK(anonymous_volume(back, "/anon") == "a1");
    CHECK(anonymous_volume(back, "/d").empty());
    CHECK(cs.list().value().front().volumes == r.volumes);
    CHECK(cs.get(r.id).value()->restart == back.restart);
    CHECK(vs.users("data").value() == std::vector<std::string> { r.id });
    CHECK(vs.users("a1").value() == std::vector<std::string> { r.id });
    CHECK(vs.users("d").value().empty());
    CHECK(vs.unused().value().empty());
    // In use: refused, in the transaction that would delete it.
    CHECK(vs.remove("data").error().code == EBUSY);
    CHECK(fs::is_dir(dir.path() + "/volumes/data"));
    // The relation rows go with the container's row.
    REQUIRE(cs.remove(r.id).has_value());
    CHECK(vs.users("data").value().empty());
    CHECK(vs.unused().value() == std::vector<std::string> { "data" });
    REQUIRE(vs.remove("data").has_value());
    CHECK_FALSE(fs::exists(dir.path() + "/volumes/data"));
    CHECK(vs.remove("data").error().code == ENOENT);
}

TEST_CASE("restart policy: Podman's names, on-failure's count")
{
    using Kind = RestartPolicy::Kind;
    CHECK(parse_restart_policy("").value() == RestartPolicy {});
    CHECK(parse_restart_policy("no").value().kind == Kind::No);
    CHECK(parse_restart_policy("always").value().kind == Kind::Always);
    CHECK(parse_restart_policy("unless-stopped").value().kind == Kind::UnlessStopped);
    CHECK(parse_restart_policy("on-failure").value() == RestartPolicy { Kind::OnFailure, 0 });
    CHECK(parse_restart_policy("on-failure:12").value() == RestartPolicy { Kind::OnFailure, 12 });
    for (char const* bad : { "on-failure:", "on-failure:-1", "on-failure:x", "on-failure3", "sometimes", "No" }) {
        auto r = parse_restart_policy(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message == "invalid restart policy \"" + std::string(bad) + "\": use no, on-failure[:N], always or unless-stopped");
    }
    for (auto kind : { Kind::Unset, Kind::No, Kind::OnFailure, Kind::Always, Kind::UnlessStopped })
        CHECK(parse_restart_policy(restart_policy_name(kind)).value().kind == kind);
}

TEST_CASE("container store: ps_config keeps only what ps shows, in step with the config")
{
    CHECK(ps_config(Json { { "command", Json::array({ "sleep", "1" }) }, { "env", Json::array({ "A=1" }) }, { "remove", true }, { "labels", nullptr } })
        == R"({"command":["sleep","1"],"remove":true})");
    CHECK(ps_config(Json::object()) == "{}");
    auto dir = TempDir::create("/tmp", "berth-cstore-test-").release_value();
    store::Layout layout(dir.path(), dir.path());
    auto db = store::Database::open(layout.database()).release_value();
    auto cs = ContainerStore::open(*db, layout).release_value();
    ContainerRecord r;
    r.id = generate_id();
    r.name = "ps";
    r.config = Json { { "command", Json::array({ "top" }) }, { "env", Json::array() } };
    REQUIRE(cs.insert(r).has_value());
    auto column = [&] {
        auto stmt = db->prepare("SELECT ps_config FROM containers WHERE id = ?1").release_value();
        stmt.bind(1, r.id);
        REQUIRE(stmt.step().value());
        return stmt.text(0);
    };
    CHECK(column() == R"({"command":["top"]})");
    r.config["labels"] = Json::array({ "a=b" });
    REQUIRE(cs.update(r).has_value());
    CHECK(column() == R"({"command":["top"],"labels":["a=b"]})");
}

TEST_CASE("check_leftovers: lock files, run and bundle directories of removed containers; held and live ones stay")
{
    CHECK(container_id_of_lock("container-" + std::string(64, 'a') + ".lock") == std::string(64, 'a'));
    CHECK(container_id_of_lock("layer-" + std::string(64, 'a') + ".lock").empty());
    CHECK(container_id_of_lock("container-abc.lock").empty());
    CHECK(container_id_of_lock("container-" + std::string(64, 'a') + ".lock.tmp").empty());

    auto dir = TempDir::create("/tmp", "berth-ccheck-test-").release_value();
    std::string run = dir.path() + "/run", data = dir.path() + "/data";
    store::Layout layout(data, run);
    std::string locks = layout.locks_dir();
    auto db = store::Database::open(dir.path() + "/berth.db").release_value();
    auto cs = ContainerStore::open(*db, layout).release_value();
    ContainerRecord live;
    live.id = generate_id();
    live.name = "live";
    REQUIRE(cs.insert(live).has_value());
    std::string gone = std::string(64, 'b'), busy = std::string(64, 'c'), rundir_only = std::string(64, 'd');
    auto live_lock = cs.lock(live.id).release_value(); // held, and the container exists
    REQUIRE(fs::write_file_atomic(locks + "/container-" + gone + ".lock", "").has_value());
    auto busy_lock = cs.lock(busy).release_value(); // a command racing rm: no record, so no file left
    CHECK_FALSE(fs::exists(locks + "/container-" + busy + ".lock"));
    REQUIRE(fs::mkdir_p(run + "/containers/" + rundir_only, 0700).has_value());
    REQUIRE(fs::mkdir_p(data + "/containers/" + gone + "/upper", 0700).has_value());
    REQUIRE(fs::mkdir_p(data + "/containers/" + live.id, 0700).has_value());

    auto report = check_leftovers(cs, store::Cleanup::Report).release_value();
    CHECK(report.size() == 3);
    for (auto const& p : report)
        CHECK_FALSE(p.repaired);
    CHECK_FALSE(fs::exists(locks + "/container-" + rundir_only + ".lock")); // a report makes no lock files
    CHECK(fs::exists(locks + "/container-" + gone + ".lock"));

    auto repaired = check_leftovers(cs, store::Cleanup::Remove).release_value();
    CHECK(repaired.size() == 3);
    CHECK_FALSE(fs::exists(locks + "/container-" + gone + ".lock"));
    CHECK_FALSE(fs::exists(run + "/containers/" + rundir_only));
    CHECK_FALSE(fs::exists(data + "/containers/" + gone));
    CHECK(fs::exists(locks + "/container-" + live.id + ".lock"));
    CHECK(fs::exists(data + "/containers/" + live.id));
    CHECK(check_leftovers(cs, store::Cleanup::Report).release_value().empty());
}

TEST_CASE("remove_container: the bundle is gone at once, deleted from the trash in the background; row and lock go")
{
    auto dir = TempDir::create("/tmp", "berth-cremove-test-").release_value();
    store::Layout layout(fs::join(dir.path(), "data"), fs::join(dir.path(), "run"));
    REQUIRE(fs::mkdir_p(layout.data_dir(), 0700));
    auto db = store::Database::open(layout.database()).release_value();
    auto cs = ContainerStore::open(*db, layout).release_value();
    ContainerRecord r;
    r.id = generate_id();
    r.name = "gone";
    REQUIRE(cs.insert(r).has_value());
    std::string bundle = layout.bundle_dir(r.id);
    REQUIRE(fs::mkdir_p(fs::join(bundle, "upper/etc"), 0755));
    REQUIRE(fs::write_file_atomic(fs::join(bundle, "upper/etc/hosts"), "x"));
    REQUIRE(fs::mkdir_p(layout.container_run_dir(r.id), 0700));
    // What an interrupted earlier deletion left behind goes too.
    std::string trash = fs::join(layout.bundles_dir(), ".trash");
    REQUIRE(fs::mkdir_p(fs::join(trash, "old-1/upper"), 0755));
    {
        auto lock = cs.lock(r.id).release_value();
        REQUIRE(remove_container(cs, r.id));
    }
    CHECK_FALSE(fs::exists(bundle));
    CHECK_FALSE(fs::exists(layout.container_run_dir(r.id)));
    CHECK_FALSE(fs::exists(layout.container_lock(r.id)));
    CHECK_FALSE(cs.get(r.id)->has_value());
    for (int i = 0; i < 200 && !fs::list_dir(trash)->empty(); ++i)
        ::usleep(10000);
    CHECK(fs::list_dir(trash)->empty());
    CHECK(fs::list_dir(layout.bundles_dir())->size() == 1);
    REQUIRE(remove_container(cs, r.id)); // a second removal finds nothing to do
}
