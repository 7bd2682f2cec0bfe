// start(): the parent half and the init's main sequence.
//
// Parent                                  Init (clone of the parent)
//   validate, compile seccomp, resolve
//   caps and rlimits, open ns paths,
//   socketpair
//   clone3(new namespaces) ───────────────► reset signals; wait for "go"
//   write uid_map/gid_map (new userns)
//   cgroup; options.before_go(pid) (pasta)
//   send "go" ────────────────────────────► become root of the new userns
//                                            join namespaces by path
//                                            oom_score_adj, rlimits
//                                            rootfs (rootfs.cpp)
//                                            process (process.cpp) -> execve
//   recv: EOF = exec'd ◄──────────────────── or {errno, kind, message}; _exit
//
// A pid namespace joined by path puts a middle process between the two
// (clone_init): it joins, clones the init as our child and exits.
//
// The init never returns into start()'s caller: container_init() is
// [[noreturn]] and ends in execve or _exit, so no destructor of the parent's
// objects runs twice (the copies of UniqueFds in the child are simply dropped
// with the process, and the fds they own are close-on-exec).
#include "runtime/container.h"

#include "base/scope_guard.h"
#include "base/sys.h"
#include "runtime/cgroups.h"
#include "runtime/init.h"
#include "runtime/kernel.h"
#include "runtime/sync.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

/// Exit status of an init that failed before execve; the parent reports the
/// error it sent, this only shows up if nobody read it.
constexpr int init_failure_status = 127;

/// Signal dispositions and the mask are inherited across clone and execve;
/// the caller (the monitor) may block or ignore signals the container needs.
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

ErrorOr write_oom_score_adj(Process const& process)
{
    if (!process.oom_score_adj)
        return {};
    return kernel::write_file("/proc/self/oom_score_adj", std::to_string(*process.oom_score_adj));
}

/// linux.personality: the execution domain the process and its children run in (uname -m says i686 in LINUX32).
ErrorOr set_personality(LinuxConfig const& linux_config)
{
    if (linux_config.personality.empty())
        return {};
    if (::personality(linux_config.personality == "LINUX32" ? PER_LINUX32 : PER_LINUX) < 0)
        return Error::from_errno("personality " + linux_config.personality);
    return {};
}

/// Every step of the init up to execve; returns only with an error.
Error run_init(InitPlan& plan)
{
    auto steps = [&]() -> ErrorOr {
        TRY(kernel::close_fds_except(inherited_fds(plan)));
        TRY(wait_for_go(plan.sync_fd));
        if (plan.new_user_namespace) {
            // The maps are written: become the namespace's root (uid 0 is
            // whatever the spec mapped it to) so the rootfs steps run privileged.
            TRY_CTX(kernel::setresgid(0), "user namespace");
            TRY_CTX(kernel::setresuid(0), "user namespace");
        }
        TRY(join_namespaces(plan));
        ::umask(0);
        TRY(write_oom_score_adj(plan.spec->process));
        TRY_CTX(apply_rlimits(plan.rlimits), "rlimits");
        TRY(setup_rootfs(plan));
        TRY(set_personality(plan.spec->linux_config));
        return exec_process(plan);
    };
    auto result = steps();
    assert(!result);
    return std::move(result).error();
}

/// Resolves root.path and checks that it is a directory.
Result<std::string> resolve_rootfs(std::string const& path)
{
    char* resolved = ::realpath(path.c_str(), nullptr);
    if (!resolved)
        return Error::from_errno("rootfs " + path);
    std::string out(resolved);
    std::free(resolved);
    struct stat st = TRY(sys::stat(out));
    if (!S_ISDIR(st.st_mode))
        return Error { ENOTDIR, "rootfs " + path + ": not a directory" };
    return out;
}

/// Everything parsed, compiled and opened before clone.
Result<InitPlan> make_plan(Spec const& spec, Stdio const& stdio, StartOptions const& options)
{
    TRY(spec.validate());
    if (!spec.has_namespace(NamespaceType::Mount) || !spec.find_namespace(NamespaceType::Mount)->path.empty())
        return Error::msg("config.json: linux.namespaces: the container needs a new mount namespace");
    for (int fd : stdio.preserve) {
        if (fd < 3)
            return Error::msg("preserve fd " + std::to_string(fd) + ": only fds from 3 up can be passed on");
    }
    InitPlan plan;
    plan.spec = &spec;
    plan.stdio = stdio;
    plan.rootfs = TRY(resolve_rootfs(spec.root.path));
    plan.joins = TRY(open_namespaces(spec));
    if (spec.process.capabilities) {
        auto const& c = *spec.process.capabilities;
        plan.capabilities = TRY(capability_masks(CapabilitySets { c.bounding, c.effective, c.permitted, c.inheritable, c.ambient }));
    }
    if (options.seccomp)
        plan.seccomp = *options.seccomp;
    else if (!spec.linux_config.seccomp.is_null() && !options.seccomp_cache_dir.empty())
        plan.seccomp = TRY(seccomp_from_spec_cached(spec.linux_config.seccomp, options.seccomp_cache_dir));
    else if (!spec.linux_config.seccomp.is_null())
        plan.seccomp = TRY(seccomp_from_spec(spec.linux_config.seccomp));
    Json rlimits = Json::array();
    for (auto const& r : spec.process.rlimits)
        rlimits.push_back({ { "type", r.type }, { "hard", r.hard }, { "soft", r.soft } });
    plan.rlimits = TRY(parse_rlimits(rlimits));
    return plan;
}

