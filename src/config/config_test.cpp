#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
// containers.conf and storage.conf: the keys berth reads, merging of several
// files, Podman's search order, and errors that name the file and line.
#include "base/fs.h"
#include "base/temp_dir.h"
#include "config/engine_config.h"
#include "config/toml_read.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::config;

TEST_CASE("containers.conf: http_proxy must be a boolean")
{
    ContainersConf c;
    auto r = parse_containers_conf("[containers]\nhttp_proxy = \"no\"\n", "/x.conf", c);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("http_proxy") != std::string::npos);
}

TEST_CASE("containers.conf: the keys berth uses; unknown keys and tables are ignored")
{
    ContainersConf c;
    auto r = parse_containers_conf(R"(
[containers]
default_ulimits = ["nofile=1024:2048"]
env = ["A=1", "B=2"]
default_capabilities = ["CHOWN", "KILL"]
log_driver = "json-file"
log_size_max = 1048576
pids_limit = 100
tz = "Asia/Tokyo"
http_proxy = false
netns = "private"
[engine]
runtime = "runc"
events_logger = "none"
cgroup_manager = "cgroupfs"
network_cmd_path = "/opt/pasta"
volume_path = "/srv/volumes"
tmp_dir = "/run/x"
image_default_transport = "docker://"
[engine.runtimes]
runc = ["/no/such/runc", "/usr/bin/true"]
[network]
default_rootless_network_cmd = "slirp4netns"
default_network = "podman"
default_subnet = "10.99.0.0/16"
[machine]
cpus = 2
)",
        "/etc/containers/containers.conf", c);
    REQUIRE(r.has_value());
    CHECK(*c.default_ulimits == std::vector<std::string> { "nofile=1024:2048" });
    CHECK(c.env->size() == 2);
    CHECK(c.default_capabilities->at(1) == "KILL");
    CHECK(*c.log_driver == "json-file");
    CHECK(*c.log_size_max == 1048576);
    CHECK(*c.pids_limit == 100);
    CHECK(*c.tz == "Asia/Tokyo");
    CHECK(*c.http_proxy == false);
    CHECK(*c.netns == "private");
    CHECK(*c.runtime == "runc");
    CHECK(*c.events_logger == "none");
    CHECK(*c.network_cmd_path == "/opt/pasta");
    CHECK(*c.volume_path == "/srv/volumes");
    CHECK(*c.tmp_dir == "/run/x");
    CHECK(*c.default_rootless_network_cmd == "slirp4netns");
    CHECK(*c.default_network == "podman");
    CHECK(*c.default_subnet == "10.99.0.0/16");
    CHECK(resolve_runtime(c, "runc") == "/usr/bin/true");
    CHECK(resolve_runtime(c, "crun") == "crun");
    CHECK(c.files == std::vector<std::string> { "/etc/containers/containers.conf" });
}

TEST_CASE("containers.conf: a later file overrides only the keys it sets")
{
    ContainersConf c;
    REQUIRE(parse_containers_conf("[engine]\nruntime = \"runc\"\nevents_logger = \"file\"\n", "a", c).has_value());
    REQUIRE(parse_containers_conf("[engine]\nevents_logger = \"none\"\n", "b", c).has_value());
    CHECK(*c.runtime == "runc");
    CHECK(*c.events_logger == "none");
    CHECK(c.files.size() == 2);
}

TEST_CASE("containers.conf: errors name the file, the line or the key")
{
    ContainersConf c;
    auto syntax = parse_containers_conf("[engine]\nruntime = \"runc\"\nevents_logger = \n", "/etc/containers/containers.conf", c);
    REQUIRE(!syntax.has_value());
    CHECK(syntax.error().message.starts_with("containers.conf /etc/containers/containers.conf: line 3: "));
    auto type = parse_containers_conf("[containers]\npids_limit = \"many\"\n", "/x.conf", c);
    REQUIRE(!type.has_value());
    CHECK(type.error().message == "containers.conf /x.conf: \"pids_limit\" must be an integer");
    auto value = parse_containers_conf("[engine]\nevents_logger = \"syslog\"\n", "/x.conf", c);
    REQUIRE(!value.has_value());
    CHECK(value.error().message == "containers.conf /x.conf: events_logger \"syslog\": use file, journald or none");
    auto table = parse_containers_conf("engine = 1\n", "/x.conf", c);
    REQUIRE(!table.has_value());
    CHECK(table.error().message == "containers.conf /x.conf: [engine] must be a table");
    // A table header cut short: toml++ 3.3.0 fails an internal assertion here
    // (config/toml_impl.cpp); it must be the parse error, not an abort.
    auto header = parse_containers_conf("[\nruntime = \"runc\"\n", "/x.conf", c);
    REQUIRE(!header.has_value());
    CHECK(header.error().message.starts_with("containers.conf /x.conf: line 1: "));
}

