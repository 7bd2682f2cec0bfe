// ChildProcess: the one owner of a child's pid, as UniqueFd owns an fd (crun's
// cleanup_pid). An owned child is killed and reaped when its owner goes out
// of scope, so an error path cannot leave a zombie or a runaway helper;
// release() hands a child on that must outlive us (a detached monitor).
//
// spawn() is the one way berth starts a program of its own: posix_spawn,
// which glibc implements with clone(CLONE_VM | CLONE_VFORK), so nothing of
// the caller is copied and no caller code runs in the child before execve.
// That matters for berth: the caller holds an open SQLite connection, locks
// and a heap that a fork() would duplicate.
//
// The hard part is the fds: only 0-2 and the fds the caller names reach the
// program (close-on-exec cleared for those in the child alone); every fd berth
// opens is close-on-exec, and an fd the caller inherited without it is the
// program's to close (berth-launch closes all it was not told about first).
#pragma once

#include "base/error.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth {

/// How spawn() starts a program.
struct SpawnOptions {
    std::vector<std::string> argv;  ///< argv[0] is the program's path
    /// fds passed at their own numbers (>= 3); the rest of ours stay behind
    /// when close-on-exec, as every fd berth opens is.
    std::vector<int> inherit;
    bool null_stdio = false;        ///< fds 0, 1 and 2 from /dev/null instead of ours
    enum class Group { Ours, NewProcessGroup, NewSession };
    Group group = Group::Ours;      ///< NewProcessGroup: terminal signals reach us only; NewSession: detached
    std::vector<int> blocked_signals;  ///< the program starts with these blocked (pending ones survive execve)
};

class ChildProcess {
public:
    ChildProcess() = default;
    /// Takes ownership of a child made elsewhere (a clone of the runtime's).
    explicit ChildProcess(pid_t pid) : m_pid(pid) {}
    ChildProcess(ChildProcess&& other) noexcept : m_pid(other.release()) {}
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(ChildProcess const&) = delete;
    ChildProcess& operator=(ChildProcess const&) = delete;
    /// Kills (SIGKILL) and reaps a child still owned: a scope that ends early
    /// must not leave a process behind. Blocks until it is reaped, which a
    /// SIGKILL makes short (a process in uninterruptible sleep is the exception).
    ~ChildProcess();

    /// Starts argv[0]; ENOENT/EACCES from execve come back as the Error.
    static Result<ChildProcess> spawn(SpawnOptions const& options);

    pid_t pid() const { return m_pid; }
    bool valid() const { return m_pid > 0; }
    /// Sends `sig`. The pid cannot have been recycled: an unreaped child keeps it.
    ErrorOr kill(int sig) const;
    /// Waits for the exit (EINTR retried) and returns the raw wait status; the
    /// object owns nothing afterwards.
    Result<int> wait();
    /// The wait status if it has exited (reaped, owning nothing afterwards), nullopt while it runs.
    Result<std::optional<int>> try_wait();
    /// Hands the child out unwaited: it is no longer killed or reaped here.
    pid_t release();

private:
    pid_t m_pid = -1;
};

} // namespace berth
