// Setup functions of every command, listed in main.cpp's table.
#pragma once

#include "cli/common.h"

namespace berth::cli {

void setup_image_group(CLI::App&, Globals&, int&);   // image ls|pull|push|inspect|rm|tag|untag|prune|exists|history|tree|diff|save|load|import
void setup_images(CLI::App&, Globals&, int&);
void setup_pull(CLI::App&, Globals&, int&);
void setup_push(CLI::App&, Globals&, int&);
void setup_build(CLI::App&, Globals&, int&);    // build, image build
void setup_buildx(CLI::App&, Globals&, int&);   // buildx build
void setup_inspect(CLI::App&, Globals&, int&);
void setup_tag(CLI::App&, Globals&, int&);
void setup_untag(CLI::App&, Globals&, int&);
void setup_rmi(CLI::App&, Globals&, int&);
void setup_history(CLI::App&, Globals&, int&);
void setup_image_tree(CLI::App&, Globals&, int&);  // image tree
void setup_image_diff(CLI::App&, Globals&, int&);  // image diff (diff.cpp)
void setup_save(CLI::App&, Globals&, int&);
void setup_load(CLI::App&, Globals&, int&);
void setup_import(CLI::App&, Globals&, int&);
void setup_login(CLI::App&, Globals&, int&);
void setup_logout(CLI::App&, Globals&, int&);
void setup_search(CLI::App&, Globals&, int&);
void setup_info(CLI::App&, Globals&, int&);
void setup_version(CLI::App&, Globals&, int&);
void setup_system_group(CLI::App&, Globals&, int&);  // system info|check|reset
void add_system_check(CLI::App& system_group, Globals&, int&);
void add_system_df(CLI::App& system_group, Globals&, int&);
void add_system_prune(CLI::App& system_group, Globals&, int&);
void setup_completion(CLI::App&, Globals&, int&);
void setup_run(CLI::App&, Globals&, int&);
void setup_create(CLI::App&, Globals&, int&);
void setup_start(CLI::App&, Globals&, int&);
void setup_init(CLI::App&, Globals&, int&);
void setup_rm(CLI::App&, Globals&, int&);
void setup_secret_group(CLI::App&, Globals&, int&);  // secret create|ls|inspect|rm|exists
void setup_volume_group(CLI::App&, Globals&, int&);  // volume create|ls|inspect|rm|prune|export|import|mount|unmount
void add_volume_data_commands(CLI::App& volume_group, Globals&, int&);  // volume export|import|mount|unmount
void setup_ps(CLI::App&, Globals&, int&);
void setup_stop(CLI::App&, Globals&, int&);
void setup_restart(CLI::App&, Globals&, int&);
void setup_kill(CLI::App&, Globals&, int&);
void setup_pause(CLI::App&, Globals&, int&);
void setup_unpause(CLI::App&, Globals&, int&);
void setup_wait(CLI::App&, Globals&, int&);
void setup_rename(CLI::App&, Globals&, int&);
void setup_top(CLI::App&, Globals&, int&);
void setup_port(CLI::App&, Globals&, int&);
void setup_stats(CLI::App&, Globals&, int&);
void setup_events(CLI::App&, Globals&, int&);
void setup_container_group(CLI::App&, Globals&, int&);  // container ls|inspect|exists|prune|stop|... (lifecycle)
void setup_logs(CLI::App&, Globals&, int&);
void setup_attach(CLI::App&, Globals&, int&);
void setup_container_cleanup(CLI::App&, Globals&, int&);  // container cleanup (hidden; adds to an existing `container` group)
void setup_exec(CLI::App&, Globals&, int&);
void setup_cp(CLI::App&, Globals&, int&);
void setup_export(CLI::App&, Globals&, int&);
void setup_diff(CLI::App&, Globals&, int&);
void setup_clone(CLI::App&, Globals&, int&);  ///< `container clone` only, as in Podman
void setup_commit(CLI::App&, Globals&, int&);
void setup_mount(CLI::App&, Globals&, int&);      // mount, unmount|umount
void setup_healthcheck(CLI::App&, Globals&, int&);  // healthcheck run
void setup_auto_update(CLI::App&, Globals&, int&);
void setup_unshare(CLI::App&, Globals&, int&);
void setup_pod_group(CLI::App&, Globals&, int&);  // pod create|ps|inspect|start|stop|restart|kill|pause|unpause|rm|prune|exists|clone
void add_pod_observers(CLI::App& pod_group, Globals&, int&);  // pod top|logs|stats
void setup_manifest_group(CLI::App&, Globals&, int&);  // manifest create|add|annotate|remove|rm|inspect|exists|push
void setup_kube_group(CLI::App&, Globals&, int&);  // kube generate|play|down
void setup_generate_group(CLI::App&, Globals&, int&);  // generate kube
void setup_play_group(CLI::App&, Globals&, int&);  // play kube
void setup_generate(CLI::App&, Globals&, int&);  // generate systemd
void setup_quadlet(CLI::App&, Globals&, int&);   // quadlet list|print
void setup_network_group(CLI::App&, Globals&, int&);  // network create|ls|inspect|rm|prune|exists

// Pieces shared between a top-level alias and its `image` subcommand.
CLI::App* add_images_command(CLI::App& parent, std::string const& name, Globals&, int&);
CLI::App* add_image_inspect_command(CLI::App& parent, std::string const& name, Globals&, int&);
CLI::App* add_rmi_command(CLI::App& parent, std::string const& name, Globals&, int&);
void setup_image_prune(CLI::App&, Globals&, int&);
void setup_image_exists(CLI::App&, Globals&, int&);
CLI::App* add_ps_command(CLI::App& parent, std::string const& name, Globals&, int&);
CLI::App* add_container_inspect_command(CLI::App& parent, std::string const& name, Globals&, int&);
void setup_container_exists(CLI::App&, Globals&, int&);
void setup_container_prune(CLI::App&, Globals&, int&);

/// Rootless and not inside `berth unshare`: prints Podman's "cannot run command
/// \"berth COMMAND\" in rootless mode, must execute `berth unshare` first" and returns true.
bool outside_unshare(Globals const& globals, std::string const& command);

/// Opens the engine context or prints the error; nullopt means "exit with `exit_code`".
std::optional<engine::Context> open_or_report(Globals const& globals, int& exit_code);

/// `GROUP exists NAME`, Podman's check of one object: exit 0 when
/// `find(ctx, NAME)` finds it, 1 when it says ENOENT (printing nothing),
/// else the error (125). `what` names the argument ("volume").
template<typename Find>
void add_exists_command(CLI::App& group, Globals& globals, int& exit_code, std::string const& what,
    std::string const& description, Find find)
{
    auto name = std::make_shared<std::string>();
    auto* cmd = group.add_subcommand("exists", description);
    cmd->add_option(what, *name, what + " name or ID")->required();
    cmd->callback([name, find, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto found = find(*ctx, *name);
        if (!found)
            exit_code = found.error().code == ENOENT ? 1 : report(found.error());
    });
}

} // namespace berth::cli
