// Pod records: one row per pod in berth.db's `pods` table, one lock file per
// pod (run_dir/locks/pod-<id>.lock), and the pure rules of pods that the
// engine applies: which namespaces a pod shares (--share) and the state a pod
// shows for the states of its containers (Podman's rules, unit-tested).
//
// The hard part is the order of writes: a pod row exists before its infra
// container (the container's row names the pod), so the infra id is set on
// the pod row after the infra's insert; a pod whose infra id is still empty
// was interrupted in its create and is removed like any other.
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/json.h"
#include "container/container_store.h"
#include "store/database.h"
#include "store/layout.h"

#include <cstdint>
#include <string>
#include <vector>

namespace berth::container {

/// The namespaces a pod's containers can share through its infra container.
inline constexpr char const* pod_namespaces[] = { "cgroup", "ipc", "net", "pid", "uts" };

/// --share: a comma-separated list of pod_namespaces ("" shares none); a
/// leading "+" adds to `defaults`. Returned sorted, without repeats. An unknown
/// name is Podman's error: "invalid kernel namespace to share: X. Options are:
/// cgroup, ipc, net, pid, uts or none".
Result<std::vector<std::string>> parse_pod_share(std::string const& text, std::vector<std::string> const& defaults);

/// Podman 4's default --share: ipc, net, uts.
std::vector<std::string> default_pod_share();

/// Podman's pod states for the states of its containers (infra included):
/// "Created" (none, or all created), "Running" (all running), "Degraded"
/// (some running, some not), "Exited" (all stopped), "Stopped" (some stopped,
/// none running), "Paused" (all paused).
std::string pod_status(std::vector<State> const& states);

struct PodRecord {
    std::string id;            ///< 64 lowercase hex
    std::string name;          ///< unique among pods
    int64_t created = 0;       ///< unix seconds
    std::string infra_id;      ///< the infra container; "" with --infra=false
    Json labels = Json::object();  ///< {"key": "value"}
    std::vector<std::string> shared;  ///< the namespaces the members share (sorted); empty without infra
    std::string hostname;      ///< --hostname of the pod (the infra's)
    Json config = Json::object();  ///< the create options as given (engine-defined), for inspect
};

class PodStore {
public:
    /// Records in `db` (migrated to the current schema if it is not), lock files in layout.locks_dir().
    static Result<PodStore> open(store::Database& db, store::Layout layout);

    /// Inserts a new pod; EEXIST with Podman's "pod X already exists" for a taken name.
    ErrorOr insert(PodRecord const& record);
    /// Records the pod's infra container.
    ErrorOr set_infra(std::string const& id, std::string const& infra_id);
    /// Deletes the pod's row; ENOENT when missing. Its members must be gone.
    ErrorOr remove(std::string const& id);
    /// By exact name, full id or unique id prefix; ENOENT "no pod with name or ID X found: no such pod".
    Result<PodRecord> find(std::string const& name_or_id);
    /// All pods, newest first.
    Result<std::vector<PodRecord>> list();
    /// The pod whose infra container is `container_id`, if any.
    Result<std::optional<PodRecord>> infra_of(std::string const& container_id);

    /// The per-pod lock (blocking).
    Result<FileLock> lock(std::string const& id) const;

private:
    PodStore(store::Database& db, store::Layout layout) : m_db(&db), m_layout(std::move(layout)) {}
    Result<std::vector<PodRecord>> query(std::string const& where, std::vector<std::string> const& args);

    store::Database* m_db;
    store::Layout m_layout;
};

} // namespace berth::container
