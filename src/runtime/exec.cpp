// exec_in(): a process started inside a running container.
//
// berth (exec_in)                               berth-launch --exec (exec_helper_main)
//   pidfd_open(init), namespaces to join;
//   the request (JSON, and the seccomp filter
//   compiled or from the cache) in a memfd; socketpair
//   a thread: setns(init's pid ns) for its
//   children only, posix_spawn ────────────────► born in the container's pid namespace;
//   (the thread ends; berth's own pid ns            closes every fd but stdio, --preserve-fds,
//    and its children's are untouched)              the sync socket and the pidfd;
//                                                   setns(pidfd, user|mnt|net|ipc|uts|cgroup);
//                                                   seccomp, caps, rlimits; [-t: pty from the
//                                                   container's /dev/pts, master sent back]
//                                                   exec_process(): stdio, user, caps,
//                                                   no_new_privs, cwd, seccomp, execve
//   recv: EOF = exec'd ◄───────────────────────────  or {errno, kind, message}
//
// The pid namespace is the hard part: setns(CLONE_NEWPID) moves only the
// children the caller creates afterwards, and berth cannot move its own
// children back (rootless, the host's pid namespace belongs to the initial
// user namespace, where berth has no CAP_SYS_ADMIN). So a thread of berth's,
// whose pid_for_children is its own, joins it and spawns the helper, and
// ends: berth's later children (a healthcheck's restart) stay in its pid
// namespace. The process is then berth's child, with no middle process and
// no fork of berth (its SQLite connection and heap stay in berth alone).
// After setns(CLONE_NEWNS) root and cwd are the root of the container's mount
// namespace (its rootfs after pivot_root), so every path from then on
// resolves inside the container. What could still lead out is a descriptor
// of berth's (an fd on a host directory, reached as the workdir
// /proc/self/fd/N: runc's CVE-2024-21626), so the helper closes them all
// before it joins, and the workdir is opened inside the root without magic
// links.
#include "runtime/exec.h"

#include "base/child_process.h"
#include "base/json.h"
#include "base/sys.h"
#include "runtime/init.h"
#include "runtime/kernel.h"
#include "runtime/sync.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sched.h>
#include <optional>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
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

/// The final process: limits, terminal, then exec_process(). Never returns.
[[noreturn]] void exec_final(InitPlan& plan) noexcept
{
    auto steps = [&]() -> ErrorOr {
        TRY_CTX(apply_rlimits(plan.rlimits), "rlimits");
        if (plan.spec->process.terminal) {
            auto slave = TRY(open_exec_terminal(plan.sync_fd, plan.spec->process.user.uid));
            plan.stdio.pty_slave = slave.release();
        }
        return exec_process(plan);
    };
    auto result = steps();
    send_error(plan.sync_fd, result ? Error::msg("exec: unexpected return") : std::move(result).error());
    ::_exit(127);
}

/// The request as the helper reads it (its fds are the helper's command
/// line): JSON, then a NUL, then the seccomp program's instructions. Of the
/// spec the helper gets only the process (and root, which a spec needs):
/// parsing the container's whole config.json again, its seccomp profile
/// above all, was half of the helper's time.
std::string request_text(ExecRequest const& request, unsigned flags, SeccompProfile const& seccomp)
{
    Spec process_only;
    process_only.process = request.spec->process;
    process_only.root = request.spec->root;
    Json doc { { "spec", process_only.to_json() }, { "init_pid", request.init_pid }, { "namespaces", flags },
        { "in", request.stdio.in }, { "out", request.stdio.out }, { "err", request.stdio.err },
        { "preserve", request.stdio.preserve }, { "seccomp_flags", seccomp.flags } };
    std::string text = json::dump(doc);
    text += '\0';  // never in dumped JSON, which escapes control characters
    text.append(reinterpret_cast<char const*>(seccomp.program.data()), seccomp.program.size() * sizeof(sock_filter));
    return text;
}

/// The seccomp program request_text() appended after the NUL.
Result<SeccompProfile> seccomp_from_request(std::string_view program, unsigned flags)
{
    if (program.size() % sizeof(sock_filter) != 0)
        return Error::msg("exec config: a seccomp program of " + std::to_string(program.size()) + " bytes");
    SeccompProfile profile;
    profile.flags = flags;
    profile.program.resize(program.size() / sizeof(sock_filter));
    std::memcpy(profile.program.data(), program.data(), program.size());
    return profile;
}

/// The container's seccomp filter, compiled (or from the cache); empty without one.
Result<SeccompProfile> exec_seccomp(ExecRequest const& request)
{
    Json const& seccomp = request.spec->linux_config.seccomp;
    if (seccomp.is_null())
        return SeccompProfile {};
    if (request.seccomp_cache_dir.empty())
        return seccomp_from_spec(seccomp);
    return seccomp_from_spec_cached(seccomp, request.seccomp_cache_dir);
}

/// An unnamed in-memory file holding `text`, at offset 0.
Result<UniqueFd> memory_file(char const* name, std::string const& text)
{
    UniqueFd fd(::memfd_create(name, MFD_CLOEXEC));
    if (!fd.valid())
        return Error::from_errno("memfd_create");
    TRY(sys::write_all(fd.get(), text));
    if (::lseek(fd.get(), 0, SEEK_SET) != 0)
        return Error::from_errno("lseek");
    return fd;
}

