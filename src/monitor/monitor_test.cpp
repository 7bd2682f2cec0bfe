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
