// Container operations: create, start (attached or detached), run, remove,
// list, and named volumes. Each returns data or an Error whose kind carries
// Podman's exit code (125 engine, 126 cannot invoke, 127 not found); an
// attached start returns the container's exit status.
//
// The hard part is the process split (DESIGN.md "process model"): start
// mounts the rootfs in this process (inside the user's namespaces when
// rootless, so the mount outlives us), forks the monitor, and learns from the
// sync pipe whether the container started. Everything the monitor must not
// inherit (locks, the SQLite connection) is closed in the child first.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "container/volume_store.h"
#include "engine/context.h"
#include "engine/images.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// Creates a container record (pulling the image per options.pull).
Result<container::ContainerRecord> create_container(Context& ctx, container::CreateOptions const& options,
    PullOptions const& pull_options, std::string const& storage_driver);

struct StartOptions {
    bool attach = true;            ///< wait for the container and return its status
    std::optional<bool> interactive;  ///< override the container's -i (start -i)
    std::string storage_driver;    ///< --storage-driver
};

/// Starts a created (or exited) container. ctx.store is closed (reset) before
/// the monitor is forked, so use no store through `ctx` afterwards. Attached: returns its exit status.
/// Detached: returns 0 once it runs (stdio goes to /dev/null until logs exist).
Result<int> start_container(Context& ctx, std::string const& name_or_id, StartOptions const& options);

/// create + start (ctx.store is closed afterwards, as for start_container).
Result<int> run_container(Context& ctx, container::CreateOptions const& options, PullOptions const& pull_options,
    StartOptions const& start_options, std::string* id_out = nullptr);

struct ContainerRemoveReport {
    std::string name;              ///< as asked
    std::string id;
    std::optional<Error> error;
};
/// `rm`: a running container needs force (then it is killed first). `volumes` removes its anonymous volumes.
std::vector<ContainerRemoveReport> remove_containers(Context& ctx, std::vector<std::string> const& names, bool force, bool volumes, bool ignore_missing);
/// All containers, newest first.
Result<std::vector<container::ContainerRecord>> list_containers(Context& ctx);
/// The container record for a name or id (refreshing a running state whose process is gone).
Result<container::ContainerRecord> find_container(Context& ctx, std::string const& name_or_id);

// ------------------------------------------------------------------ volumes

Result<container::VolumeRecord> create_volume(Context& ctx, std::string const& name, std::map<std::string, std::string> const& labels,
    std::map<std::string, std::string> const& options, bool ignore_existing);
Result<std::vector<container::VolumeRecord>> list_volumes(Context& ctx);
Result<container::VolumeRecord> get_volume(Context& ctx, std::string const& name);
/// Refuses a volume in use unless `force` (which removes the containers using it).
ErrorOr remove_volume(Context& ctx, std::string const& name, bool force);
/// Removes every volume no container uses; returns their names.
Result<std::vector<std::string>> prune_volumes(Context& ctx);

} // namespace berth::engine
