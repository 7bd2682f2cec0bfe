// exec_in(): a process started inside a running container.
//
// Parent                        Middle (fork)                Final (clone)
//   pidfd_open(init), compile
//   seccomp, caps, rlimits;
//   socketpair, pid pipe
//   fork ─────────────────────► close every fd but stdio,
//                               --preserve-fds and our pipes;
//                               setns(pidfd, user|mnt|pid|
//                                 net|ipc|uts|cgroup)
//                               clone(CLONE_PARENT) ───────► in the container's pid ns,
//                               pid -> pipe; _exit(0)          a child of the parent
//   reap middle, read pid                                    rlimits; [-t: pty from the
//                                                             container's /dev/pts, master
//                                                             sent over the sync socket]
//                                                            exec_process(): stdio, user,
//                                                             caps, no_new_privs, cwd,
//                                                             seccomp, execve
//   recv: EOF = exec'd ◄─────────────────────────────────────  or {errno, kind, message}
//
// The middle process exists because setns(CLONE_NEWPID) only moves the
// children of the caller, and the parent cannot move itself there and back:
// rootless, setns back to the host's pid namespace is refused. With -d the
// final process is cloned without CLONE_PARENT, so it is nobody's child here.
// After setns(CLONE_NEWNS) root and cwd are the root of the container's mount
// namespace (its rootfs after pivot_root), so every path from then on
// resolves inside the container. What could still lead out is a descriptor
// of the caller's (an fd on a host directory, reached as the workdir
// /proc/self/fd/N: runc's CVE-2024-21626), so the middle process closes them
// all before it joins, and the workdir is opened inside the root without
// magic links. Neither child returns into the caller.
#include "runtime/exec.h"

#include "base/scope_guard.h"
#include "base/sys.h"
#include "runtime/init.h"
#include "runtime/kernel.h"
#include "runtime/sync.h"

#include <csignal>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

/// The namespaces exec can join, user first (it grants the rights for the rest).
struct NamespaceFile {
    char const* name;
    unsigned flag;
};
constexpr NamespaceFile namespace_files[] = {
    { "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS }, { "pid", CLONE_NEWPID }, { "net", CLONE_NEWNET },
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
};

std::string ns_path(pid_t pid, char const* name)
{
    return "/proc/" + (pid ? std::to_string(pid) : std::string("self")) + "/ns/" + name;
}

int pidfd_open(pid_t pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

void reset_signals()
{
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            ::signal(sig, SIG_DFL);
    }
}

/// Middle process: joins every namespace in `flags`; the pid namespace
/// applies to the children it creates from then on.
ErrorOr join_container_namespaces(pid_t pid, int pidfd, unsigned flags)
{
    if (!flags)
        return {};
    if (pidfd >= 0 && ::setns(pidfd, static_cast<int>(flags)) == 0)
        return {};
    if (pidfd >= 0 && errno != EINVAL)
        return Error::from_errno("join the container's namespaces");
    // Before Linux 5.8: one namespace file at a time, all opened before the first setns.
    std::vector<std::pair<UniqueFd, NamespaceFile>> files;
    for (auto const& ns : namespace_files) {
        if (flags & ns.flag)
            files.emplace_back(TRY(sys::open(ns_path(pid, ns.name), O_RDONLY)), ns);
    }
    for (auto const& [fd, ns] : files)
        TRY(kernel::setns(fd.get(), static_cast<int>(ns.flag), std::string(ns.name) + " namespace of the container"));
    return {};
}

/// Child, inside the mount namespace: a pty from the container's own devpts.
/// The master goes to the parent; the slave becomes the process's terminal.
Result<UniqueFd> open_exec_terminal(int sync_fd, uid_t uid)
{
    UniqueFd ptmx = TRY(sys::openat2(AT_FDCWD, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS));
    int unlock = 0;
    if (::ioctl(ptmx.get(), TIOCSPTLCK, &unlock) < 0)
        return Error::from_errno("unlock the container's pty");
    int slave_fd = ::ioctl(ptmx.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_fd < 0)
        return Error::from_errno("open the container's pty slave");
    UniqueFd slave(slave_fd);
    if (::fchown(slave.get(), uid, static_cast<gid_t>(-1)) < 0 && errno != EINVAL)
        return Error::from_errno("chown the container's pty");
    TRY(send_fd(sync_fd, ptmx.get()));
    return slave;
}

struct ExecPlan {
    InitPlan init;
    pid_t target = 0;
    int pidfd = -1;
    unsigned flags = 0;
    bool detach = false;
    int pid_pipe = -1;  ///< the middle process writes the final process's pid here
};

/// The final process: limits, terminal, then exec_process(). Never returns.
[[noreturn]] void exec_final(ExecPlan& plan) noexcept
{
    auto steps = [&]() -> ErrorOr {
        TRY_CTX(apply_rlimits(plan.init.rlimits), "rlimits");
        if (plan.init.spec->process.terminal) {
            auto slave = TRY(open_exec_terminal(plan.init.sync_fd, plan.init.spec->process.user.uid));
            plan.init.stdio.pty_slave = slave.release();
        }
        return exec_process(plan.init);
    };
    auto result = steps();
    send_error(plan.init.sync_fd, result ? Error::msg("exec: unexpected return") : std::move(result).error());
    ::_exit(127);
}

/// The middle process: joins the namespaces (the pid namespace only for its
/// children), then clones the final process, as a child of berth itself
/// (CLONE_PARENT) unless detached, and exits.
[[noreturn]] void exec_child(ExecPlan& plan) noexcept
{
    reset_signals();
    auto steps = [&]() -> ErrorOr {
        // Nothing of the caller's but what the process needs may enter the container.
        std::vector<int> keep = inherited_fds(plan.init);
        keep.insert(keep.end(), { plan.pidfd, plan.pid_pipe });
        TRY(kernel::close_fds_except(std::move(keep)));
        TRY(join_container_namespaces(plan.target, plan.pidfd, plan.flags));
        if (plan.pidfd >= 0)
            ::close(plan.pidfd);
        pid_t pid = TRY_CTX(plan.detach ? kernel::clone_process(0) : kernel::clone_sibling(0), "clone the exec process");
        if (pid == 0) {
            ::close(plan.pid_pipe);
            exec_final(plan);
        }
        ssize_t n;
        do
            n = ::write(plan.pid_pipe, &pid, sizeof pid);
        while (n < 0 && errno == EINTR);
        return {};
    };
    auto result = steps();
    if (!result) {
        send_error(plan.init.sync_fd, std::move(result).error());
        ::_exit(127);
    }
    ::_exit(0);
}

/// Compiles and resolves everything the child needs, before the fork.
Result<InitPlan> make_exec_plan(ExecRequest const& request)
{
    Spec const& spec = *request.spec;
    if (spec.process.args.empty())
        return Error::msg("exec: no command given");
    for (int fd : request.stdio.preserve) {
        if (fd < 3)
            return Error::msg("preserve fd " + std::to_string(fd) + ": only fds from 3 up can be passed on");
    }
    InitPlan plan;
    plan.spec = &spec;
    plan.stdio = request.stdio;
    plan.stdio.pty_slave = -1;
    if (spec.process.capabilities) {
        auto const& c = *spec.process.capabilities;
        plan.capabilities = TRY(capability_masks(CapabilitySets { c.bounding, c.effective, c.permitted, c.inheritable, c.ambient }));
    }
    if (!spec.linux_config.seccomp.is_null()) {
        plan.seccomp = request.seccomp_cache_dir.empty() ? TRY(seccomp_from_spec(spec.linux_config.seccomp))
                                                         : TRY(seccomp_from_spec_cached(spec.linux_config.seccomp, request.seccomp_cache_dir));
    }
    Json rlimits = Json::array();
    for (auto const& r : spec.process.rlimits)
        rlimits.push_back({ { "type", r.type }, { "hard", r.hard }, { "soft", r.soft } });
    plan.rlimits = TRY(parse_rlimits(rlimits));
    return plan;
}

void reap(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
}

} // namespace

