// berth rm: removes containers (-f stops running ones first, with -t or their
// stop timeout), printing each name as given (the full ID with -a) as Podman
// does. Exit codes are Podman's: 1 when a container is missing, 2 when one is
// running without -f, else 125.
#include "cli/targets.h"
#include "engine/containers/lifecycle.h"

#include <cstdio>

namespace berth::cli {

namespace {

struct RmArgs {
    std::vector<std::string> containers;
    std::vector<std::string> cidfiles;
    bool force = false;
    bool all = false;
    bool volumes = false;
    bool ignore = false;
    bool depend = false;
    bool latest = false;
    std::shared_ptr<std::optional<int>> time = std::make_shared<std::optional<int>>();
};

int code_for(Error const& e)
{
    int code = report(e);
    return e.code == ENOENT ? 1 : e.code == EBUSY ? 2 : code;
}

int run_rm(RmArgs& a, Globals const& globals)
{
    int exit_code = 0;
    if (auto r = read_cidfiles(a.cidfiles, a.containers, a.ignore); !r)
        return report(r.error());
    if (a.containers.empty() && !a.all && !a.latest) {
        if (!a.cidfiles.empty())
            return 0;
        return report(Error { EINVAL, "you must provide at least one name or id" });
    }
    if (!a.containers.empty() && (a.all || a.latest))
        return report(Error { EINVAL, "--all, --latest and containers cannot be used together" });
    a.ignore = a.ignore || a.force;  // as Podman: --force also means "if it exists"
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto targets = engine::resolve_targets(*ctx, a.containers, a.all || a.latest, a.ignore);
    if (!targets)
        return code_for(targets.error());
    if (a.latest && targets->size() > 1)
        targets->resize(1);
    engine::RemoveOptions options;
    options.force = a.force;
    options.volumes = a.volumes;
    options.timeout = *a.time;
    if (a.force && targets->size() > 1)
        for (auto const& t : *targets)
            (void)engine::begin_stop(*ctx, t.record, options.timeout);  // errors come again from remove_container
    for (auto const& t : *targets) {
        std::vector<std::string> ids;
        // rm -a removes every container: the order among them is the engine's.
        if (auto removed = engine::remove_with_dependents(*ctx, t.record, options, a.depend || a.all, ids); !removed) {
            if (a.ignore && removed.error().code == ENOENT)
                continue;
            exit_code = code_for(removed.error());
            continue;
        }
        // Podman prints what it removed: the name given, or with --depend every ID.
        if (a.depend)
            for (auto const& id : ids)
                std::printf("%s\n", id.c_str());
        else
            std::printf("%s\n", t.given.c_str());
        std::fflush(stdout);
    }
    return exit_code;
}

} // namespace

void setup_rm(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<RmArgs>();
    auto* cmd = parent.add_subcommand("rm", "Remove one or more containers");
    cmd->add_option("container", a->containers, "Containers to remove (names, IDs or unique ID prefixes)");
    cmd->add_flag("-f,--force", a->force, "Force removal of a running or paused container (stops it first); a missing container is not an error");
    cmd->add_flag("-a,--all", a->all, "Remove all containers");
    cmd->add_flag("-v,--volumes", a->volumes, "Remove the anonymous volumes associated with the container");
    cmd->add_flag("-i,--ignore", a->ignore, "Ignore errors when a specified container is missing");
    cmd->add_flag("--depend", a->depend, "Remove the container and, first, the containers that --requires it (and theirs)");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_option("--cidfile", a->cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    add_time_option(cmd, a->time, "Seconds to wait for stop before killing the container (default: its --stop-timeout, 10)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_rm(*a, globals); });
}

} // namespace berth::cli
