// berth start: starts created or exited containers; with -a it attaches to one
// and exits with its status, without -a it prints each name as it starts. A
// start that fails exits 125, also for a missing command (run says 127).
// --all and --filter (ps's filters) pick the containers that are not running,
// oldest first, and print their full IDs, as Podman does.
#include "cli/targets.h"
#include "engine/containers/container_query.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"

#include <algorithm>
#include <cstdio>

namespace berth::cli {

namespace {

struct StartArgs {
    std::vector<std::string> containers;
    bool attach = false;
    bool interactive = false;
    bool all = false;
    bool latest = false;
    bool sig_proxy = true;         ///< --sig-proxy (only with --attach)
    bool sig_proxy_given = false;
    std::vector<std::string> filters;
};

/// The containers --all/--filter/--latest name: IDs of those not running, oldest first.
Result<std::vector<std::string>> selected_containers(engine::Context& ctx, StartArgs const& a)
{
    auto entries = TRY(matching_containers(ctx, a.filters, a.latest ? 1 : 0));
    if (a.latest && entries.empty())
        return Error { ENOENT, "unable to get latest container: no such container" };
    std::vector<std::string> ids;
    for (auto const& e : entries)
        if (a.latest || !engine::is_active(e.record.state))
            ids.push_back(e.record.id);
    return ids;
}

int run_start(StartArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    bool selecting = a.all || !a.filters.empty() || a.latest;
    if (selecting && !a.containers.empty())
        return report(Error { EINVAL, "either start all containers or the container(s) provided in the arguments" });
    if (!selecting && a.containers.empty())
        return report(Error { EINVAL, "start requires at least one argument: name a container, or use --all, --filter or --latest" });
    if (a.attach && (a.all || !a.filters.empty()))
        return report(Error { EINVAL, "you cannot start and attach all containers at once" });
    if (a.attach && a.containers.size() > 1)
        return report(Error { EINVAL, "you cannot start and attach multiple containers at once" });
    if (a.sig_proxy_given && a.sig_proxy && !a.attach)
        return report(Error { EINVAL, "you cannot use sig-proxy without --attach" });
    engine::StartOptions so;
    so.attach = a.attach;
    so.sig_proxy = a.sig_proxy;
    so.storage_driver = globals.engine.storage_driver;
    if (a.interactive)
        so.interactive = true;
    // One store for every container: a start leaves it open.
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto names = a.containers;
    if (selecting) {
        auto ids = selected_containers(*ctx, a);
        if (!ids)
            return report(ids.error());
        names = *ids;
    }
    for (auto const& name : names) {
        auto code = engine::start_container(*ctx, name, so);
        if (!code) {
            // 125 even when the command is missing or cannot be executed:
            // Podman's start keeps 126 and 127 for run.
            print_error(code.error().message);
            exit_code = exit_engine_error;
            continue;
        }
        if (a.attach)
            return *code;
        std::printf("%s\n", name.c_str());
        std::fflush(stdout);
    }
    return exit_code;
}

} // namespace

void setup_start(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<StartArgs>();
    auto* cmd = parent.add_subcommand("start", "Start one or more containers");
    cmd->add_option("container", a->containers, "Containers to start (name or ID)");
    cmd->add_flag("-a,--attach", a->attach, "Attach to the container's output and exit with its status");
    cmd->add_flag("-i,--interactive", a->interactive, "Keep STDIN open (with --attach)");
    cmd->add_flag("--all", a->all, "Start all containers that are not running");
    auto* sig_proxy = cmd->add_flag("--sig-proxy", a->sig_proxy,
        "With --attach, forward the signals berth receives to the container (the default; --sig-proxy=false "
        "lets them end berth while the container runs on)");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_option("-f,--filter", a->filters, "Start the containers that match, as ps --filter (id=, name=, label=, status=, ...)")
        ->allow_extra_args(false);
    cmd->callback([a, sig_proxy, &globals, &exit_code] {
        a->sig_proxy_given = sig_proxy->count() > 0;
        exit_code = run_start(*a, globals);
    });
}

} // namespace berth::cli
