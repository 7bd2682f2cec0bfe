// Where every file of one berth store lives (DESIGN.md "Storage"), in one
// place: the data directory (persistent: the database, blobs, layers,
// container bundles, volumes) and the runtime directory (tmpfs: locks, the
// containers' run state, caches, events, the rootless pause process). Every
// module asks a Layout for a path instead of joining names itself, so each
// name is spelled once and a rename cannot miss one of its readers.
//
// The files inside one container's run directory that berth shares with the
// small static berth-monitor (exit, attach, monitor, pasta.pid...) are named in
// monitor/protocol.h, which that binary can include without linking anything.
//
// Header-only on purpose: rootless/ (the pause process) uses it without
// linking the store.
#pragma once

#include "base/fs.h"

#include <string>
#include <string_view>

namespace berth::store {

class Layout {
public:
    /// `data_dir` is --root (~/.local/share/berth or /var/lib/berth), `run_dir`
    /// --runroot ($XDG_RUNTIME_DIR/berth, /tmp/berth-$UID or /run/berth).
    /// `volumes_dir` (--volumepath) and `events_dir` (--tmpdir) move those
    /// out of the data and runtime directories when not empty.
    Layout(std::string data_dir, std::string run_dir, std::string volumes_dir = {}, std::string events_dir = {})
        : m_data_dir(std::move(data_dir))
        , m_run_dir(std::move(run_dir))
        , m_volumes_dir(std::move(volumes_dir))
        , m_events_dir(std::move(events_dir))
    {
    }

    // --- The data directory ---
    std::string const& data_dir() const { return m_data_dir; }
    /// data_dir/berth.db: SQLite (WAL), every record.
    std::string database() const { return data("berth.db"); }
    /// data_dir/blobs: content-addressed blobs in blobs/sha256/<hex>.
    std::string blobs_dir() const { return data("blobs"); }
    /// data_dir/layers: extracted layers, layers/<hex>/diff.
    std::string layers_dir() const { return data("layers"); }
    /// data_dir/writers: one marker per process writing new content (store/writer_marks.h).
    std::string writers_dir() const { return data("writers"); }
    /// data_dir/volumes (or --volumepath): named volumes.
    std::string volumes_dir() const { return m_volumes_dir.empty() ? data("volumes") : m_volumes_dir; }
    /// data_dir/volumes/<name>/_data: what a container mounts of volume `name`.
    std::string volume_data_dir(std::string_view name) const { return fs::join(fs::join(volumes_dir(), name), "_data"); }
    /// data_dir/secrets: the data of `secret create`, one file (0600) per secret.
    std::string secrets_dir() const { return data("secrets"); }
    /// data_dir/secrets/<id>: one secret's data.
    std::string secret_data_file(std::string_view id) const { return fs::join(secrets_dir(), id); }
    /// data_dir/storage-driver: the driver every container of this store uses.
    std::string storage_driver_file() const { return data("storage-driver"); }
    /// data_dir/containers: the containers' bundles.
    std::string bundles_dir() const { return data("containers"); }
    /// data_dir/containers/<id>: config.json, upper/, work/, merged/, logs, hosts...
    std::string bundle_dir(std::string_view id) const { return fs::join(bundles_dir(), id); }