TEST_CASE("toml: comment lines are left empty before parsing; line numbers and strings are kept")
{
    std::string_view text = "# head\n[engine]\n  # indented\nruntime = \"a#b\" # trailing\r\n\t# tab\nx = [\n # in an array\n 1]\n#last";
    auto blanked = blank_comment_lines(text);
    REQUIRE(blanked.has_value());
    CHECK(*blanked == "\n[engine]\n  \nruntime = \"a#b\" # trailing\r\n\t\nx = [\n \n 1]\n");
    CHECK_FALSE(blank_comment_lines("[engine]\nruntime = \"runc\"\n").has_value());
    // A multi-line string may hold a line that starts with '#': left alone.
    CHECK_FALSE(blank_comment_lines("a = \"\"\"\n# not a comment\n\"\"\"\n# c\n").has_value());
    CHECK_FALSE(blank_comment_lines("a = '''\n# not a comment\n'''\n").has_value());
    auto parsed = parse_toml("# c\n# c\n[engine]\nruntime = \"a#b\"\n", "/x.conf");
    REQUIRE(parsed.has_value());
    CHECK(parsed->at_path("engine.runtime").value_or(std::string()) == "a#b");
    auto multi = parse_toml("a = \"\"\"\n# kept\n\"\"\"\n", "/x.conf");
    REQUIRE(multi.has_value());
    CHECK(multi->at_path("a").value_or(std::string()) == "# kept\n");
    auto error = parse_toml("# one\n# two\n[engine\n", "/x.conf");
    REQUIRE_FALSE(error.has_value());
    CHECK(error.error().message.starts_with("line 3: "));
}

TEST_CASE("storage.conf: driver, roots and the mount program, old and new places")
{
    StorageConf s;
    REQUIRE(parse_storage_conf(R"(
[storage]
driver = "overlay"
graphroot = "/data/containers"
runroot = "/run/containers"
[storage.options]
mount_program = "/old/fuse-overlayfs"
[storage.options.overlay]
mount_program = "/usr/bin/fuse-overlayfs"
mountopt = "nodev"
)",
        "/etc/containers/storage.conf", s)
                .has_value());
    CHECK(*s.driver == "overlay");
    CHECK(*s.graphroot == "/data/containers");
    CHECK(*s.runroot == "/run/containers");
    CHECK(*s.mount_program == "/usr/bin/fuse-overlayfs");
    CHECK(*s.mountopt == "nodev");
}

TEST_CASE("load: Podman's search order, drop-ins, and the environment variables")
{
    auto dir = TempDir::create("/tmp", "berth-config-test-").release_value();
    ConfigEnvironment env;
    env.rootless = true;
    env.vendor_dir = dir.path() + "/usr";
    env.system_dir = dir.path() + "/etc";
    env.config_home = dir.path() + "/home";
    for (auto const* d : { "/usr", "/etc/containers.conf.d", "/home/containers" })
        REQUIRE(fs::mkdir_p(dir.path() + d, 0755).has_value());
    auto write = [&](std::string const& path, std::string const& text) {
        REQUIRE(fs::write_file_replace(dir.path() + path, text, 0644).has_value());
    };
    write("/usr/containers.conf", "[engine]\nruntime = \"vendor\"\ntmp_dir = \"/vendor\"\n");
    write("/etc/containers.conf", "[engine]\nruntime = \"system\"\n");
    write("/etc/containers.conf.d/10-a.conf", "[engine]\nevents_logger = \"none\"\n");
    write("/etc/containers.conf.d/ignored.txt", "not toml at all [");
    write("/home/containers/containers.conf", "[engine]\nruntime = \"user\"\n");
    auto conf = load_containers_conf(env);
    REQUIRE(conf.has_value());
    CHECK(*conf->runtime == "user");
    CHECK(*conf->tmp_dir == "/vendor");
    CHECK(*conf->events_logger == "none");
    CHECK(conf->files.size() == 4);

    env.rootless = false;  // root does not read the user's file
    CHECK(*load_containers_conf(env)->runtime == "system");

    env.containers_conf = dir.path() + "/only.conf";
    CHECK(!load_containers_conf(env).has_value());  // named by CONTAINERS_CONF: must exist
    write("/only.conf", "[engine]\ncgroup_manager = \"cgroupfs\"\n");
    env.containers_conf_override = dir.path() + "/over.conf";
    write("/over.conf", "[engine]\nruntime = \"override\"\n");
    conf = load_containers_conf(env);
    REQUIRE(conf.has_value());
    CHECK(*conf->runtime == "override");
    CHECK(!conf->tmp_dir);

    // storage.conf: the user's own for rootless; a system file gives rootless its rootless_storage_path.
    env.rootless = true;
    CHECK(load_storage_conf(env)->file.empty());
    write("/etc/storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"/var/lib/x\"\nrootless_storage_path = \"/srv/mine\"\n");
    auto storage = load_storage_conf(env);
    REQUIRE(storage.has_value());
    CHECK(*storage->driver == "vfs");
    CHECK(*storage->graphroot == "/srv/mine");
    env.rootless = false;
    CHECK(*load_storage_conf(env)->graphroot == "/var/lib/x");
    env.rootless = true;
    write("/home/containers/storage.conf", "[storage]\ndriver = \"overlay\"\ngraphroot = \"/home/me/store\"\n");
    CHECK(*load_storage_conf(env)->graphroot == "/home/me/store");
    env.storage_conf = dir.path() + "/nope.conf";
    CHECK(!load_storage_conf(env).has_value());
}
