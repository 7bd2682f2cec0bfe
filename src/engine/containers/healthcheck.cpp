// Healthchecks: flag parsing (Go durations, Podman's --health-cmd rules,
// --health-on-failure, --health-startup-*), the state machines (regular and
// startup check), and `healthcheck run`. See healthcheck.h.
//
// The run: the check is exec'd into the container like `berth exec` (the
// container's own security setup, runtime::exec_in) with stdout and stderr on
// one pipe, and read until it exits or its timeout passes; then its process
// group is killed (the check is a session leader, so `sh -c 'sleep 99'`
// goes with its children). Only then is the container's lock taken, for the
// read-modify-write of healthcheck.json: a check never holds the lock while
// it runs, so `stop` and `rm` are not held up by a slow one.
#include "engine/containers/healthcheck.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "engine/containers/containers.h"
#include "engine/system/events.h"
#include "engine/images/images.h"
#include "monitor/protocol.h"
#include "runtime/exec.h"
#include "store/database.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::engine {

using container::ContainerRecord;

// ------------------------------------------------------------------ parsing

Result<int64_t> parse_duration(std::string const& text, std::string const& flag)
{
    auto bad = [&](std::string const& why) {
        return Error { EINVAL, "invalid " + flag + " \"" + text + "\": " + why };
    };
    static constexpr std::pair<char const*, int64_t> units[] = {
        { "ns", 1 }, { "us", 1000 }, { "\xC2\xB5s", 1000 }, { "\xCE\xBCs", 1000 }, { "ms", 1000000 },
        { "s", nanos_per_second }, { "m", 60 * nanos_per_second }, { "h", 3600 * nanos_per_second },
    };
    std::string s = text;
    bool negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+'))
        s.erase(0, 1);
    if (s == "0")
        return 0;
    if (s.empty())
        return bad("use a duration like 30s, 1m30s or 500ms");
    long double total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t start = i;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
            ++i;
        std::string number = s.substr(start, i - start);
        if (number.empty() || number == "." || std::count(number.begin(), number.end(), '.') > 1)
            return bad("use a duration like 30s, 1m30s or 500ms");
        size_t unit_start = i;
        while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.')
            ++i;
        std::string unit = s.substr(unit_start, i - unit_start);
        if (unit.empty())
            return bad("missing unit: use ns, us, ms, s, m or h (e.g. 30s)");
        auto it = std::find_if(std::begin(units), std::end(units), [&](auto const& u) { return unit == u.first; });
        if (it == std::end(units))
            return bad("unknown unit \"" + unit + "\": use ns, us, ms, s, m or h");
        total += std::strtold(number.c_str(), nullptr) * static_cast<long double>(it->second);
    }
    if (total > static_cast<long double>(INT64_MAX))
        return bad("out of range");
    auto ns = static_cast<int64_t>(std::llround(total));
    return negative ? -ns : ns;
}

namespace {

std::string upper(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> fields(std::string const& text)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        if (i > start)
            out.push_back(text.substr(start, i - start));
    }
    return out;
}

std::string trim(std::string const& text)
{
    auto first = text.find_first_not_of(" \t\n");
    auto last = text.find_last_not_of(" \t\n");
    return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

Error no_command(std::string const& flag) { return Error { EINVAL, "invalid " + flag + ": must define a healthcheck command for all healthchecks" }; }

/// A JSON array form: keywords kept, bare words become CMD (one word: a shell command).
Result<std::vector<std::string>> command_from_array(Json const& array, std::string const& flag)
{
    std::vector<std::string> words;
    for (auto const& v : array) {
        if (!v.is_string())
            return Error { EINVAL, "invalid " + flag + ": a JSON array must hold strings only" };
        words.push_back(v.get<std::string>());
    }
    if (words.empty())
        return no_command(flag);
    std::string keyword = upper(words.front());
    if (keyword == "NONE")
        return std::vector<std::string> { "NONE" };
    if (keyword == "CMD" || keyword == "CMD-SHELL") {
        words.front() = keyword;
        if (words.size() < 2)
            return no_command(flag);
        if (keyword == "CMD-SHELL" && words.size() > 2) {
            std::string joined;
            for (size_t i = 1; i < words.size(); ++i)
                joined += (i > 1 ? " " : "") + words[i];
            return std::vector<std::string> { "CMD-SHELL", joined };
        }
        return words;
    }
    if (words.size() == 1)
        return std::vector<std::string> { "CMD-SHELL", words.front() };
    words.insert(words.begin(), "CMD");
    return words;
}

} // namespace

