// Healthchecks (Podman's --healthcheck-* flags, `healthcheck run`, State.Health):
// what the check is (HealthConfig: the flags over the image's "Healthcheck"),
// running it once in the container, and the state it leaves behind.
//
// The state (data_dir/containers/ID/healthcheck.json: Status starting|healthy|
// unhealthy, FailingStreak, the last five Log entries) is changed only by
// `healthcheck run`, under the container's lock, and rewritten atomically.
// berth-monitor starts `berth healthcheck run ID` every interval; nothing else
// schedules checks. The hard part is that a state belongs to one run of the
// container: it names that run (monitor pid and start time), and a state left
// by an earlier run reads as "starting" again without anyone rewriting it.
// The parsing and the state machine are pure and unit-tested.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "engine/context.h"
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
    /// nullopt for null, a malformed document or a test that runs nothing.
    static std::optional<HealthConfig> from_json(Json const& j);
    /// The process to run: CMD-SHELL becomes /bin/sh -c.
    std::vector<std::string> argv() const;
};

/// Go's time.ParseDuration: "1m30s", "500ms", "1.5h", "0". A bad one is an
/// error naming `flag` (e.g. "--healthcheck-interval").
Result<int64_t> parse_duration(std::string const& text, std::string const& flag);
/// --healthcheck-cmd as Podman reads it: a JSON array (["CMD", "a", "b"],
/// ["CMD-SHELL", "..."], or plain words which mean CMD), else a shell command
/// (CMD-SHELL). "none" gives {"NONE"}.
Result<std::vector<std::string>> parse_healthcheck_command(std::string const& text);
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

    /// Podman's State.Health plus "Run": {"Status", "FailingStreak", "Log": [{"Start", "End", "ExitCode", "Output"}]}.
    Json to_json() const;
    static HealthState from_json(Json const& j);
};

/// The state machine: the state after one check that ended with `entry`. A
/// pass makes it healthy; a failure in the start period changes nothing but
/// the log; otherwise it adds to the streak, and `retries` failures in a row
/// make it unhealthy. The log keeps the last health_log_entries entries.
HealthState next_health_state(HealthState state, HealthLogEntry entry, bool in_start_period, int retries);
/// The state as seen by run `run` of the container: one left by another run
/// starts over (starting, no streak; the log is kept).
HealthState health_for_run(HealthState state, std::string const& run);
/// Names one run of a container (its monitor and start time).
std::string health_run_of(container::ContainerRecord const& rec);

/// Podman's "container X has no defined healthcheck" and friends.
struct HealthCheckReport {
    bool passed = false;           ///< this check's exit code was 0
    HealthState state;             ///< after it
};
/// `healthcheck run`: runs the check once in the running container (killed
/// at its timeout) and records the result. Errors: no healthcheck, not
/// running (exit 125). Closes ctx.store while the check runs and reopens it.
Result<HealthCheckReport> run_healthcheck(Context& ctx, std::string const& name_or_id);
/// resolve_healthcheck with the image's config (read from the store) for a new container.
Result<std::optional<HealthConfig>> healthcheck_for_create(Context& ctx, container::CreateOptions const& options,
    store::ImageRecord const& image);
/// The healthcheck of a record (nullopt: none).
std::optional<HealthConfig> healthcheck_of(container::ContainerRecord const& rec);
/// The health of a container with a healthcheck, as ps and inspect show it:
/// for a running one the state of this run ("starting" before any check);
/// otherwise what the last run left, or nullopt when it never ran a check.
std::optional<HealthState> read_health(Context& ctx, container::ContainerRecord const& rec);

} // namespace berth::engine