Result<unsigned> namespaces_to_join(pid_t pid)
{
    unsigned flags = 0;
    for (auto const& ns : namespace_files) {
        struct stat theirs {}, ours {};
        if (::stat(ns_path(pid, ns.name).c_str(), &theirs) < 0) {
            if (errno == ENOENT && ::access(("/proc/" + std::to_string(pid)).c_str(), F_OK) == 0)
                continue;  // a namespace type this kernel does not have
            return Error::from_errno("the container's " + std::string(ns.name) + " namespace (pid " + std::to_string(pid) + ")");
        }
        if (::stat(ns_path(0, ns.name).c_str(), &ours) < 0)
            continue;
        if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
            flags |= ns.flag;
    }
    return flags;
}

Result<ExecedProcess> exec_in(ExecRequest const& request)
{
    ExecPlan plan;
    plan.init = TRY(make_exec_plan(request));
    plan.target = request.init_pid;
    plan.detach = request.detach;
    UniqueFd pidfd(pidfd_open(request.init_pid));
    if (!pidfd.valid() && errno == ESRCH)
        return Error { ESRCH, "the container's process " + std::to_string(request.init_pid) + " is gone" };
    plan.pidfd = pidfd.get();
    plan.flags = TRY(namespaces_to_join(request.init_pid));
    SyncPair sync = TRY(SyncPair::create());
    plan.init.sync_fd = sync.child.get();
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) < 0)
        return Error::from_errno("exec: pipe");
    UniqueFd pid_read(pipefd[0]), pid_write(pipefd[1]);
    plan.pid_pipe = pid_write.get();

    pid_t middle = ::fork();
    if (middle == 0) {
        sync.parent.reset();
        pid_read.reset();
        exec_child(plan);
    }
    if (middle < 0)
        return Error::from_errno("fork the exec process");
    sync.child.reset();
    pid_write.reset();
    reap(middle);
    pid_t pid = -1;
    if (::read(pid_read.get(), &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid))
        pid = -1;
    ArmedScopeGuard kill_child([pid, detach = request.detach] {
        if (pid > 0 && !detach) {
            ::kill(pid, SIGKILL);
            reap(pid);
        }
    });
    ExecedProcess out;
    auto result = receive_result(sync.parent.get(), &out.pty_master);
    if (!result)
        return std::move(result).error();
    if (pid <= 0)
        return Error::msg("exec: the process was not started");
    kill_child.disarm();
    if (!request.detach)
        out.pid = pid;
    return out;
}

} // namespace berth::runtime
