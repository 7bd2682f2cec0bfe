// ChildProcess: posix_spawn with the attributes and file actions of
// SpawnOptions, and the owner's kill/wait. See child_process.h.
#include "base/child_process.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utility>

extern char** environ;

namespace berth {

namespace {

/// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnPlan {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnPlan()
    {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnPlan()
    {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnPlan(SpawnPlan const&) = delete;
    SpawnPlan& operator=(SpawnPlan const&) = delete;
};

ErrorOr plan_spawn(SpawnOptions const& o, SpawnPlan& plan)
{
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (o.group == SpawnOptions::Group::NewSession)
        flags |= POSIX_SPAWN_SETSID;
    else if (o.group == SpawnOptions::Group::NewProcessGroup)
        flags |= POSIX_SPAWN_SETPGROUP;  // pgroup 0: its own
    // Our handlers and our mask are ours: the program starts with default
    // dispositions and exactly the signals it asked for blocked.
    sigset_t mask, defaults;
    sigemptyset(&mask);
    for (int sig : o.blocked_signals)
        sigaddset(&mask, sig);
    sigfillset(&defaults);
    sigdelset(&defaults, SIGKILL);
    sigdelset(&defaults, SIGSTOP);
    int rc = posix_spawnattr_setflags(&plan.attr, flags);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&plan.attr, &mask);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&plan.attr, &defaults);
    if (rc == 0 && o.null_stdio) {
        for (int fd = 0; fd < 3 && rc == 0; ++fd)
            rc = posix_spawn_file_actions_addopen(&plan.actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
    }
    // dup2 of an fd onto itself clears its close-on-exec in the child alone (POSIX 2017, glibc 2.29).
    for (int fd : o.inherit)
        if (rc == 0)
            rc = posix_spawn_file_actions_adddup2(&plan.actions, fd, fd);
    if (rc != 0)
        return Error::from_errno("spawn " + o.argv.front() + ": prepare", rc);
    return {};
}

} // namespace

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept
{
    if (this != &other) {
        ChildProcess old(std::exchange(m_pid, other.release()));
        (void)old;  // killed and reaped here
    }
    return *this;
}

ChildProcess::~ChildProcess()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGKILL);
    while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) { }
}

Result<ChildProcess> ChildProcess::spawn(SpawnOptions const& o)
{
    if (o.argv.empty())
        return Error { EINVAL, "spawn: empty argument list" };
    SpawnPlan plan;
    TRY(plan_spawn(o, plan));
    std::vector<char*> argv;
    for (auto const& a : o.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, argv[0], &plan.actions, &plan.attr, argv.data(), environ);
    if (rc != 0)
        return Error::from_errno("spawn " + o.argv.front(), rc);
    return ChildProcess(pid);
}

ErrorOr ChildProcess::kill(int sig) const
{
    if (m_pid <= 0)
        return Error { ESRCH, "kill: no child process" };
    if (::kill(m_pid, sig) != 0)
        return Error::from_errno("kill " + std::to_string(m_pid));
    return {};
}

Result<int> ChildProcess::wait()
{
    if (m_pid <= 0)
        return Error { ECHILD, "wait: no child process" };
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0) {
        if (errno != EINTR) {
            int saved = errno;
            m_pid = -1;  // not ours to wait for (reaped elsewhere): nothing left to own
            return Error::from_errno("wait for process", saved);
        }
    }
    m_pid = -1;
    return status;
}

Result<std::optional<int>> ChildProcess::try_wait()
{
    if (m_pid <= 0)
        return Error { ECHILD, "wait: no child process" };
    int status = 0;
    pid_t got = ::waitpid(m_pid, &status, WNOHANG);
    if (got == 0)
        return std::optional<int>();
    if (got < 0) {
        int saved = errno;
        if (saved == EINTR)
            return std::optional<int>();
        m_pid = -1;
        return Error::from_errno("wait for process", saved);
    }
    m_pid = -1;
    return std::optional<int>(status);
}

pid_t ChildProcess::release()
{
    return std::exchange(m_pid, -1);
}

} // namespace berth
