// The flags `create` and `run` share, filled into container::CreateOptions
// (engine/containers/containers.h), and the pull progress lines both print while
// fetching a missing image.
#pragma once

#include "cli/common.h"
#include "engine/containers/containers.h"

#include <memory>
#include <optional>
#include <string>

namespace berth::cli {

struct CreateArgs {
    container::CreateOptions options;
    std::string entrypoint;
    CLI::Option* entrypoint_option = nullptr;
    bool http_proxy = true;
    CLI::Option* http_proxy_option = nullptr;
    std::string arch, os, variant;           ///< --arch/--os/--variant: the platform in parts
    std::string authfile;
    std::optional<bool> tls_verify;
    std::vector<std::string> ignored;        ///< flags Podman accepts and ignores: one warning each
    bool disable_content_trust = false;      ///< accepted and ignored, as Podman
    std::vector<std::string> network;  ///< --network, repeatable: joined with ","
    int preserve_fds = 0;
    bool quiet = false;
    bool detach = false;
    std::string pod_id_file;                 ///< --pod-id-file: the pod's ID is read from it
};

/// Adds the create/run flags to `cmd`; IMAGE and COMMAND are read from the
/// arguments left after the flags (prefix_command), so flags after the image
/// belong to the command.
void add_create_options(CLI::App* cmd, std::shared_ptr<CreateArgs> const& args);
/// Fills options.image/command from `rest` and the flags kept apart in `args`;
/// an Error when no image is given. The engine validates the spec.
ErrorOr finish_create_args(CreateArgs& args, std::vector<std::string> const& rest);
/// Prints an engine warning as "berth: WARNING" on stderr.
void print_warning(std::string const& warning);
/// Pull options that print Podman's progress lines to stderr (nothing with
/// `quiet`), with --authfile and --tls-verify.
engine::PullOptions pull_options_for_create(CreateArgs const& args);

} // namespace berth::cli
