// commit: a container's changes become a new image on top of its image, the
// way `podman commit` makes one. See commit.cpp.
#pragma once

#include "base/error.h"
#include "engine/context.h"
#include "engine/images/interchange.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

enum class CommitFormat { Oci, Docker };

struct CommitOptions {
    std::string reference;               ///< name for the image ("app" -> localhost/app:latest); empty: unnamed
    std::vector<std::string> changes;    ///< --change instructions (apply_change)
    std::string message;                 ///< -m: the config's comment; Docker format only, as in Podman
    std::string author;                  ///< -a
    CommitFormat format = CommitFormat::Oci;
    bool pause = false;                  ///< -p: a running container is paused while its changes are read
    bool squash = false;                 ///< --squash: one layer holding the whole root filesystem
    bool include_volumes = false;        ///< --include-volumes: every -v destination becomes an image VOLUME
    std::function<void(std::string const&)> warn;  ///< warnings (no prefix, no newline); may be empty
    CopyObserver observer;               ///< progress: BlobDone, ConfigDone, ManifestWritten
    /// build: the image's config as the build made it, instead of the container's (committed_config)
    /// with the volumes and changes; the new layer and history entry are added to it.
    std::optional<image::ImageConfig> config;
    std::string created_by;              ///< the history entry's created_by; empty: "/bin/sh", as Podman's commit
};

/// Parses "oci" or "docker" (-f).
Result<CommitFormat> parse_commit_format(std::string_view text);

/// Makes an image of container `name_or_id`: its image's layers plus one layer of its
/// changes (store::Store::create_layer_from_changes), and its image's config updated with
/// how the container runs (committed_config), the --change instructions, the author, a
/// history entry and the new diff id. The name moves to the new image as a tag would.
/// Returns the stored image. Errors: no such container (ENOENT), a bad --change, -m with
/// the OCI format (Podman refuses it too).
Result<store::ImageRecord> commit_container(Context& ctx, std::string const& name_or_id, CommitOptions const& options);

} // namespace berth::engine
