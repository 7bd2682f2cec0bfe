// The last part of the container init: from a finished rootfs to execve.
//
//   [every fd but stdio, preserved fds and the sync socket closed, in the
//   caller of exec_process] setsid, stdio (or the pty as controlling
//   terminal) -> workdir check ->
//   [seccomp, when no_new_privs is off] -> PR_SET_KEEPCAPS, groups, gid, uid ->
//   capabilities -> no_new_privs -> umask, workdir (openat2 inside the
//   root, fchdir, getcwd check) -> PATH lookup ->
//   every other fd close-on-exec -> [seccomp] -> execve
//
// Where seccomp goes is the subtle part. The kernel loads a filter only with
// no_new_privs set or with CAP_SYS_ADMIN effective. With no_new_privs it is the
// very last step, so the filter never sees the init's own syscalls. Without it
// (Podman's default) the filter must go in while CAP_SYS_ADMIN is still held,
// before the uid change and the capability drop, as crun does; the remaining
// steps (setgroups, setresuid, capset, prctl, close_range, execve) are all
// allowed by Podman's default profile.
#include "runtime/init.h"

#include "base/sys.h"
#include "runtime/kernel.h"

#include <fcntl.h>
#include <climits>
#include <cstring>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

/// fds 0, 1, 2 from the spec's stdio or the pty slave; -1 becomes /dev/null.
ErrorOr setup_stdio(Stdio const& stdio, bool terminal)
{
    bool use_pty = terminal && stdio.pty_slave >= 0;
    int sources[3] = { stdio.in, stdio.out, stdio.err };
    if (use_pty)
        sources[0] = sources[1] = sources[2] = stdio.pty_slave;
    // Copy every source above 2 first, so that dup2 into 0..2 cannot clobber a
    // source that is itself 0..2, and so dup2 always clears close-on-exec.
    UniqueFd copies[3];
    for (int i = 0; i < 3; ++i) {
        if (sources[i] < 0) {
            int null_fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
            if (null_fd < 0)
                return Error::from_errno("open /dev/null for stdio");
            copies[i] = UniqueFd(null_fd);
            continue;
        }
        copies[i] = UniqueFd(TRY(kernel::dup_above(sources[i], 3)));
    }
    for (int i = 0; i < 3; ++i)
        TRY(kernel::dup2(copies[i].get(), i));
    if (use_pty && ::ioctl(0, TIOCSCTTY, 0) < 0)
        return Error::from_errno("make the pty the controlling terminal");
    return {};
}

/// Opens the workdir inside the container. "/" is the container's root by
/// now (after pivot_root, or after setns into its mount namespace), and
/// RESOLVE_IN_ROOT keeps every "..", relative and absolute symlink inside it.
/// RESOLVE_NO_MAGICLINKS refuses /proc/<pid>/fd/N, /proc/<pid>/cwd and the
/// like: they lead to whatever the kernel object is, a directory on the host
/// included (runc's CVE-2024-21626).
Result<UniqueFd> open_workdir(std::string const& cwd)
{
    UniqueFd root = TRY(sys::openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0));
    auto dir = sys::openat2(root.get(), cwd, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!dir) {
        int code = dir.error().code;
        if (code == ENOENT || code == ENOTDIR)
            return Error { code, "workdir \"" + cwd + "\" does not exist in the container: " + std::strerror(code) };
        if (code == ELOOP || code == EXDEV)
            return Error { code, "workdir \"" + cwd + "\" leads out of the container (a /proc fd or cwd link, or a symlink loop): refused" };
        return Error::from_errno("workdir \"" + cwd + "\"", code);
    }
    struct stat st {};
    if (::fstat(dir.value().get(), &st) < 0)
        return Error::from_errno("workdir \"" + cwd + "\"");
    if (!S_ISDIR(st.st_mode))
        return Error { ENOTDIR, "workdir \"" + cwd + "\" is not a directory" };
    return std::move(dir).value();
}

/// Enters the workdir as the process's own user (so that its permissions
/// apply, as with chdir), then checks that the result is inside the root.
ErrorOr enter_workdir(std::string const& cwd)
{
    UniqueFd dir = TRY(open_workdir(cwd));
    if (::fchdir(dir.get()) < 0)
        return Error::from_errno("workdir \"" + cwd + "\"");
    // A cwd outside the root reads "(unreachable)/..." or fails: never start there.
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
        return Error { EPERM, "workdir \"" + cwd + "\" is outside the container: refused" };
    return {};
}

