// What follows a recorded healthcheck (healthcheck.h act_on_health): too many
// startup failures restart the container, and --health-on-failure acts on an
// unhealthy one.
//
// This runs in `berth healthcheck run`, which berth-monitor starts: the
// process that stops the container is a child of the container's own monitor.
// That is fine because the monitor never waits for it (it only reaps it) and
// the check's own container lock is released before anything here starts.
// kill and stop are `berth kill -s KILL` and `berth stop`; restart is what
// `berth restart` does (stop, then start with a new monitor), so a restart
// for health is a stop the user asked for (no --restart policy fires) and
// the new start counts in RestartCount as a policy restart does, as Podman's.
// The startup hand-over is not here: `healthcheck run --from-monitor` tells
// the monitor by its exit status (monitor/protocol.h).
#include "engine/containers/healthcheck.h"

#include "base/log.h"
#include "engine/containers/containers.h"
#include "engine/system/events.h"
#include "engine/containers/lifecycle.h"

#include <csignal>

namespace berth::engine {

using container::ContainerRecord;

namespace {

/// As `berth restart`: stop (the container's stop signal and timeout), then start detached.
ErrorOr restart_for_health(Context& ctx, ContainerRecord const& rec, int64_t restart_count)
{
    TRY_CTX(stop_container(ctx, rec, std::nullopt), "restart " + rec.name + " after its healthcheck");
    StartOptions so;
    so.attach = false;
    so.restart_count = restart_count;
    auto paths = ctx.paths;
    TRY_CTX(start_container(ctx, rec.id, so), "restart " + rec.name + " after its healthcheck");
    record_container_event(paths, "restart", rec);
    return {};
}

} // namespace

ErrorOr act_on_health(Context& ctx, ContainerRecord const& rec, HealthCheckReport const& report, StartupStep const& step)
{
    if (step.restart) {
        log::debug("healthcheck {}: the startup check failed {} times: restarting", rec.name, step.state.startup_failures);
        return restart_for_health(ctx, rec, rec.restart_count);
    }
    if (report.startup || report.state.status != health_unhealthy)
        return {};
    auto action = TRY(parse_health_on_failure(rec.config.value("health_on_failure", "")));
    switch (action) {
    case HealthOnFailure::None:
        return {};
    case HealthOnFailure::Kill:
            TRY_CTX(kill_container(ctx, rec, SIGKILL), "kill " + rec.name + " after its healthcheck turned unhealthy");
        return {};
    case HealthOnFailure::Stop:
            TRY_CTX(stop_container(ctx, rec, std::nullopt), "stop " + rec.name + " after its healthcheck turned unhealthy");
        return {};
    case HealthOnFailure::Restart:
        return restart_for_health(ctx, rec, rec.restart_count + 1);
    }
    return {};
}

} // namespace berth::engine
