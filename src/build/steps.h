// The executor's steps that change the file system (RUN, COPY, ADD), and the
// container each of them runs in. Internal to the executor (executor.cpp,
// steps.cpp, copy_step.cpp).
#pragma once

#include "base/error.h"
#include "build/containerfile.h"
#include "build/ignore.h"
#include "container/options.h"
#include "engine/context.h"
#include "image/config.h"
#include "store/store.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::build {

/// A container for one step, removed (with its rootfs) when this goes, also
/// when the step fails: a build leaves no container behind.
class StepContainer {
public:
    /// Creates a container of `spec.image` (pull never: the step's image is local).
    static Result<StepContainer> create(engine::Context& ctx, container::CreateOptions spec);
    StepContainer(StepContainer&& other) noexcept : m_ctx(other.m_ctx), m_id(std::move(other.m_id)) { other.m_ctx = nullptr; }
    StepContainer& operator=(StepContainer&&) = delete;
    ~StepContainer();
    std::string const& id() const { return m_id; }

private:
    StepContainer(engine::Context& ctx, std::string id) : m_ctx(&ctx), m_id(std::move(id)) {}
    engine::Context* m_ctx;
    std::string m_id;
};

/// A created (never started) container of `image_id`, and the host path of its mounted rootfs.
struct MountedContainer {
    StepContainer container;
    std::string root_dir;
};
Result<MountedContainer> mounted_container(engine::Context& ctx, std::string const& image_id);

/// mkdir -p of `path` inside the root filesystem at `root_dir`; every
/// component is resolved within it, so a link in the image cannot lead out.
/// The directories made are appended to `made` (when given), outermost first.
ErrorOr make_dirs_in_root(std::string const& root_dir, std::string const& path, std::vector<std::string>* made = nullptr);

/// The container's changes over its image, as a new image with `config`
/// (the step's; the layer and a history entry `created_by` are added).
Result<store::ImageRecord> commit_step(engine::Context& ctx, std::string const& container_id, image::ImageConfig const& config,
    std::string const& created_by);

/// WORKDIR: when `config.working_dir` is missing in `image`, a container of it
/// gets the directory and is committed with `config`; nullopt when it exists.
Result<std::optional<store::ImageRecord>> workdir_step(engine::Context& ctx, store::ImageRecord const& image,
    image::ImageConfig const& config, std::string const& created_by);

/// The image a COPY --from names: a stage built earlier, or an image (pulled as --pull says).
using ResolveFrom = std::function<Result<store::ImageRecord>(std::string const& from)>;

/// One COPY or ADD, expanded.
struct CopyStep {
    store::ImageRecord const& image;     ///< the stage's current image
    image::ImageConfig const& config;    ///< its config (WORKDIR for a relative destination)
    CopyArgs const& args;
    std::string from;                    ///< COPY --from, or ""
    std::string context_dir;
    IgnoreMatcher const& ignore;
    std::string created_by;
    ResolveFrom resolve_from;
    bool extract_archives = false;       ///< ADD: a local tar (plain or compressed) is extracted at the destination
    std::map<std::string, std::string> downloads;  ///< ADD: each URL source's downloaded file
};

/// Copies the sources into a container of the step's image and commits it.
Result<store::ImageRecord> copy_step(engine::Context& ctx, CopyStep const& step);

} // namespace berth::build
