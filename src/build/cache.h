// The build cache: a step is skipped when an image of an earlier build is
// what it would make. There is no table of keys: the key is in the images
// themselves. A step's image has its parent's layers (and one more for RUN,
// COPY, ADD), its parent's history plus one entry whose created_by names the
// step (for COPY and ADD with a digest of what they read), and the config the
// step asks for; an image that matches all three is the step's result.
// Internal to the executor.
#pragma once

#include "base/error.h"
#include "build/containerfile.h"
#include "build/ignore.h"
#include "engine/context.h"
#include "image/config.h"
#include "store/store.h"

#include <optional>
#include <string>

namespace berth::build {

enum class NewLayers { None, One, Any };

/// The image an earlier build made over `parent` with config `expected`
/// (history and diff IDs aside) and a last history entry `created_by`; nullopt if none.
/// With `max_age` (seconds), an image created longer ago than that does not count.
Result<std::optional<store::ImageRecord>> find_cached_step(engine::Context& ctx, store::ImageRecord const& parent,
    image::ImageConfig const& expected, std::string const& created_by, NewLayers layers, std::optional<int64_t> max_age = {});

/// A digest of what COPY/ADD reads from the context: each kept path below its
/// sources (name, type, mode, content or link target), its heredocs, and --chown/--chmod.
Result<std::string> context_digest(std::string const& context_dir, CopyArgs const& args, IgnoreMatcher const& ignore);

} // namespace berth::build
