// LayerStore: creates, finds and removes extracted layers. The ordering rules
// are what keep a killed process harmless:
//   create: lock -> extract into layers/.tmp-<hex>-XXXXXX -> rename to
//           layers/<hex> -> fsync(layers/) -> link l/<name> -> insert row -> unlock
//   remove: lock -> delete row -> unlink l/<name> -> rename to layers/.tmp-<hex>-del-N
//           -> rm -rf -> unlink the lock file -> unlock
// so a row always names a complete directory, and anything else on disk is a
// leftover that repair_files() may delete once it can take the layer's lock.
#include "store/layer_store.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "store/blob_store.h"
#include "store/database.h"
#include "store/layer_links.h"
#include "store/layer_unpack.h"
#include "store/writer_marks.h"

#include <atomic>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <unistd.h>

namespace berth::store {

static constexpr std::string_view temp_prefix = ".tmp-";
static constexpr char const* layer_columns = "diff_id, blob_digest, media_type, size, blob_size";

static bool is_hex64(std::string_view s)
{
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

static Result<LayerInfo> layer_from_row(Statement const& stmt)
{
    LayerInfo info;
    info.diff_id = TRY_CTX(image::Digest::parse(stmt.text(0)), "store database: layer row");
    info.blob_digest = TRY_CTX(image::Digest::parse(stmt.text(1)), "store database: layer row");
    info.media_type = stmt.text(2);
    info.size = stmt.integer(3);
    info.blob_size = stmt.integer(4);
    return info;
}

std::string LayerStore::layer_path(image::Digest const& diff_id) const { return m_layers_dir + "/" + diff_id.hex(); }
std::string LayerStore::diff_path(image::Digest const& diff_id) const { return layer_path(diff_id) + "/diff"; }

Result<std::string> LayerStore::mount_link(image::Digest const& diff_id) const
{
    return ensure_layer_link(m_layers_dir, diff_id.hex());
}

Result<FileLock> LayerStore::lock(std::string const& hex) const
{
    return FileLock::acquire(m_layout.layer_lock(hex));
}

Result<FileLock> LayerStore::try_lock(std::string const& hex) const
{
    return FileLock::try_acquire(m_layout.layer_lock(hex));
}

Result<std::optional<LayerInfo>> LayerStore::get(image::Digest const& diff_id) const
{
    auto stmt = TRY(m_db.prepare(std::string("SELECT ") + layer_columns + " FROM layers WHERE diff_id = ?"));
    stmt.bind(1, diff_id.str());
    if (!TRY(stmt.step()))
        return std::optional<LayerInfo> {};
    return std::optional<LayerInfo> { TRY(layer_from_row(stmt)) };
}

bool LayerStore::has(image::Digest const& diff_id) const
{
    if (diff_id.empty())
        return false;
    auto row = get(diff_id);
    return row.has_value() && row.value().has_value() && fs::is_dir(diff_path(diff_id));
}

Result<std::optional<LayerInfo>> LayerStore::find_by_blob(image::Digest const& blob_digest) const
{
    std::optional<LayerInfo> found;
    {
        auto stmt = TRY(m_db.prepare(std::string("SELECT ") + layer_columns + " FROM layers WHERE blob_digest = ?"));
        stmt.bind(1, blob_digest.str());
        while (TRY(stmt.step()) && !found) {
            LayerInfo info = TRY(layer_from_row(stmt));
            if (fs::is_dir(diff_path(info.diff_id)))
                found = std::move(info);
        }
    }
    return found;
}

Result<std::vector<LayerInfo>> LayerStore::list() const
{
    std::vector<LayerInfo> out;
    auto stmt = TRY(m_db.prepare(std::string("SELECT ") + layer_columns + " FROM layers"));
    while (TRY(stmt.step()))
        out.push_back(TRY(layer_from_row(stmt)));
    return out;
}

Result<LayerInfo> LayerStore::create_from_blob(std::string const& blob_path, image::Digest const& blob_digest,
    std::string const& media_type, image::Digest const& expected_diff_id)
{
    std::string context = "layer " + blob_digest.str();
    TRY_CTX(check_storable(blob_digest), context);
    if (!expected_diff_id.empty())
        TRY_CTX(check_storable(expected_diff_id), context);

    // An existing layer: by diff id when we know it, else one made from the same blob.
    auto existing = [&]() -> Result<std::optional<LayerInfo>> {
        if (expected_diff_id.empty())
            return find_by_blob(blob_digest);
        if (!has(expected_diff_id))
            return std::optional<LayerInfo> {};
        return get(expected_diff_id);
    };
    if (auto found = TRY_CTX(existing(), context))
        return *found;
    std::string lock_hex = expected_diff_id.empty() ? blob_digest.hex() : expected_diff_id.hex();
    FileLock held = TRY_CTX(lock(lock_hex), context);
    // Check again: a concurrent pull may have finished while we waited for the lock.
    if (auto found = TRY_CTX(existing(), context))
        return *found;
    LayerInfo info = TRY_CTX(extract_locked(blob_path, blob_digest, media_type, expected_diff_id, lock_hex), context);
    if (info.diff_id.hex() != lock_hex)
        held.remove_file(); // keyed by the blob: needed only while the diff id was unknown
    return info;
}

// Durability of extracted trees: none is forced. Blobs (fsync'd before their rename) and
// the database are durable; an extracted layer is left to the kernel's writeback, as
// containers-storage (podman) does. A syncfs per layer used to cost a pull 0.3-0.5 s
// (it flushes the whole file system, other processes' dirty data included, and
// concurrent calls queue behind each other); one fsync per file would cost more. The
// price: after a power failure (not a killed process, whose data the kernel keeps)
// a recorded layer may hold truncated files; `berth rmi` and pulling again fixes it,
// since the blob is durable. The rename into place is still fsync'd (publish()).

Result<LayerInfo> LayerStore::extract_locked(std::string const& blob_path, image::Digest const& blob_digest,
    std::string const& media_type, image::Digest const& expected_diff_id, std::string const& lock_hex)
{
    struct stat blob_st = TRY(sys::stat(blob_path));
    if (m_marks)
        TRY(m_marks->mark());
    log::debug("extracting layer {} ({})", blob_digest.str(), expected_diff_id.empty() ? "diff id unknown" : expected_diff_id.str());
    TempDir tmp = TRY(TempDir::create(m_layers_dir, std::string(temp_prefix) + lock_hex + "-"));
    std::string diff = tmp.path() + "/diff";
    TRY(sys::mkdir(diff, 0755));

    // Extract and hash in one pass.
    UnpackResult unpacked = TRY(unpack_layer(blob_path, diff, m_rootless ? Whiteouts::Rootless : Whiteouts::Root));
    m_extractions.fetch_add(1);
    if (!expected_diff_id.empty() && unpacked.diff_id != expected_diff_id)
        return Error::msg("uncompressed digest mismatch: expected " + expected_diff_id.str() + ", got "
            + unpacked.diff_id.str() + " (the blob is not the layer the image config names)");

    LayerInfo info { unpacked.diff_id, blob_digest, media_type, unpacked.size, static_cast<int64_t>(blob_st.st_size) };
    // Without an expected diff id the lock was keyed by the blob: take the diff id's lock as
    // well and reuse the layer if another blob (say, the gzip form) already produced it.
    std::optional<FileLock> diff_lock;
    if (unpacked.diff_id.hex() != lock_hex)
        diff_lock = TRY(lock(unpacked.diff_id.hex()));
    if (expected_diff_id.empty() && has(unpacked.diff_id)) {
        if (auto found = TRY(get(unpacked.diff_id)))
            return *found;
    }

    info = TRY(publish(tmp.path(), std::move(info)));
    tmp.keep();
    return info;
}

// Reads the stream to its end: bytes after the compressed stream must not block the writer.
static ErrorOr drain(ChunkReader const& read)
{
    for (;;) {
        auto piece = TRY(read());
        if (piece.empty())
            return {};
    }
}

Result<PendingLayer> LayerStore::extract_stream(int fd, image::Digest const& blob_digest, std::string const& media_type,
    image::Digest const& expected_diff_id)
{
    return extract_stream(fd_chunk_reader(fd), blob_digest, media_type, expected_diff_id);
}

Result<PendingLayer> LayerStore::extract_stream(ChunkReader const& read, image::Digest const& blob_digest,
    std::string const& media_type, image::Digest const& expected_diff_id)
{
    std::string context = "layer " + blob_digest.str();
    TRY_CTX(check_storable(blob_digest), context);
    TRY_CTX(check_storable(expected_diff_id), context);
    PendingLayer pending;
    pending.locks.push_back(TRY_CTX(lock(expected_diff_id.hex()), context));
    if (has(expected_diff_id)) {
        if (auto found = TRY_CTX(get(expected_diff_id), context)) {
            TRY_CTX(drain(read), context);
            pending.info = *found;
            return pending;
        }
    }
    if (m_marks)
        TRY(m_marks->mark());
    log::debug("extracting layer {} ({}) while it downloads", blob_digest.str(), expected_diff_id.str());
    TempDir tmp = TRY_CTX(TempDir::create(m_layers_dir, std::string(temp_prefix) + expected_diff_id.hex() + "-"), context);
    std::string diff = tmp.path() + "/diff";
    TRY_CTX(sys::mkdir(diff, 0755), context);
    UnpackResult unpacked = TRY_CTX(
        unpack_layer_stream(read, "stream of " + blob_digest.str(), diff, m_rootless ? Whiteouts::Rootless : Whiteouts::Root), context);
    TRY_CTX(drain(read), context);
    m_extractions.fetch_add(1);
    if (unpacked.diff_id != expected_diff_id)
        return Error::msg(context + ": uncompressed digest mismatch: expected " + expected_diff_id.str() + ", got "
            + unpacked.diff_id.str() + " (the blob is not the layer the image config names)");
    pending.info = LayerInfo { unpacked.diff_id, blob_digest, media_type, unpacked.size, 0 };
    pending.tmp.emplace(std::move(tmp));
    return pending;
}

Result<LayerInfo> LayerStore::publish_pending(PendingLayer pending, int64_t blob_size)
{
    if (!pending.tmp)
        return pending.info;
    pending.info.blob_size = blob_size;
    LayerInfo info = TRY_CTX(publish(pending.tmp->path(), pending.info), "layer " + pending.info.blob_digest.str());
    pending.tmp->keep();
    return info;
}

Result<LayerInfo> LayerStore::publish(std::string const& tmp_dir, LayerInfo info)
{
    std::string hex = info.diff_id.hex();
    // A directory without a row (left by a killed gc or pull) is stale: we hold the lock.
    TRY(remove_dir_safely(hex));
    TRY(sys::rename(tmp_dir, m_layers_dir + "/" + hex));
    TRY(fs::fsync_dir(m_layers_dir));
    TRY(ensure_layer_link(m_layers_dir, hex)); // the short name mounts use (layer_links.h)
    auto txn = TRY(m_db.begin());
    {
        auto stmt = TRY(m_db.prepare("INSERT INTO layers (diff_id, blob_digest, media_type, size, blob_size, created) "
                                     "VALUES (?, ?, ?, ?, ?, strftime('%s','now')) ON CONFLICT(diff_id) DO UPDATE SET "
                                     "blob_digest = excluded.blob_digest, media_type = excluded.media_type, "
                                     "size = excluded.size, blob_size = excluded.blob_size"));
        stmt.bind(1, info.diff_id.str()).bind(2, info.blob_digest.str()).bind(3, info.media_type);
        stmt.bind(4, info.size).bind(5, info.blob_size);
        TRY(stmt.run());
    }
    TRY(txn.commit());
    log::debug("layer {} extracted ({} bytes)", info.diff_id.str(), info.size);
    return info;
}

ErrorOr LayerStore::remove_dir_safely(std::string const& hex)
{
    std::string path = m_layers_dir + "/" + hex;
    TRY(remove_layer_link(m_layers_dir, hex));
    if (!fs::exists(path))
        return {};
    // Rename first: a crash during the removal leaves a .tmp- name, never a half layer
    // under its real name.
    static std::atomic<unsigned> counter { 0 };
    std::string doomed = m_layers_dir + "/" + std::string(temp_prefix) + hex + "-del-" + std::to_string(::getpid())
        + "-" + std::to_string(counter.fetch_add(1));
    TRY(sys::rename(path, doomed));
    return fs::remove_tree(doomed);
}

Result<bool> LayerStore::remove_if_unused(image::Digest const& diff_id)
{
    auto held = try_lock(diff_id.hex());
    if (!held) {
        if (held.error().code == EWOULDBLOCK)
            return false;
        return std::move(held).error();
    }
    if (m_marks)
        TRY(m_marks->mark()); // a kill between the row's deletion and the rename leaves a directory
    int64_t deleted = 0;
    {
        auto txn = TRY(m_db.begin());
        auto stmt = TRY(m_db.prepare("DELETE FROM layers WHERE diff_id = ?1 AND NOT EXISTS "
                                     "(SELECT 1 FROM image_layers WHERE diff_id = ?1)"));
        stmt.bind(1, diff_id.str());
        TRY(stmt.run());
        deleted = m_db.changes();
        TRY(txn.commit());
    }
    if (deleted == 0)
        return false;
    TRY_CTX(remove_dir_safely(diff_id.hex()), "remove layer " + diff_id.str());
    held->remove_file(); // the lock goes with the layer (file_lock.cpp: takers re-check)
    log::debug("removed layer {}", diff_id.str());
    return true;
}

Result<LayerLeftovers> LayerStore::repair_files(Cleanup cleanup)
{
    LayerLeftovers found;
    std::set<std::string> recorded;
    std::vector<LayerInfo> rows = TRY(list());
    for (auto const& row : rows)
        recorded.insert(row.diff_id.hex());

    // Leftover directories: interrupted extractions/removals and unrecorded layers.
    for (auto const& name : TRY(fs::list_dir(m_layers_dir))) {
        bool temp = name.starts_with(temp_prefix);
        std::string hex = temp ? name.substr(temp_prefix.size(), 64) : name;
        if (!is_hex64(hex) || (!temp && recorded.contains(hex)))
            continue;
        bool had_lock_file = fs::exists(m_layout.layer_lock(hex));
        auto held = try_lock(hex);
        if (!held)
            continue; // in progress in another process
        image::Digest diff_id = TRY(image::Digest::parse("sha256:" + hex));
        if (!temp && has(diff_id))
            continue; // recorded since we listed
        (temp ? found.unfinished : found.unrecorded).push_back(temp ? name : hex);
        if (cleanup == Cleanup::Report) {
            if (!had_lock_file)
                held->remove_file(); // a report leaves no lock file of its own
            continue;
        }
        log::info("store repair: removing {} {}", temp ? "unfinished layer" : "unrecorded layer", name);
        if (temp)
            TRY(fs::remove_tree(m_layers_dir + "/" + name));
        else
            TRY(remove_dir_safely(hex));
        if (!TRY(get(diff_id)))
            held->remove_file();
    }

    // Lock files of layers that are gone (or of blobs whose extraction ended): free ones only.
    for (auto const& name : TRY(fs::list_dir(m_layout.locks_dir()))) {
        std::string hex(Layout::layer_of_lock(name));
        if (!is_hex64(hex) || recorded.contains(hex))
            continue;
        auto held = try_lock(hex);
        if (!held || TRY(get(TRY(image::Digest::parse("sha256:" + hex)))))
            continue; // in use, or recorded since we listed
        found.stale_locks.push_back(name);
        if (cleanup == Cleanup::Remove)
            held->remove_file();
    }

    // Rows whose directory is gone or incomplete: reported; drop_missing() removes them.
    for (auto const& row : rows) {
        if (!fs::is_dir(diff_path(row.diff_id)))
            found.missing.push_back(row.diff_id);
    }
    return found;
}

Result<bool> LayerStore::drop_missing(image::Digest const& diff_id)
{
    auto held = try_lock(diff_id.hex());
    if (!held || fs::is_dir(diff_path(diff_id)))
        return false;
    auto txn = TRY(m_db.begin());
    {
        auto images = TRY(m_db.prepare("DELETE FROM images WHERE id IN (SELECT image_id FROM image_layers WHERE diff_id = ?)"));
        images.bind(1, diff_id.str());
        TRY(images.run());
        auto layer = TRY(m_db.prepare("DELETE FROM layers WHERE diff_id = ?"));
        layer.bind(1, diff_id.str());
        TRY(layer.run());
    }
    TRY(txn.commit());
    // An incomplete directory (no diff/) goes too, then the link and the lock.
    TRY(remove_dir_safely(diff_id.hex()));
    held->remove_file();
    log::debug("layer {} was missing: dropped it and the images using it", diff_id.str());
    return true;
}

} // namespace berth::store
