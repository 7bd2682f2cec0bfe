// Named volumes: data_dir/volumes/<name>/_data with one row per volume in
// berth.db's `volumes` table. A volume named in -v NAME:/path that does not
// exist yet is created on first use, and (like Podman) gets a copy of what
// the image has at the mount point, once, while it is still empty. A volume in
// use (a row of container_volumes names it) is not removed.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
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
    /// Deletes the row and the directory. ENOENT when missing; EBUSY when a
    /// container mounts it (checked in the transaction that deletes the row).
    ErrorOr remove(std::string const& name);
    /// Marks the copy-up done.
    ErrorOr mark_copied(std::string const& name);
    /// The ids of the containers that mount volume `name` (container_volumes).
    Result<std::vector<std::string>> users(std::string const& name);
    /// The names of the volumes no container mounts, oldest first.
    Result<std::vector<std::string>> unused();

    std::string const& dir() const { return m_dir; }

private:
    VolumeStore(store::Database& db, store::Layout layout) : m_db(&db), m_layout(std::move(layout)), m_dir(m_layout.volumes_dir()) {}
    store::Database* m_db;
    store::Layout m_layout;
    std::string m_dir;
};

/// The container <-> volume relation rows of a new container: its volume
/// mounts, an unnamed one by the name `anonymous` gives it ({destination: name}).
std::vector<VolumeUse> volume_uses(std::vector<MountRequest> const& mounts, std::map<std::string, std::string> const& anonymous);

/// Podman's `volume inspect` document.
Json inspect_volume(VolumeRecord const& volume);

} // namespace berth::container
