// The per-container monitor (DESIGN.md "process model"), foreground part: the
// process `run` and `start -a` fork for one container. It starts the
// container (berth's runtime in-process, or an external OCI runtime on the
// bundle), tells its parent the pid over the sync pipe (protocol.h), relays a
// pty when the container has one, forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT to
// the container, waits, records the exit code and time in the store, cleans
// up on --rm, and exits with the container's status.
//
// The hard part is the event loop: the container's exit, terminal input and
// output, window-size changes and signals all arrive at once, so every one is
// a file descriptor (signalfd for signals) in one poll() loop, and the
// container's last output is drained before the monitor exits.
#pragma once

#include "base/error.h"
#include "runtime/spec.h"

#include <string>
#include <vector>

namespace berth::monitor {

struct MonitorConfig {
    std::string id;
    std::string bundle_dir;       ///< data_dir/containers/<id> (config.json is written there)
    std::string database_path;    ///< data_dir/berth.db
    std::string locks_dir;        ///< run_dir/locks
    std::string seccomp_cache_dir; ///< run_dir/seccomp: compiled filters, so a run skips libseccomp's ~20 ms compile
    std::string runtime_path;     ///< external OCI runtime; empty: berth's own
    std::string runtime_root;     ///< its --root (run_dir/runtime)
    runtime::Spec spec;
    bool interactive = false;     ///< pass stdin through
    bool remove = false;          ///< --rm
    int sync_fd = -1;             ///< write end of the sync pipe
    std::vector<int> preserve_fds;
};

/// Runs the monitor in the current (freshly forked) process. Never returns:
/// ends with _exit(container status), or 125 when the monitor failed.
[[noreturn]] void run(MonitorConfig const& config);

/// Removes what a container left: unmounts its rootfs, deletes its directory
/// and its row. Used by --rm here and by `berth rm`; the caller holds the
/// container lock.
ErrorOr cleanup_container(std::string const& database_path, std::string const& locks_dir,
    std::string const& bundle_dir, std::string const& id);

} // namespace berth::monitor
