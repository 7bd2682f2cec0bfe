// The runtime's raw syscalls as Result wrappers. glibc 2.36 lacks wrappers for
// clone3 and openat2, so those go through syscall(2); the rest are thin.
#include "runtime/kernel.h"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <cstring>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace berth::runtime::kernel {

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<pid_t> clone_process(unsigned long long flags)
{
    clone_args args {};
    args.flags = flags;
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS) {
        // The legacy clone takes the exit signal in the low byte of flags; a
        // null stack means "share the copy of the caller's", as fork does.
        pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags) | SIGCHLD, nullptr, nullptr, nullptr, 0);
    }
    if (pid < 0)
        return Error::from_errno("clone");
    return static_cast<pid_t>(pid);
}

Result<pid_t> clone_sibling(unsigned long long flags)
{
    clone_args args {};
    args.flags = flags | CLONE_PARENT;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0 && errno == ENOSYS)
        pid = ::syscall(SYS_clone, static_cast<unsigned long>(flags | CLONE_PARENT), nullptr, nullptr, nullptr, 0);
    if (pid < 0)
        return Error::from_errno("clone");
    return static_cast<pid_t>(pid);
}

ErrorOr setns(int fd, int nstype, std::string const& what)
{
    if (::setns(fd, nstype) < 0)
        return Error::from_errno("setns " + what);
    return {};
}

ErrorOr mount(char const* source, std::string const& target, char const* fstype, unsigned long flags, char const* data,
    std::string const& what)
{
    if (::mount(source, target.c_str(), fstype, flags, data) < 0)
        return Error::from_errno("mount " + what);
    return {};
}

ErrorOr umount2(std::string const& target, int flags)
{
    if (::umount2(target.c_str(), flags) < 0)
        return Error::from_errno("umount " + target);
    return {};
}

ErrorOr pivot_root(char const* new_root, char const* put_old)
{
    if (::syscall(SYS_pivot_root, new_root, put_old) < 0)
        return Error::from_errno("pivot_root");
    return {};
}

ErrorOr mount_setattr(int fd, bool recursive, unsigned long long attr_set, unsigned long long attr_clr,
    std::string const& what)
{
    struct mount_attr attr {};
    attr.attr_set = attr_set;
    attr.attr_clr = attr_clr;
    unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
    if (::syscall(SYS_mount_setattr, fd, "", flags, &attr, sizeof attr) < 0)
        return Error::from_errno("mount_setattr " + what);
    return {};
}

ErrorOr mknodat(int dirfd, std::string const& name, mode_t mode, dev_t dev)
{
    if (::mknodat(dirfd, name.c_str(), mode, dev) < 0)
        return Error::from_errno("mknod " + name);
    return {};
}

ErrorOr mkdirat(int dirfd, std::string const& name, mode_t mode)
{
    if (::mkdirat(dirfd, name.c_str(), mode) < 0)
        return Error::from_errno("mkdir " + name);
    return {};
}

ErrorOr symlinkat(std::string const& target, int dirfd, std::string const& name)
{
    if (::symlinkat(target.c_str(), dirfd, name.c_str()) < 0)
        return Error::from_errno("symlink " + name);
    return {};
}

Result<std::string> readlinkat(int dirfd, std::string const& name)
{
    char buf[4096];
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    if (n < 0)
        return Error::from_errno("readlink " + name);
    if (static_cast<size_t>(n) == sizeof buf)
        return Error::from_errno("readlink " + name, ENAMETOOLONG);
    return std::string(buf, static_cast<size_t>(n));
}

ErrorOr fchownat(int dirfd, std::string const& name, uid_t uid, gid_t gid, int flags)
{
    if (::fchownat(dirfd, name.c_str(), uid, gid, flags) < 0)
        return Error::from_errno("chown " + name);
    return {};
}

ErrorOr fchmodat(int dirfd, std::string const& name, mode_t mode)
{
    if (::fchmodat(dirfd, name.c_str(), mode, 0) < 0)
        return Error::from_errno("chmod " + name);
    return {};
}

