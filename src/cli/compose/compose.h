// Pieces the compose subcommands share (compose.cpp, compose_ps.cpp).
#pragma once

#include "cli/commands.h"
#include "compose/project.h"
#include "engine/compose/compose.h"
#include "engine/containers/container_query.h"

#include <functional>
#include <memory>

namespace berth::cli {

/// `berth compose` (main.cpp's command table).
void setup_compose(CLI::App&, Globals&, int&);
/// ps's STATUS column: "Up 5 seconds (healthy)", "Exited (0) 2 seconds ago" (cli/containers/ps.cpp).
std::string ps_status(engine::PsEntry const& entry);

} // namespace berth::cli

namespace berth::cli::compose_cli {

/// The project a subcommand acts on: `existing` for down, ps, logs and the
/// others that find containers by label (then -p alone is enough).
using WithProject = std::function<int(engine::Context&, compose::Project const&)>;
int with_project(engine::ComposeFiles const& files, Globals const& globals, bool existing, WithProject const& f);
/// with_project (existing), then the project's containers of `services` (all when empty).
using WithContainers = std::function<int(engine::Context&, std::vector<container::ContainerRecord> const&)>;
int with_containers(engine::ComposeFiles const& files, Globals const& globals, std::vector<std::string> const& services, WithContainers const& f);
/// Prints " Container NAME  Started" to stderr, as docker compose does.
void print_progress(std::string const& kind, std::string const& name, std::string const& what);

void add_ps(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code);
void add_ls(CLI::App& group, Globals& globals, int& exit_code);
void add_images(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code);
void add_port(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code);
void add_top(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code);
void add_config(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, int& exit_code);

} // namespace berth::cli::compose_cli
