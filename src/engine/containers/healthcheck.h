// Healthchecks (Podman's --health-* flags, `healthcheck run`, State.Health):
// what the check is (HealthConfig: the flags over the image's "Healthcheck";
// StartupHealthConfig: --health-startup-*, which runs instead until it has
// passed), running it once in the container, the state it leaves behind, and
// what follows (--health-on-failure, startup hand-over: health_actions.cpp).
//
// The state (data_dir/containers/ID/healthcheck.json: Status starting|healthy|
// unhealthy, FailingStreak, the last five Log entries) is changed only by
// `healthcheck run`, under the container's lock, and rewritten atomically.
// berth-monitor starts `berth healthcheck run ID` every interval; nothing else
// schedules checks. The hard part is that a state belongs to one run of the
// container: it names that run (monitor pid and start time), and a state left
// by an earlier run reads as "starting" again (startup check not yet passed)
// without anyone rewriting it.
// The parsing and the state machine are pure and unit-tested.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "engine/context.h"
#include "monitor/protocol.h"
#include "store/store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

inline constexpr int64_t nanos_per_second = 1000000000;

/// A container's healthcheck, in the form of Docker's image config and of
/// Podman's inspect Config.Healthcheck.
struct HealthConfig {
    std::vector<std::string> test;           ///< {"CMD-SHELL", "cmd"} or {"CMD", "prog", "arg"...}
    int64_t interval_ns = 30 * nanos_per_second;  ///< 0: no automatic checks (`healthcheck run` only)
    int64_t timeout_ns = 30 * nanos_per_second;
    int64_t start_period_ns = 0;
    int retries = 3;

    /// {"Test", "Interval", "Timeout", "StartPeriod", "Retries"}, durations in nanoseconds.
    Json to_json() const;
    /// to_json() as inspect's Config.Healthcheck shows it: like Podman (Go's
    /// omitempty) it leaves out a duration or retry count that is 0.
    Json inspect_json() const;
    /// nullopt for null, a malformed document or a test that runs nothing.
    static std::optional<HealthConfig> from_json(Json const& j);
    /// The process to run: CMD-SHELL becomes /bin/sh -c.
    std::vector<std::string> argv() const;
};

/// --health-on-failure: what happens when a check leaves the container unhealthy.
enum class HealthOnFailure { None, Kill, Restart, Stop };
/// "none", "kill", "restart", "stop"; anything else is an error naming --health-on-failure.
Result<HealthOnFailure> parse_health_on_failure(std::string const& text);
/// The action's name as Podman's inspect Config.HealthcheckOnFailureAction shows it.
char const* health_on_failure_name(HealthOnFailure action);

/// A startup healthcheck (--health-startup-*): it runs instead of the regular
/// check until it has passed, as Podman's Config.StartupHealthCheck.
struct StartupHealthConfig {
    std::vector<std::string> test;           ///< as HealthConfig::test
    int64_t interval_ns = 30 * nanos_per_second;
    int64_t timeout_ns = 30 * nanos_per_second;
    int retries = 0;                         ///< failures that restart the container; 0: never
    int successes = 0;                       ///< passes needed; 0: one

    /// {"Test", "Interval", "Timeout", "Retries", "Successes"}.
    Json to_json() const;
    static std::optional<StartupHealthConfig> from_json(Json const& j);
    /// The same command and timeout as a HealthConfig, to run it.
    HealthConfig as_check() const;
};

/// Go's time.ParseDuration: "1m30s", "500ms", "1.5h", "0". A bad one is an
/// error naming `flag` (e.g. "--healthcheck-interval").
Result<int64_t> parse_duration(std::string const& text, std::string const& flag);
/// --health-cmd (`flag`) as Podman reads it: a JSON array (["CMD", "a", "b"],
/// ["CMD-SHELL", "..."], or plain words which mean CMD), else a shell command
/// (CMD-SHELL). "none" gives {"NONE"}.
Result<std::vector<std::string>> parse_healthcheck_command(std::string const& text, std::string const& flag = "--health-cmd");
/// The startup healthcheck from the --health-startup-* flags (nullopt without
/// --health-startup-cmd). `has_regular`: the container has a regular
/// healthcheck, which Podman requires. Bad flags are errors naming the flag.
Result<std::optional<StartupHealthConfig>> resolve_startup_healthcheck(container::CreateOptions const& options, bool has_regular);
/// The container's healthcheck: each flag given overrides the image's field
/// (`image_healthcheck` is the image config's "Healthcheck" or null), else
/// Podman's defaults. nullopt when there is none or --no-healthcheck /
/// --healthcheck-cmd none. Bad flags are errors naming the flag.
Result<std::optional<HealthConfig>> resolve_healthcheck(container::CreateOptions const& options, Json const& image_healthcheck);