ErrorOr sethostname(std::string const& name)
{
    if (::sethostname(name.data(), name.size()) < 0)
        return Error::from_errno("sethostname " + name);
    return {};
}

ErrorOr loopback_up()
{
    UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock.valid())
        return Error::from_errno("socket for lo");
    struct ifreq ifr {};
    std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) < 0)
        return Error::from_errno("read the flags of lo");
    if (ifr.ifr_flags & IFF_UP)
        return {};  // pasta (or slirp4netns) was first
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (::ioctl(sock.get(), SIOCSIFFLAGS, &ifr) < 0)
        return Error::from_errno("bring lo up");
    return {};
}

ErrorOr chdir(std::string const& path)
{
    if (::chdir(path.c_str()) < 0)
        return Error::from_errno("chdir " + path);
    return {};
}

ErrorOr setresuid(uid_t uid)
{
    if (::setresuid(uid, uid, uid) < 0)
        return Error::from_errno("setresuid " + std::to_string(uid));
    return {};
}

ErrorOr setresgid(gid_t gid)
{
    if (::setresgid(gid, gid, gid) < 0)
        return Error::from_errno("setresgid " + std::to_string(gid));
    return {};
}

ErrorOr setgroups(size_t count, gid_t const* groups)
{
    if (::setgroups(count, groups) < 0)
        return Error::from_errno("setgroups");
    return {};
}

ErrorOr dup2(int from, int to)
{
    int rc;
    do {
        rc = ::dup2(from, to);
    } while (rc < 0 && errno == EBUSY);
    if (rc < 0)
        return Error::from_errno("dup2 " + std::to_string(from) + " to " + std::to_string(to));
    return {};
}

Result<int> dup_above(int fd, int min)
{
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, min);
    if (copy < 0)
        return Error::from_errno("dup fd " + std::to_string(fd));
    return copy;
}

ErrorOr set_cloexec(int fd, bool on)
{
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0)
        return Error::from_errno("fcntl fd " + std::to_string(fd));
    flags = on ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
    if (::fcntl(fd, F_SETFD, flags) < 0)
        return Error::from_errno("fcntl fd " + std::to_string(fd));
    return {};
}

ErrorOr close_fds_except(std::vector<int> keep)
{
    std::sort(keep.begin(), keep.end());
    unsigned first = 3;  // the lowest fd not yet known to be closed or kept
    auto close_up_to = [&](unsigned last) -> ErrorOr {
        if (first > last)
            return {};
        if (::close_range(first, last, 0) == 0)
            return {};
        if (errno != ENOSYS)
            return Error::from_errno("close inherited fds");
        // Before Linux 5.9: one at a time, up to the limit.
        long max = ::sysconf(_SC_OPEN_MAX);
        for (long fd = first; fd <= static_cast<long>(last) && fd < max; ++fd)
            ::close(static_cast<int>(fd));
        return {};
    };
    for (int fd : keep) {
        if (fd < static_cast<int>(first))
            continue;
        TRY(close_up_to(static_cast<unsigned>(fd) - 1));
        first = static_cast<unsigned>(fd) + 1;
    }
    return close_up_to(~0U);
}

ErrorOr prctl(int option, unsigned long arg2, std::string const& what)
{
    if (::prctl(option, arg2, 0UL, 0UL, 0UL) < 0)
        return Error::from_errno("prctl " + what);
    return {};
}

ErrorOr write_file(std::string const& path, std::string const& data)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return Error::from_errno("open " + path);
    ssize_t n = ::write(fd, data.data(), data.size());
    int saved = errno;
    ::close(fd);
    if (n < 0)
        return Error::from_errno("write " + path, saved);
    if (static_cast<size_t>(n) != data.size())
        return Error::from_errno("write " + path, EIO);
    return {};
}

} // namespace berth::runtime::kernel
