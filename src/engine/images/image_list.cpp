// `images`: the images and manifest lists in local storage, filtered as
// Podman filters them.
//
// The subtle part is which unnamed images show: an image another image was
// built on (a build step's) is *intermediate* and shows only with -a; an
// unnamed one nothing was built on is *dangling* and always shows. Manifest
// lists are images to Podman: they show with their name, never dangle, and
// carry no labels.
#include "engine/images/images.h"
#include "engine/images/manifest_lists.h"

#include <algorithm>
#include <fnmatch.h>

namespace berth::engine {

namespace {

struct Filter {
    std::string key, value;
};

Result<std::vector<Filter>> parse_filters(std::vector<std::string> const& raw)
{
    static std::set<std::string> const known { "reference", "dangling", "label", "before", "since", "id", "readonly", "intermediate" };
    std::vector<Filter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        if (eq == std::string::npos)
            return Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" };
        Filter filter { f.substr(0, eq), f.substr(eq + 1) };
        if (!known.count(filter.key))
            return Error { EINVAL, "invalid filter \"" + filter.key + "\": valid filters are reference, dangling, intermediate, label, before, since, id" };
        out.push_back(filter);
    }
    return out;
}

bool reference_matches(std::string const& pattern, std::vector<std::string> const& names)
{
    for (auto const& name : names) {
        auto [repo, tag] = split_name(name);
        std::string full = repo + ":" + tag;
        // Match the full name, or the name without its registry, or the last path components.
        for (size_t pos = 0; pos != std::string::npos; pos = full.find('/', pos + 1)) {
            std::string tail = pos == 0 ? full : full.substr(pos + 1);
            std::string repo_tail = tail.substr(0, tail.rfind(':'));
            if (fnmatch(pattern.c_str(), tail.c_str(), 0) == 0 || fnmatch(pattern.c_str(), repo_tail.c_str(), 0) == 0)
                return true;
        }
    }
    return false;
}

Result<std::map<std::string, std::string>> labels_of(Context& ctx, ImageListEntry const& e)
{
    if (e.manifest_list)
        return std::map<std::string, std::string> {};
    return TRY(image_config(ctx, e.record)).labels;
}

Result<bool> matches(Context& ctx, ImageListEntry const& e, std::vector<Filter> const& filters)
{
    auto const& r = e.record;
    for (auto const& f : filters) {
        if (f.key == "reference" && !reference_matches(f.value, r.names))
            return false;
        if (f.key == "dangling" && (f.value == "true") != (r.names.empty() && !e.intermediate))
            return false;
        if (f.key == "intermediate" && (f.value == "true") != e.intermediate)
            return false;
        if (f.key == "id" && r.id.rfind(f.value, 0) != 0)
            return false;
        if (f.key == "before" || f.key == "since") {
            auto other = TRY(find_image(ctx, f.value));
            if (f.key == "before" ? !(r.created < other.created) : !(r.created > other.created))
                return false;
        }
        if (f.key == "label") {
            auto labels = TRY(labels_of(ctx, e));
            auto eq = f.value.find('=');
            auto it = labels.find(f.value.substr(0, eq));
            if (it == labels.end() || (eq != std::string::npos && it->second != f.value.substr(eq + 1)))
                return false;
        }
    }
    return true;
}

} // namespace

Result<std::vector<ImageListEntry>> list_images(Context& ctx, ImageListOptions const& options)
{
    auto filters = TRY(parse_filters(options.filters));
    if (!options.reference.empty())
        filters.push_back(Filter { "reference", options.reference });
    auto images = TRY(ctx.store->list_images());
    auto parents = TRY(parent_images(ctx, images));
    std::vector<ImageListEntry> candidates;
    for (auto& r : images) {
        bool intermediate = r.names.empty() && parents.count(r.id);
        candidates.push_back(ImageListEntry { std::move(r), false, intermediate, {} });
    }
    for (auto& r : TRY(manifest_lists_as_images(ctx)))
        candidates.push_back(ImageListEntry { std::move(r), true, false, {} });

    std::vector<ImageListEntry> out;
    for (auto& e : candidates) {
        if (e.intermediate && !options.all)
            continue;  // a build step's image: -a shows it, as Podman
        if (!TRY(matches(ctx, e, filters)))
            continue;
        if (options.labels)
            e.labels = labels_of(ctx, e).value_or(std::map<std::string, std::string> {});
        out.push_back(std::move(e));
    }
    std::stable_sort(out.begin(), out.end(), [](auto const& x, auto const& y) { return x.record.created > y.record.created; });
    return out;
}

} // namespace berth::engine