Result<std::vector<std::string>> parse_healthcheck_command(std::string const& given, std::string const& flag)
{
    std::string text = trim(given);
    if (text.empty())
        return no_command(flag);
    if (text.front() == '[') {
        auto parsed = json::parse(text, flag);
        if (parsed && parsed->is_array())
            return command_from_array(*parsed, flag);
    }
    auto words = fields(text);
    std::string keyword = upper(words.front());
    if (keyword == "NONE" && words.size() == 1)
        return std::vector<std::string> { "NONE" };
    if (keyword == "CMD" || keyword == "CMD-SHELL") {
        if (words.size() < 2)
            return no_command(flag);
        if (keyword == "CMD") {
            words.front() = "CMD";
            return words;
        }
        return std::vector<std::string> { "CMD-SHELL", trim(text.substr(text.find(words.front()) + words.front().size())) };
    }
    return std::vector<std::string> { "CMD-SHELL", text };
}

// ------------------------------------------------------------------ config

Json HealthConfig::to_json() const
{
    return Json { { "Test", test }, { "Interval", interval_ns }, { "Timeout", timeout_ns }, { "StartPeriod", start_period_ns },
        { "Retries", retries } };
}

Json HealthConfig::inspect_json() const
{
    auto j = to_json();
    for (char const* key : { "Interval", "Timeout", "StartPeriod", "Retries" })
        if (j[key] == 0)
            j.erase(key);
    return j;
}

std::optional<HealthConfig> HealthConfig::from_json(Json const& j)
{
    if (!j.is_object() || !j.contains("Test") || !j["Test"].is_array())
        return std::nullopt;
    HealthConfig c;
    for (auto const& v : j["Test"])
        if (v.is_string())
            c.test.push_back(v.get<std::string>());
    if (c.test.size() < 2 || (c.test.front() != "CMD" && c.test.front() != "CMD-SHELL"))
        return std::nullopt;
    auto number = [&](char const* key, int64_t fallback) {
        return j.contains(key) && j[key].is_number_integer() ? j[key].get<int64_t>() : fallback;
    };
    c.interval_ns = number("Interval", c.interval_ns);
    c.timeout_ns = number("Timeout", c.timeout_ns);
    c.start_period_ns = number("StartPeriod", c.start_period_ns);
    c.retries = static_cast<int>(number("Retries", c.retries));
    return c;
}

std::vector<std::string> HealthConfig::argv() const
{
    if (test.size() >= 2 && test.front() == "CMD-SHELL")
        return { "/bin/sh", "-c", test[1] };
    if (test.size() >= 2)
        return { test.begin() + 1, test.end() };
    return {};
}

namespace {

/// A duration flag as typed: nullopt when not given; "disable" is 0 where allowed.
Result<std::optional<int64_t>> duration(std::string const& text, char const* flag, bool allow_disable)
{
    if (text.empty())
        return std::optional<int64_t> {};
    if (allow_disable && text == "disable")
        return std::optional<int64_t> { 0 };
    auto ns = TRY(parse_duration(text, flag));
    if (ns < 0)
        return Error { EINVAL, "invalid " + std::string(flag) + " \"" + text + "\": must not be negative" };
    return std::optional<int64_t> { ns };
}

} // namespace

Result<HealthOnFailure> parse_health_on_failure(std::string const& text)
{
    for (auto a : { HealthOnFailure::None, HealthOnFailure::Kill, HealthOnFailure::Restart, HealthOnFailure::Stop })
        if (text == health_on_failure_name(a))
            return a;
    if (text.empty())
        return HealthOnFailure::None;
    return Error { EINVAL, "invalid --health-on-failure \"" + text + "\": use none, kill, restart or stop" };
}

char const* health_on_failure_name(HealthOnFailure action)
{
    switch (action) {
    case HealthOnFailure::Kill:
        return "kill";
    case HealthOnFailure::Restart:
        return "restart";
    case HealthOnFailure::Stop:
        return "stop";
    case HealthOnFailure::None:
        break;
    }
    return "none";
}

Json StartupHealthConfig::to_json() const
{
    return Json { { "Test", test }, { "Interval", interval_ns }, { "Timeout", timeout_ns }, { "Retries", retries },
        { "Successes", successes } };
}

