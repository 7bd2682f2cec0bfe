// The build's last act before the tags: the image of the last step, reshaped
// as build's output flags ask (build/output.h): its config's platform, the
// Docker-only config members dropped for OCI, the new layers squashed or
// repacked with one mtime, the created times fixed, and the manifest in the
// asked format. Internal to the executor.
#pragma once

#include "base/error.h"
#include "build/output.h"
#include "engine/context.h"
#include "store/store.h"

#include <functional>
#include <string>
#include <vector>

namespace berth::build {

/// `image` (the last step's, built over `base`, the target stage's FROM
/// image) as `options` shape it; `image` itself when nothing changes.
/// `steps` are the images of the target stage's steps in order (ending with
/// `image`), which --timestamp stamps too. Warnings (Podman's words, no
/// prefix) go to `warn`.
Result<store::ImageRecord> finalize_image(engine::Context& ctx, store::ImageRecord const& image,
    std::vector<store::ImageRecord> const& steps, store::ImageRecord const& base,
    OutputOptions const& options, std::function<void(std::string const&)> const& warn);

} // namespace berth::build
