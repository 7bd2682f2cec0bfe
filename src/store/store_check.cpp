// Store::check, the reporting form of Store::repair: the same finders
// (BlobStore::stale_temp_files, LayerStore::repair_files, gc's
// collect_unreferenced) run in Cleanup::Report or Cleanup::Remove mode, plus
// what only an explicit check looks for: images whose layers, config or
// manifest are gone or damaged. The hard part is running beside other berth
// processes: the check holds gc.lock and new-content.lock (exclusively) for
// its whole run, so no pull is between writing content and recording it,
// which is what makes an unreferenced layer or blob a leftover rather than
// work in progress; per-layer locks keep it off layers being extracted.
#include "store/store.h"

#include "base/fs.h"
#include "base/log.h"

#include <algorithm>

namespace berth::store {

static std::string short_id(std::string const& id) { return id.substr(0, 12); }

std::string Store::image_damage(ImageRecord const& image, bool quick)
{
    Store& store = *this;
    for (auto const& layer : image.layers) {
        auto row = store.layers().get(layer.diff_id);
        if (!row || !*row)
            return "layer " + layer.diff_id.str() + " is not in the store";
        if (!fs::is_dir(store.layers().diff_path(layer.diff_id)))
            return "layer " + layer.diff_id.str() + " is missing its directory " + store.layers().diff_path(layer.diff_id);
    }
    auto blob_damage = [&](char const* kind, image::Digest const& digest) -> std::string {
        if (digest.empty())
            return "";
        if (!store.blobs().has(digest))
            return std::string(kind) + " blob " + digest.str() + " is missing";
        if (!quick) {
            if (auto read = store.blobs().read(digest); !read)
                return std::string(kind) + " blob " + digest.str() + ": " + read.error().message;
        }
        return "";
    };
    if (auto damage = blob_damage("config", image.config_digest); !damage.empty())
        return damage;
    return blob_damage("manifest", image.manifest_digest);
}

static Result<int64_t> images_using(Database& db, image::Digest const& diff_id)
{
    auto stmt = TRY(db.prepare("SELECT COUNT(*) FROM image_layers WHERE diff_id = ?"));
    stmt.bind(1, diff_id.str());
    TRY(stmt.step());
    return stmt.integer(0);
}

Result<std::vector<Problem>> Store::check_images(CheckOptions const& options)
{
    std::vector<Problem> problems;
    for (auto const& image : TRY(list_images())) {
        std::string damage = image_damage(image, options.quick);
        if (damage.empty())
            continue;
        Problem p { "damaged image " + short_id(image.id), damage, false };
        bool keep = std::find(options.keep_images.begin(), options.keep_images.end(), image.id) != options.keep_images.end();
        if (options.repair && keep)
            p.detail += " (used by a container: --force removes it with its containers)";
        if (options.repair && !keep) {
            auto txn = TRY(m_db->begin());
            auto stmt = TRY(m_db->prepare("DELETE FROM images WHERE id = ?"));
            stmt.bind(1, image.id);
            TRY(stmt.run());
            TRY(txn.commit());
            p.repaired = true;
        }
        problems.push_back(std::move(p));
    }
    return problems;
}

Result<std::vector<Problem>> Store::check(CheckOptions const& options)
{
    FileLock serial = TRY_CTX(FileLock::acquire(m_layout.gc_lock()), "check");
    FileLock quiet = TRY_CTX(FileLock::acquire(m_layout.new_content_lock(), LockMode::Exclusive), "check");
    Cleanup cleanup = options.repair ? Cleanup::Remove : Cleanup::Report;
    std::vector<Problem> problems;
    auto add = [&](std::string what, std::string detail, bool repaired) {
        problems.push_back({ std::move(what), std::move(detail), repaired });
    };
    bool repair = options.repair;

    // Leftovers of killed writers: what Store::open() repairs after a crash.
    for (auto const& name : TRY_CTX(m_blobs.stale_temp_files(cleanup), "check"))
        add("half-written blob " + name, "left in " + m_blobs.sha256_dir() + " by a killed process", repair);
    auto leftovers = TRY_CTX(m_layers.repair_files(cleanup), "check");
    for (auto const& name : leftovers.unfinished)
        add("half-written layer " + name, "left in " + m_layers.layers_dir() + " by a killed process", repair);
    for (auto const& hex : leftovers.unrecorded)
        add("unrecorded layer " + hex, "a directory in " + m_layers.layers_dir() + " that no layer record names", repair);
    for (auto const& name : leftovers.stale_locks)
        add("stale lock file " + name, "the layer it locks does not exist", repair);

    // Images that cannot be used, then the layers that are gone (now used by no image, or by
    // images the caller keeps).
    for (auto& p : TRY_CTX(check_images(options), "check"))
        problems.push_back(std::move(p));
    for (auto const& diff_id : leftovers.missing) {
        bool dropped = false;
        if (repair && TRY_CTX(images_using(*m_db, diff_id), "check") == 0)
            dropped = TRY_CTX(m_layers.drop_missing(diff_id), "check");
        add("damaged layer " + diff_id.str(), "its directory " + m_layers.diff_path(diff_id) + " is missing", dropped);
    }

    // Content no image references: gc removes it at once, so here it is a leftover.
    auto unreferenced = TRY_CTX(collect_unreferenced(cleanup, options.max_age), "check");
    for (auto const& diff_id : unreferenced.layers)
        add("unreferenced layer " + diff_id.str(), "no image uses it", repair);
    for (auto const& digest : unreferenced.blobs)
        add("unreferenced blob " + digest.str(), "no image or layer refers to it", repair);
    return problems;
}

} // namespace berth::store
