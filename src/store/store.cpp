// Store: opening (directories, schema), repair after a crash, and garbage
// collection. The hard part is gc running beside other processes: content a
// pull has just written is unreferenced until its put_image() commits. Writers
// therefore hold a shared lock (protect_new_content) for that window, and gc
// only collects when it can take the same lock exclusively. Layers are also
// skipped while their own lock is held, and a layer row is deleted only in a
// transaction that re-checks that no image references it.
#include "store/store.h"

#include "base/fs.h"
#include "base/log.h"
#include "store/schema.h"

#include <ctime>
#include <set>

namespace berth::store {

Store::Store(StoreOptions options, std::unique_ptr<Database> db)
    : m_options(std::move(options))
    , m_layout(m_options.data_dir, m_options.run_dir)
    , m_marks(m_layout.writers_dir())
    , m_db(std::move(db))
    , m_blobs(m_layout.blobs_dir())
    , m_layers(*m_db, m_layout, m_options.rootless)
{
    m_blobs.set_writer_marks(&m_marks);
    m_layers.set_writer_marks(&m_marks);
}

Store::~Store() = default;

// A store berth cannot write (read-only, or another user's) fails on its
// first write; say what to do about it, in the same line.
static Error explain_unwritable(Error error, std::string const& data_dir)
{
    if (error.code == EROFS)
        error.message += ": " + data_dir + " is on a read-only filesystem: choose a writable --root";
    else if (error.code == EACCES || error.code == EPERM)
        error.message += ": " + data_dir + " is not writable by you (another user's store?): choose a --root of your own";
    return error;
}

Result<std::unique_ptr<Store>> Store::open(StoreOptions options)
{
    std::string data_dir = options.data_dir;
    auto opened = [&]() -> Result<std::unique_ptr<Store>> {
        std::string context = "open store " + options.data_dir;
        if (options.data_dir.empty() || options.run_dir.empty())
            return Error::msg(context + ": the data and run directories must be set");
        Layout layout(options.data_dir, options.run_dir);
        for (auto const& dir : { layout.data_dir(), fs::join(layout.blobs_dir(), "sha256"), layout.layers_dir(), layout.locks_dir() })
            TRY_CTX(fs::mkdir_p(dir, 0700), context);
        auto db = TRY_CTX(Database::open(layout.database()), context);
        std::unique_ptr<Store> store(new Store(std::move(options), std::move(db)));
        TRY_CTX(migrate(*store->m_db), context);
        // The common case, no writer died since the last repair, costs one readdir of data_dir/writers.
        if (TRY_CTX(store->m_marks.collect_stale(), context)) {
            TRY_CTX(store->repair(), context + ": repair");
            store->m_marks.drop_stale();
        }
        return store;
    }();
    if (!opened)
        return explain_unwritable(std::move(opened).error(), data_dir);
    return opened;
}

ErrorOr Store::repair()
{
    TRY(m_blobs.stale_temp_files(Cleanup::Remove));
    auto leftovers = TRY(m_layers.repair_files(Cleanup::Remove));
    for (auto const& diff_id : leftovers.missing) {
        if (TRY(m_layers.drop_missing(diff_id)))
            log::warn("store repair: layer {} is missing; images using it were removed and must be pulled again",
                diff_id.str());
    }
    // What the killed writer had finished but no image came to reference (a pull or commit
    // killed before put_image): gc's, and it leaves it alone while another writer is at work.
    if (auto collected = gc(); !collected)
        log::warn("store repair: {}", collected.error().message);
    return {};
}

Result<FileLock> Store::protect_new_content()
{
    return FileLock::acquire(m_layout.new_content_lock(), LockMode::Shared);
}

// Every string-valued digest that some row still needs.
static Result<std::set<std::string>> referenced_blobs(Database& db)
{
    std::set<std::string> out;
    // The digest part of a repo digest ("repo@sha256:...") names the manifest list a pull
    // came through: its blob stays while the image keeps that digest.
    auto stmt = TRY(db.prepare("SELECT blob_digest FROM layers UNION SELECT blob_digest FROM image_layers "
                               "UNION SELECT config_digest FROM images UNION SELECT manifest_digest FROM images "
                               "UNION SELECT substr(digest, instr(digest, '@') + 1) FROM image_digests"));
    while (TRY(stmt.step()))
        out.insert(stmt.text(0));
    return out;
}

static Result<std::set<std::string>> referenced_layers(Database& db)
{
    std::set<std::string> out;
    auto stmt = TRY(db.prepare("SELECT DISTINCT diff_id FROM image_layers"));
    while (TRY(stmt.step()))
        out.insert(stmt.text(0));
    return out;
}

Result<LayerInfo> Store::create_layer_from_changes(ChangeSource const& source, OwnerMap const& owners)
{
    BlobWriter writer = TRY(m_blobs.begin_write());
    PackedLayer packed = TRY(pack_changes(source, owners, [&](char const* data, size_t n) { return writer.write(data, n); }));
    TRY(writer.commit(packed.blob_digest, packed.blob_size));
    LayerInfo layer = TRY(m_layers.create_from_blob(m_blobs.path(packed.blob_digest), packed.blob_digest,
        packed.media_type, packed.diff_id));
    // An identical layer made earlier from another blob keeps that blob's digest: this image's
    // manifest names the blob just written, so record that one for it.
    layer.blob_digest = packed.blob_digest;
    layer.blob_size = packed.blob_size;
    layer.media_type = packed.media_type;
    return layer;
}

ErrorOr Store::gc()
{
    // One gc at a time, so a second one waits and then sees everything the first freed.
    FileLock serial = TRY_CTX(FileLock::acquire(m_layout.gc_lock()), "gc");
    auto quiet = FileLock::try_acquire(m_layout.new_content_lock(), LockMode::Exclusive);
    if (!quiet) {
        if (quiet.error().code != EWOULDBLOCK)
            return std::move(quiet).error().with_context("gc");
        log::debug("gc: images are being added, leaving unreferenced content for a later gc");
        return {};
    }
    TRY_CTX(collect_unreferenced(Cleanup::Remove, 0), "gc");
    return {};
}

Result<Unreferenced> Store::collect_unreferenced(Cleanup cleanup, int64_t min_age)
{
    Unreferenced found;
    // Layers nobody references (remove_if_unused re-checks inside its transaction).
    std::set<std::string> used_layers = TRY(referenced_layers(*m_db));
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    auto stmt = TRY(m_db->prepare("SELECT diff_id, created FROM layers"));
    std::vector<std::pair<std::string, int64_t>> layers;
    while (TRY(stmt.step()))
        layers.emplace_back(stmt.text(0), stmt.integer(1));
    for (auto const& [diff_id, created] : layers) {
        if (used_layers.contains(diff_id) || now - created < min_age)
            continue;
        auto digest = TRY(image::Digest::parse(diff_id));
        if (cleanup == Cleanup::Report || TRY(m_layers.remove_if_unused(digest)))
            found.layers.push_back(digest);
    }

    // Then blobs: manifests, configs and layer blobs of what is left.
    std::set<std::string> used_blobs = TRY(referenced_blobs(*m_db));
    for (auto const& hex : TRY(m_blobs.list())) {
        if (used_blobs.contains("sha256:" + hex))
            continue;
        auto digest = image::Digest::parse("sha256:" + hex);
        if (!digest) {
            log::debug("gc: ignoring unexpected file {}/{}", m_blobs.sha256_dir(), hex);
            continue;
        }
        found.blobs.push_back(*digest);
        if (cleanup == Cleanup::Report)
            continue;
        log::debug("gc: removing blob {}", digest->str());
        TRY(m_blobs.remove(*digest));
    }
    return found;
}

} // namespace berth::store
