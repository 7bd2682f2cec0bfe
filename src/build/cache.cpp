// The build cache (cache.h): a scan of the store's images for one whose
// lineage, last history entry and config are the step's. Every candidate's
// config is parsed, which is fine for the hundreds of images a developer's
// store holds; a table of keys can replace the scan when it is not.
#include "build/cache.h"

#include "base/fs.h"
#include "engine/images/images.h"
#include "image/digest.h"

#include <filesystem>
#include <fnmatch.h>
#include <sys/stat.h>
#include <ctime>

namespace berth::build {

namespace {

/// The config without what every build changes (times, history, layers).
std::string comparable(image::ImageConfig config)
{
    config.created.clear();
    config.history.clear();
    config.diff_ids.clear();
    return config.serialize();
}

bool same_history(image::HistoryEntry const& a, image::HistoryEntry const& b)
{
    return a.created == b.created && a.created_by == b.created_by && a.empty_layer == b.empty_layer;
}

bool layers_fit(store::ImageRecord const& parent, store::ImageRecord const& candidate, NewLayers layers)
{
    size_t n = parent.layers.size(), m = candidate.layers.size();
    if (m < n || m > n + 1 || (layers == NewLayers::None && m != n) || (layers == NewLayers::One && m != n + 1))
        return false;
    for (size_t i = 0; i < n; ++i)
        if (parent.layers[i].diff_id != candidate.layers[i].diff_id)
            return false;
    return true;
}

} // namespace

Result<std::optional<store::ImageRecord>> find_cached_step(engine::Context& ctx, store::ImageRecord const& parent,
    image::ImageConfig const& expected, std::string const& created_by, NewLayers layers, std::optional<int64_t> max_age)
{
    std::string want = comparable(expected);
    int64_t oldest = max_age ? static_cast<int64_t>(::time(nullptr)) - *max_age : 0;
    auto const& history = expected.history;
    for (auto const& candidate : TRY(ctx.store->list_images())) {
        if (candidate.id == parent.id || !layers_fit(parent, candidate, layers) || (max_age && candidate.created < oldest))
            continue;
        auto config = engine::image_config(ctx, candidate);
        if (!config || config->history.size() != history.size() + 1 || config->history.back().created_by != created_by)
            continue;
        if (!std::equal(history.begin(), history.end(), config->history.begin(), same_history))
            continue;
        if (comparable(*config) == want)
            return std::optional(candidate);
    }
    return std::optional<store::ImageRecord> {};
}

Result<std::string> context_digest(std::string const& context_dir, CopyArgs const& args, IgnoreMatcher const& ignore)
{
    auto included = TRY(included_paths(context_dir, ignore));
    image::Sha256 hash;
    hash.update(args.chown + "\n" + args.chmod + "\n");
    for (auto const& heredoc : args.heredocs)
        hash.update(heredoc.name + "\n" + heredoc.content + "\n");
    for (auto const& source : args.sources) {
        std::string pattern = clean_path(source.starts_with("/") ? source.substr(1) : source);
        for (auto const& path : included) {
            bool below = pattern == "." || path == pattern || path.starts_with(pattern + "/")
                || ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME | FNM_LEADING_DIR) == 0;
            if (!below)
                continue;
            std::string full = fs::join(context_dir, path);
            struct stat st {};
            if (::lstat(full.c_str(), &st) < 0)
                return Error::from_errno("stat " + full);
            hash.update(path + "\n" + std::to_string(st.st_mode) + "\n");
            if (S_ISLNK(st.st_mode) && path == pattern) {
                // A named source that is a link is copied as what it leads to: its content counts.
                auto followed = TRY(follow_source_link(context_dir, path, source));
                hash.update(followed + "\n");
                for (auto const& inside : included) {
                    if (inside != followed && !(followed == "." || inside.starts_with(followed + "/")))
                        continue;
                    struct stat target {};
                    std::string target_path = fs::join(context_dir, inside);
                    if (::stat(target_path.c_str(), &target) == 0 && S_ISREG(target.st_mode))
                        hash.update(inside + "\n" + TRY(fs::read_file(target_path)));
                }
            } else if (S_ISLNK(st.st_mode))
                hash.update(std::filesystem::read_symlink(full).string());
            else if (S_ISREG(st.st_mode))
                hash.update(TRY(fs::read_file(full)));
            hash.update("\n");
        }
    }
    return hash.finish().str();
}

} // namespace berth::build
