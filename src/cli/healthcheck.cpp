// berth healthcheck run: runs a container's healthcheck once, records the
// result (engine/healthcheck.h) and answers like Podman: exit 0 and no output
// when the check passes; "unhealthy" and exit 1 when it fails; 125 when the
// container has no healthcheck or is not running. berth-monitor runs the same
// command every --healthcheck-interval.
#include "cli/commands.h"
#include "engine/healthcheck.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

void setup_healthcheck(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("healthcheck", "Manage health checks on containers");
    group->require_subcommand(1);
    auto container = std::make_shared<std::string>();
    auto* run = group->add_subcommand("run", "Run the health check of a container once");
    run->footer("Runs the container's --healthcheck-cmd (or its image's HEALTHCHECK) in the running container, killing it\n"
                "after --healthcheck-timeout, and records the result in `inspect` State.Health. Exit status: 0 healthy,\n"
                "1 unhealthy (the check failed; \"unhealthy\" is printed), 125 no healthcheck or not running.");
    run->add_option("container", *container, "Name or ID of the container")->required();
    run->callback([container, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto report_ = engine::run_healthcheck(*ctx, *container);
        if (!report_) {
            exit_code = report(report_.error());
            return;
        }
        if (!report_->passed) {
            std::printf("%s\n", engine::health_unhealthy);
            exit_code = 1;
        }
    });
}

} // namespace berth::cli