std::optional<StartupHealthConfig> StartupHealthConfig::from_json(Json const& j)
{
    auto check = HealthConfig::from_json(j);
    if (!check)
        return std::nullopt;
    StartupHealthConfig c;
    c.test = check->test;
    c.interval_ns = j.value("Interval", c.interval_ns);
    c.timeout_ns = j.value("Timeout", c.timeout_ns);
    c.retries = j.value("Retries", 0);
    c.successes = j.value("Successes", 0);
    return c;
}

HealthConfig StartupHealthConfig::as_check() const
{
    HealthConfig c;
    c.test = test;
    c.interval_ns = interval_ns;
    c.timeout_ns = timeout_ns;
    return c;
}

Result<std::optional<StartupHealthConfig>> resolve_startup_healthcheck(container::CreateOptions const& o, bool has_regular)
{
    using None = std::optional<StartupHealthConfig>;
    StartupHealthConfig c;
    auto interval = TRY(duration(o.health_startup_interval, "--health-startup-interval", true));
    auto timeout = TRY(duration(o.health_startup_timeout, "--health-startup-timeout", false));
    if (timeout && *timeout == 0)
        return Error { EINVAL, "invalid --health-startup-timeout \"" + o.health_startup_timeout + "\": must be greater than 0" };
    for (auto [value, flag] : { std::pair { o.health_startup_retries, "--health-startup-retries" },
             std::pair { o.health_startup_success, "--health-startup-success" } })
        if (value && *value < 0)
            return Error { EINVAL, "invalid " + std::string(flag) + " " + std::to_string(*value) + ": must not be negative" };
    if (o.health_startup_cmd.empty())
        return None {};
    if (o.no_healthcheck)
        return Error { EINVAL, "--no-healthcheck and --health-startup-cmd conflict: use one of them" };
    c.test = TRY(parse_healthcheck_command(o.health_startup_cmd, "--health-startup-cmd"));
    if (c.test.front() == "NONE")
        return None {};
    if (!has_regular)
        return Error { EINVAL, "cannot set a startup healthcheck when there is no regular healthcheck: add --health-cmd "
                               "(or use an image with a HEALTHCHECK)" };
    c.interval_ns = interval.value_or(c.interval_ns);
    c.timeout_ns = timeout.value_or(c.timeout_ns);
    c.retries = o.health_startup_retries.value_or(0);
    c.successes = o.health_startup_success.value_or(0);
    return None { c };
}

Result<std::optional<HealthConfig>> resolve_healthcheck(container::CreateOptions const& o, Json const& image)
{
    using None = std::optional<HealthConfig>;
    // Validate every flag first, even when --no-healthcheck makes them moot.
    std::optional<std::vector<std::string>> test;
    if (!o.healthcheck_cmd.empty())
        test = TRY(parse_healthcheck_command(o.healthcheck_cmd));
    auto interval = TRY(duration(o.healthcheck_interval, "--health-interval", true));
    auto timeout = TRY(duration(o.healthcheck_timeout, "--health-timeout", false));
    auto start_period = TRY(duration(o.healthcheck_start_period, "--health-start-period", false));
    if (timeout && *timeout == 0)
        return Error { EINVAL, "invalid --health-timeout \"" + o.healthcheck_timeout + "\": must be greater than 0" };
    if (o.healthcheck_retries && *o.healthcheck_retries < 1)
        return Error { EINVAL, "invalid --health-retries " + std::to_string(*o.healthcheck_retries) + ": must be greater than 0" };
    if (o.no_healthcheck && !o.healthcheck_cmd.empty() && upper(trim(o.healthcheck_cmd)) != "NONE")
        return Error { EINVAL, "--no-healthcheck and --health-cmd conflict: use one of them" };
    if (o.no_healthcheck || (test && test->front() == "NONE"))
        return None {};

    // The image's healthcheck is the base; zero fields there mean "the default".
    HealthConfig c;
    auto from_image = HealthConfig::from_json(image);
    if (from_image) {
        auto positive = [](int64_t v, int64_t fallback) { return v > 0 ? v : fallback; };
        c.test = from_image->test;
        c.interval_ns = positive(from_image->interval_ns, c.interval_ns);
        c.timeout_ns = positive(from_image->timeout_ns, c.timeout_ns);
        c.start_period_ns = std::max<int64_t>(from_image->start_period_ns, 0);
        c.retries = from_image->retries > 0 ? from_image->retries : c.retries;
    }
    if (test)
        c.test = *test;
    if (c.test.empty())
        return None {};
    c.interval_ns = interval.value_or(c.interval_ns);
    c.timeout_ns = timeout.value_or(c.timeout_ns);
    c.start_period_ns = start_period.value_or(c.start_period_ns);
    c.retries = o.healthcheck_retries.value_or(c.retries);
    return None { c };
}

