// Per-container reporting for stop, kill, pause, restart... See targets.h.
#include "cli/targets.h"

#include <algorithm>
#include <cstdio>

namespace berth::cli {

int for_each_container(Globals const& globals, std::vector<std::string> const& names, TargetOptions const& options, TargetAction const& action)
{
    int exit_code = 0;
    if (names.empty() && !options.all && !options.latest)
        return report(Error { EINVAL, "you must provide at least one name or id" });
    if (!names.empty() && (options.all || options.latest))
        return report(Error { EINVAL, "--all and --latest cannot be used together with container names" });
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto targets = engine::resolve_targets(*ctx, names, options.all || options.latest, options.ignore);
    if (!targets)
        return report(targets.error());
    if (options.latest && targets->size() > 1)
        targets->resize(1);
    for (auto const& t : *targets) {
        auto done = action(*ctx, t);
        if (!done) {
            exit_code = report(done.error());
            continue;
        }
        if (options.print) {
            std::printf("%s\n", t.given.c_str());
            std::fflush(stdout);
        }
    }
    return exit_code;
}

Result<std::vector<engine::PsEntry>> matching_containers(engine::Context& ctx, std::vector<std::string> const& filters, int last)
{
    engine::PsQuery q;
    q.all = true;
    q.filters = TRY(engine::parse_ps_filters(filters));
    if (last > 0)
        q.last = last;
    auto entries = TRY(engine::query_containers(ctx, q));
    std::reverse(entries.begin(), entries.end());  // query_containers lists the newest first
    return entries;
}

void add_time_option(CLI::App* cmd, std::shared_ptr<std::optional<int>> value, std::string const& what, TimeoutAlias alias)
{
    cmd->add_option_function<int>(alias == TimeoutAlias::Yes ? "-t,--time,--timeout" : "-t,--time", [value](int const& v) { *value = v; }, what);
}

} // namespace berth::cli