/// Splits the namespaces between clone and, after joining a user namespace
/// by path, unshare in the init.
Result<unsigned long long> split_namespace_flags(Spec const& spec, InitPlan& plan)
{
    unsigned long long flags = new_namespace_flags(spec);
    auto const* user = spec.find_namespace(NamespaceType::User);
    if (!user || user->path.empty())
        return flags;
    if (flags & CLONE_NEWPID)
        return Error::msg("config.json: linux.namespaces: joining a user namespace by path together with a new pid namespace is not supported");
    plan.unshare_flags = flags;
    return 0ULL;
}

void reap(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) { }
}

/// Clones the container's init with `flags`; it drops `parent_end` and runs
/// container_init. A pid namespace joined by path is the one namespace a
/// process cannot enter itself: setns(CLONE_NEWPID) only places its future
/// children, and a rootless caller could not come back to the host's pid
/// namespace afterwards (that wants CAP_SYS_ADMIN over the host's user
/// namespace). So a short-lived middle process joins it and clones the init
/// as our child (CLONE_PARENT), as exec_in does; it reports the init's pid,
/// or -errno, on a pipe.
Result<pid_t> clone_init(Spec const& spec, unsigned long long flags, InitPlan& plan, UniqueFd& parent_end)
{
    auto const* pid_ns = spec.find_namespace(NamespaceType::Pid);
    if (!pid_ns || pid_ns->path.empty()) {
        pid_t pid = TRY(kernel::clone_process(flags));
        if (pid == 0) {
            parent_end.reset();
            container_init(plan);
        }
        return pid;
    }
    if (flags & CLONE_NEWUSER)
        return Error::msg("config.json: linux.namespaces: joining a pid namespace by path together with a new user namespace is not supported");
    UniqueFd target = TRY(sys::open(pid_ns->path, O_RDONLY | O_CLOEXEC));
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return Error::from_errno("pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    pid_t middle = TRY(kernel::clone_process(0));
    if (middle == 0) {
        parent_end.reset();
        read_end.reset();
        pid_t result = -EINVAL;
        if (::setns(target.get(), CLONE_NEWPID) < 0) {
            result = -errno;
        } else if (auto init = kernel::clone_sibling(flags); !init) {
            result = -init.error().code;
        } else if (*init == 0) {
            write_end.reset();
            container_init(plan);
        } else {
            result = *init;
        }
        while (::write(write_end.get(), &result, sizeof result) < 0 && errno == EINTR) { }
        ::_exit(0);
    }
    write_end.reset();
    pid_t result = 0;
    ssize_t n;
    do
        n = ::read(read_end.get(), &result, sizeof result);
    while (n < 0 && errno == EINTR);
    reap(middle);
    if (n != static_cast<ssize_t>(sizeof result))
        return Error::msg("clone the container process in pid namespace " + pid_ns->path + ": no answer");
    if (result < 0)
        return Error::from_errno("clone the container process in pid namespace " + pid_ns->path, -result);
    return result;
}

} // namespace

[[noreturn]] void container_init(InitPlan& plan) noexcept
{
    reset_signals();
    Error error = run_init(plan);
    send_error(plan.sync_fd, error);
    ::_exit(init_failure_status);
}

Result<pid_t> start(Spec const& spec, Stdio const& stdio, StartOptions const& options)
{
    if (spec.process.terminal && stdio.pty_slave < 0)
        return Error::msg("start: process.terminal needs Stdio::pty_slave (or start_process, which opens the pty in the container)");
    auto started = TRY(start_process(spec, stdio, options));
    return started.pid;
}

Result<StartedProcess> start_process(Spec const& spec, Stdio const& stdio, StartOptions const& options)
{
    InitPlan plan = TRY(make_plan(spec, stdio, options));
    unsigned long long flags = TRY(split_namespace_flags(spec, plan));
    plan.new_user_namespace = (flags & CLONE_NEWUSER) != 0;
    SyncPair sync = TRY(SyncPair::create());
    plan.sync_fd = sync.child.get();

    auto cloned = clone_init(spec, flags, plan, sync.parent);
    if (!cloned)
        return std::move(cloned).error().with_context("create the container process");
    pid_t pid = cloned.value();
    sync.child.reset();

    // From here a failure must not leave the init behind.
    ArmedScopeGuard kill_init([pid] {
        ::kill(pid, SIGKILL);
        reap(pid);
    });
    if (plan.new_user_namespace)
        TRY(write_id_mappings(pid, spec));
    TRY(cgroups::place(spec, pid));  // before "go": nothing runs outside the limits
    if (options.before_go)
        TRY(options.before_go(pid));  // e.g. the network, before the process can talk
    TRY(send_go(sync.parent.get()));
    StartedProcess started;
    auto result = receive_result(sync.parent.get(), &started.pty_master);
    if (!result)
        return std::move(result).error();
    kill_init.disarm();
    started.pid = pid;
    return started;
}

} // namespace berth::runtime
