// The container's side of `start` (DESIGN.md "process model"), run in
// berth-launch, the helper that berth spawns for one container with this
// config on an fd (launch_main.cpp): it creates the container's stdio
// (pipes, or a pty with -t), starts the container (berth's runtime in-process,
// or an external OCI runtime on the bundle), reports the pid on the sync pipe,
// and then execs the small berth-monitor (berth_monitor.cpp), which stays with
// the container: the container remains its child across the exec.
//
// The hard part is what crosses the exec: every fd berth-monitor needs is
// named on its command line (protocol.h), everything else is close-on-exec,
// and signals stay blocked so none is lost before its signalfd exists.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "network/bridge.h"
#include "network/helper.h"
#include "runtime/spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::monitor {

struct MonitorConfig {
    std::string id;
    std::string bundle_dir;       ///< data_dir/containers/<id> (config.json is written there)
    std::string run_dir;          ///< run_dir/containers/<id>: exit file, attach socket
    std::string seccomp_cache_dir; ///< run_dir/seccomp: compiled filters, so a run skips libseccomp's ~20 ms compile
    std::string runtime_path;     ///< external OCI runtime; empty: berth's own
    std::string runtime_root;     ///< its --root (run_dir/runtime)
    std::string monitor_path;     ///< the berth-monitor executable
    std::string log_driver = "k8s-file";
    std::string log_path;
    int64_t log_max_size = 0;
    std::vector<std::string> exit_command;  ///< run by berth-monitor when nobody is attached at exit
    int64_t healthcheck_interval_ms = 0;    ///< > 0: berth-monitor runs healthcheck_command this often
    std::vector<std::string> healthcheck_command;  ///< `berth ... healthcheck run ID`
    int64_t healthcheck_startup_interval_ms = 0;  ///< > 0: this often until the startup check passed (protocol.h)
    int64_t timeout_s = 0;        ///< > 0: the monitor SIGKILLs the container after this long (--timeout)
    bool relay_stdout = true;     ///< attached: copy the container's stdout to ours (-a)
    bool relay_stderr = true;     ///< attached: the same for stderr
    runtime::Spec spec;
    bool interactive = false;     ///< pass stdin through
    bool attached = false;        ///< a CLI waits in the foreground (stdio relayed to our fds 0/1/2)
    // The fds below are berth-launch's (its command line), not part of the JSON.
    int sync_fd = -1;             ///< write end of the sync pipe
    int status_fd = -1;           ///< read end of the attached CLI's status pipe
    int lock_fd = -1;             ///< the container lock, shared with the CLI: held until the launch file is written
    std::vector<int> preserve_fds;
    network::HelperPlan network;  ///< the user-mode network helper to attach (network/helper.h), or none
    network::BridgePlan bridge;   ///< user-defined networks: netavark's setup (network/bridge.h), or none
};

/// The config as berth-launch reads it (everything but the three fds, which
/// travel on its command line), and back. A malformed document is an Error.
Json config_to_json(MonitorConfig const& config);
Result<MonitorConfig> config_from_json(Json const& json);

/// Runs in berth-launch (launch_main.cpp), a single-threaded process of its
/// own: starts the container and execs berth-monitor. Never returns: a failure
/// is reported on the sync pipe and ends in _exit(125/126/127).
[[noreturn]] void run(MonitorConfig const& config);

/// The sync-pipe reply (protocol.h, channel 1).
struct StartReply {
    pid_t pid = 0;                ///< > 0 when the container started
    std::optional<Error> error;   ///< set when it did not
};
std::string encode_pid(pid_t pid);
std::string encode_error(Error const& error);
/// Parses one line (without or with its newline); a malformed line is an Error.
Result<StartReply> decode(std::string const& line);

/// The exit file (protocol.h, channel 3).
struct ExitInfo {
    int code = -1;
    int64_t finished = 0;         ///< unix seconds
    int64_t finished_nanos = 0;
};
/// Parses the exit file's text; nullopt when it is malformed.
std::optional<ExitInfo> parse_exit_text(std::string const& text);
/// Reads run_dir/containers/<id>/exit; nullopt when there is none (yet).
std::optional<ExitInfo> read_exit_file(std::string const& container_run_dir);

/// The launch file (protocol.h, channel 3): who runs the container.
struct LaunchInfo {
    pid_t monitor = 0;
    int64_t monitor_start = 0;    ///< clock ticks since boot
    pid_t container = 0;
    int64_t started = 0;          ///< unix seconds
};
/// Parses the launch file's text; nullopt when it is malformed.
std::optional<LaunchInfo> parse_launch_text(std::string const& text);
/// Reads run_dir/containers/<id>/monitor; nullopt when there is none or it is malformed.
std::optional<LaunchInfo> read_launch_file(std::string const& container_run_dir);


} // namespace berth::monitor
