// berth run: create + start attached (or -d: detached, printing the ID).
// The exit status is the container's, or Podman's 125/126/127.
#include "cli/commands.h"
#include "cli/create.h"
#include "engine/containers/containers.h"

#include <cstdio>

namespace berth::cli {

void setup_run(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CreateArgs>();
    auto* cmd = parent.add_subcommand("run", "Run a command in a new container");
    add_create_options(cmd, a);
    auto sig_proxy = std::make_shared<bool>(true);
    cmd->add_flag("--sig-proxy", *sig_proxy,
        "Forward the signals berth receives to the container (default true; --sig-proxy=false lets them end berth "
        "while the container runs on)");
    cmd->add_flag("-d,--detach", a->detach, "Run in the background and print the container ID");
    cmd->add_flag("--rmi", a->options.remove_image, "Remove the image once the container is removed (with --rm), unless others use it");
    cmd->callback([a, sig_proxy, cmd, &globals, &exit_code] {
        if (auto ok = finish_create_args(*a, cmd->remaining()); !ok) {
            exit_code = report(ok.error());
            return;
        }
        a->options.create_command = globals.command_line;
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        a->options.detach = a->detach;
        engine::StartOptions so;
        so.attach = !a->detach;
        so.sig_proxy = *sig_proxy;
        so.storage_driver = globals.engine.storage_driver;
        std::string id;
        auto code = engine::run_container(*ctx, a->options, pull_options_for_create(*a), so, &id, print_warning);
        if (!code) {
            exit_code = report(code.error());
            return;
        }
        if (a->detach)
            std::printf("%s\n", id.c_str());
        exit_code = *code;
    });
}

} // namespace berth::cli
