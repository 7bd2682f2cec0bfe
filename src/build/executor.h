// The build executor: a parsed Containerfile becomes an image, one step at a
// time, each step an engine operation that already exists. FROM finds or
// pulls the base; ENV, LABEL, CMD, WORKDIR and the other config instructions
// write a new config over the same layers (engine/images/derive.h); RUN runs
// the command as a container of the current image and commits its changes
// (engine/images/commit.h); COPY and ADD copy into a created container and
// commit it. Every step's result is an image, as Podman's --layers keeps them.
//
// The executor never prints: it reports each step through BuildObserver, and
// the CLI renders Podman's lines ("STEP 2/5: RUN make", "--> 0123456789a").
// RUN's output is the container's, relayed as an attached `run` relays it.
// The hard part is cleanup: a step's container is removed whatever happens
// to the step, so a failed build leaves no container behind (its images of
// the steps that worked stay, as Podman's do).
#pragma once

#include "base/error.h"
#include "container/options.h"
#include "engine/context.h"
#include "build/output.h"
#include "build/plan.h"
#include "build/run_mounts.h"
#include "engine/images/images.h"
#include "store/store.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::build {

/// What the CLI prints, in order.
struct BuildEvent {
    enum class Kind {
        Step,      ///< text: "STEP 2/5: RUN make" (with "[2/3] " in a multi-stage build)
        Cached,    ///< text: the full ID of the image a step reused
        StepDone,  ///< text: the full ID of the step's image
        Commit,    ///< text: "[2/3] COMMIT name" before the final image's last StepDone
        Tagged,    ///< text: the full name given ("localhost/app:latest")
        Warning,   ///< text: a warning, no prefix (HEALTHCHECK in an OCI image)
    } kind;
    std::string text;
};
using BuildObserver = std::function<void(BuildEvent const&)>;

struct BuildOptions {
    std::string context_dir;                       ///< CONTEXT: a directory, or an http(s) URL of a tar (plain or compressed)
    int context_fd = -1;                           ///< `build -`: the context is the tar read from this fd (context_dir unused)
    std::string containerfile;                     ///< -f; empty: CONTEXT/Containerfile, else CONTEXT/Dockerfile
    std::vector<std::string> tags;                 ///< -t, applied at the end
    std::map<std::string, std::string> build_args; ///< --build-arg
    std::string target;                            ///< --target: the last stage to build; empty: the last one
    bool no_cache = false;                         ///< --no-cache
    std::vector<std::string> labels;               ///< --label K=V, on the final image
    std::string pull = "missing";                  ///< --pull: missing | always | never | newer (always, the local one when the pull fails)
    std::string network;                           ///< --network for RUN; empty: run's default
    std::map<std::string, BuildSecret> secrets;    ///< --secret, by id, for RUN --mount=type=secret
    std::string ignore_file;                       ///< --ignorefile; empty: CONTEXT/.containerignore, else .dockerignore
    std::vector<std::string> env;                  ///< --env KEY=VALUE: in the final stage's environment (its RUN steps see it) and the image's
    std::vector<std::string> unsetenv;             ///< --unsetenv NAME: not in the final image's environment
    OutputOptions output;                          ///< --format, --squash, --timestamp, --platform...
    std::optional<int64_t> cache_ttl;              ///< --cache-ttl in seconds: cached steps older than it are built again
    BuildContexts build_contexts;                  ///< --build-context, by name: before a stage or image of that name
    std::string from;                              ///< --from: the image of the first FROM instead of the file's
    UnusedStages unused_stages = UnusedStages::Skip; ///< --skip-unused-stages=false: Build
    BuildOutput export_to;                         ///< -o: the final image's root filesystem, exported after the build
    int export_fd = -1;                            ///< -o with dest "-": the tar is written to this fd
    /// The container options of every RUN step (-v, --cap-add, --ulimit, --dns, ...);
    /// image, command, network and environment are the step's own.
    container::CreateOptions run_options;
    bool stdin_to_run = false;                     ///< --stdin: RUN steps read berth's standard input
    engine::PullOptions pull_options;              ///< registry options and pull progress
    BuildObserver observer;                        ///< may be empty
};

/// Builds the image; returns it (named by the tags). A RUN step that exits
/// non-zero ends the build with `building at STEP "RUN false": while running
/// runtime: exit status 1`, and `*run_status` (when given) gets its status.
/// A Containerfile error names the file and line. With `export_to`, the
/// image's root filesystem is then written there (the image stays, tagged).
Result<store::ImageRecord> build_image(engine::Context& ctx, BuildOptions const& options, int* run_status = nullptr);

/// The Containerfile `build` reads: `file` when given (relative to the
/// current directory), else CONTEXT/Containerfile, else CONTEXT/Dockerfile.
Result<std::string> containerfile_path(std::string const& context_dir, std::string const& file);

} // namespace berth::build
