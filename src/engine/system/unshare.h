// `berth unshare`: runs a host command inside berth's rootless user and mount
// namespace (the one kept by the pause process, where every container and the
// store live), as uid 0, so that a rootless user can inspect or repair the
// files of the store and use `berth mount`.
//
// The hard part is that nothing of berth may stay between the caller and the
// command: the process joins the namespace (rootless::enter, which must run
// before any thread exists) and then *becomes* the command with execv. So the
// terminal, stdin/stdout/stderr, the process group and every signal reach the
// command unchanged, and its exit status is berth's. The mounts it makes are
// in the pause process's mount namespace, visible to every later berth.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <string>
#include <vector>

namespace berth::engine {

struct UnshareOptions {
    std::vector<std::string> command;  ///< empty: $SHELL, else /bin/sh
    bool rootless_netns = false;       ///< --rootless-netns (berth has no such namespace: refused)
};

/// Environment variables a command run by unshare_exec() finds set, as Podman
/// sets them: CONTAINERS_GRAPHROOT and CONTAINERS_RUNROOT name the store and
/// the runtime directory; BERTH_ROOT and BERTH_RUNROOT make a nested `berth`
/// use the same store without repeating --root and --runroot.
std::vector<std::pair<std::string, std::string>> unshare_environment(rootless::Paths const& paths);

/// The argument vector unshare_exec() runs: `command`, else {$SHELL} when
/// `shell` is non-empty, else {"/bin/sh"}.
std::vector<std::string> unshare_command(std::vector<std::string> const& command, std::string const& shell);

/// True when berth runs rootless outside its user and mount namespace (not
/// under `berth unshare`): there `mount` and `unmount` refuse to run, as
/// Podman's do, since a mount made there would be invisible to the user.
/// False when the paths cannot be resolved (the command reports that itself).
bool outside_unshare(GlobalOptions const& global);

/// Joins (or creates) the rootless namespace and replaces this process with
/// the command. Returns only on failure: an engine error (exit 125) when
/// berth runs as root ("please use unshare with rootless"), for
/// --rootless-netns or when the namespace cannot be entered; NotFound (127)
/// for a missing command; CannotInvoke (126) for one that cannot be run.
/// Must be called while the process is single-threaded.
Error unshare_exec(GlobalOptions const& global, UnshareOptions const& options);

} // namespace berth::engine
