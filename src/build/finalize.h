// The build's last act before the tags: the image of the last step, reshaped
// as build's output flags ask (build/output.h): its config's platform, the
// Docker-only config members dropped for OCI, the new layers squashed or
// repacked with one mtime, the created times fixed, and the manifest in the
// asked format; then, with -o, its root filesystem exported. Internal to the
// executor.
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

/// -o: the root filesystem of `image`, read from a created container of it
/// (links never followed out): copied into the directory `out.dest` (made
/// when missing; what is there stays unless a file replaces it, as Podman
/// merges), or as a tar into the file `out.dest`, or onto `fd` for "-".
ErrorOr export_rootfs(engine::Context& ctx, store::ImageRecord const& image, BuildOutput const& out, int fd);

} // namespace berth::build
