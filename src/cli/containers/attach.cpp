// berth attach: attaches the terminal to a running container's stdio through
// its monitor; exits with the container's status, or 0 after the detach keys.
#include "cli/commands.h"
#include "engine/containers/containers.h"

namespace berth::cli {

void setup_attach(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto name = std::make_shared<std::string>();
    auto o = std::make_shared<engine::AttachOptions>();
    auto* cmd = parent.add_subcommand("attach", "Attach to a running container");
    cmd->add_option("container", *name, "Container (name or ID)")->required();
    cmd->add_option("--detach-keys", o->detach_keys, "Keys that detach without stopping the container (\"\" disables)")->capture_default_str();
    cmd->add_flag("--no-stdin", o->no_stdin, "Do not attach STDIN");
    cmd->add_option("--sig-proxy", o->sig_proxy, "Forward SIGINT and SIGTERM to the container (not with a tty)")->capture_default_str();
    cmd->callback([name, o, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto code = engine::attach_container(*ctx, *name, *o);
        exit_code = code ? *code : report(code.error());
    });
}

} // namespace berth::cli
