// berth start: starts created or exited containers; with -a it attaches to one
// and exits with its status, without -a it prints each name as it starts.
#include "cli/commands.h"
#include "engine/containers.h"

#include <cstdio>

namespace berth::cli {

namespace {

struct StartArgs {
    std::vector<std::string> containers;
    bool attach = false;
    bool interactive = false;
};

int run_start(StartArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (a.attach && a.containers.size() != 1)
        return report(Error { EINVAL, "you cannot start and attach multiple containers at once" });
    engine::StartOptions so;
    so.attach = a.attach;
    so.storage_driver = globals.engine.storage_driver;
    if (a.interactive)
        so.interactive = true;
    // One store for every container: a start leaves it open.
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    for (auto const& name : a.containers) {
        auto code = engine::start_container(*ctx, name, so);
        if (!code) {
            exit_code = report(code.error());
            continue;
        }
        if (a.attach)
            return *code;
        std::printf("%s\n", name.c_str());
    }
    return exit_code;
}

} // namespace

void setup_start(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<StartArgs>();
    auto* cmd = parent.add_subcommand("start", "Start one or more containers");
    cmd->add_option("container", a->containers, "Containers to start (name or ID)")->required();
    cmd->add_flag("-a,--attach", a->attach, "Attach to the container's output and exit with its status");
    cmd->add_flag("-i,--interactive", a->interactive, "Keep STDIN open (with --attach)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_start(*a, globals); });
}

} // namespace berth::cli
