// berth init / container init: makes containers ready to start without
// running them (engine::init_container says how far berth's runtime allows),
// printing each name as given, or each ID with --all, where a container that
// is already initialized or running is no error (Podman's rule).
#include "cli/targets.h"
#include "engine/containers/containers.h"

#include <memory>

namespace berth::cli {

void setup_init(CLI::App& parent, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> containers;
        bool all = false, latest = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand("init", "Initialize one or more containers");
    cmd->add_option("container", a->containers, "Containers (names, IDs or unique ID prefixes)");
    cmd->add_flag("-a,--all", a->all, "Initialize all containers");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->callback([a, &globals, &exit_code] {
        TargetOptions options;
        options.all = a->all;
        options.latest = a->latest;
        engine::StartOptions so;
        so.storage_driver = globals.engine.storage_driver;
        bool all = a->all;
        exit_code = for_each_container(globals, a->containers, options, [so, all](engine::Context& ctx, engine::Target const& t) -> ErrorOr {
            auto done = engine::init_container(ctx, t.record.id, so);
            if (!done && all && done.error().code == EBUSY)
                return {};
            return done;
        });
    });
}

} // namespace berth::cli
