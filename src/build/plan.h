// The stage planner: which stages a build runs. A stage is needed when it is
// the target, or when a needed stage names it in FROM or COPY --from (by its
// AS name or its index); the others are skipped, as BuildKit and Buildah skip
// them. Pure: the executor runs what this returns.
#pragma once

#include "base/error.h"
#include "build/containerfile.h"

#include <optional>
#include <string_view>
#include <vector>

namespace berth::build {

/// The stage `name` means among the first `before` stages: the one named so
/// (AS names compare case-insensitively; the parser refuses a name used
/// twice), or a stage index; nullopt when it names none (it is then an image).
std::optional<size_t> stage_reference(Containerfile const& file, std::string_view name, size_t before);

/// The stages `target` needs, itself included, in file order. `global_args`
/// values the FROM lines (FROM $BASE may name a stage).
Result<std::vector<size_t>> needed_stages(Containerfile const& file, size_t target, Environment const& global_args);

} // namespace berth::build
