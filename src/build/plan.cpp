// The stage planner (plan.h): a walk from the target along FROM,
// COPY --from and RUN --mount=from= references, which can only point at earlier stages, so the
// walk ends.
#include "build/plan.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string>

namespace berth::build {

std::optional<size_t> stage_reference(Containerfile const& file, std::string_view name, size_t before)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (size_t i = std::min(before, file.stages.size()); i-- > 0;)
        if (!file.stages[i].from.name.empty() && file.stages[i].from.name == lower)
            return i;
    if (!name.empty() && name.size() < 6 && name.find_first_not_of("0123456789") == std::string_view::npos) {
        size_t index = std::stoul(std::string(name));
        if (index < before && index < file.stages.size())
            return index;
    }
    return std::nullopt;
}

Result<std::vector<size_t>> needed_stages(Containerfile const& file, size_t target, Environment const& global_args)
{
    std::set<size_t> needed;
    std::vector<size_t> todo { target };
    while (!todo.empty()) {
        size_t i = todo.back();
        todo.pop_back();
        if (!needed.insert(i).second)
            continue;
        auto from = TRY(expand_from(file, file.stages[i], global_args));
        if (auto dep = stage_reference(file, from.image, i))
            todo.push_back(*dep);
        for (auto const& instruction : file.stages[i].instructions) {
            if (auto const* copy = instruction.as<Copy>(); copy && !copy->from.empty())
                if (auto dep = stage_reference(file, copy->from, i))
                    todo.push_back(*dep);
            if (auto const* run = instruction.as<Run>())
                for (auto const& mount : run->mounts)
                    if (!mount.from.empty())
                        if (auto dep = stage_reference(file, mount.from, i))
                            todo.push_back(*dep);
        }
    }
    return std::vector<size_t>(needed.begin(), needed.end());
}

} // namespace berth::build
