// Container lifecycle operations after start: stop, kill, wait, restart,
// pause/unpause, remove, rename, prune, and the container's processes (for
// pause, top and stats). Each works on one resolved record and returns an
// Error value; the CLI loops over the containers and reports per container.
//
// The hard part is that berth has no daemon: the container's process belongs
// to its monitor, which records the exit. So stop and kill only signal, then
// poll the record (under no lock) until it shows Exited; a record whose
// processes are gone is corrected by find_container. Pause without a
// delegated cgroup freezer SIGSTOPs every process of the container, found by
// its pid namespace (or as descendants of its init when it shares ours).
#pragma once

#include "base/error.h"
#include "container/container_store.h"
#include "engine/context.h"

#include <optional>
#include <map>
#include <string>
#include <vector>

namespace berth::engine {

/// One container named on the command line, resolved.
struct Target {
    std::string given;                 ///< as typed (printed on success, like Podman)
    container::ContainerRecord record;
};

/// Resolves every name first, as Podman does: the first missing one fails the whole command
/// unless `ignore_missing` (then it is skipped). `all` takes every container, newest first.
Result<std::vector<Target>> resolve_targets(Context& ctx, std::vector<std::string> const& names, bool all, bool ignore_missing = false);

/// -l/--latest: the newest container; ENOENT "unable to get latest container" when there is none.
Result<container::ContainerRecord> latest_container(Context& ctx);

/// "SIGTERM", "TERM", "term", "15" -> 15.
Result<int> parse_signal(std::string const& text);
/// 15 -> "SIGTERM".
std::string signal_name(int sig);

/// True while the container's processes run (running or paused).
bool is_active(container::State state);

/// Sends the stop signal, waits `timeout` seconds (default: the container's
/// --stop-timeout), then SIGKILL; returns once the record shows Exited.
/// A created or exited container is left alone (no error, like Podman).
ErrorOr stop_container(Context& ctx, container::ContainerRecord const& rec, std::optional<int> timeout);
/// The first step of stop_container without the wait: marks the container
/// stopped by the user and sends its stop signal (SIGKILL with timeout 0).
/// `stop` and `rm -f` of several containers send them all before waiting for
/// each, so their exits overlap. Only running containers; others are left.
ErrorOr begin_stop(Context& ctx, container::ContainerRecord const& rec, std::optional<int> timeout);
/// Sends `sig` to the container's init; it must be running.
ErrorOr kill_container(Context& ctx, container::ContainerRecord const& rec, int sig);
/// Waits until the container reaches one of `conditions` ("stopped"/"exited", "running",
/// "created", "paused"); returns its exit code (for running/created/paused: -1, as Podman).
Result<int64_t> wait_container(Context& ctx, std::string const& id, std::vector<std::string> const& conditions, int interval_ms);
/// Freezes the container (cgroup v2 freezer when its cgroup is berth's own, else SIGSTOP of each process).
ErrorOr pause_container(Context& ctx, container::ContainerRecord const& rec);
ErrorOr unpause_container(Context& ctx, container::ContainerRecord const& rec);

struct RemoveOptions {
    bool force = false;          ///< stop a running container first
    bool volumes = false;        ///< remove its anonymous volumes
    std::optional<int> timeout;  ///< stop timeout for force
    bool with_pod = false;       ///< the pod goes too: its infra container may be removed
};
/// Removes one container (its rootfs, directory and row). A running one needs force.
ErrorOr remove_container(Context& ctx, container::ContainerRecord const& rec, RemoveOptions const& options);
/// IDs of the containers that --requires this one, and of those that require
/// them in turn: in the order they must be removed (each before what it requires).
std::vector<std::string> dependent_containers(Context& ctx, container::ContainerRecord const& rec);
/// rm's rule for --requires: a container others require is removed only with
/// them (`depend`: they are removed first); else EEXIST naming them, as Podman.
/// The IDs removed, dependents first, are appended to `removed`.
ErrorOr remove_with_dependents(Context& ctx, container::ContainerRecord const& rec, RemoveOptions const& options, bool depend,
    std::vector<std::string>& removed);

/// Gives a container a new unique name.
ErrorOr rename_container(Context& ctx, container::ContainerRecord const& rec, std::string const& new_name);

/// One reading of /proc: each process's parent and pid namespace, so that
/// the processes of many containers (stats, top) come from one scan of it.
struct ProcessTable {
    std::map<int, std::vector<int>> children;                    ///< ppid -> pids
    std::map<std::string, std::vector<int>> by_pid_namespace;    ///< "pid:[inode]" -> pids, ours left out
    std::string own_pid_namespace;
};
ProcessTable read_process_table();

/// Host pids of every process of the container (its init first): the init's
/// descendants and every other process in its pid namespace when that is its
/// own (not one it joined with --pid); empty when it does not run.
std::vector<int> container_pids(int64_t init_pid, ProcessTable const& table);
/// The same from a table of its own (one container).
std::vector<int> container_pids(int64_t init_pid);

} // namespace berth::engine
