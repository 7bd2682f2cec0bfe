// berth rm: removes containers (-f kills running ones first), printing each
// removed ID as Podman does; -a removes all, -i ignores missing ones.
#include "cli/commands.h"
#include "engine/containers.h"

#include <cstdio>

namespace berth::cli {

namespace {

struct RmArgs {
    std::vector<std::string> containers;
    bool force = false;
    bool all = false;
    bool volumes = false;
    bool ignore = false;
};

int run_rm(RmArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (a.containers.empty() && !a.all)
        return report(Error { EINVAL, "no containers specified" });
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto names = a.containers;
    if (a.all) {
        auto all = engine::list_containers(*ctx);
        if (!all)
            return report(all.error());
        for (auto const& rec : *all)
            names.push_back(rec.id);
    }
    for (auto const& r : engine::remove_containers(*ctx, names, a.force, a.volumes, a.ignore)) {
        if (r.error) {
            // Podman: 1 when a container is missing, 2 when one is running, else 125.
            int code = report(*r.error);
            exit_code = r.error->code == ENOENT ? 1 : r.error->code == EBUSY ? 2 : code;
            continue;
        }
        std::printf("%s\n", a.all ? r.id.c_str() : r.name.c_str());
    }
    return exit_code;
}

} // namespace

void setup_rm(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<RmArgs>();
    auto* cmd = parent.add_subcommand("rm", "Remove one or more containers");
    cmd->add_option("container", a->containers, "Containers to remove (name or ID)");
    cmd->add_flag("-f,--force", a->force, "Kill a running container before removing it");
    cmd->add_flag("-a,--all", a->all, "Remove all containers");
    cmd->add_flag("-v,--volumes", a->volumes, "Remove the container's anonymous volumes");
    cmd->add_flag("-i,--ignore", a->ignore, "Ignore containers that do not exist");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_rm(*a, globals); });
}

} // namespace berth::cli
