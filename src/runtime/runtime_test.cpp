// Unit tests for the runtime's pure parts: the config.json model (round trip,
// Podman's defaults, errors that name the field), mount option translation,
// id-map text, PATH lookup, and resolving mount destinations inside a rootfs
// (no mount involved, so these run unprivileged). The container tests that
// clone and mount are in container_test.cpp.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "runtime/init.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"

#include <algorithm>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace berth;
using namespace berth::runtime;

namespace {

Json minimal_json()
{
    return Json::parse(R"({
        "ociVersion": "1.0.2",
        "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
        "root": {"path": "rootfs"},
        "linux": {"namespaces": [{"type": "mount"}]}
    })");
}

std::string parse_error(Json const& json)
{
    auto spec = Spec::parse(json);
    REQUIRE_FALSE(spec.has_value());
    return spec.error().message;
}

} // namespace

TEST_CASE("spec: a minimal config.json parses and round-trips")
{
    auto spec = Spec::parse(minimal_json());
    REQUIRE(spec.has_value());
    CHECK(spec->oci_version == "1.0.2");
    CHECK(spec->process.args == std::vector<std::string> { "sh" });
    CHECK(spec->root.path == "rootfs");
    CHECK_FALSE(spec->process.capabilities.has_value());
    CHECK(spec->linux_config.seccomp.is_null());
    auto again = Spec::parse(spec->to_json());
    REQUIRE(again.has_value());
    CHECK(again.value() == spec.value());
    // Absent stays absent: no empty "mounts", "hostname" or "seccomp" appear.
    Json out = spec->to_json();
    CHECK_FALSE(out.contains("mounts"));
    CHECK_FALSE(out.contains("hostname"));
    CHECK_FALSE(out["linux"].contains("seccomp"));
}

TEST_CASE("spec: every modelled field survives to_json and parse")
{
    Spec spec = default_spec();
    spec.process.terminal = true;
    spec.process.user = User { 1000, 100, 0027u, { 10, 20 } };
    spec.process.args = { "/bin/echo", "hi" };
    spec.process.no_new_privileges = true;
    spec.process.oom_score_adj = -17;
    spec.hostname = "box";
    spec.root = Root { "/var/lib/x/rootfs", true };
    spec.linux_config.namespaces.push_back({ NamespaceType::User, "" });
    spec.linux_config.uid_mappings = { { 0, 100000, 65536 } };
    spec.linux_config.gid_mappings = { { 0, 100000, 65536 }, { 65536, 5, 1 } };
    spec.linux_config.sysctl = { { "net.ipv4.ip_forward", "1" } };
    spec.linux_config.devices = { Device { "/dev/fuse", 'c', 10, 229, 0666u, 0u, 0u } };
    spec.linux_config.resources = Json { { "pids", { { "limit", 100 } } } };
    spec.linux_config.rootfs_propagation = "rslave";
    spec.annotations = { { "io.berth.name", "web" } };
    REQUIRE(spec.validate().has_value());
    auto back = Spec::parse(spec.to_json());
    REQUIRE(back.has_value());
    CHECK(back.value() == spec);
    Json j = spec.to_json();
    CHECK(j["process"]["user"]["additionalGids"] == Json::array({ 10, 20 }));
    CHECK(j["linux"]["uidMappings"][0]["containerID"] == 0);
    CHECK(j["linux"]["devices"][0]["type"] == "c");
}

