// Running one more process in a running container (`berth exec`, DESIGN.md
// "Runtime"): join the namespaces of the container's init, apply the same
// security setup as the container's process, exec.
//
// The hard parts: the pid namespace cannot be entered by the process itself
// (setns(CLONE_NEWPID) only places its future children), so a thread of
// berth's joins it and spawns the helper (berth-launch --exec), which is born
// there and becomes the process; the other namespaces are joined by the
// helper with one
// setns(pidfd, CLONE_NEW*) call (Linux 5.8+, atomic, user namespace first),
// else one /proc/PID/ns/* file at a time, user first. Only the namespaces that
// differ from ours are joined: setns into the user namespace we are already in
// is EINVAL, and a rootless container shares berth's user namespace.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/container.h"
#include "runtime/spec.h"

#include <string>
#include <sys/types.h>

namespace berth::runtime {

/// What exec_in() needs.
struct ExecRequest {
    pid_t init_pid = 0;         ///< host pid of the container's init
    /// The container's spec with `process` replaced by the exec'd process
    /// (args, env, cwd, user, capabilities, terminal, no_new_privileges,
    /// rlimits); linux.seccomp is the container's filter.
    Spec const* spec = nullptr;
    Stdio stdio;                ///< pty_slave is ignored: a terminal is opened in the container
    bool detach = false;        ///< not waited for: ExecedProcess::pid is -1 (the process is reparented when we exit)
    std::string helper;         ///< berth-launch's path: spawned with --exec, it becomes the process
    std::string seccomp_cache_dir;  ///< see StartOptions::seccomp_cache_dir
};

struct ExecedProcess {
    pid_t pid = -1;             ///< our child (not with detach: then -1)
    UniqueFd pty_master;        ///< with process.terminal: the container pty's master
};

/// Starts the process; returns once it has called execve, or with the error
/// of the step that failed inside (ErrorKind::NotFound for a missing command,
/// ErrorKind::CannotInvoke for one that cannot run). The caller must be
/// privileged over the container's namespaces (root, or root in berth's user
/// namespace); without detach it must waitpid() the pid (its own child).
Result<ExecedProcess> exec_in(ExecRequest const& request);

/// berth-launch --exec=FD --sync=FD [--pidfd=FD]: the helper's side of
/// exec_in() (the request as JSON on config_fd; pidfd the container init's,
/// -1 when the kernel has none). Joins the namespaces and becomes the
/// process; errors go to sync_fd. Never returns.
[[noreturn]] void exec_helper_main(int config_fd, int sync_fd, int pidfd) noexcept;

/// The CLONE_NEW* flags of the namespaces of `pid` that differ from ours.
Result<unsigned> namespaces_to_join(pid_t pid);

} // namespace berth::runtime
