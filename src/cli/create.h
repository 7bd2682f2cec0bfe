// The flags `create` and `run` share, filled into container::CreateOptions
// (engine/containers.h), and the pull progress lines both print while
// fetching a missing image.
#pragma once

#include "cli/common.h"
#include "engine/containers.h"

#include <memory>
#include <string>

namespace berth::cli {

struct CreateArgs {
    container::CreateOptions options;
    std::string entrypoint;
    CLI::Option* entrypoint_option = nullptr;
    std::string network;
    int preserve_fds = 0;
    bool quiet = false;
    bool detach = false;
};

/// Adds the create/run flags to `cmd`; IMAGE and COMMAND are read from the
/// arguments left after the flags (prefix_command), so flags after the image
/// belong to the command.
void add_create_options(CLI::App* cmd, std::shared_ptr<CreateArgs> const& args);
/// Checks the flags and fills options.image/command from `rest`; an Error for bad usage.
ErrorOr finish_create_args(CreateArgs& args, std::vector<std::string> const& rest);
/// Pull options that print Podman's progress lines to stderr (nothing with `quiet`).
engine::PullOptions pull_options_for_create(bool quiet);

} // namespace berth::cli
