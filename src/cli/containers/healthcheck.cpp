// berth healthcheck run: runs a container's healthcheck once, records the
// result (engine/containers/healthcheck.h) and answers like Podman: exit 0 and no output
// when the check passes; "unhealthy" and exit 1 when it fails; 125 when the
// container has no healthcheck or is not running. berth-monitor runs the same
// command every --healthcheck-interval.
#include "cli/commands.h"
#include "engine/containers/healthcheck.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

void setup_healthcheck(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("healthcheck", "Manage health checks on containers");
    group->require_subcommand(1);
    auto container = std::make_shared<std::string>();
    auto* run = group->add_subcommand("run", "Run the health check of a container once");
    run->footer("Runs the container's --health-cmd (or its image's HEALTHCHECK; its --health-startup-cmd until that has\n"
                "passed) in the running container, killing it after --health-timeout, records the result in `inspect`\n"
                "State.Health and applies --health-on-failure when the container turns unhealthy. Exit status: 0 the\n"
                "check passed, 1 it failed (\"unhealthy\" is printed; \"starting\" for a startup check), 125 no\n"
                "healthcheck, not running, or the on-failure action failed.");
    run->add_option("container", *container, "Name or ID of the container")->required();
    // berth-monitor's: exit with health_startup_passed_code when the startup check passed just now.
    auto from_monitor = std::make_shared<bool>(false);
    run->add_flag("--from-monitor", *from_monitor, "")->group("");
    run->callback([container, from_monitor, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto report_ = engine::run_healthcheck(*ctx, *container);
        if (!report_) {
            exit_code = report(report_.error());
            return;
        }
        if (!report_->passed) {
            // A failed startup check leaves the container starting, as Podman prints it.
            std::printf("%s\n", report_->startup ? engine::health_starting : engine::health_unhealthy);
            exit_code = 1;
        } else if (*from_monitor && report_->startup_passed) {
            exit_code = engine::health_startup_passed_code;
        }
    });
}

} // namespace berth::cli
