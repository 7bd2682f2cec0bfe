// Setup functions of every command, listed in main.cpp's table.
#pragma once

#include "cli/common.h"

namespace berth::cli {

void setup_image_group(CLI::App&, Globals&, int&);   // image ls|pull|push|inspect|rm|tag|untag|prune|exists|history|save|load|import
void setup_images(CLI::App&, Globals&, int&);
void setup_pull(CLI::App&, Globals&, int&);
void setup_push(CLI::App&, Globals&, int&);
void setup_inspect(CLI::App&, Globals&, int&);
void setup_tag(CLI::App&, Globals&, int&);
void setup_untag(CLI::App&, Globals&, int&);
void setup_rmi(CLI::App&, Globals&, int&);
void setup_history(CLI::App&, Globals&, int&);
void setup_save(CLI::App&, Globals&, int&);
void setup_load(CLI::App&, Globals&, int&);
void setup_import(CLI::App&, Globals&, int&);
void setup_login(CLI::App&, Globals&, int&);
void setup_logout(CLI::App&, Globals&, int&);
void setup_info(CLI::App&, Globals&, int&);
void setup_version(CLI::App&, Globals&, int&);
void setup_system_group(CLI::App&, Globals&, int&);  // system info|reset
void setup_completion(CLI::App&, Globals&, int&);
void setup_run(CLI::App&, Globals&, int&);
void setup_create(CLI::App&, Globals&, int&);
void setup_start(CLI::App&, Globals&, int&);
void setup_rm(CLI::App&, Globals&, int&);
void setup_volume_group(CLI::App&, Globals&, int&);  // volume create|ls|inspect|rm|prune

// Pieces shared between a top-level alias and its `image` subcommand.
CLI::App* add_images_command(CLI::App& parent, std::string const& name, Globals&, int&);
CLI::App* add_image_inspect_command(CLI::App& parent, std::string const& name, Globals&, int&);
CLI::App* add_rmi_command(CLI::App& parent, std::string const& name, Globals&, int&);
void setup_image_prune(CLI::App&, Globals&, int&);
void setup_image_exists(CLI::App&, Globals&, int&);

/// Opens the engine context or prints the error; nullopt means "exit with `exit_code`".
std::optional<engine::Context> open_or_report(Globals const& globals, int& exit_code);

} // namespace berth::cli
