// RUN --mount: what a RUN step's mounts need while the step runs, as Docker
// (BuildKit) gives it.
//
//   bind    the context (or a path of a stage, image or --build-context directory with from=) at the
//           target, read-only by default; with rw the step writes to a copy,
//           whose changes are thrown away.
//   cache   a directory kept between builds in the store (build-cache/), by
//           id (default: the target); sharing=locked holds a lock on it while
//           the step runs, sharing=private gives the step a fresh directory
//           when another holds it.
//   tmpfs   a tmpfs at the target.
//   secret  a file given with `build --secret id=ID,src=PATH` (or env=VAR), as
//           a 0400 file at /run/secrets/ID (or at target=), or in an
//           environment variable with env=; never in the image or its history.
//
// The hard part is that none of them may leave a trace in the layer the step
// makes: the mountpoints are made before the step runs (each component
// resolved inside the rootfs) and the ones that were made are removed after
// it, when they are still empty.
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/temp_dir.h"
#include "build/containerfile.h"
#include "build/steps.h"
#include "container/options.h"
#include "engine/context.h"
#include "store/store.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::build {

/// `build --secret id=ID,src=PATH` or `id=ID,env=VAR`.
struct BuildSecret {
    std::string source;  ///< a file on the host, or ""
    std::string env;     ///< a host environment variable, or ""
};

/// Parses a --secret value; errors name the value and the fix.
Result<std::pair<std::string, BuildSecret>> parse_build_secret(std::string const& spec);

struct RunMountInputs {
    std::string context_dir;
    std::map<std::string, BuildSecret> const* secrets = nullptr;
    std::string working_dir;  ///< relative targets are below it
    /// The image a from= names: a stage built before, or an image.
    std::function<Result<store::ImageRecord>(std::string const&)> resolve_from;
    /// --build-context directories by name: a from= naming one binds from it
    /// as from the context (never out of it), before any stage or image.
    std::map<std::string, std::string> const* context_dirs = nullptr;
};

class RunMounts {
public:
    /// Prepares every mount of the step and adds what the container needs to
    /// `spec` (mounts, tmpfs, env). Fails, changing nothing on disk that
    /// outlives the object, when a mount cannot be given (a missing required
    /// secret, a bind source outside the context, an ssh mount).
    static Result<RunMounts> prepare(engine::Context& ctx, std::vector<Mount> const& mounts, RunMountInputs const& in,
        container::CreateOptions& spec);

    RunMounts(RunMounts&&) noexcept = default;
    RunMounts& operator=(RunMounts&&) = delete;

    bool empty() const { return m_targets.empty(); }
    /// Makes the mountpoints in the step container's rootfs (mounted at `root_dir`).
    ErrorOr make_mountpoints(std::string const& root_dir);
    /// Removes the mountpoints make_mountpoints() made, deepest first, when still empty.
    ErrorOr remove_mountpoints(std::string const& root_dir);

private:
    struct Target {
        std::string path;  ///< absolute, in the container
        bool is_file = false;
    };
    RunMounts() = default;

    std::vector<Target> m_targets;
    std::vector<std::string> m_made;                 ///< paths made in the rootfs, in the order made
    std::vector<std::unique_ptr<TempDir>> m_scratch; ///< rw bind copies, secret files
    std::vector<FileLock> m_locks;                   ///< sharing=locked caches
    std::vector<StepContainer> m_sources;            ///< mounted containers of from= images, removed at the end
};

/// The cache key text of a step's mounts: " --mount=SPEC" for each (empty
/// without mounts), with " (content DIGEST)" after a bind for which
/// `content_digest` gives a digest of what it reads (the context's files, or
/// a build context's); "" from it adds nothing.
Result<std::string> mounts_key(std::vector<Mount> const& mounts,
    std::function<Result<std::string>(Mount const& bind)> const& content_digest);

} // namespace berth::build