    // --- The runtime directory ---
    std::string const& run_dir() const { return m_run_dir; }
    /// run_dir/locks: every lock file below.
    std::string locks_dir() const { return run("locks"); }
    /// run_dir/locks/container-<id>.lock: orders a container's lifecycle transitions.
    std::string container_lock(std::string_view id) const { return lock_file(container_lock_prefix, id); }
    /// run_dir/locks/pod-<id>.lock: orders a pod's transitions (create of a member, start, stop, rm).
    std::string pod_lock(std::string_view id) const { return lock_file(pod_lock_prefix, id); }
    /// run_dir/locks/layer-<hex>.lock: two pulls of one layer extract it once.
    std::string layer_lock(std::string_view hex) const { return lock_file(layer_lock_prefix, hex); }
    /// run_dir/locks/gc.lock: one gc (or store check) at a time.
    std::string gc_lock() const { return fs::join(locks_dir(), "gc.lock"); }
    /// run_dir/locks/new-content.lock: shared by writers of new content, exclusive for gc.
    std::string new_content_lock() const { return fs::join(locks_dir(), "new-content.lock"); }
    /// What a name in locks_dir() is the container lock of: the id, or "" for another name.
    static std::string_view container_of_lock(std::string_view name) { return lock_subject(container_lock_prefix, name); }
    /// What a name in locks_dir() is the pod lock of: the id, or "" for another name.
    static std::string_view pod_of_lock(std::string_view name) { return lock_subject(pod_lock_prefix, name); }
    /// What a name in locks_dir() is the layer lock of: the hex, or "" for another name.
    static std::string_view layer_of_lock(std::string_view name) { return lock_subject(layer_lock_prefix, name); }

    /// run_dir/containers: the containers' run directories.
    std::string container_run_dirs() const { return run("containers"); }
    /// run_dir/containers/<id>: what the monitor and berth share (monitor/protocol.h).
    std::string container_run_dir(std::string_view id) const { return fs::join(container_run_dirs(), id); }
    /// run_dir/containers/<id>/secrets: the --secret files of one container's run, copied at each start.
    std::string container_secrets_dir(std::string_view id) const { return fs::join(container_run_dir(id), "secrets"); }
    /// run_dir/seccomp: compiled seccomp filters, so a run skips libseccomp's compile.
    std::string seccomp_cache_dir() const { return run("seccomp"); }
    /// run_dir/runtime: an external OCI runtime's --root.
    std::string runtime_root() const { return run("runtime"); }
    /// netavark's --config (aardvark-dns's state), and where the rootless
    /// network namespace lives (network/rootless_netns.h).
    std::string netavark_config_dir() const { return run("networks"); }
    std::string run_root() const { return m_run_dir; }
    /// run_dir/events: the event log's directory.
    std::string events_dir() const { return m_events_dir.empty() ? run("events") : fs::join(m_events_dir, "events"); }
    /// run_dir/events/events.log: one JSON line per event.
    std::string events_file() const { return fs::join(events_dir(), "events.log"); }
    /// run_dir/pause.pid: "PID START" of the rootless pause process.
    std::string pause_pid_file() const { return run("pause.pid"); }
    /// run_dir/pause.lock: held by whoever creates the user namespace.
    std::string pause_lock() const { return run("pause.lock"); }
    /// run_dir/single-mapping-warned: the single-mapping warning was given once.
    std::string single_mapping_marker() const { return run("single-mapping-warned"); }

private:
    static constexpr std::string_view container_lock_prefix = "container-";
    static constexpr std::string_view layer_lock_prefix = "layer-";
    static constexpr std::string_view pod_lock_prefix = "pod-";
    static constexpr std::string_view lock_suffix = ".lock";

    std::string data(std::string_view name) const { return fs::join(m_data_dir, name); }
    std::string run(std::string_view name) const { return fs::join(m_run_dir, name); }
    std::string lock_file(std::string_view prefix, std::string_view subject) const
    {
        return fs::join(locks_dir(), std::string(prefix).append(subject).append(lock_suffix));
    }
    static std::string_view lock_subject(std::string_view prefix, std::string_view name)
    {
        if (name.size() <= prefix.size() + lock_suffix.size() || !name.starts_with(prefix) || !name.ends_with(lock_suffix))
            return {};
        return name.substr(prefix.size(), name.size() - prefix.size() - lock_suffix.size());
    }

    std::string m_data_dir;
    std::string m_run_dir;
    std::string m_volumes_dir;
    std::string m_events_dir;
};

} // namespace berth::store
