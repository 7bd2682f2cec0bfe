// SignalForwarder: while berth waits in the foreground for a process that
// stands for the container (the attached monitor, an exec'd process), the
// signals berth receives (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2)
// go to that process once, and berth itself is not killed by them.
//
// No handler and no global: the signals (and SIGCHLD, to wake the wait) are
// blocked for the object's lifetime and read from a signalfd that the object
// owns, in the loop of wait() or in a caller's poll() loop through fd() and
// forward_pending(). The hard part is the end: signals still pending when the
// process is gone are read and dropped before the old mask comes back, so a
// late ^C cannot kill berth before it records the exit.
#pragma once

#include "base/child_process.h"
#include "base/error.h"
#include "base/unique_fd.h"

#include <csignal>
#include <sys/types.h>

namespace berth {

class SignalForwarder {
public:
    /// Blocks the forwarded signals and SIGCHLD and opens the signalfd.
    static Result<SignalForwarder> create();
    SignalForwarder(SignalForwarder&& other) noexcept;
    SignalForwarder& operator=(SignalForwarder&&) = delete;
    SignalForwarder(SignalForwarder const&) = delete;
    /// Drops what is still pending and restores the mask of before create().
    ~SignalForwarder();

    /// Readable when a signal waits: poll it beside other fds, then forward_pending().
    int fd() const { return m_fd.get(); }
    /// Sends every pending forwarded signal to `target`; SIGCHLD is consumed. Never blocks.
    void forward_pending(pid_t target);
    /// Waits for `child` to exit, forwarding to it what arrives meanwhile; its raw wait status.
    Result<int> wait(ChildProcess& child);

private:
    SignalForwarder(UniqueFd fd, sigset_t old_mask) : m_fd(std::move(fd)), m_old_mask(old_mask) {}
    UniqueFd m_fd;
    sigset_t m_old_mask;
};

} // namespace berth