Result<std::optional<HealthConfig>> healthcheck_for_create(Context& ctx, container::CreateOptions const& options,
    store::ImageRecord const& image)
{
    if (options.no_healthcheck)
        return resolve_healthcheck(options, Json());
    auto config = TRY(image_config(ctx, image));
    Json none;
    auto const& raw = config.raw;
    bool has = raw.is_object() && raw.contains("config") && raw["config"].is_object() && raw["config"].contains("Healthcheck");
    return resolve_healthcheck(options, has ? raw["config"]["Healthcheck"] : none);
}

std::optional<HealthConfig> healthcheck_of(ContainerRecord const& rec)
{
    if (!rec.config.contains("healthcheck"))
        return std::nullopt;
    return HealthConfig::from_json(rec.config["healthcheck"]);
}

std::optional<StartupHealthConfig> startup_healthcheck_of(ContainerRecord const& rec)
{
    if (!rec.config.contains("healthcheck") || !rec.config.contains("startup_healthcheck"))
        return std::nullopt;
    return StartupHealthConfig::from_json(rec.config["startup_healthcheck"]);
}

ErrorOr add_startup_healthcheck(container::CreateOptions const& options, Json& config)
{
    TRY(parse_health_on_failure(options.health_on_failure));
    bool has_regular = config.contains("healthcheck") && HealthConfig::from_json(config["healthcheck"]).has_value();
    if (auto startup = TRY(resolve_startup_healthcheck(options, has_regular)))
        config["startup_healthcheck"] = startup->to_json();
    return {};
}

// ------------------------------------------------------------------ state

Json HealthState::to_json() const
{
    Json entries = Json::array();
    for (auto const& e : log)
        entries.push_back(Json { { "Start", e.start }, { "End", e.end }, { "ExitCode", e.exit_code }, { "Output", e.output } });
    return Json { { "Status", status }, { "FailingStreak", failing_streak }, { "Log", entries } };
}

Json HealthState::to_file_json() const
{
    Json j = to_json();
    j["Run"] = run;
    j["StartupPassed"] = startup_passed;
    j["StartupSuccesses"] = startup_successes;
    j["StartupFailures"] = startup_failures;
    return j;
}

HealthState HealthState::from_json(Json const& j)
{
    HealthState s;
    if (!j.is_object())
        return s;
    s.status = j.value("Status", std::string(health_starting));
    s.failing_streak = j.value("FailingStreak", 0);
    s.run = j.value("Run", std::string());
    s.startup_passed = j.value("StartupPassed", false);
    s.startup_successes = j.value("StartupSuccesses", 0);
    s.startup_failures = j.value("StartupFailures", 0);
    if (j.contains("Log") && j["Log"].is_array())
        for (auto const& e : j["Log"])
            if (e.is_object())
                s.log.push_back({ e.value("Start", ""), e.value("End", ""), e.value("ExitCode", 0), e.value("Output", "") });
    return s;
}

HealthState next_health_state(HealthState s, HealthLogEntry entry, bool in_start_period, int retries)
{
    if (entry.exit_code == 0) {
        s.status = health_healthy;
        s.failing_streak = 0;
    } else if (!in_start_period) {
        ++s.failing_streak;
        if (s.failing_streak >= retries)
            s.status = health_unhealthy;
    }
    if (entry.output.size() > health_output_max)
        entry.output.resize(health_output_max);
    s.log.push_back(std::move(entry));
    if (s.log.size() > health_log_entries)
        s.log.erase(s.log.begin(), s.log.end() - static_cast<std::ptrdiff_t>(health_log_entries));
    return s;
}

StartupStep next_startup_state(HealthState s, HealthLogEntry entry, StartupHealthConfig const& c)
{
    bool passed = entry.exit_code == 0;
    StartupStep step;
    step.state = next_health_state(std::move(s), std::move(entry), true, 1);
    auto& st = step.state;
    if (st.startup_passed)
        return step;  // another check got there first
    if (passed && ++st.startup_successes >= std::max(c.successes, 1)) {
        st.startup_passed = step.passed = true;
        st.startup_successes = st.startup_failures = 0;
    } else if (!passed && ++st.startup_failures >= c.retries && c.retries > 0) {
        step.restart = true;
    }
    return step;
}

