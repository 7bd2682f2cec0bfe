// berth container: the group of container commands (ls/list/ps, inspect,
// exists, prune, clone, and the per-container commands under their Podman names),
// and `container prune`, which removes every container that is not running.
#include "cli/commands.h"
#include "cli/targets.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace berth::cli {

namespace {

struct PruneArgs {
    bool force = false;
    std::vector<std::string> filters;
};

int run_prune(PruneArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    std::vector<engine::PsFilter> label_filters;
    int64_t until = INT64_MAX;
    for (auto const& f : a.filters) {
        auto eq = f.find('=');
        std::string key = f.substr(0, eq), value = eq == std::string::npos ? "" : f.substr(eq + 1);
        if (key == "label")
            label_filters.push_back({ key, value });
        else if (key == "until") {
            auto t = engine::parse_until(value);
            if (!t)
                return report(t.error());
            until = *t;
        } else
            return report(Error { EINVAL, key + " is an invalid filter: valid filters are label and until" });
    }
    if (!a.force) {
        auto yes = confirm("WARNING! This will remove all non running containers.\n");
        if (!yes)
            return report(yes.error());
        if (!*yes)
            return 0;
    }
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    engine::PsQuery q;
    q.all = true;
    q.filters = label_filters;
    auto entries = engine::query_containers(*ctx, q);
    if (!entries)
        return report(entries.error());
    for (auto const& e : *entries) {
        // An infra container goes with its pod (pod rm, pod prune).
        if (engine::is_active(e.record.state) || e.record.created >= until || e.infra)
            continue;
        if (auto removed = engine::remove_container(*ctx, e.record, {}); !removed) {
            exit_code = report(removed.error());
            continue;
        }
        std::printf("%s\n", e.record.id.c_str());
    }
    return exit_code;
}

} // namespace

void setup_container_prune(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PruneArgs>();
    auto* cmd = parent.add_subcommand("prune", "Remove all non running containers");
    cmd->add_flag("-f,--force", a->force, "Do not prompt for confirmation");
    cmd->add_option("--filter", a->filters, "Provide filter values (label=, until=)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_prune(*a, globals); });
}

void setup_container_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    CLI::App* group = &container_group(parent);
    add_ps_command(*group, "ls", globals, exit_code)->alias("list")->alias("ps");
    add_container_inspect_command(*group, "inspect", globals, exit_code);
    setup_container_exists(*group, globals, exit_code);
    setup_container_prune(*group, globals, exit_code);
    setup_clone(*group, globals, exit_code);
    for (Setup setup : { setup_create, setup_run, setup_init, setup_start, setup_rm, setup_stop, setup_restart, setup_kill, setup_pause,
             setup_unpause, setup_wait, setup_rename, setup_top, setup_port, setup_stats, setup_exec, setup_cp, setup_export,
             setup_diff, setup_commit, setup_mount, setup_logs, setup_attach })
        setup(*group, globals, exit_code);
}

} // namespace berth::cli