TEST_CASE("spec: Podman's defaults")
{
    Spec spec = default_spec();
    REQUIRE(spec.validate().has_value());
    auto destinations = [&] {
        std::vector<std::string> out;
        for (auto const& m : spec.mounts)
            out.push_back(m.destination);
        return out;
    }();
    for (char const* d : { "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys" })
        CHECK(std::find(destinations.begin(), destinations.end(), d) != destinations.end());
    auto devpts = std::find_if(spec.mounts.begin(), spec.mounts.end(), [](Mount const& m) { return m.type == "devpts"; });
    REQUIRE(devpts != spec.mounts.end());
    for (char const* o : { "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" })
        CHECK(std::find(devpts->options.begin(), devpts->options.end(), o) != devpts->options.end());
    CHECK(spec.linux_config.masked_paths.size() == 12);
    CHECK(std::find(spec.linux_config.masked_paths.begin(), spec.linux_config.masked_paths.end(), "/proc/kcore") != spec.linux_config.masked_paths.end());
    CHECK(spec.linux_config.readonly_paths.back() == "/proc/sysrq-trigger");
    REQUIRE(spec.process.capabilities.has_value());
    CHECK(spec.process.capabilities->bounding.size() == 11);
    CHECK(spec.process.capabilities->inheritable.empty());
    CHECK(spec.process.capabilities->ambient.empty());
    CHECK(spec.linux_config.seccomp.is_object());
    CHECK(spec.has_namespace(NamespaceType::Pid));
    CHECK_FALSE(spec.has_namespace(NamespaceType::User));
    CHECK(spec.process.env.front() == default_path_env);
    CHECK(default_devices().size() == 6);
}

TEST_CASE("spec: errors name the field")
{
    Json j = minimal_json();
    j["process"]["user"]["uid"] = "root";
    CHECK(parse_error(j) == "config.json: process.user.uid: expected an unsigned integer");

    j = minimal_json();
    j["process"]["args"] = Json::array();
    CHECK(parse_error(j).find("process.args: no command given") != std::string::npos);

    j = minimal_json();
    j["mounts"] = Json::parse(R"([{"destination": "/proc", "type": "proc"}, {"destination": "tmp", "type": "tmpfs"}])");
    CHECK(parse_error(j) == "config.json: mounts[1].destination: \"tmp\" is not an absolute path");

    j = minimal_json();
    j["mounts"] = Json::parse(R"([{"destination": "/x", "options": ["ro", 3]}])");
    CHECK(parse_error(j) == "config.json: mounts[0].options[1]: expected a string");

    j = minimal_json();
    j["linux"]["namespaces"].push_back({ { "type", "time" } });
    CHECK(parse_error(j).find("linux.namespaces[1].type: unknown namespace type \"time\"") != std::string::npos);

    j = minimal_json();
    j["hostname"] = "box";
    CHECK(parse_error(j).find("hostname: setting a hostname needs a uts namespace") != std::string::npos);

    j = minimal_json();
    j["linux"]["uidMappings"] = Json::parse(R"([{"containerID": 0, "hostID": 1000, "size": 1}])");
    CHECK(parse_error(j).find("linux.uidMappings: id mappings need a new user namespace") != std::string::npos);

    j = minimal_json();
    j["process"]["rlimits"] = Json::parse(R"([{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}])");
    CHECK(parse_error(j).find("process.rlimits[0].type: unknown rlimit \"RLIMIT_BOGUS\"") != std::string::npos);

    j = minimal_json();
    j.erase("root");
    CHECK(parse_error(j) == "config.json: root: missing");

    CHECK_FALSE(Spec::parse(std::string_view("{not json")).has_value());
}

TEST_CASE("mount options: flags, propagation, binds and data")
{
    auto o = parse_mount_options({ "nosuid", "strictatime", "mode=755", "size=65536k" }, "tmpfs");
    CHECK(o.flags == (MS_NOSUID | MS_STRICTATIME));
    CHECK(o.data == "mode=755,size=65536k");
    CHECK_FALSE(o.bind);

    o = parse_mount_options({ "rbind", "ro", "rprivate", "z" }, "none");
    CHECK(o.bind);
    CHECK(o.recursive);
    CHECK(o.propagation == (MS_PRIVATE | MS_REC));
    CHECK(o.bind_attrs == MOUNT_ATTR_RDONLY);
    CHECK(o.data.empty());

    o = parse_mount_options({ "ro", "rw", "nodev" }, "bind");
    CHECK(o.bind);
    CHECK_FALSE(o.recursive);
    CHECK(o.flags == MS_NODEV);
    CHECK(o.bind_attrs == MOUNT_ATTR_NODEV);
}