HealthState health_for_run(HealthState s, std::string const& run)
{
    if (s.run != run) {
        s.status = health_starting;
        s.failing_streak = 0;
        s.run = run;
        s.startup_passed = false;
        s.startup_successes = s.startup_failures = 0;
    }
    return s;
}

std::string health_run_of(ContainerRecord const& rec)
{
    return std::to_string(rec.monitor_pid) + "@" + std::to_string(rec.started);
}

// ------------------------------------------------------------------ effects

namespace {

std::string state_path(Context& ctx, std::string const& id)
{
    return fs::join(ctx.paths.layout().bundle_dir(id), "healthcheck.json");
}

std::optional<HealthState> load_state(std::string const& path)
{
    auto text = fs::read_file(path);
    if (!text)
        return std::nullopt;
    auto j = json::parse(*text, path);
    if (!j)
        return std::nullopt;
    return HealthState::from_json(*j);
}

int64_t realtime_ns()
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * nanos_per_second + ts.tv_nsec;
}

int64_t monotonic_ns()
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * nanos_per_second + ts.tv_nsec;
}

/// "2026-11-28T17:00:00.123456789Z".
std::string rfc3339_nanos(int64_t ns)
{
    time_t secs = static_cast<time_t>(ns / nanos_per_second);
    struct tm tm {};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
        tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(ns % nanos_per_second));
    return buf;
}

/// Time since the container started: from its monitor's start time (clock
/// ticks since boot, so 10 ms precision), else from the record's seconds.
int64_t running_for_ns(ContainerRecord const& rec)
{
    if (rec.monitor_start > 0) {
        struct timespec ts {};
        ::clock_gettime(CLOCK_BOOTTIME, &ts);
        int64_t boot_ns = static_cast<int64_t>(ts.tv_sec) * nanos_per_second + ts.tv_nsec;
        return boot_ns - rec.monitor_start * (nanos_per_second / ::sysconf(_SC_CLK_TCK));
    }
    return realtime_ns() - rec.started * nanos_per_second;
}

Error not_running(ContainerRecord const& rec)
{
    return Error { EINVAL, "container " + rec.name + " is not running: start it first (state " + std::string(container::state_name(rec.state))
            + "): container state improper" };
}

struct CheckOutcome {
    HealthLogEntry entry;
    bool gone = false;                ///< the container stopped under the check
};

/// Reads the check's output until it exits (or its timeout passes: then its
/// process group is killed); returns its status, -1 for a timeout.
int collect(pid_t pid, int out_fd, int64_t timeout_ns, std::string& output)
{
    int64_t deadline = monotonic_ns() + timeout_ns;
    bool open = true;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            return 1;  // not ours to wait for: count it as a failure
        int64_t left = deadline - monotonic_ns();
        if (left <= 0) {
            ::kill(-pid, SIGKILL);
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) { }
            return -1;
        }
        // Short sleeps: the check may exit while a child of it keeps the pipe open.
        struct pollfd p = { open ? out_fd : -1, POLLIN, 0 };
        ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left / 1000000 + 1, 20)));
        if (open && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
            char buf[4096];
            ssize_t n = ::read(out_fd, buf, sizeof buf);
            if (n > 0 && output.size() < 4 * health_output_max)
                output.append(buf, static_cast<size_t>(n));
            else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                open = false;
        }
    }
    // What it wrote just before it exited.
    char buf[4096];
    ssize_t n;
    while (open && (n = ::read(out_fd, buf, sizeof buf)) > 0 && output.size() < 4 * health_output_max)
        output.append(buf, static_cast<size_t>(n));
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

