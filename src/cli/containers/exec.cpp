// berth exec: runs a command in a running container and exits with its
// status (125 for berth's own errors and a stopped container, 126 for a
// command that cannot run, 127 for a missing one). Everything after the
// container name belongs to the command, as with Podman.
#include "cli/commands.h"
#include "engine/containers/exec.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct ExecArgs {
    engine::ExecOptions options;
};

int run_exec(ExecArgs& a, std::vector<std::string> const& rest, Globals const& globals)
{
    if (rest.empty())
        return report(Error { EINVAL, "exec requires the name or ID of a container and a command to run" });
    std::string container = rest.front();
    a.options.command.assign(rest.begin() + 1, rest.end());
    if (a.options.command.empty())
        return report(Error { EINVAL, "exec requires a command to run after the container name" });
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    std::fflush(stdout);
    auto code = engine::exec_container(*ctx, container, a.options);
    if (!code)
        return report(code.error());
    return *code;
}

} // namespace

void setup_exec(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<ExecArgs>();
    auto& o = a->options;
    auto* cmd = parent.add_subcommand("exec", "Run a process in a running container");
    // CONTAINER and everything after it are not berth's flags.
    cmd->prefix_command();
    cmd->fallthrough(false);
    cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open and pass it to the process");
    cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY in the container");
    cmd->add_flag("-d,--detach", o.detach, "Run the command in the background and return at once");
    cmd->add_option("-e,--env", o.env, "Set an environment variable (KEY=VALUE, or KEY to copy it from the host)")->allow_extra_args(false);
    cmd->add_option("--env-file", o.env_files, "Read environment variables from a file")->allow_extra_args(false);
    cmd->add_option("-u,--user", o.user, "User (name or uid[:gid]) to run as, resolved in the container");
    cmd->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
    cmd->add_flag("--privileged", o.privileged, "Give the process every capability");
    cmd->add_option("--preserve-fds", o.preserve_fds, "Pass N additional file descriptors (3 .. 3+N-1) to the process");
    cmd->add_option("--detach-keys", o.detach_keys, "Key sequence for detaching (checked for its format; detaching an exec session is not supported yet)");
    cmd->callback([a, cmd, &globals, &exit_code] { exit_code = run_exec(*a, cmd->remaining(), globals); });
}

} // namespace berth::cli