/// Spawns from a thread that joined `pid_ns` (an fd on a pid namespace)
/// for its children alone; -1: from this thread, in our own.
Result<ChildProcess> spawn_in_pid_namespace(int pid_ns, SpawnOptions const& options)
{
    if (pid_ns < 0)
        return ChildProcess::spawn(options);
    std::optional<Result<ChildProcess>> out;
    std::thread thread([&] {
        if (::setns(pid_ns, CLONE_NEWPID) < 0)
            out.emplace(Error::from_errno("join the container's pid namespace"));
        else
            out.emplace(ChildProcess::spawn(options));
    });
    thread.join();
    return std::move(*out);
}

/// Resolves everything the process needs (in the helper, before it joins).
Result<InitPlan> make_exec_plan(ExecRequest const& request, SeccompProfile seccomp)
{
    Spec const& spec = *request.spec;
    InitPlan plan;
    plan.spec = &spec;
    plan.stdio = request.stdio;
    plan.stdio.pty_slave = -1;
    if (spec.process.capabilities) {
        auto const& c = *spec.process.capabilities;
        plan.capabilities = TRY(capability_masks(CapabilitySets { c.bounding, c.effective, c.permitted, c.inheritable, c.ambient }));
    }
    plan.seccomp = std::move(seccomp);
    Json rlimits = Json::array();
    for (auto const& r : spec.process.rlimits)
        rlimits.push_back({ { "type", r.type }, { "hard", r.hard }, { "soft", r.soft } });
    plan.rlimits = TRY(parse_rlimits(rlimits));
    return plan;
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
    if (request.spec->process.args.empty())
        return Error::msg("exec: no command given");
    for (int fd : request.stdio.preserve)
        if (fd < 3)
            return Error::msg("preserve fd " + std::to_string(fd) + ": only fds from 3 up can be passed on");
    UniqueFd pidfd = sys::pidfd_open(request.init_pid);
    if (!pidfd.valid() && errno == ESRCH)
        return Error { ESRCH, "the container's process " + std::to_string(request.init_pid) + " is gone" };
    unsigned flags = TRY(namespaces_to_join(request.init_pid));
    UniqueFd pid_ns;
    if (flags & CLONE_NEWPID)
        pid_ns = TRY_CTX(sys::open(ns_path(request.init_pid, "pid"), O_RDONLY | O_CLOEXEC), "the container's pid namespace");
    auto seccomp = TRY_CTX(exec_seccomp(request), "the container's seccomp filter");
    auto config = TRY_CTX(memory_file("berth-exec", request_text(request, flags & ~CLONE_NEWPID, seccomp)), "exec config");
    SyncPair sync = TRY(SyncPair::create());

    SpawnOptions so;
    so.argv = { request.helper, "--exec=" + std::to_string(config.get()), "--sync=" + std::to_string(sync.child.get()) };
    so.inherit = { config.get(), sync.child.get() };
    if (pidfd.valid()) {
        so.argv.push_back("--pidfd=" + std::to_string(pidfd.get()));
        so.inherit.push_back(pidfd.get());
    }
    for (int fd : { request.stdio.in, request.stdio.out, request.stdio.err })
        if (fd >= 3)
            so.inherit.push_back(fd);
    for (int fd : request.stdio.preserve)
        if (::fcntl(fd, F_GETFD) >= 0)
            so.inherit.push_back(fd);
    auto child = TRY(spawn_in_pid_namespace(pid_ns.get(), so));
    sync.child.reset();
    config.reset();
    ExecedProcess out;
    TRY(receive_result(sync.parent.get(), &out.pty_master));
    // Detached: not waited for; it is reparented when berth exits.
    out.pid = request.detach ? (child.release(), -1) : child.release();
    return out;
}

void exec_helper_main(int config_fd, int sync_fd, int pidfd) noexcept
{
    reset_signals();
    auto steps = [&]() -> ErrorOr {
        // berth wrote it (exec_in): value() with defaults, as a missing key is a bug, not an exception here.
        std::string text = TRY_CTX(sys::read_all(config_fd), "read the exec config");
        size_t nul = text.find('\0');
        if (nul == std::string::npos)
            return Error::msg("exec config: no end to its JSON");
        auto doc = TRY(json::parse(std::string_view(text).substr(0, nul), "exec config"));
        auto spec = TRY(Spec::parse(doc.value("spec", Json::object())));
        auto seccomp = TRY(seccomp_from_request(std::string_view(text).substr(nul + 1), doc.value("seccomp_flags", 0u)));
        ExecRequest request;
        request.spec = &spec;
        request.init_pid = doc.value("init_pid", 0);
        request.stdio.in = doc.value("in", -1);
        request.stdio.out = doc.value("out", -1);
        request.stdio.err = doc.value("err", -1);
        request.stdio.preserve = doc.value("preserve", std::vector<int> {});
        unsigned flags = doc.value("namespaces", 0u);
        ::close(config_fd);
        InitPlan plan = TRY(make_exec_plan(request, std::move(seccomp)));
        plan.sync_fd = sync_fd;
        // Nothing of berth's but what the process needs may enter the container.
        std::vector<int> keep = inherited_fds(plan);
        keep.push_back(pidfd);
        TRY(kernel::close_fds_except(std::move(keep)));
        TRY(join_container_namespaces(request.init_pid, pidfd, flags));
        if (pidfd >= 0)
            ::close(pidfd);
        // Spawned with close-on-exec cleared: the sync socket's EOF tells berth of the execve.
        ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
        exec_final(plan);
    };
    auto result = steps();
    send_error(sync_fd, result ? Error::msg("exec: unexpected return") : std::move(result).error());
    ::_exit(127);
}

} // namespace berth::runtime
