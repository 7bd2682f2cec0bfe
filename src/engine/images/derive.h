// derive: a new image that shares its base image's layers and has a config
// of its own, as a build's ENV, LABEL, CMD... steps make one (no new layer).
#pragma once

#include "base/error.h"
#include "engine/context.h"
#include "image/config.h"
#include "store/store.h"

namespace berth::engine {

/// Stores `config` (which must list the base's diff IDs; the caller has added
/// its history entry) as a new unnamed image over `base`'s layers, with an OCI
/// manifest. Storing the same config again gives the same image. A `base`
/// without layers need not be stored: FROM scratch derives from an empty record.
Result<store::ImageRecord> derive_image(Context& ctx, store::ImageRecord const& base, image::ImageConfig const& config);

} // namespace berth::engine