TEST_CASE("id maps: the text of uid_map")
{
    CHECK(format_id_mappings({ { 0, 1000, 1 }, { 1, 100000, 65536 } }) == "0 1000 1\n1 100000 65536\n");
    CHECK(format_id_mappings({}).empty());
}

TEST_CASE("find_executable: the container's PATH, Podman's errors")
{
    auto dir = TempDir::create("/tmp", "berth-path-");
    REQUIRE(dir.has_value());
    std::string bin = dir->path() + "/bin";
    std::string other = dir->path() + "/other";
    REQUIRE(fs::mkdir_p(bin).has_value());
    REQUIRE(fs::mkdir_p(other).has_value());
    REQUIRE(fs::write_file_atomic(bin + "/tool", "#!/bin/sh\n", 0755).has_value());
    REQUIRE(fs::write_file_atomic(other + "/data", "x", 0644).has_value());
    REQUIRE(fs::mkdir_p(other + "/tool").has_value());  // a directory of that name is skipped

    auto found = find_executable("tool", { "HOME=/", "PATH=" + other + ":" + bin });
    REQUIRE(found.has_value());
    CHECK(found.value() == bin + "/tool");

    auto missing = find_executable("nope", { "PATH=" + bin });
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().kind == ErrorKind::NotFound);
    CHECK(missing.error().message == "executable file \"nope\" not found in $PATH: No such file or directory");

    // No x bit at all: refused even for root (access(X_OK) needs one x bit).
    auto denied = find_executable("data", { "PATH=" + other });
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().kind == ErrorKind::CannotInvoke);

    auto slash = find_executable("./anything", {});
    REQUIRE(slash.has_value());
    CHECK(slash.value() == "./anything");
}

TEST_CASE("ensure_in_root: symlinks on the way stay inside the root")
{
    auto root = TempDir::create("/tmp", "berth-root-");
    auto outside = TempDir::create("/tmp", "berth-outside-");
    REQUIRE(root.has_value());
    REQUIRE(outside.has_value());
    std::string r = root->path();
    REQUIRE(fs::mkdir_p(r + "/mnt").has_value());
    // An absolute symlink to a host directory that exists, and one that does not.
    std::string host_missing = outside->path() + "/not-created";
    REQUIRE(::symlink(outside->path().c_str(), (r + "/mnt/escape").c_str()) == 0);
    REQUIRE(::symlink(host_missing.c_str(), (r + "/mnt/dangling").c_str()) == 0);
    REQUIRE(::symlink("../../../../..", (r + "/mnt/up").c_str()) == 0);
    int root_fd = ::open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(root_fd >= 0);

    auto a = ensure_in_root(root_fd, "/mnt/escape/sub", NodeKind::Directory);
    REQUIRE(a.has_value());
    CHECK(fs::is_dir(r + outside->path() + "/sub"));
    CHECK_FALSE(fs::exists(outside->path() + "/sub"));

    auto b = ensure_in_root(root_fd, "/mnt/dangling", NodeKind::File);
    REQUIRE(b.has_value());
    CHECK(fs::exists(r + host_missing));
    CHECK_FALSE(fs::exists(host_missing));

    auto c = ensure_in_root(root_fd, "/mnt/up/etc/file", NodeKind::File);
    REQUIRE(c.has_value());
    CHECK(fs::exists(r + "/etc/file"));

    auto d = open_in_root(root_fd, "/mnt/escape/../../..");
    REQUIRE(d.has_value());
    struct stat st_d {}, st_root {};
    ::fstat(d->get(), &st_d);
    ::fstat(root_fd, &st_root);
    CHECK(st_d.st_ino == st_root.st_ino);
    ::close(root_fd);
}
