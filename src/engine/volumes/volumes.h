// Named volumes: create (with the local driver's -o options), list with
// Podman's filters, inspect, remove, prune; export and import as tar; and the
// filesystem of a volume made with -o type=/device=/o=, which is mounted on
// its _data directory while a container (or `volume mount`) uses it.
//
// The hard part is when such a volume is mounted: there is no daemon to count
// users, so it is mounted by each start that needs it (when not already a
// mount point) and unmounted when the last active container using it has
// exited (record_exit), by `volume unmount`, and before its removal. Rootless,
// all of this happens inside the user's mount namespace, where the mount
// outlives the berth process that made it.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/volume_store.h"
#include "engine/context.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// The store's volume table (created when missing).
Result<container::VolumeStore> open_volume_store(Context& ctx);

/// Creates a volume; `options` are checked as container::parse_volume_options
/// does (and a bind's device must exist); uid=/gid= own its directory.
Result<container::VolumeRecord> create_volume(Context& ctx, std::string const& name, std::map<std::string, std::string> const& labels,
    std::map<std::string, std::string> const& options, bool ignore_existing);

/// One `volume ls --filter KEY=VALUE`.
struct VolumeFilter {
    std::string key, value;
};
/// name, label, driver, dangling, opt, until (Podman's); others are Podman's "invalid volume filter" error.
Result<std::vector<VolumeFilter>> parse_volume_filters(std::vector<std::string> const& raw);
/// Podman 5's rule: filters of one key match when any does (label: when all
/// do), and every key must match. name= is a regular expression searched in
/// the name; `in_use`: some container uses the volume (dangling=false).
bool volume_matches(container::VolumeRecord const& volume, bool in_use, std::vector<VolumeFilter> const& filters);

/// The volumes that match `filters`, by name (as Podman lists them).
Result<std::vector<container::VolumeRecord>> list_volumes(Context& ctx, std::vector<VolumeFilter> const& filters = {});
Result<container::VolumeRecord> get_volume(Context& ctx, std::string const& name);
/// Podman's `volume inspect` document of a volume.
using container::inspect_volume;
/// Refuses a volume in use unless `force`, which removes the containers using it first
/// (running ones stopped with `timeout`, else their own stop timeout). Its filesystem is unmounted first.
ErrorOr remove_volume(Context& ctx, std::string const& name, bool force, std::optional<int> timeout = {});
/// The names of the volumes no container uses (what prune_volumes would remove).
Result<std::vector<std::string>> unused_volumes(Context& ctx);
/// Removes every volume no container uses (and that matches `filters`); returns their names.
Result<std::vector<std::string>> prune_volumes(Context& ctx, std::vector<VolumeFilter> const& filters = {});

/// Mounts the volume's filesystem on its _data directory unless it has none
/// or is mounted already. Called by each start that uses the volume.
ErrorOr mount_volume_filesystem(container::VolumeRecord const& volume);
/// After `rec` exited: unmounts the filesystem of each volume it used that no
/// other active container uses. Failures are logged.
void release_volume_filesystems(Context& ctx, container::ContainerRecord const& rec);

/// `volume mount`: mounts the volume's filesystem (if it has one) and returns its mount point.
Result<std::string> mount_volume(Context& ctx, std::string const& name);
/// `volume unmount`: unmounts the volume's filesystem unless an active container uses it.
ErrorOr unmount_volume(Context& ctx, std::string const& name);

/// `volume export`: a tar of the volume's contents to `fd`.
ErrorOr export_volume(Context& ctx, std::string const& name, int fd);
/// `volume import`: extracts the tar stream `fd` into the volume.
ErrorOr import_volume(Context& ctx, std::string const& name, int fd);

} // namespace berth::engine
