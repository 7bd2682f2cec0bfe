// Result-returning syscall wrappers. Every call retries EINTR where that is the
// right thing (read/write) and reports "syscall PATH: strerror" otherwise.
#include "base/sys.h"

#include "berth_config.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace berth::sys {

Result<UniqueFd> open(std::string const& path, int flags, mode_t mode)
{
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0)
        return Error::from_errno("open " + path);
    return UniqueFd(fd);
}

Result<UniqueFd> openat(int dirfd, std::string const& path, int flags, mode_t mode)
{
    int fd = ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0)
        return Error::from_errno("open " + path);
    return UniqueFd(fd);
}

Result<UniqueFd> openat2(int dirfd, std::string const& path, int flags, unsigned long long resolve, mode_t mode)
{
    open_how how {};
    how.flags = static_cast<unsigned long long>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = resolve;
    long fd;
    do {
        fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
    } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
    if (fd < 0)
        return Error::from_errno("open " + path);
    return UniqueFd(static_cast<int>(fd));
}

Result<struct stat> fstat(int fd)
{
    struct stat st {};
    if (::fstat(fd, &st) < 0)
        return Error::from_errno("fstat");
    return st;
}

Result<struct stat> stat(std::string const& path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) < 0)
        return Error::from_errno("stat " + path);
    return st;
}

Result<struct stat> lstat(std::string const& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0)
        return Error::from_errno("lstat " + path);
    return st;
}

Result<struct stat> fstatat(int dirfd, std::string const& path, int flags)
{
    struct stat st {};
    if (::fstatat(dirfd, path.c_str(), &st, flags) < 0)
        return Error::from_errno("stat " + path);
    return st;
}

ErrorOr mkdir(std::string const& path, mode_t mode)
{
    if (::mkdir(path.c_str(), mode) < 0)
        return Error::from_errno("mkdir " + path);
    return {};
}

ErrorOr mkdirat(int dirfd, std::string const& path, mode_t mode)
{
    if (::mkdirat(dirfd, path.c_str(), mode) < 0)
        return Error::from_errno("mkdir " + path);
    return {};
}

ErrorOr rename(std::string const& from, std::string const& to)
{
    if (::rename(from.c_str(), to.c_str()) < 0)
        return Error::from_errno("rename " + from + " to " + to);
    return {};
}

ErrorOr renameat(int olddirfd, std::string const& from, int newdirfd, std::string const& to)
{
    if (::renameat(olddirfd, from.c_str(), newdirfd, to.c_str()) < 0)
        return Error::from_errno("rename " + from + " to " + to);
    return {};
}

ErrorOr unlink(std::string const& path)
{
    if (::unlink(path.c_str()) < 0)
        return Error::from_errno("unlink " + path);
    return {};
}

ErrorOr fsync(int fd)
{
    if (::fsync(fd) < 0)
        return Error::from_errno("fsync");
    return {};
}

ErrorOr fchown(int fd, uid_t uid, gid_t gid)
{
    if (::fchown(fd, uid, gid) < 0)
        return Error::from_errno("fchown");
    return {};
}

ErrorOr write_all(int fd, void const* data, size_t size)
{
    auto const* p = static_cast<char const*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::from_errno("write");
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
    return {};
}

ErrorOr write_all(int fd, std::string_view data) { return write_all(fd, data.data(), data.size()); }

Result<size_t> read(int fd, void* data, size_t size)
{
    for (;;) {
        ssize_t n = ::read(fd, data, size);
        if (n >= 0)
            return static_cast<size_t>(n);
        if (errno != EINTR)
            return Error::from_errno("read");
    }
}

Result<std::string> read_all(int fd)
{
    std::string out;
    char buf[65536];
    for (;;) {
        size_t n = TRY(read(fd, buf, sizeof buf));
        if (n == 0)
            return out;
        out.append(buf, n);
    }
}

UniqueFd pidfd_open(pid_t pid)
{
    return UniqueFd { static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) };
}

Result<Pipe> pipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return Error::from_errno("pipe2");
    return Pipe { UniqueFd(fds[0]), UniqueFd(fds[1]) };
}

Result<std::string> readlink(std::string const& path)
{
    std::vector<char> buf(4096);
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0)
        return Error::from_errno("readlink " + path);
    return std::string(buf.data(), static_cast<size_t>(n));
}

Result<std::string> getcwd()
{
    char buf[4096];
    if (!::getcwd(buf, sizeof buf))
        return Error::from_errno("getcwd");
    return std::string(buf);
}

std::map<std::string, std::string> environment()
{
    std::map<std::string, std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string entry = *e;
        auto eq = entry.find('=');
        if (eq != std::string::npos)
            env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return env;
}

std::string home_dir()
{
    if (char const* home = std::getenv("HOME"); home && *home)
        return home;
    if (struct passwd* pw = ::getpwuid(::getuid()))
        return pw->pw_dir;
    return "/";
}

Result<std::string> helper_path(std::string const& name)
{
    std::vector<std::string> dirs;
    if (char const* dir = std::getenv("BERTH_HELPER_DIR"); dir && *dir)
        dirs.emplace_back(dir);
    if (auto self = readlink("/proc/self/exe")) {
        auto slash = self->rfind('/');
        if (slash != std::string::npos)
            dirs.push_back(self->substr(0, slash));
    }
    dirs.emplace_back(BERTH_LIBEXECDIR);
    std::string tried;
    for (auto const& dir : dirs) {
        std::string path = dir + "/" + name;
        if (::access(path.c_str(), X_OK) == 0)
            return path;
        tried += (tried.empty() ? "" : ", ") + path;
    }
    return Error { ENOENT, "helper " + name + " not found (tried " + tried + "): reinstall berth or set BERTH_HELPER_DIR" };
}

ErrorOr sd_notify(std::string const& socket_path, std::string_view message)
{
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    if (socket_path.empty() || socket_path.size() >= sizeof addr.sun_path || (socket_path[0] != '/' && socket_path[0] != '@'))
        return Error { EINVAL, "NOTIFY_SOCKET \"" + socket_path + "\" is not a unix socket path" };
    std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
    if (socket_path[0] == '@')
        addr.sun_path[0] = '\0';  // the abstract namespace
    socklen_t len = static_cast<socklen_t>(offsetof(struct sockaddr_un, sun_path) + socket_path.size());
    UniqueFd fd { ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0) };
    if (!fd.valid())
        return Error::from_errno("socket");
    if (::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<struct sockaddr*>(&addr), len) < 0)
        return Error::from_errno("notify " + socket_path);
    return {};
}

} // namespace berth::sys
