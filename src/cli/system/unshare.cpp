// berth unshare: runs a command (default $SHELL) inside berth's rootless user
// and mount namespace, as uid 0 there, as Podman's `podman unshare`. The
// engine replaces this process with the command, so its exit status is the
// command's own; berth's errors exit 125, a command that cannot be run 126, a
// missing one 127. Everything after the first argument belongs to the command.
#include "cli/commands.h"
#include "engine/system/unshare.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

int run_unshare(engine::UnshareOptions const& options, Globals const& globals)
{
    std::fflush(stdout);
    std::fflush(stderr);
    return report(engine::unshare_exec(globals.engine, options));
}

} // namespace

void setup_unshare(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto options = std::make_shared<engine::UnshareOptions>();
    auto* cmd = parent.add_subcommand("unshare", "Run a command in berth's rootless user and mount namespace");
    cmd->footer("Runs COMMAND [ARG...] (default: $SHELL, else /bin/sh) as uid 0 inside the user and mount\n"
                "namespace that holds a rootless user's containers and store, with CONTAINERS_GRAPHROOT and\n"
                "CONTAINERS_RUNROOT set. Use it to inspect or fix files in the store and to run `berth mount`.\n"
                "Rootless only. Exit status: the command's; 125 berth's error, 126 cannot run, 127 not found.");
    cmd->fallthrough(false);
    cmd->add_flag("--rootless-netns", options->rootless_netns,
        "Join the rootless network namespace (not supported: berth has none)");
    // COMMAND and everything after it are not berth's flags; a leading "--" is dropped.
    cmd->add_option("command", options->command, "Command and its arguments (default: $SHELL, else /bin/sh)");
    cmd->positionals_at_end();
    cmd->callback([options, &globals, &exit_code] { exit_code = run_unshare(*options, globals); });
}

} // namespace berth::cli
