// `berth exec`: one more process in a running container, with the
// container's own security setup (from its config.json) and the caller's
// overrides (-e, -u, -w, --privileged, -t).
//
// The hard part is the terminal: with -t the process gets a pty from the
// container's devpts, and this side relays it (raw mode on our terminal, the
// window size on SIGWINCH) until the process hangs up; without -t the process
// gets our own stdio fds, so nothing is copied at all.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <string>
#include <vector>

namespace berth::engine {

struct ExecOptions {
    std::vector<std::string> command;
    bool interactive = false;       ///< -i: stdin goes to the process (else /dev/null)
    bool tty = false;               ///< -t
    bool detach = false;            ///< -d: start it and return at once
    bool privileged = false;        ///< every capability
    std::vector<std::string> env;   ///< -e KEY=VALUE or KEY (from our environment)
    std::vector<std::string> env_files;
    std::string user;               ///< -u, resolved in the container's rootfs
    std::string workdir;            ///< -w
    int preserve_fds = 0;           ///< fds 3 .. 3+N-1 are passed on
    std::string detach_keys = "ctrl-p,ctrl-q";
};

/// Runs the command in the running container `name_or_id`. Returns its exit
/// status (128+N for a signal), or 0 at once with detach. A stopped
/// container is an engine error (exit 125), a missing command NotFound (127),
/// one that cannot run CannotInvoke (126). ctx.store stays open; the signals
/// berth gets while it waits go to the process (SignalForwarder).
Result<int> exec_container(Context& ctx, std::string const& name_or_id, ExecOptions const& options);

} // namespace berth::engine
