// Where berth keeps its store, its runtime state and its configuration, for
// root and for rootless users (DESIGN.md "Rootless"). The hard part is the
// runtime directory: $XDG_RUNTIME_DIR is only trusted when it really is the
// user's private directory, and the /tmp/berth-$UID fallback lives in a
// world-writable directory, so another user could have created it first: its
// owner and mode are checked and a foreign one is refused, never used.
// Resolution is split from the process environment (PathEnvironment) so tests
// can run it with any uid, XDG variables and temporary base directory.
#pragma once

#include "base/error.h"
#include "store/layout.h"

#include <map>
#include <string>
#include <sys/types.h>

namespace berth::rootless {

struct Paths {
    std::string data_dir;    ///< the store: ~/.local/share/berth or /var/lib/berth
    std::string run_dir;     ///< runtime state: $XDG_RUNTIME_DIR/berth, /tmp/berth-$UID or /run/berth
    std::string config_dir;  ///< containers.conf & co: ~/.config/containers or /etc/containers
    bool rootless = false;   ///< true unless berth runs as real root on the host
    uid_t uid = 0;           ///< the user's uid on the host (0 for root)
    gid_t gid = 0;           ///< the user's gid on the host (0 for root)
    std::string volumes_dir; ///< --volumepath / containers.conf volume_path; "" for data_dir/volumes
    std::string tmp_dir;     ///< --tmpdir / containers.conf tmp_dir: holds events/; "" for run_dir
    bool record_events = true; ///< false with --events-backend none

    /// Every path below data_dir and run_dir.
    store::Layout layout() const { return { data_dir, run_dir, volumes_dir, tmp_dir }; }
};

/// Everything path resolution reads from the process, gathered in one place.
struct PathEnvironment {
    bool rootless = false;
    uid_t uid = 0;        ///< host uid: names /tmp/berth-$UID
    gid_t gid = 0;
    uid_t owner_uid = 0;  ///< the uid the user's own files show (geteuid(): 0 inside the namespace)
    std::string home;     ///< the user's home directory
    std::map<std::string, std::string> vars; ///< XDG_DATA_HOME, XDG_RUNTIME_DIR, XDG_CONFIG_HOME when set
    std::string tmp_dir = "/tmp"; ///< where the /tmp/berth-$UID fallback goes
};

/// The environment of this process: root on the host, a rootless user, or a
/// rootless user already inside berth's user namespace (then uid/gid are the
/// host ids that namespace root maps to).
PathEnvironment current_path_environment();

/// Resolves and creates the directories for `env`; a non-empty flag
/// (--root, --runroot) overrides the data or run directory. Rootless
/// directories are created 0700. Fails when the runtime directory is not
/// private to the user.
Result<Paths> resolve_paths(PathEnvironment const& env, std::string const& root_flag, std::string const& runroot_flag);

/// resolve_paths(current_path_environment(), root_flag, runroot_flag).
Result<Paths> default_paths(std::string const& root_flag, std::string const& runroot_flag);

/// Makes sure `path` is a directory owned by `owner` with mode 0700: creates
/// it, repairs the mode of one we own, refuses a symlink or someone else's.
ErrorOr ensure_private_dir(std::string const& path, uid_t owner);

} // namespace berth::rootless