/// Runs the check once in the container, as `berth exec` would run it.
Result<CheckOutcome> run_check(Context& ctx, ContainerRecord const& rec, HealthConfig const& hc)
{
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    auto text = TRY_CTX(fs::read_file(fs::join(dir, "config.json")), "healthcheck " + rec.name);
    auto spec = TRY_CTX(runtime::Spec::parse(std::string_view(text)), "healthcheck " + rec.name);
    spec.process.args = hc.argv();
    spec.process.terminal = false;
    spec.process.oom_score_adj.reset();
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0)
        return Error::from_errno("healthcheck pipe");
    UniqueFd out_r(p[0]), out_w(p[1]);
    ::fcntl(out_r.get(), F_SETFL, O_NONBLOCK);

    runtime::ExecRequest req;
    req.init_pid = static_cast<pid_t>(rec.pid);
    req.spec = &spec;
    req.seccomp_cache_dir = ctx.paths.layout().seccomp_cache_dir();
    req.helper = TRY(sys::helper_path(monitor::launch_executable));
    req.stdio.in = -1;
    req.stdio.out = out_w.get();
    req.stdio.err = out_w.get();
    CheckOutcome outcome;
    int64_t start = realtime_ns();
    outcome.entry.start = rfc3339_nanos(start);
    auto started = runtime::exec_in(req);
    out_w.reset();
    if (!started) {
        if (started.error().code == ESRCH) {
            outcome.gone = true;
            return outcome;
        }
        // A check that cannot run is a failed check, as in Podman.
        outcome.entry.exit_code = exit_status(started.error().kind);
        outcome.entry.output = started.error().message;
    } else {
        outcome.entry.exit_code = collect(started->pid, out_r.get(), hc.timeout_ns, outcome.entry.output);
        if (outcome.entry.exit_code == -1) {
            double secs = static_cast<double>(hc.timeout_ns) / nanos_per_second;
            char what[96];
            std::snprintf(what, sizeof what, "healthcheck command exceeded timeout of %gs", secs);
            outcome.entry.output += (outcome.entry.output.empty() || outcome.entry.output.back() == '\n' ? "" : "\n") + std::string(what);
        }
    }
    // Podman logs any failure as 1, whatever the command exited with; -1 (the timeout) stays.
    if (outcome.entry.exit_code > 0)
        outcome.entry.exit_code = 1;
    outcome.entry.end = rfc3339_nanos(realtime_ns());
    return outcome;
}

} // namespace

Result<HealthCheckReport> run_healthcheck(Context& ctx, std::string const& name_or_id)
{
    auto rec = TRY(find_container(ctx, name_or_id));
    auto hc = healthcheck_of(rec);
    if (!hc)
        return Error { EINVAL, "container " + rec.name + " has no defined healthcheck: create it with --health-cmd" };
    if (rec.state != container::State::Running || rec.pid <= 0)
        return not_running(rec);
    std::string run = health_run_of(rec);
    std::string path = state_path(ctx, rec.id);
    // Until the startup check has passed it runs instead of the regular one.
    auto startup = startup_healthcheck_of(rec);
    if (startup && health_for_run(load_state(path).value_or(HealthState {}), run).startup_passed)
        startup.reset();
    bool in_start_period = running_for_ns(rec) < hc->start_period_ns;
    auto outcome = TRY(run_check(ctx, rec, startup ? startup->as_check() : *hc));

    HealthCheckReport report;
    report.passed = outcome.entry.exit_code == 0;
    report.startup = startup.has_value();
    StartupStep step;
    ContainerRecord current;
    {
        auto cs = TRY(container_records(ctx));
        auto lock = TRY(cs.lock(rec.id));
        auto now = TRY(cs.get(rec.id));
        if (!now)
            return Error { ENOENT, "container " + rec.name + " was removed while its healthcheck ran" };
        current = std::move(*now);
        if (outcome.gone || current.state != container::State::Running || health_run_of(current) != run)
            return not_running(current);
        HealthState before = health_for_run(load_state(path).value_or(HealthState {}), run);
        if (startup)
            step = next_startup_state(std::move(before), std::move(outcome.entry), *startup);
        else
            step.state = next_health_state(std::move(before), std::move(outcome.entry), in_start_period, hc->retries);
        TRY(fs::write_file_replace(path, json::dump(step.state.to_file_json(), 2) + "\n", 0600));
    }
    report.state = step.state;
    report.startup_passed = step.passed;
    record_container_event(ctx.paths, "health_status", current, { { "health_status", report.state.status } });
    TRY(act_on_health(ctx, current, report, step));
    return report;
}

std::optional<HealthState> read_health(Context& ctx, ContainerRecord const& rec)
{
    if (!rec.config.contains("healthcheck"))
        return std::nullopt;
    auto stored = load_state(state_path(ctx, rec.id));
    if (rec.state == container::State::Running || rec.state == container::State::Paused)
        return health_for_run(stored.value_or(HealthState {}), health_run_of(rec));
    return stored;
}

} // namespace berth::engine
