// `berth manifest`: local manifest lists (image indexes) built from images in
// local storage or in registries, and pushed to a registry with their images.
//
// An image argument is what Podman accepts, with one convenience: a
// "containers-storage:NAME" is a local image, a "docker://REF" is a registry
// reference, and a bare name is the local image of that name when there is
// one, else a registry reference (Podman 4.3 always goes to the registry).
// A registry index added without --all contributes the entry for this host's
// platform. Each instance remembers where it came from, so `manifest push`
// can push the local images (and copy registry ones the destination lacks)
// before the index that names them: a registry refuses an index whose
// manifests it does not have.
#pragma once

#include "base/error.h"
#include "engine/context.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"
#include "image/manifest_list.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// How to reach registries for add, create and inspect.
struct ManifestRegistryOptions {
    std::optional<bool> tls_verify;
    std::optional<registry::Credentials> credentials;
    std::string authfile;
    std::string cert_dir;
};

struct ManifestAddOptions {
    ManifestRegistryOptions registry;
    bool all = false;                  ///< --all: every instance of an index, not the host's only
    image::PlatformOverride change;    ///< --arch, --os, --variant, --annotation, ...
};

/// `manifest create NAME [IMAGE...]`; returns the list's ID. With `amend`, an
/// existing list of that name is added to instead of being an error.
Result<std::string> create_manifest_list(Context& ctx, std::string const& name, std::vector<std::string> const& images,
    ManifestAddOptions const& options, bool amend);
/// `manifest add LIST IMAGE...`; returns the list's ID.
Result<std::string> add_to_manifest_list(Context& ctx, std::string const& list, std::vector<std::string> const& images,
    ManifestAddOptions const& options);
/// `manifest annotate LIST INSTANCE`: INSTANCE is a digest in the list or an
/// image whose manifest is in it; returns the list's ID.
Result<std::string> annotate_manifest_list(Context& ctx, std::string const& list, std::string const& instance,
    image::PlatformOverride const& change);
/// `manifest remove LIST DIGEST`; returns the list's ID.
Result<std::string> remove_from_manifest_list(Context& ctx, std::string const& list, std::string const& digest);
/// `manifest rm LIST...`: one report each (untagged name, deleted ID or error).
std::vector<RemoveReport> remove_manifest_lists(Context& ctx, std::vector<std::string> const& lists);
/// `manifest exists`.
Result<bool> manifest_list_exists(Context& ctx, std::string const& list);
/// `manifest inspect`: the local list as Podman prints it, else the index (or
/// manifest) a registry has under that reference, indented.
Result<std::string> inspect_manifest_list(Context& ctx, std::string const& name, ManifestRegistryOptions const& options);

/// The local manifest lists as `images` lists them: each as an image record
/// with its ID, name, creation time, and the digest, media type and size of
/// its index document; no layers.
Result<std::vector<store::ImageRecord>> manifest_lists_as_images(Context& ctx);
/// A manifest list's name or ID resolved as Podman's image lookup does: to the
/// image in local storage that the list names for this host's platform.
/// nullopt when no list has that name or ID; ENOENT when this list names no
/// image of this platform that is in local storage.
Result<std::optional<store::ImageRecord>> manifest_list_instance(Context& ctx, std::string const& name);

struct ManifestPushOptions {
    PushOptions push;        ///< registry options, --retry, observer
    std::string format;      ///< "", "oci" or "v2s2"
    bool all = true;         ///< push the instances' images too
    bool remove = false;     ///< --rm: remove the local list after a push that succeeded
};
/// `manifest push LIST DESTINATION`: every instance (with `all`), then the index.
Result<PushResult> push_manifest_list(Context& ctx, std::string const& list, std::string const& destination,
    ManifestPushOptions const& options);

} // namespace berth::engine
