// The stage planner: which stages a build runs. A stage is needed when it is
// the target, or when a needed stage names it in FROM or COPY --from (by its
// AS name or its index); the others are skipped, as BuildKit and Buildah skip
// them (--skip-unused-stages=false builds them all). A name given with
// --build-context means that context, before any stage of the same name, as
// Buildah orders them (build context, stage, image). Pure: the executor runs
// what this returns.
#pragma once

#include "base/error.h"
#include "build/containerfile.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

/// The stage `name` means among the first `before` stages: the one named so
/// (AS names compare case-insensitively; the parser refuses a name used
/// twice), or a stage index; nullopt when it names none (it is then an image).
std::optional<size_t> stage_reference(Containerfile const& file, std::string_view name, size_t before);

/// --build-context NAME=VALUE: what NAME means in FROM, COPY --from= and RUN --mount=from=.
struct BuildContext {
    enum class Kind { Directory, Image, Url } kind = Kind::Directory;
    std::string value;  ///< the directory as given, the image reference (its prefix removed), or the URL
};
using BuildContexts = std::map<std::string, BuildContext>;

/// A --build-context value: VALUE is docker-image://REF or
/// container-image://REF (an image), an http:// or https:// URL (a tar to
/// download and extract), else a local directory. Errors name the flag and
/// the accepted forms.
Result<std::pair<std::string, BuildContext>> parse_build_context(std::string_view text);

/// Whether the stages no stage needs are built (--skip-unused-stages).
enum class UnusedStages { Skip, Build };

/// The stages `target` needs, itself included, in file order (with
/// UnusedStages::Build, every stage up to the target). `global_args` values
/// the FROM lines (FROM $BASE may name a stage); a name in `contexts` is
/// that build context, not a stage.
Result<std::vector<size_t>> needed_stages(Containerfile const& file, size_t target, Environment const& global_args,
    BuildContexts const& contexts = {}, UnusedStages unused = UnusedStages::Skip);

} // namespace berth::build
