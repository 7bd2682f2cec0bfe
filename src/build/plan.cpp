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

Result<std::pair<std::string, BuildContext>> parse_build_context(std::string_view text)
{
    auto fail = [&](std::string const& why) {
        return Error { EINVAL, "--build-context \"" + std::string(text) + "\": " + why
                + ": use NAME=DIR, NAME=docker-image://IMAGE, NAME=container-image://IMAGE or NAME=https://URL-of-a-tar" };
    };
    auto eq = text.find('=');
    if (eq == std::string_view::npos)
        return fail("not NAME=VALUE");
    std::string name(text.substr(0, eq));
    std::string value(text.substr(eq + 1));
    if (name.empty() || name.find_first_of(" \t") != std::string::npos)
        return fail(name.empty() ? "the name is empty" : "the name has a blank");
    if (value.empty())
        return fail("the value is empty");
    for (std::string_view prefix : { "docker-image://", "container-image://" })
        if (value.starts_with(prefix)) {
            if (value.size() == prefix.size())
                return fail("no image after " + std::string(prefix));
            return std::pair { name, BuildContext { BuildContext::Kind::Image, value.substr(prefix.size()) } };
        }
    if (value.starts_with("http://") || value.starts_with("https://"))
        return std::pair { name, BuildContext { BuildContext::Kind::Url, value } };
    if (auto scheme = value.find("://"); scheme != std::string::npos && value.find('/') > scheme)
        return fail("unknown scheme \"" + value.substr(0, scheme) + "://\"");
    return std::pair { name, BuildContext { BuildContext::Kind::Directory, value } };
}

Result<std::vector<size_t>> needed_stages(Containerfile const& file, size_t target, Environment const& global_args,
    BuildContexts const& contexts, UnusedStages unused)
{
    if (unused == UnusedStages::Build) {
        std::vector<size_t> all(std::min(target + 1, file.stages.size()));
        for (size_t i = 0; i < all.size(); ++i)
            all[i] = i;
        return all;
    }
    // A build context's name is no stage reference.
    auto stage_dep = [&](std::string const& name, size_t before) -> std::optional<size_t> {
        if (contexts.count(name))
            return std::nullopt;
        return stage_reference(file, name, before);
    };
    std::set<size_t> needed;
    std::vector<size_t> todo { target };
    while (!todo.empty()) {
        size_t i = todo.back();
        todo.pop_back();
        if (!needed.insert(i).second)
            continue;
        auto from = TRY(expand_from(file, file.stages[i], global_args));
        if (auto dep = stage_dep(from.image, i))
            todo.push_back(*dep);
        for (auto const& instruction : file.stages[i].instructions) {
            if (auto const* copy = instruction.as<Copy>(); copy && !copy->from.empty())
                if (auto dep = stage_dep(copy->from, i))
                    todo.push_back(*dep);
            if (auto const* run = instruction.as<Run>())
                for (auto const& mount : run->mounts)
                    if (!mount.from.empty())
                        if (auto dep = stage_dep(mount.from, i))
                            todo.push_back(*dep);
        }
    }
    return std::vector<size_t>(needed.begin(), needed.end());
}

} // namespace berth::build