ErrorOr switch_user(User const& user, bool keep_capabilities)
{
    if (keep_capabilities)
        TRY(prepare_capabilities_for_setuid());
    std::vector<gid_t> groups(user.additional_gids.begin(), user.additional_gids.end());
    auto set = kernel::setgroups(groups.size(), groups.data());
    // In a user namespace whose setgroups is "deny" (a single-id mapping),
    // clearing the groups is refused; with none requested that is fine.
    if (!set && !(set.error().code == EPERM && groups.empty()))
        return std::move(set).error();
    TRY(kernel::setresgid(user.gid));
    TRY(kernel::setresuid(user.uid));
    return {};
}

/// Everything but 0, 1, 2 and the preserved fds is closed by execve. The
/// sync socket is already close-on-exec: its closing tells the parent that
/// execve succeeded.
ErrorOr close_other_fds(std::vector<int> const& preserve)
{
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
        // Before Linux 5.11: mark each fd up to the limit.
        long max = ::sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < max; ++fd)
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    for (int fd : preserve)
        TRY_CTX(kernel::set_cloexec(fd, false), "preserve fd " + std::to_string(fd));
    return {};
}

Error exec_error(std::string const& path, int code)
{
    if (code == ENOENT || code == ENOTDIR)
        return Error { code, "executable file \"" + path + "\" not found: " + std::strerror(code), ErrorKind::NotFound };
    if (code == EACCES || code == EPERM || code == ENOEXEC || code == EISDIR || code == ETXTBSY)
        return Error { code, "executable file \"" + path + "\" cannot be run: " + std::strerror(code), ErrorKind::CannotInvoke };
    return Error::from_errno("exec " + path, code);
}

std::vector<char*> c_strings(std::vector<std::string> const& strings)
{
    std::vector<char*> out;
    for (auto const& s : strings)
        out.push_back(const_cast<char*>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

} // namespace

std::vector<int> inherited_fds(InitPlan const& plan)
{
    std::vector<int> keep { plan.stdio.in, plan.stdio.out, plan.stdio.err, plan.stdio.pty_slave, plan.sync_fd };
    keep.insert(keep.end(), plan.stdio.preserve.begin(), plan.stdio.preserve.end());
    for (auto const& join : plan.joins)
        keep.push_back(join.fd.get());
    return keep;
}

Result<std::string> find_executable(std::string const& name, std::vector<std::string> const& env)
{
    if (name.find('/') != std::string::npos)
        return name;
    std::string path = std::string(default_path_env).substr(5);
    for (auto const& entry : env) {
        if (entry.starts_with("PATH="))
            path = entry.substr(5);
    }
    bool denied = false;
    size_t i = 0;
    while (!name.empty() && i <= path.size()) {
        size_t j = path.find(':', i);
        if (j == std::string::npos)
            j = path.size();
        std::string dir = j > i ? path.substr(i, j - i) : ".";
        i = j + 1;
        std::string candidate = dir + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) < 0 || !S_ISREG(st.st_mode))
            continue;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        denied = true;
    }
    if (denied)
        return Error { EACCES, "executable file \"" + name + "\" found in $PATH cannot be run: Permission denied", ErrorKind::CannotInvoke };
    return Error { ENOENT, "executable file \"" + name + "\" not found in $PATH: No such file or directory", ErrorKind::NotFound };
}

Error exec_process(InitPlan const& plan)
{
    auto run = [&]() -> ErrorOr {
        Process const& process = plan.spec->process;
        // Session and stdio.
        if (::setsid() < 0)
            return Error::from_errno("setsid");
        TRY(setup_stdio(plan.stdio, process.terminal));
        TRY(open_workdir(process.cwd));  // as root: a clear error before anything else
        // Seccomp early while CAP_SYS_ADMIN is effective, when no_new_privs will not be set.
        bool seccomp_last = process.no_new_privileges;
        if (!seccomp_last)
            TRY_CTX(install_seccomp(plan.seccomp), "seccomp");
        // User, capabilities, no_new_privs.
        TRY(switch_user(process.user, plan.capabilities.has_value()));
        if (plan.capabilities)
            TRY_CTX(apply_capabilities(*plan.capabilities), "capabilities");
        if (process.no_new_privileges)
            TRY(kernel::prctl(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs"));
        ::umask(process.user.umask.value_or(022));
        TRY(enter_workdir(process.cwd));
        // The executable, then the point of no return.
        std::string path = TRY(find_executable(process.args[0], process.env));
        auto argv = c_strings(process.args);
        auto envp = c_strings(process.env);
        TRY(close_other_fds(plan.stdio.preserve));
        if (seccomp_last)
            TRY_CTX(install_seccomp(plan.seccomp), "seccomp");
        ::execve(path.c_str(), argv.data(), envp.data());
        return exec_error(path, errno);
    };
    auto result = run();
    assert(!result);
    return std::move(result).error();
}

} // namespace berth::runtime
