// berth container cleanup ID (hidden): the exit command berth-monitor runs
// when a container exits with nobody attached. Its parent is that monitor,
// whose pid tells a current exit from a stale one. Records the exit, unmounts,
// removes on --rm and applies the restart policy (engine::cleanup_exited_container).
#include "cli/commands.h"
#include "engine/containers/containers.h"

#include <unistd.h>

namespace berth::cli {

void setup_container_cleanup(CLI::App& parent, Globals& globals, int& exit_code)
{
    CLI::App* group = &container_group(parent);
    auto id = std::make_shared<std::string>();
    auto* cmd = group->add_subcommand("cleanup", "Record a container's exit (run by its monitor)");
    cmd->group("");  // hidden
    cmd->add_option("container", *id, "Container ID")->required();
    cmd->callback([id, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto code = engine::cleanup_exited_container(*ctx, *id, ::getppid());
        exit_code = code ? 0 : report(code.error());
    });
}

} // namespace berth::cli