/// One check in the log.
struct HealthLogEntry {
    std::string start;             ///< RFC 3339 with nanoseconds
    std::string end;
    int exit_code = 0;             ///< -1: killed at the timeout
    std::string output;            ///< stdout and stderr, truncated
};

inline constexpr char const* health_starting = "starting";
inline constexpr char const* health_healthy = "healthy";
inline constexpr char const* health_unhealthy = "unhealthy";
inline constexpr size_t health_log_entries = 5;
inline constexpr size_t health_output_max = 500;

struct HealthState {
    std::string status = health_starting;
    int failing_streak = 0;
    std::vector<HealthLogEntry> log;  ///< oldest first, at most health_log_entries
    std::string run;                  ///< the run of the container it belongs to (health_run_of)
    bool startup_passed = false;      ///< the startup check has passed in this run
    int startup_successes = 0;        ///< passes and failures of the startup check so far
    int startup_failures = 0;

    /// Podman's State.Health plus "Run": {"Status", "FailingStreak", "Log": [{"Start", "End", "ExitCode", "Output"}]}.
    Json to_json() const;
    /// to_json plus what only berth reads: "Run", "StartupPassed", "StartupSuccesses", "StartupFailures".
    Json to_file_json() const;
    static HealthState from_json(Json const& j);
};

/// The state machine: the state after one check that ended with `entry`. A
/// pass makes it healthy; a failure in the start period changes nothing but
/// the log; otherwise it adds to the streak, and `retries` failures in a row
/// make it unhealthy. The log keeps the last health_log_entries entries.
HealthState next_health_state(HealthState state, HealthLogEntry entry, bool in_start_period, int retries);
/// One startup check's result: the state, and what it asks for.
struct StartupStep {
    HealthState state;
    bool passed = false;              ///< the startup check passed just now: the regular check takes over
    bool restart = false;             ///< --health-startup-retries failures: restart the container
};
/// The state machine of the startup check (Podman's rules): it is logged like
/// a check in the start period (a pass makes the container healthy, a failure
/// leaves the status alone); passes and failures are counted (neither resets
/// the other); `successes` passes (one when 0) pass it; `retries` failures (never when 0) restart.
StartupStep next_startup_state(HealthState state, HealthLogEntry entry, StartupHealthConfig const& config);
/// The state as seen by run `run` of the container: one left by another run
/// starts over (starting, no streak; the log is kept).
HealthState health_for_run(HealthState state, std::string const& run);
/// Names one run of a container (its monitor and start time).
std::string health_run_of(container::ContainerRecord const& rec);

/// Podman's "container X has no defined healthcheck" and friends.
struct HealthCheckReport {
    bool passed = false;           ///< this check's exit code was 0
    bool startup = false;          ///< it was the startup check
    bool startup_passed = false;   ///< ... and it passed just now: the regular check takes over
    HealthState state;             ///< after it
};
/// The exit status of `healthcheck run --from-monitor` when the startup check
/// passed just now: berth-monitor then switches to the regular interval.
using monitor::health_startup_passed_code;
/// `healthcheck run`: runs the check (the startup check until it has passed)
/// once in the running container (killed at its timeout), records the result,
/// then acts: too many startup failures restart the container; a
/// regular check that leaves it unhealthy applies --health-on-failure (kill:
/// SIGKILL; stop: as `berth stop`; restart: as `berth restart`). Errors: no
/// healthcheck, not running, a failed action (exit 125). ctx.store stays
/// open throughout.
Result<HealthCheckReport> run_healthcheck(Context& ctx, std::string const& name_or_id);
/// What follows a recorded check (health_actions.cpp): restarts after too many startup failures, applies
/// --health-on-failure to an unhealthy container, through ctx's store.
ErrorOr act_on_health(Context& ctx, container::ContainerRecord const& rec, HealthCheckReport const& report, StartupStep const& step);
/// resolve_healthcheck with the image's config (read from the store) for a new container.
Result<std::optional<HealthConfig>> healthcheck_for_create(Context& ctx, container::CreateOptions const& options,
    store::ImageRecord const& image);
/// The healthcheck of a record (nullopt: none).
std::optional<HealthConfig> healthcheck_of(container::ContainerRecord const& rec);
/// The startup healthcheck of a record (nullopt: none).
std::optional<StartupHealthConfig> startup_healthcheck_of(container::ContainerRecord const& rec);
/// For create: resolves the startup healthcheck against `config["healthcheck"]`
/// (the regular one, already resolved) and stores it as config["startup_healthcheck"].
ErrorOr add_startup_healthcheck(container::CreateOptions const& options, Json& config);
/// The health of a container with a healthcheck, as ps and inspect show it:
/// for a running one the state of this run ("starting" before any check);
/// otherwise what the last run left, or nullopt when it never ran a check.
std::optional<HealthState> read_health(Context& ctx, container::ContainerRecord const& rec);

} // namespace berth::engine
