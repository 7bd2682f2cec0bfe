// derive: a new image that shares its base image's layers and has a config
// of its own, as a build's ENV, LABEL, CMD... steps make one (no new layer).
#pragma once

#include "base/error.h"
#include "engine/context.h"
#include "image/config.h"
#include "image/manifest.h"
#include "store/store.h"

#include <vector>

namespace berth::engine {

/// Stores `config` (which must list the base's diff IDs; the caller has added
/// its history entry) as a new unnamed image over `base`'s layers, with an OCI
/// manifest. Storing the same config again gives the same image. A `base`
/// without layers need not be stored: FROM scratch derives from an empty record.
Result<store::ImageRecord> derive_image(Context& ctx, store::ImageRecord const& base, image::ImageConfig const& config);

/// Stores `config` and `manifest` (its layers `layers`' blobs; its config descriptor is set
/// here, of Docker's type when the manifest is Docker's) as an unnamed image. The caller
/// holds protect_new_content() when a layer is new.
Result<store::ImageRecord> store_image(Context& ctx, image::ImageConfig const& config, image::Manifest manifest,
    std::vector<store::LayerInfo> layers);

} // namespace berth::engine
