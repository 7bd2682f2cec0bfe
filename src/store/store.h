// The on-disk store: data_dir/berth.db (SQLite, WAL), data_dir/blobs/sha256/,
// data_dir/layers/ and run_dir/locks/ (every path: store/layout.h). Store::open() creates what is missing,
// brings the schema up to date and repairs whatever a killed process left
// behind, so every berth invocation starts from a consistent store.
//
// Image records live in SQLite: one row per image (id = config digest hex),
// its names ("repo:tag") and repo digests ("repo@sha256:...") in their own
// tables whose primary key is the name, so a name belongs to one image at a
// time and tagging moves it, and its layers in order. Every change is one
// transaction; see database.h for the concurrency rules.
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "image/digest.h"
#include "store/blob_store.h"
#include "store/database.h"
#include "store/layer_pack.h"
#include "store/layer_store.h"
#include "store/layout.h"
#include "store/writer_marks.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace berth::store {

struct StoreOptions {
    std::string data_dir;   ///< ~/.local/share/berth or /var/lib/berth
    std::string run_dir;    ///< $XDG_RUNTIME_DIR/berth or /run/berth
    bool rootless = false;  ///< opaque directories use user.overlay.* instead of trusted.overlay.*
};

struct ImageRecord {
    std::string id;                        ///< config digest hex
    image::Digest config_digest, manifest_digest;
    std::string manifest_media_type;
    std::vector<std::string> names;        ///< "docker.io/library/alpine:latest"
    std::vector<std::string> digests;      ///< "docker.io/library/alpine@sha256:..." (repo digests)
    std::vector<LayerInfo> layers;         ///< bottom to top
    int64_t created = 0;                   ///< unix seconds, from the config
    int64_t added = 0;                     ///< when stored
    int64_t size = 0;                      ///< sum of uncompressed layer sizes
    std::string architecture, os;
};

/// Content no image references (Store::collect_unreferenced).
struct Unreferenced {
    std::vector<image::Digest> layers;
    std::vector<image::Digest> blobs;
};

class Store {
public:
    /// Creates the directories, opens the database, migrates it (schema.h) and runs repair() if a
    /// writer was killed.
    static Result<std::unique_ptr<Store>> open(StoreOptions options);
    ~Store();

    BlobStore& blobs() { return m_blobs; }
    LayerStore& layers() { return m_layers; }
    /// The shared connection, for modules that keep their own tables in berth.db.
    Database& database() { return *m_db; }
    StoreOptions const& options() const { return m_options; }
    /// Where its files are.
    Layout const& layout() const { return m_layout; }

    /// All images, newest first. Three queries in total, whatever the number of images.
    Result<std::vector<ImageRecord>> list_images();
    /// By full id (hex, or "sha256:<hex>").
    Result<std::optional<ImageRecord>> get_image(std::string const& id);
    /// Exact "repo:tag" (a name) or "repo@sha256:..." (a repo digest).
    Result<std::optional<ImageRecord>> find_image_by_name(std::string const& name);
    /// Images whose id starts with `prefix` (lowercase hex; "sha256:" is stripped).
    Result<std::vector<ImageRecord>> find_images_by_id_prefix(std::string const& prefix);
    /// Inserts or updates an image. Its layers must already be in the layer store. The names and
    /// digests listed are added to the image's own and MOVED from any other image that held
    /// them (tag semantics); names the image already had are kept (remove_name drops one).
    /// An existing image keeps its `added` time. One transaction.
    ErrorOr put_image(ImageRecord const& record);
    /// Gives `name` to image `id`, taking it from any other image. ENOENT if there is no such image.
    ErrorOr add_name(std::string const& id, std::string const& name);
    /// Removes a name (or repo digest) from image `id`. ENOENT if the image does not hold it.
    ErrorOr remove_name(std::string const& id, std::string const& name);
    /// Deletes an image record (ENOENT if there is none), then runs gc().
    ErrorOr delete_image(std::string const& id);

    /// Held by writers (pull, load, commit, build) from their first blob or layer write until
    /// put_image(): gc() leaves unreferenced content alone while any is held, since that content
    /// is about to be referenced.
    Result<FileLock> protect_new_content();
    /// A new layer from a container's changes (commit, build): packs `source` (layer_pack.h)
    /// into a gzip blob while it is written to the blob store, then extracts that blob as a
    /// layer as pull does, so the result is a layer like any other: usable by run at once,
    /// pushable as is. Returns it with its blob digest, media type and both sizes. The
    /// caller holds protect_new_content() until put_image() references the layer; a kill in
    /// between leaves a stale temporary blob or layer directory that repair() removes, or an
    /// unreferenced blob and layer that gc() removes.
    Result<LayerInfo> create_layer_from_changes(ChangeSource const& source, OwnerMap const& owners = {});
    /// Removes layers and blobs that no image references. Skips layers whose lock is held, and
    /// does nothing while protect_new_content() is held anywhere.
    ErrorOr gc();
    /// Removes leftovers of killed processes: unfinished blobs and layers (whose lock is free),
    /// unrecorded layer directories, rows of layers whose directory is missing and the images
    /// that use them. open() calls it only when a writer marker shows that a writer was killed
    /// (see writer_marks.h), so opening a clean store lists neither blobs nor layers.
    ErrorOr repair();
    /// `system check`: finds half-written blobs and layers, unrecorded and missing layer
    /// directories, stale layer locks, damaged images (missing or incomplete layers, missing or
    /// (unless quick) corrupt config and manifest blobs) and unreferenced layers and blobs; with
    /// options.repair removes them, except damaged images listed in keep_images. Holds the
    /// store-wide locks throughout, so it waits for running pulls and gc, and they for it.
    Result<std::vector<Problem>> check(CheckOptions const& options);
    /// Why an image cannot be used (a layer or its directory, or the config or manifest blob,
    /// is missing; unless quick, a blob does not match its digest), or "" when it can.
    std::string image_damage(ImageRecord const& image, bool quick);

private:
    Store(StoreOptions options, std::unique_ptr<Database> db);
    /// gc's finder: layers (recorded at least min_age seconds ago) and blobs no image references.
    /// The caller holds gc.lock and new-content.lock.
    Result<Unreferenced> collect_unreferenced(Cleanup cleanup, int64_t min_age);
    Result<std::vector<Problem>> check_images(CheckOptions const& options);
    Result<std::vector<ImageRecord>> query_images(std::string const& where, std::vector<std::string> const& args);

    StoreOptions m_options;
    Layout m_layout;
    WriterMarks m_marks;
    std::unique_ptr<Database> m_db;
    BlobStore m_blobs;
    LayerStore m_layers;
};

} // namespace berth::store
