// Creating a container process from an OCI spec, in-process (DESIGN.md
// "Runtime"): start() clones the container init into the spec's namespaces,
// the init builds the rootfs, drops privileges and execs the spec's process.
//
// The hard part is that the init runs between clone and execve: it must never
// return into the caller (every path ends in execve or _exit), it must not
// unwind, and its errors must reach the parent intact. They travel over a
// SEQPACKET sync socket as {errno, kind, message}; a successful execve closes
// the init's end (O_CLOEXEC) and the parent reads EOF. See container.cpp for
// the order of the steps and why it is that order.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::runtime {

/// The container process's standard streams, as fds in the caller.
struct Stdio {
    int in = 0;   ///< -1: /dev/null inside the container
    int out = 1;  ///< -1: /dev/null
    int err = 2;  ///< -1: /dev/null
    /// With process.terminal: the pty slave that becomes the controlling
    /// terminal and fds 0, 1, 2 (in/out/err are then ignored) and is bind
    /// mounted on /dev/console. -1: start_process() has the init open a pty in
    /// the container's own /dev/pts instead (so `tty` inside names a
    /// /dev/pts/N that exists there, as with crun's console socket).
    int pty_slave = -1;
    /// fds (>= 3) passed to the process with their numbers (--preserve-fds).
    std::vector<int> preserve;
};

/// Knobs for start(); the defaults do everything from the spec alone.
struct StartOptions {
    /// linux.seccomp already compiled (say from a cache keyed by the digest of
    /// the JSON): compiling Podman's default profile with libseccomp costs about
    /// 20 ms, four times the rest of start(). nullptr: compile it here.
    SeccompProfile const* seccomp = nullptr;
    /// Without `seccomp`: compile through seccomp_from_spec_cached() with this
    /// directory (e.g. run_dir/seccomp); empty: compile without a cache.
    std::string seccomp_cache_dir;
    /// Called with the init's host pid once its namespaces exist (id maps
    /// written, cgroup joined) and before it may continue: the place to wire
    /// up its network namespace. An error kills the init and fails start().
    std::function<ErrorOr(pid_t)> before_go;
};

/// Creates the container described by `spec` and returns the host pid of its
/// process once that process has called execve. On failure, the child's error
/// is returned in full (with ErrorKind::NotFound for a missing executable,
/// ErrorKind::CannotInvoke for one that cannot be run) and the child has been
/// reaped. On success the caller owns the pid and must waitpid() for it.
///
/// Preconditions: the caller is single-threaded (the raw clone does not run
/// fork handlers, and a multi-threaded caller could leak the sync socket into
/// another child); the spec lists a mount namespace; root.path is absolute or
/// relative to the working directory. Rootless callers join their user
/// namespace first (rootless::enter) and run as root inside it.
///
/// A new user namespace gets its uid_map/gid_map written directly by this
/// process, which works for root and for root inside berth's user namespace
/// (both hold CAP_SETUID/CAP_SETGID over the parent namespace); newuidmap is not
/// used here. Joining a pid namespace by path briefly moves this process's
/// pid_for_children; joining a user namespace by path cannot be combined with a
/// new pid namespace.
Result<pid_t> start(Spec const& spec, Stdio const& stdio, StartOptions const& options = {});

/// What start_process() hands back.
struct StartedProcess {
    pid_t pid = -1;
    /// With process.terminal and no Stdio::pty_slave: the master side of the
    /// pty the init opened in the container's /dev/pts (set its window size
    /// with TIOCSWINSZ and relay it). Invalid otherwise.
    UniqueFd pty_master;
};

/// start() that can also allocate the terminal inside the container.
/// start() itself refuses a terminal without a pty_slave.
Result<StartedProcess> start_process(Spec const& spec, Stdio const& stdio, StartOptions const& options = {});

} // namespace berth::runtime
