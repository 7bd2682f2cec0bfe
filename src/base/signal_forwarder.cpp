// SignalForwarder: a signalfd read in the waiter's loop. See signal_forwarder.h.
#include "base/signal_forwarder.h"

#include <cerrno>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace berth {

namespace {

constexpr int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

sigset_t handled_mask()
{
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : forwarded_signals)
        sigaddset(&mask, sig);
    sigaddset(&mask, SIGCHLD);
    return mask;
}

} // namespace

Result<SignalForwarder> SignalForwarder::create()
{
    sigset_t mask = handled_mask(), old;
    if (::sigprocmask(SIG_BLOCK, &mask, &old) != 0)
        return Error::from_errno("block signals");
    UniqueFd fd(::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd.valid()) {
        int saved = errno;
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        return Error::from_errno("signalfd", saved);
    }
    return SignalForwarder(std::move(fd), old);
}

SignalForwarder::SignalForwarder(SignalForwarder&& other) noexcept
    : m_fd(std::move(other.m_fd))
    , m_old_mask(other.m_old_mask)
{
}

SignalForwarder::~SignalForwarder()
{
    if (!m_fd.valid())
        return;  // moved from: the mask is the new owner's to restore
    // Whoever we forwarded to is gone: what is still pending is dropped here
    // rather than delivered with its default action (death) by the unblock.
    signalfd_siginfo si;
    while (::read(m_fd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) { }
    sigset_t mask = handled_mask();
    for (int sig : forwarded_signals)
        if (sigismember(&m_old_mask, sig))
            sigdelset(&mask, sig);
    if (sigismember(&m_old_mask, SIGCHLD))
        sigdelset(&mask, SIGCHLD);
    ::sigprocmask(SIG_UNBLOCK, &mask, nullptr);
}

void SignalForwarder::forward_pending(pid_t target)
{
    signalfd_siginfo si;
    while (::read(m_fd.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig != SIGCHLD && target > 0)
            ::kill(target, sig);
    }
}

Result<int> SignalForwarder::wait(ChildProcess& child)
{
    for (;;) {
        // SIGCHLD is blocked from create() on, so an exit after this check
        // makes the fd readable: no wake-up is lost.
        if (auto status = TRY(child.try_wait()))
            return *status;
        struct pollfd p = { m_fd.get(), POLLIN, 0 };
        if (::poll(&p, 1, -1) < 0 && errno != EINTR)
            return Error::from_errno("poll signalfd");
        forward_pending(child.pid());
    }
}

} // namespace berth
