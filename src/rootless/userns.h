// The per-user namespace (DESIGN.md "Rootless"): all of a rootless user's
// containers and storage live in one user namespace with its own mount
// namespace, kept alive by a tiny "berth-pause" process. enter() joins it with
// setns(), or creates it when there is none (or the old one died).
//
// The hard parts: setns(CLONE_NEWUSER) refuses a multi-threaded caller, so
// enter() must run before any thread exists; concurrent invocations serialise
// on run_dir/pause.lock so only one of them creates the namespace; a recycled
// pid is never joined because pause.pid also records the start time from
// /proc/<pid>/stat; and the pause process must not keep the lock file open
// (it closes every descriptor before it pause()s).
#pragma once

#include "base/error.h"
#include "rootless/paths.h"
#include "rootless/subid.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::rootless {

/// Set in the environment by enter() once the process is inside berth's
/// namespace; default_paths() uses it to tell "root on the host" from
/// "rootless user who is root inside the namespace". Children inherit it.
inline constexpr char const* userns_env_var = "_BERTH_USERNS_CONFIGURED";

/// Knobs for enter(); the defaults are what berth uses.
struct EnterOptions {
    std::string subuid_file = "/etc/subuid";
    std::string subgid_file = "/etc/subgid";
    std::string newuidmap;  ///< helper path; empty: look it up in PATH
    std::string newgidmap;
};

/// Joins (or creates) the user's namespace. A no-op for root and for a process
/// that is already inside. Must be called before any thread is started: it
/// fails if the process has more than one thread. On success getuid() == 0
/// and the process holds all capabilities inside the namespace. The working
/// directory is kept (by path).
ErrorOr enter(Paths const& paths);
ErrorOr enter(Paths const& paths, EnterOptions const& options);

/// True when /proc/self/uid_map is not the identity map and our euid is 0 in
/// it, i.e. we run as root inside some user namespace.
bool inside_user_namespace();

/// Parses a uid_map/gid_map file ("container host size" per line).
Result<std::vector<IdMapping>> read_id_map(std::string const& proc_file);
/// Parses the text of a uid_map/gid_map file.
Result<std::vector<IdMapping>> parse_id_map(std::string const& text);
/// True for the initial namespace's "0 0 4294967295".
bool is_identity_map(std::vector<IdMapping> const& map);

/// The pid of the running pause process recorded in run_dir/pause.pid, if it
/// is still the same process; 0 otherwise. For tests and `berth system migrate`.
pid_t pause_pid(Paths const& paths);

} // namespace berth::rootless
