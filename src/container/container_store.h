// Container records: one row per container in berth.db's `containers` table,
// and one lock file per container (run_dir/locks/container-<id>.lock) that
// orders lifecycle transitions (create, start, exit, remove) between the CLI
// and the per-container monitor, both short-lived or separate processes.
//
// The hard part is that several processes write the same row: the CLI creates
// it, the monitor records the pid and later the exit code, `rm` deletes it.
// Every change is one statement in its own transaction, and callers take the
// container lock around read-modify-write sequences (podman's lock, sync, save).
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/json.h"
#include "store/database.h"
#include "store/layout.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::container {

enum class State { Created, Running, Exited, Paused, Initialized };  ///< Paused: frozen or SIGSTOPped by `pause` (still running); Initialized: `container init` made it ready to start

/// "created", "running", "exited", "paused", "initialized".
std::string_view state_name(State state);
State parse_state(std::string_view name);

/// One row of the container <-> volume relation: the container mounts `volume` at `destination`.
struct VolumeUse {
    std::string volume;
    std::string destination;
    bool anonymous = false;  ///< created for this container by `-v /DST` (`rm -v` removes it with the container)
    bool operator==(VolumeUse const&) const = default;
};

/// --restart, as stored in the record's restart_policy and restart_retries columns.
struct RestartPolicy {
    /// Unset: no --restart given (inspect's Name ""), which behaves as No ("no").
    enum class Kind { Unset, No, OnFailure, Always, UnlessStopped } kind = Kind::Unset;
    int64_t max_retries = 0;  ///< on-failure:N; 0: unlimited
    bool operator==(RestartPolicy const&) const = default;
};
/// "no", "on-failure", "on-failure:N", "always", "unless-stopped"; "" is Unset.
/// Anything else: "invalid restart policy \"x\": use no, on-failure[:N], always or unless-stopped".
Result<RestartPolicy> parse_restart_policy(std::string_view text);
/// The policy's name as Podman's HostConfig.RestartPolicy.Name: "", "no", "on-failure", "always", "unless-stopped".
std::string_view restart_policy_name(RestartPolicy::Kind kind);

struct ContainerRecord {
    std::string id;          ///< 64 lowercase hex
    std::string name;        ///< unique
    std::string image_id;    ///< config digest hex
    std::string image_name;  ///< what the user typed, resolved ("docker.io/library/busybox:latest")
    int64_t created = 0;     ///< unix seconds
    State state = State::Created;
    int64_t pid = 0;         ///< host pid of the container's process while running
    int64_t monitor_pid = 0;
    int64_t monitor_start = 0; ///< the monitor's start time (field 22 of /proc/PID/stat): pid + start name it for good
    int64_t restart_count = 0; ///< restarts by the --restart policy since the last start by the user
    int64_t exit_code = 0;
    int64_t started = 0;
    int64_t finished = 0;
    std::string driver;      ///< storage driver that holds its rootfs
    RestartPolicy restart;   ///< --restart; the monitor's exit applies it
    Json config;             ///< the create options as given (engine-defined), for start and inspect
    std::vector<VolumeUse> volumes;  ///< the volumes it mounts (container_volumes rows), in mount order; fixed at insert
    std::string pod_id;      ///< the pod it belongs to ("" for none); fixed at insert
    std::vector<std::string> secrets;  ///< ids of the secrets it uses (container_secrets rows), written at insert; not read back
};

/// The anonymous volume `record` mounts at `destination`; "" when none.
std::string anonymous_volume(ContainerRecord const& record, std::string_view destination);

class ContainerStore {
public:
    /// Records in `db` (migrated to the current schema if it is not), lock files in layout.locks_dir().
    static Result<ContainerStore> open(store::Database& db, store::Layout layout);

    /// Inserts a new record and its volume and secret relation rows (record.volumes, record.secrets), in one
    /// transaction; EEXIST with "the container name \"x\" is already in use" for a taken name.
    ErrorOr insert(ContainerRecord const& record);
    /// Replaces the mutable fields (state, pid, monitor_pid, exit_code, started, finished, config, monitor_start,
    /// restart_count); the restart policy and the volumes stay as inserted.
    ErrorOr update(ContainerRecord const& record);
    /// Deletes the row and its relation rows, in one transaction; ENOENT when missing.
    ErrorOr remove(std::string const& id);
    /// By full id.
    Result<std::optional<ContainerRecord>> get(std::string const& id);
    /// By exact name, full id or unique id prefix; error "no container with name or ID \"x\" found".
    Result<ContainerRecord> find(std::string const& name_or_id);
    /// All containers, newest first.
    Result<std::vector<ContainerRecord>> list();
    /// The members of a pod (its infra container included), newest first.
    Result<std::vector<ContainerRecord>> list_pod(std::string const& pod_id);
    /// True when a container has this name.
    Result<bool> name_in_use(std::string const& name);

    /// The per-container lock (blocking).
    Result<FileLock> lock(std::string const& id) const;
    /// The per-container lock if it is free; an EWOULDBLOCK error if it is held.
    Result<FileLock> try_lock(std::string const& id) const;
    /// try_lock of a lock file that exists; ENOENT when it does not.
    Result<FileLock> try_lock_existing(std::string const& id) const;
    /// lock and try_lock unlink the lock file again when the container has no record.
    /// Where the store's files are: locks, bundles, run directories.
    store::Layout const& layout() const { return m_layout; }

private:
    Result<FileLock> drop_file_if_gone(FileLock lock, std::string const& id) const;
    ContainerStore(store::Database& db, store::Layout layout) : m_db(&db), m_layout(std::move(layout)) {}
    Result<std::vector<ContainerRecord>> query(std::string const& where, std::vector<std::string> const& args);
    /// True when a row has `value` in `column` (name or id).
    Result<bool> exists(char const* column, std::string const& value) const;
    /// Fills the records' volumes from container_volumes (one query).
    ErrorOr read_volumes(std::vector<ContainerRecord>& records, std::string const& where, std::vector<std::string> const& args);

    store::Database* m_db;
    store::Layout m_layout;
};

/// The keys of a record's config that `ps` shows, copied on every insert and
/// update into the `ps_config` column: ps reads that small JSON object instead
/// of parsing every record's whole config (a row from an older berth has '').
inline constexpr char const* ps_config_keys[] = { "command", "entrypoint", "labels", "remove", "healthcheck", "publish", "stopped_by_user" };
/// `config` reduced to ps_config_keys (those present and not null), as JSON text.
std::string ps_config(Json const& config);

/// A new random container id (64 hex digits from getrandom).
std::string generate_id();
/// A random "adjective_noun" name, like Docker's; from the `attempt`-th try on
/// (the 483 pairs run out) with a random number appended: "adjective_noun_1234".
std::string generate_name(int attempt = 0);

} // namespace berth::container
