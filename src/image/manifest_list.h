// The pure rules of a local manifest list (`berth manifest`): adding,
// replacing, annotating and removing instances of an image index, the index
// as `manifest inspect` prints it, and the media type it is pushed as.
//
// A list is kept as an image::Index whose entries are descriptors of image
// manifests. An instance is named by its manifest digest: adding a digest the
// list has replaces that entry (Podman never lists a digest twice).
#pragma once

#include "base/error.h"
#include "image/manifest.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::image {

/// What `manifest add --arch ...` and `manifest annotate` change in an entry;
/// an unset field keeps the entry's value.
struct PlatformOverride {
    std::optional<std::string> os, architecture, variant, os_version;
    std::optional<std::vector<std::string>> features, os_features;
    std::map<std::string, std::string> annotations;  ///< merged into the entry's

    bool empty() const;
};

/// An empty list as `manifest create` makes it (a Docker manifest list, as Podman 4).
Index new_manifest_list();

/// Adds `entry`, replacing an entry with the same digest (keeping its place).
void add_instance(Index& list, Descriptor entry);

/// Applies `change` to the entry with `digest`; ENOENT names the digest.
ErrorOr annotate_instance(Index& list, Digest const& digest, PlatformOverride const& change);
/// Applies `change` to a descriptor about to be added.
void apply_override(Descriptor& entry, PlatformOverride const& change);

/// Removes the entry with `digest`; ENOENT names the digest.
ErrorOr remove_instance(Index& list, Digest const& digest);

/// Parses "KEY=VALUE" (--annotation); EINVAL names the bad text.
Result<std::pair<std::string, std::string>> parse_annotation(std::string const& text);

/// `manifest inspect`'s output: Podman's layout (four-space indent, mediaType,
/// size, digest, platform, annotations; "manifests": null when empty).
std::string inspect_text(Index const& list);

/// The media type a list is pushed as: "oci" or "v2s2" when asked (""
/// otherwise), else an OCI index when an entry is an OCI manifest or carries
/// annotations (a Docker list has none), else a Docker manifest list.
Result<std::string> push_media_type(Index const& list, std::string const& format);

/// The index document to push: `list` with `media_type`, compact JSON.
std::string push_body(Index list, std::string const& media_type);

} // namespace berth::image
