// Named volumes: data_dir/volumes/<name>/_data with one row per volume in
// berth.db's `volumes` table. A volume named in -v NAME:/path that does not
// exist yet is created on first use, and (like Podman) gets a copy of what
// the image has at the mount point, once, while it is still empty.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "store/database.h"
#include "store/layout.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::container {

struct VolumeRecord {
    std::string name;
    std::string driver = "local";
    std::string mountpoint;                 ///< data_dir/volumes/<name>/_data
    int64_t created = 0;
    std::map<std::string, std::string> labels;
    std::map<std::string, std::string> options;
    bool anonymous = false;
    bool needs_copy = true;                 ///< image content not yet copied up
};

class VolumeStore {
public:
    /// Records in `db` (the table is created when missing), directories in layout.volumes_dir().
    static Result<VolumeStore> open(store::Database& db, store::Layout layout);

    /// Creates a volume; EEXIST when the name is taken (unless `ignore_existing`). An empty name gets a random one.
    Result<VolumeRecord> create(std::string name, std::map<std::string, std::string> labels,
        std::map<std::string, std::string> options, bool anonymous = false, bool ignore_existing = false);
    Result<std::optional<VolumeRecord>> get(std::string const& name);
    Result<std::vector<VolumeRecord>> list();
    /// Deletes the row and the directory. ENOENT when missing.
    ErrorOr remove(std::string const& name);
    /// Marks the copy-up done.
    ErrorOr mark_copied(std::string const& name);
    /// Names of the volumes used by containers (from the containers table's config JSON).
    Result<std::vector<std::string>> in_use();

    std::string const& dir() const { return m_dir; }

private:
    VolumeStore(store::Database& db, store::Layout layout) : m_db(&db), m_layout(std::move(layout)), m_dir(m_layout.volumes_dir()) {}
    store::Database* m_db;
    store::Layout m_layout;
    std::string m_dir;
};

/// The names of the volumes a container's stored config mounts (-v, --mount,
/// and its anonymous volumes): the one answer to "which containers use this
/// volume", for in_use() and volume rm -f alike.
std::vector<std::string> volumes_mounted_by(Json const& container_config);

/// Podman's `volume inspect` document.
Json inspect_volume(VolumeRecord const& volume);

} // namespace berth::container
