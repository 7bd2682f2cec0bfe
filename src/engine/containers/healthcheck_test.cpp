// Healthchecks: Go durations, --healthcheck-cmd forms, flags over the image's
// Healthcheck, the state machine, and berth-monitor's healthcheck arguments.
#include <doctest/doctest.h>

#include "engine/containers/healthcheck.h"
#include "monitor/protocol.h"

using namespace berth;
using namespace berth::engine;

namespace {

constexpr int64_t s = nanos_per_second;

HealthLogEntry result(int code, std::string output = "")
{
    return HealthLogEntry { "2026-01-01T00:00:00.000000000Z", "2026-01-01T00:00:00.100000000Z", code, std::move(output) };
}

} // namespace

TEST_CASE("parse_duration reads Go durations")
{
    CHECK(parse_duration("30s", "--x").value() == 30 * s);
    CHECK(parse_duration("1m30s", "--x").value() == 90 * s);
    CHECK(parse_duration("500ms", "--x").value() == s / 2);
    CHECK(parse_duration("1.5h", "--x").value() == 5400 * s);
    CHECK(parse_duration("0", "--x").value() == 0);
    CHECK(parse_duration("250us", "--x").value() == 250000);
    CHECK(parse_duration("7ns", "--x").value() == 7);
    CHECK(parse_duration("-2s", "--x").value() == -2 * s);
    for (auto bad : { "", "30", "abc", "1x", "s", "1..2s", "1s2" }) {
        auto r = parse_duration(bad, "--health-interval");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message.find("--health-interval") != std::string::npos);
        CHECK(r.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("parse_healthcheck_command: shell strings, JSON arrays, keywords")
{
    using V = std::vector<std::string>;
    CHECK(parse_healthcheck_command("curl -f http://localhost/ || exit 1").value() == V { "CMD-SHELL", "curl -f http://localhost/ || exit 1" });
    CHECK(parse_healthcheck_command("true").value() == V { "CMD-SHELL", "true" });
    CHECK(parse_healthcheck_command(R"(["CMD", "ls", "-l"])").value() == V { "CMD", "ls", "-l" });
    CHECK(parse_healthcheck_command(R"(["CMD-SHELL", "exit 0"])").value() == V { "CMD-SHELL", "exit 0" });
    CHECK(parse_healthcheck_command(R"(["ls", "-l"])").value() == V { "CMD", "ls", "-l" });
    CHECK(parse_healthcheck_command(R"(["echo hi"])").value() == V { "CMD-SHELL", "echo hi" });
    CHECK(parse_healthcheck_command("CMD ls -l").value() == V { "CMD", "ls", "-l" });
    CHECK(parse_healthcheck_command("CMD-SHELL  exit 3").value() == V { "CMD-SHELL", "exit 3" });
    CHECK(parse_healthcheck_command("none").value() == V { "NONE" });
    CHECK(parse_healthcheck_command(R"(["NONE"])").value() == V { "NONE" });
    CHECK_FALSE(parse_healthcheck_command("").has_value());
    CHECK_FALSE(parse_healthcheck_command("[]").has_value());
    CHECK_FALSE(parse_healthcheck_command(R"(["CMD"])").has_value());
    CHECK_FALSE(parse_healthcheck_command(R"(["CMD", 1])").has_value());
}

TEST_CASE("HealthConfig runs CMD-SHELL with /bin/sh -c and CMD as is")
{
    HealthConfig c;
    c.test = { "CMD-SHELL", "exit 1" };
    CHECK(c.argv() == std::vector<std::string> { "/bin/sh", "-c", "exit 1" });
    c.test = { "CMD", "ls", "/" };
    CHECK(c.argv() == std::vector<std::string> { "ls", "/" });
    auto back = HealthConfig::from_json(c.to_json());
    REQUIRE(back.has_value());
    CHECK(back->test == c.test);
    CHECK(back->interval_ns == 30 * s);
    CHECK(back->to_json()["Retries"] == 3);
    CHECK_FALSE(HealthConfig::from_json(Json()).has_value());
    CHECK_FALSE(HealthConfig::from_json(Json { { "Test", { "NONE" } } }).has_value());
}

TEST_CASE("HealthConfig in inspect leaves out zeros as Podman does; the stored form keeps them")
{
    HealthConfig c;
    c.test = { "CMD-SHELL", "true" };
    c.interval_ns = 0;
    auto shown = c.inspect_json();
    CHECK_FALSE(shown.contains("Interval"));
    CHECK_FALSE(shown.contains("StartPeriod"));
    CHECK(shown["Timeout"] == 30 * s);
    CHECK(shown["Retries"] == 3);
    auto back = HealthConfig::from_json(c.to_json());
    REQUIRE(back.has_value());
    CHECK(back->interval_ns == 0);
}

TEST_CASE("resolve_healthcheck: flags over the image's, defaults, errors naming the flag")
{
    container::CreateOptions o;
    CHECK_FALSE(resolve_healthcheck(o, Json()).value().has_value());

    Json image { { "Test", { "CMD-SHELL", "check" } }, { "Interval", 5 * s }, { "Timeout", 0 }, { "Retries", 2 } };
    auto from_image = resolve_healthcheck(o, image).value();
    REQUIRE(from_image.has_value());
    CHECK(from_image->test == std::vector<std::string> { "CMD-SHELL", "check" });
    CHECK(from_image->interval_ns == 5 * s);
    CHECK(from_image->timeout_ns == 30 * s);  // 0 in the image: the default
    CHECK(from_image->retries == 2);

    o.healthcheck_interval = "1s";
    o.healthcheck_retries = 7;
    auto merged = resolve_healthcheck(o, image).value();
    CHECK(merged->test == std::vector<std::string> { "CMD-SHELL", "check" });
    CHECK(merged->interval_ns == s);
    CHECK(merged->retries == 7);

    o.healthcheck_cmd = "true";
    o.healthcheck_interval = "disable";
    auto given = resolve_healthcheck(o, Json()).value();
    REQUIRE(given.has_value());
    CHECK(given->test == std::vector<std::string> { "CMD-SHELL", "true" });
    CHECK(given->interval_ns == 0);
    CHECK(given->start_period_ns == 0);

    // Only interval flags and no command anywhere: no healthcheck.
    container::CreateOptions only_interval;
    only_interval.healthcheck_interval = "5s";
    CHECK_FALSE(resolve_healthcheck(only_interval, Json()).value().has_value());

    container::CreateOptions off;
    off.healthcheck_cmd = "none";
    CHECK_FALSE(resolve_healthcheck(off, image).value().has_value());
    off = {};
    off.no_healthcheck = true;
    CHECK_FALSE(resolve_healthcheck(off, image).value().has_value());

    auto error_of = [](auto setter) {
        container::CreateOptions bad;
        bad.healthcheck_cmd = "true";
        setter(bad);
        auto r = resolve_healthcheck(bad, Json());
        return r ? std::string() : r.error().message;
    };
    CHECK(error_of([](auto& b) { b.healthcheck_interval = "10"; }).find("--health-interval") != std::string::npos);
    CHECK(error_of([](auto& b) { b.healthcheck_timeout = "0s"; }).find("--health-timeout") != std::string::npos);
    CHECK(error_of([](auto& b) { b.healthcheck_start_period = "-1s"; }).find("--health-start-period") != std::string::npos);
    CHECK(error_of([](auto& b) { b.healthcheck_retries = 0; }).find("--health-retries") != std::string::npos);
    CHECK(error_of([](auto& b) { b.no_healthcheck = true; }).find("--no-healthcheck") != std::string::npos);
}

TEST_CASE("health state machine: pass, failures up to retries, start period")
{
    HealthState st;
    CHECK(st.status == "starting");
    st = next_health_state(st, result(1), false, 3);
    CHECK(st.status == "starting");
    CHECK(st.failing_streak == 1);
    st = next_health_state(st, result(0), false, 3);
    CHECK(st.status == "healthy");
    CHECK(st.failing_streak == 0);
    st = next_health_state(st, result(1), false, 2);
    CHECK(st.status == "healthy");
    st = next_health_state(st, result(-1), false, 2);
    CHECK(st.status == "unhealthy");
    CHECK(st.failing_streak == 2);
    st = next_health_state(st, result(0), false, 2);
    CHECK(st.status == "healthy");

    HealthState early;
    for (int i = 0; i < 5; ++i)
        early = next_health_state(early, result(1), true, 1);
    CHECK(early.status == "starting");
    CHECK(early.failing_streak == 0);
    CHECK(early.log.size() == 5);
    early = next_health_state(early, result(1), false, 1);
    CHECK(early.status == "unhealthy");
}

TEST_CASE("health log keeps the last five entries, output truncated")
{
    HealthState st;
    for (int i = 0; i < 8; ++i)
        st = next_health_state(st, result(i == 7 ? 0 : 1, std::to_string(i) + std::string(1000, 'x')), false, 100);
    REQUIRE(st.log.size() == health_log_entries);
    CHECK(st.log.front().output[0] == '3');
    CHECK(st.log.back().exit_code == 0);
    CHECK(st.log.back().output.size() == health_output_max);
    auto j = st.to_json();
    CHECK(j["Status"] == "healthy");
    CHECK(j["Log"].size() == 5);
    CHECK(j["Log"][4]["ExitCode"] == 0);
    auto back = HealthState::from_json(j);
    CHECK(back.status == "healthy");
    CHECK(back.log.size() == 5);
}

TEST_CASE("a state left by another run of the container starts over")
{
    HealthState st;
    st.status = "unhealthy";
    st.failing_streak = 4;
    st.run = "100@5";
    st.log.push_back(result(1));
    auto same = health_for_run(st, "100@5");
    CHECK(same.status == "unhealthy");
    CHECK(same.failing_streak == 4);
    auto next = health_for_run(st, "200@9");
    CHECK(next.status == "starting");
    CHECK(next.failing_streak == 0);
    CHECK(next.run == "200@9");
    CHECK(next.log.size() == 1);
}

TEST_CASE("berth-monitor arguments: healthcheck interval and command after a second --")
{
    char const* words[] = { "berth-monitor", "--id=x", "--dir=/d", "--pid=5", "--healthcheck-interval=1500", "--healthcheck-startup-interval=250", "--", "berth",
        "container", "cleanup", "x", "--", "berth", "healthcheck", "run", "x", nullptr };
    std::vector<char*> argv;
    for (auto* w : words)
        argv.push_back(const_cast<char*>(w));
    monitor::MonitorArgs a;
    REQUIRE(monitor::parse_args(static_cast<int>(argv.size() - 1), argv.data(), a));
    CHECK(a.healthcheck_interval_ms == 1500);
    CHECK(a.healthcheck_startup_interval_ms == 250);
    CHECK(std::string(a.exit_command[0]) == "berth");
    CHECK(std::string(a.exit_command[3]) == "x");
    CHECK(a.exit_command[4] == nullptr);
    REQUIRE(a.healthcheck_command != nullptr);
    CHECK(std::string(a.healthcheck_command[1]) == "healthcheck");
    CHECK(a.healthcheck_command[4] == nullptr);

    char const* plain[] = { "berth-monitor", "--pid=5", "--", "berth", "container", "cleanup", "x", nullptr };
    std::vector<char*> argv2;
    for (auto* w : plain)
        argv2.push_back(const_cast<char*>(w));
    monitor::MonitorArgs b;
    REQUIRE(monitor::parse_args(static_cast<int>(argv2.size() - 1), argv2.data(), b));
    CHECK(b.healthcheck_command == nullptr);
    CHECK(b.healthcheck_interval_ms == 0);
    CHECK(b.healthcheck_startup_interval_ms == 0);
}

TEST_CASE("--health-on-failure: Podman's four actions, errors naming the flag")
{
    CHECK(parse_health_on_failure("").value() == HealthOnFailure::None);
    CHECK(parse_health_on_failure("none").value() == HealthOnFailure::None);
    CHECK(parse_health_on_failure("kill").value() == HealthOnFailure::Kill);
    CHECK(parse_health_on_failure("restart").value() == HealthOnFailure::Restart);
    CHECK(parse_health_on_failure("stop").value() == HealthOnFailure::Stop);
    for (auto bad : { "STOP", "reboot", " kill" }) {
        auto r = parse_health_on_failure(bad);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message.find("--health-on-failure") != std::string::npos);
        CHECK(r.error().message.find("none, kill, restart or stop") != std::string::npos);
    }
    CHECK(std::string(health_on_failure_name(HealthOnFailure::Restart)) == "restart");
    CHECK(std::string(health_on_failure_name(HealthOnFailure::None)) == "none");
}

TEST_CASE("resolve_startup_healthcheck: defaults, needs a regular check, errors naming the flag")
{
    container::CreateOptions o;
    CHECK_FALSE(resolve_startup_healthcheck(o, true).value().has_value());
    o.health_startup_interval = "2s";  // without --health-startup-cmd: ignored
    CHECK_FALSE(resolve_startup_healthcheck(o, false).value().has_value());

    o.health_startup_cmd = "test -e /ready";
    auto c = resolve_startup_healthcheck(o, true).value();
    REQUIRE(c.has_value());
    CHECK(c->test == std::vector<std::string> { "CMD-SHELL", "test -e /ready" });
    CHECK(c->interval_ns == 2 * s);
    CHECK(c->timeout_ns == 30 * s);
    CHECK(c->retries == 0);
    CHECK(c->successes == 0);
    auto back = StartupHealthConfig::from_json(c->to_json());
    REQUIRE(back.has_value());
    CHECK(back->interval_ns == 2 * s);
    CHECK(back->as_check().argv() == std::vector<std::string> { "/bin/sh", "-c", "test -e /ready" });
    CHECK(c->to_json()["Successes"] == 0);

    o.health_startup_retries = 4;
    o.health_startup_success = 2;
    o.health_startup_timeout = "500ms";
    c = resolve_startup_healthcheck(o, true).value();
    CHECK(c->retries == 4);
    CHECK(c->successes == 2);
    CHECK(c->timeout_ns == s / 2);

    auto no_regular = resolve_startup_healthcheck(o, false);
    REQUIRE_FALSE(no_regular.has_value());
    CHECK(no_regular.error().message.find("no regular healthcheck") != std::string::npos);

    auto error_of = [](auto setter) {
        container::CreateOptions bad;
        bad.health_startup_cmd = "true";
        setter(bad);
        auto r = resolve_startup_healthcheck(bad, true);
        return r ? std::string() : r.error().message;
    };
    CHECK(error_of([](auto& b) { b.health_startup_interval = "5"; }).find("--health-startup-interval") != std::string::npos);
    CHECK(error_of([](auto& b) { b.health_startup_timeout = "0"; }).find("--health-startup-timeout") != std::string::npos);
    CHECK(error_of([](auto& b) { b.health_startup_retries = -1; }).find("--health-startup-retries") != std::string::npos);
    CHECK(error_of([](auto& b) { b.health_startup_success = -2; }).find("--health-startup-success") != std::string::npos);
    CHECK(error_of([](auto& b) { b.health_startup_cmd = "[]"; }).find("--health-startup-cmd") != std::string::npos);
    CHECK(error_of([](auto& b) { b.no_healthcheck = true; }).find("--no-healthcheck") != std::string::npos);
}

TEST_CASE("startup state machine: passes hand over, failures restart, counts per run")
{
    StartupHealthConfig c;
    c.test = { "CMD-SHELL", "true" };

    // Default: one pass is enough.
    auto step = next_startup_state(HealthState {}, result(0), c);
    CHECK(step.passed);
    CHECK_FALSE(step.restart);
    CHECK(step.state.startup_passed);
    CHECK(step.state.status == "healthy");

    // Failures leave the status alone (as in the start period) and, with retries 0, never restart.
    HealthState st;
    for (int i = 0; i < 10; ++i) {
        step = next_startup_state(st, result(1), c);
        CHECK_FALSE(step.restart);
        st = step.state;
    }
    CHECK(st.status == "starting");
    CHECK(st.failing_streak == 0);
    CHECK(st.startup_failures == 10);
    CHECK_FALSE(st.startup_passed);

    // --health-startup-success 3: three passes (a failure in between does not reset them, as Podman).
    c.successes = 3;
    st = {};
    for (int code : { 0, 1, 0 }) {
        step = next_startup_state(st, result(code), c);
        CHECK_FALSE(step.passed);
        st = step.state;
    }
    CHECK(st.startup_successes == 2);
    step = next_startup_state(st, result(0), c);
    CHECK(step.passed);
    CHECK(step.state.startup_successes == 0);
    CHECK(step.state.startup_failures == 0);
    // Once passed, more results change no counter.
    auto later = next_startup_state(step.state, result(1), c);
    CHECK_FALSE(later.passed);
    CHECK_FALSE(later.restart);
    CHECK(later.state.startup_passed);

    // --health-startup-retries 2: the second failure restarts.
    c.retries = 2;
    st = {};
    step = next_startup_state(st, result(1), c);
    CHECK_FALSE(step.restart);
    step = next_startup_state(step.state, result(1), c);
    CHECK(step.restart);

    // The counters belong to one run; they round-trip through the state file.
    auto file = HealthState::from_json(step.state.to_file_json());
    CHECK(file.startup_failures == 2);
    CHECK_FALSE(step.state.to_json().contains("StartupFailures"));  // not in inspect
    file.run = "1@1";
    auto next = health_for_run(file, "2@2");
    CHECK(next.startup_failures == 0);
    CHECK_FALSE(next.startup_passed);
}
