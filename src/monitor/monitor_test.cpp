// The monitor's parent protocol: sync-line round trips, berth-monitor's
// argument parser, exit statuses, exit files and process start times.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "base/fs.h"
#include "base/temp_dir.h"
#include "monitor/monitor.h"
#include "monitor/protocol.h"

#include <csignal>
#include <doctest/doctest.h>
#include <unistd.h>

using namespace berth;
using namespace berth::monitor;

TEST_CASE("protocol: a pid line")
{
    auto line = encode_pid(4242);
    CHECK(line.back() == '\n');
    auto reply = decode(line).release_value();
    CHECK(reply.pid == 4242);
    CHECK_FALSE(reply.error.has_value());
}

TEST_CASE("protocol: an error line keeps message, kind and errno")
{
    Error e = Error::from_errno("exec nosuch", ENOENT).with_kind(ErrorKind::NotFound);
    auto reply = decode(encode_error(e)).release_value();
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->message == e.message);
    CHECK(reply.error->kind == ErrorKind::NotFound);
    CHECK(reply.error->code == ENOENT);
    CHECK(decode(encode_error(Error::msg("x").with_kind(ErrorKind::CannotInvoke)))->error->kind == ErrorKind::CannotInvoke);
}

TEST_CASE("protocol: garbage is an error")
{
    CHECK_FALSE(decode("not a reply").has_value());
    CHECK_FALSE(decode("pid x").has_value());
}

TEST_CASE("protocol: berth-monitor arguments")
{
    char const* words[] = { "berth-monitor", "--id=abc", "--dir=/run/x", "--pid=42", "--stdout=5", "--log-max-size=1000",
        "--relay-out", "--", "/bin/berth", "cleanup", nullptr };
    MonitorArgs a;
    REQUIRE(parse_args(10, const_cast<char**>(words), a));
    CHECK(std::string(a.id) == "abc");
    CHECK(a.container_pid == 42);
    CHECK(a.stdout_fd == 5);
    CHECK(a.stderr_fd == -1);
    CHECK(a.log_max_size == 1000);
    CHECK(a.relay_out);
    CHECK_FALSE(a.relay_in);
    CHECK(std::string(a.exit_command[0]) == "/bin/berth");
    char const* bad[] = { "berth-monitor", "--what=1", nullptr };
    CHECK_FALSE(parse_args(2, const_cast<char**>(bad), a));
}

TEST_CASE("exit status: code or 128+signal")
{
    CHECK(exit_status_code(3 << 8) == 3);
    CHECK(exit_status_code(SIGKILL) == 128 + SIGKILL);
}

TEST_CASE("exit file and process start time")
{
    auto dir = TempDir::create("/tmp").release_value();
    CHECK_FALSE(read_exit_file(dir.path()).has_value());
    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "exit"), "137 1700000000 5\n"));
    auto info = read_exit_file(dir.path());
    REQUIRE(info.has_value());
    CHECK(info->code == 137);
    CHECK(info->finished == 1700000000);
}

TEST_CASE("exit, launch and resize texts parse without files")
{
    auto exit = parse_exit_text("0 1700000000\n");
    REQUIRE(exit.has_value());
    CHECK(exit->code == 0);
    CHECK(exit->finished_nanos == 0);
    CHECK_FALSE(parse_exit_text("137").has_value());
    CHECK_FALSE(parse_exit_text("").has_value());
    auto launch = parse_launch_text("10 20 11 1700000000\n");
    REQUIRE(launch.has_value());
    CHECK(launch->monitor == 10);
    CHECK(launch->monitor_start == 20);
    CHECK(launch->container == 11);
    CHECK(launch->started == 1700000000);
    CHECK_FALSE(parse_launch_text("10 0 11 1700000000").has_value());   // no start time: not a process
    CHECK_FALSE(parse_launch_text("10 20 11").has_value());
    auto ws = parse_resize("24 80");
    CHECK(ws.rows == 24);
    CHECK(ws.cols == 80);
    CHECK(parse_resize("24").cols == 0);
    CHECK(parse_resize("").rows == 0);
}

TEST_CASE("launch config: every field but the fds survives the JSON berth-launch reads")
{
    MonitorConfig c;
    c.id = "abc";
    c.bundle_dir = "/data/containers/abc";
    c.run_dir = "/run/containers/abc";
    c.seccomp_cache_dir = "/run/seccomp";
    c.runtime_path = "/usr/bin/runc";
    c.runtime_root = "/run/runtime";
    c.monitor_path = "/usr/libexec/berth/berth-monitor";
    c.log_driver = "json-file";
    c.log_path = "/data/containers/abc/ctr.log";
    c.log_max_size = 1 << 20;
    c.exit_command = { "berth", "container", "cleanup", "abc" };
    c.healthcheck_interval_ms = 30000;
    c.healthcheck_command = { "berth", "healthcheck", "run", "abc" };
    c.healthcheck_startup_interval_ms = 1000;
    c.spec = runtime::Spec::parse(Json::parse(R"({
        "ociVersion": "1.0.2",
        "process": {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "cwd": "/"},
        "root": {"path": "rootfs"},
        "linux": {"namespaces": [{"type": "mount"}]}
    })")).release_value();
    c.interactive = true;
    c.attached = true;
    c.preserve_fds = { 3, 4 };
    c.network.program = network::HelperPlan::Program::Slirp4netns;
    c.network.executable = "slirp4netns";
    c.network.args = { "--configure" };
    c.network.forwards = { network::PortMapping { "127.0.0.1", 8080, 80, "udp" } };
    c.sync_fd = 7;
    c.lock_fd = 8;
    auto back = config_from_json(Json::parse(json::dump(config_to_json(c)))).release_value();
    CHECK(back.id == c.id);
    CHECK(back.bundle_dir == c.bundle_dir);
    CHECK(back.run_dir == c.run_dir);
    CHECK(back.seccomp_cache_dir == c.seccomp_cache_dir);
    CHECK(back.runtime_path == c.runtime_path);
    CHECK(back.runtime_root == c.runtime_root);
    CHECK(back.monitor_path == c.monitor_path);
    CHECK(back.log_driver == c.log_driver);
    CHECK(back.log_path == c.log_path);
    CHECK(back.log_max_size == c.log_max_size);
    CHECK(back.exit_command == c.exit_command);
    CHECK(back.healthcheck_interval_ms == c.healthcheck_interval_ms);
    CHECK(back.healthcheck_command == c.healthcheck_command);
    CHECK(back.healthcheck_startup_interval_ms == c.healthcheck_startup_interval_ms);
    CHECK(back.spec == c.spec);
    CHECK(back.interactive);
    CHECK(back.attached);
    CHECK(back.preserve_fds == c.preserve_fds);
    CHECK(back.network.program == c.network.program);
    CHECK(back.network.executable == c.network.executable);
    CHECK(back.network.args == c.network.args);
    REQUIRE(back.network.forwards.size() == 1);
    CHECK(back.network.forwards[0].host_ip == "127.0.0.1");
    CHECK(back.network.forwards[0].host_port == 8080);
    CHECK(back.network.forwards[0].container_port == 80);
    CHECK(back.network.forwards[0].protocol == "udp");
    // The fds are berth-launch's command line, not the document's.
    CHECK(back.sync_fd == -1);
    CHECK(back.lock_fd == -1);
}

TEST_CASE("launch config: a document without its fields is refused")
{
    CHECK_FALSE(config_from_json(Json::parse("[]")).has_value());
    CHECK_FALSE(config_from_json(Json::parse(R"({"spec": {}})")).has_value());
}
