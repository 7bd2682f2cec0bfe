// Extracted layers under data_dir/layers/<diff-id hex>/diff, with one row per
// layer in the `layers` table. A layer is extracted into layers/.tmp-<hex>-XXXXXX
// while the per-layer lock run_dir/locks/layer-<hex>.lock is held, synced,
// renamed into place and only then recorded in the database, so a row always
// names a complete directory and has() never reports a half-extracted layer.
// The same lock makes two concurrent pulls of one layer extract it once.
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/temp_dir.h"
#include "image/digest.h"
#include "store/check.h"
#include "store/layer_unpack.h"
#include "store/layout.h"

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::store {

class Database;
class WriterMarks;

struct LayerInfo {
    image::Digest diff_id;       ///< sha256 of the uncompressed tar
    image::Digest blob_digest;   ///< digest of the blob it was extracted from
    std::string media_type;
    int64_t size = 0;            ///< uncompressed tar size
    int64_t blob_size = 0;
};

/// A layer extracted from a stream into a temporary directory, not visible yet: publish_pending()
/// renames and records it. Holds the layer's lock; dropping it removes the directory.
struct PendingLayer {
    LayerInfo info;
    std::optional<TempDir> tmp;    ///< empty when the layer existed already
    std::vector<FileLock> locks;
};

/// What LayerStore::repair_files() found.
struct LayerLeftovers {
    std::vector<std::string> unfinished;   ///< .tmp-* directories (interrupted extraction or removal)
    std::vector<std::string> unrecorded;   ///< hex names of layer directories without a row
    std::vector<std::string> stale_locks;  ///< lock files (names) of layers that do not exist
    std::vector<image::Digest> missing;    ///< rows whose directory or diff/ is gone
};

class LayerStore {
public:
    /// Layers in layout.layers_dir(), their locks in layout.locks_dir().
    LayerStore(Database& db, Layout const& layout, bool rootless)
        : m_db(db), m_layout(layout), m_layers_dir(layout.layers_dir()), m_rootless(rootless) {}

    /// True for complete layers only (database row and directory both present).
    bool has(image::Digest const& diff_id) const;
    /// The recorded layer, or nullopt.
    Result<std::optional<LayerInfo>> get(image::Digest const& diff_id) const;
    /// data_dir/layers/<hex>/diff
    std::string diff_path(image::Digest const& diff_id) const;
    /// data_dir/layers/<hex>
    std::string layer_path(image::Digest const& diff_id) const;
    /// data_dir/layers
    std::string const& layers_dir() const { return m_layers_dir; }
    /// The layer's short link for an overlay mount, "l/<name>" relative to
    /// layers_dir() (see layer_links.h); made here if the store predates links.
    Result<std::string> mount_link(image::Digest const& diff_id) const;

    /// Extracts a layer blob (tar, tar+gzip or tar+zstd, detected by content) into a new layer.
    /// Holds run_dir/locks/layer-<hex>.lock; if the layer already exists (a concurrent pull made
    /// it) returns its info without extracting again. The sha256 of the uncompressed stream is
    /// computed while extracting and compared with expected_diff_id (when not empty): a mismatch
    /// is `layer <blob>: uncompressed digest mismatch ...`. With an empty expected_diff_id the
    /// lock is keyed by the blob digest and a layer already made from that blob is reused.
    Result<LayerInfo> create_from_blob(std::string const& blob_path, image::Digest const& blob_digest,
        std::string const& media_type, image::Digest const& expected_diff_id);

    /// Streaming form for pull: extracts the blob read from `fd` (to its EOF) into a temporary
    /// directory while it downloads, and checks the diff id, which must be known. The caller
    /// verifies the blob's digest, then calls publish_pending(). If the layer exists already
    /// the stream is only drained.
    Result<PendingLayer> extract_stream(int fd, image::Digest const& blob_digest, std::string const& media_type,
        image::Digest const& expected_diff_id);
    /// The same, reading the blob from `read` (to its end: see layer_unpack.h).
    Result<PendingLayer> extract_stream(ChunkReader const& read, image::Digest const& blob_digest,
        std::string const& media_type, image::Digest const& expected_diff_id);
    /// Makes a pending layer visible (rename, row) with the size of the verified blob.
    Result<LayerInfo> publish_pending(PendingLayer pending, int64_t blob_size);

    /// Extractions performed by this process (for tests and diagnostics).
    int64_t extractions() const { return m_extractions.load(); }

    /// Takes the per-layer lock (blocking).
    Result<FileLock> lock(std::string const& hex) const;
    /// Takes the per-layer lock if it is free; an error with code EWOULDBLOCK if it is held.
    Result<FileLock> try_lock(std::string const& hex) const;

    /// Deletes an unreferenced layer: its row (only if no image uses it), then its directory.
    /// Skips (returns false) when another process holds the layer's lock or an image references it.
    Result<bool> remove_if_unused(image::Digest const& diff_id);
    /// Finds (and with Cleanup::Remove removes) what a killed process left: .tmp-* directories
    /// and unrecorded layer directories whose lock is free, and lock files of layers that do not
    /// exist. Reports rows whose directory (or its diff/) is missing without touching them: the
    /// caller decides about the images that use them (drop_missing).
    Result<LayerLeftovers> repair_files(Cleanup cleanup);
    /// Deletes the row of a layer whose directory is gone, and every image that uses it.
    /// False when the layer's lock is held or the directory has come back.
    Result<bool> drop_missing(image::Digest const& diff_id);
    /// All recorded layers.
    Result<std::vector<LayerInfo>> list() const;

    bool rootless() const { return m_rootless; }
    /// Marks this process as a writer (see writer_marks.h) before it creates or removes a layer.
    void set_writer_marks(WriterMarks* marks) { m_marks = marks; }

private:
    Result<std::optional<LayerInfo>> find_by_blob(image::Digest const& blob_digest) const;
    Result<LayerInfo> extract_locked(std::string const& blob_path, image::Digest const& blob_digest,
        std::string const& media_type, image::Digest const& expected_diff_id, std::string const& lock_hex);
    Result<LayerInfo> publish(std::string const& tmp_dir, LayerInfo info);
    ErrorOr remove_dir_safely(std::string const& hex);

    Database& m_db;
    Layout m_layout;
    std::string m_layers_dir;
    bool m_rootless = false;
    std::atomic<int64_t> m_extractions { 0 };
    WriterMarks* m_marks = nullptr;
};

} // namespace berth::store
