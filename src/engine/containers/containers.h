// Container operations: create, start (attached or detached), run, remove,
// list, and named volumes. Each returns data or an Error whose kind carries
// Podman's exit code (125 engine, 126 cannot invoke, 127 not found); an
// attached start returns the container's exit status.
//
// The hard part is the process split (DESIGN.md "process model"): start
// mounts the rootfs in this process (inside the user's namespaces when
// rootless, so the mount outlives us; a MountGuard undoes it if the start
// fails), spawns berth-launch with the container's config on an fd, and learns
// from the sync pipe whether the container started. berth does not fork: the
// store stays open, and nothing of the CLI (locks, the SQLite connection) but
// the fds it names reaches the monitor.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "container/volume_store.h"
#include "engine/context.h"
#include "engine/images/images.h"
#include "engine/volumes/volumes.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// Where a warning goes (no "berth: " prefix, no newline); may be empty.
using Warn = std::function<void(std::string const&)>;

/// The one validation of a container spec, whichever front-end built it:
/// --dns* and --add-host, the network mode (defaulted: pasta with -p, else
/// none) and -p, --ipc/--uts/--cgroupns/--pid, -a, --systemd, --timeout,
/// --env-merge, --replace, the pid files' directories, --tz and --hostuser,
/// the resource flags and --cgroups, --userns/--uidmap/--gidmap, --device,
/// the healthcheck flags, the mounts, --restart (and --rm with it), the log
/// driver and options, --pull; in that order, the first bad one is an Error
/// (exit 125) naming it. Resource flags that no delegated cgroup v2 hierarchy
/// can honour are not an error: `warn` gets one message and the container
/// will run without limits. Returns the spec with its defaults filled in.
Result<container::CreateOptions> validate_container_spec(container::CreateOptions spec, Warn const& warn);

/// Applies containers.conf's [containers] defaults under the flags and reads
/// --label-file, validates the spec (validate_container_spec, warnings to
/// `warn`), turns --userns=auto into a free range, removes the container
/// --replace names, then creates the container record (pulling the image per
/// options.pull) with its relation rows.
Result<container::ContainerRecord> create_container(Context& ctx, container::CreateOptions const& options,
    PullOptions const& pull_options, std::string const& storage_driver, Warn const& warn = {});

/// The infra container of pod `pod_id`: create_container without --pod
/// handling, its record naming the pod.
Result<container::ContainerRecord> create_infra_container(Context& ctx, container::CreateOptions const& options,
    std::string const& pod_id, Warn const& warn = {});

struct StartOptions {
    bool attach = true;            ///< wait for the container and return its status
    std::optional<bool> interactive;  ///< override the container's -i (start -i)
    std::string storage_driver;    ///< --storage-driver
    std::optional<int64_t> restart_count;  ///< set by the restart policy; a user's start resets it to 0
    bool sig_proxy = true;         ///< attached: forward the signals berth receives to the container (--sig-proxy)
};

/// Starts a created (or exited) container with its berth-monitor; ctx.store
/// stays open, so one context can start many containers. A start that fails
/// leaves the rootfs unmounted. Attached: relays stdio, waits, records the exit (and removes the
/// container on --rm) and returns its exit status. Detached: returns 0 once it
/// runs; its monitor records the exit through `container cleanup`.
Result<int> start_container(Context& ctx, std::string const& name_or_id, StartOptions const& options);

/// `container init`: makes a created (or exited) container ready as its start
/// would, without running anything: rootfs and volumes mounted, the OCI spec
/// written to its bundle's config.json, state "initialized"; `start` then
/// runs it. berth's runtime creates the container's process and execs it in
/// one step (clone, then execve), so unlike runc's `create` no process waits
/// between init and start. A running, paused or initialized container is
/// Podman's "has already been created in runtime" error (EBUSY).
ErrorOr init_container(Context& ctx, std::string const& name_or_id, StartOptions const& options);

/// create + start.
Result<int> run_container(Context& ctx, container::CreateOptions const& options, PullOptions const& pull_options,
    StartOptions const& start_options, std::string* id_out = nullptr, Warn const& warn = {});

/// All containers, newest first (each refreshed as by refresh_container).
Result<std::vector<container::ContainerRecord>> list_containers(Context& ctx);
/// The container record for a name or id (refreshed as by refresh_container).
Result<container::ContainerRecord> find_container(Context& ctx, std::string const& name_or_id);
/// A running or paused record whose monitor is gone (no process with its pid
/// and start time) is marked exited: the exit file's code, else -1 (unknown);
/// its rootfs is unmounted and --rm applied. Done under the container lock when
/// it is free; when someone holds it, only `rec` is changed (the holder records).
/// A record that is not active but whose start was interrupted (protocol.h,
/// the launch file) is recorded as running, or as exited if that ended too.
void refresh_container(Context& ctx, container::ContainerRecord& rec);
/// A start whose CLI was killed after the container started but before it
/// recorded the start leaves a record that says created (or exited) while the
/// container runs on with its monitor. The launch file names them: `rec`
/// becomes running (recorded so), or exited when its monitor has ended
/// meanwhile. The caller holds the container's lock, which the monitor shares
/// until its launch file is written: so under it, no start is half-done.
void adopt_interrupted_start(Context& ctx, container::ContainerStore& cs, container::ContainerRecord& rec);
/// True when refresh_container may change `rec`: it claims to run, or an
/// interrupted start left its launch file. Cheap: one stat for a stopped record.
bool may_need_refresh(Context& ctx, container::ContainerRecord const& rec);
/// `container cleanup`, the exit command of a detached monitor (its parent):
/// records the exit from the exit file, unmounts, removes on --rm, and applies
/// the restart policy (a new start with a new monitor). A record that another
/// monitor owns by now is left alone. Returns the container's exit code.
Result<int> cleanup_exited_container(Context& ctx, std::string const& id, int64_t monitor_pid);

struct AttachOptions {
    std::string detach_keys = "ctrl-p,ctrl-q";  ///< "" disables detaching
    bool no_stdin = false;
    bool sig_proxy = true;         ///< forward SIGINT/SIGTERM to the container (not with a tty: they are keys there)
};
/// `attach`: relays the running container's stdio through its monitor's attach
/// socket; the container's exit code when it exits, 0 when the user detaches.
Result<int> attach_container(Context& ctx, std::string const& name, AttachOptions const& options);
/// "ctrl-p,ctrl-q" -> {16, 17}; "" -> {}.
Result<std::vector<unsigned char>> parse_detach_keys(std::string const& text);

/// --log-driver/--log-opt of a container, resolved.
struct LogSettings {
    std::string driver = "k8s-file";  ///< k8s-file | json-file | none
    std::string path;                 ///< the log file (bundle_dir/ctr.log unless path=)
    int64_t max_size = 0;             ///< rotation threshold in bytes; 0: none
};
/// Checks and resolves the flags; `bundle_dir` holds the default ctr.log.
Result<LogSettings> log_settings(container::CreateOptions const& options, std::string const& bundle_dir);

/// The directory of a container's files in the store (rootfs, ctr.log, config.json).
std::string container_bundle_dir(Context& ctx, std::string const& id);

} // namespace berth::engine
