// Result-returning wrappers around the raw syscalls berth uses, one per call
// (SerenityOS LibCore/System.h). Each failure names its syscall and path, so
// callers read TRY(sys::openat(...)) and the message is already useful.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

#include <map>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/types.h>

namespace berth::sys {

Result<UniqueFd> open(std::string const& path, int flags, mode_t mode = 0);
Result<UniqueFd> openat(int dirfd, std::string const& path, int flags, mode_t mode = 0);
/// openat2(2) with `resolve` flags (RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS...): the
/// one way berth opens a path that must not lead out of a root. O_CLOEXEC is
/// added; EINTR and EAGAIN (a rename raced with ".." resolution) are retried.
Result<UniqueFd> openat2(int dirfd, std::string const& path, int flags, unsigned long long resolve, mode_t mode = 0);
Result<struct stat> fstat(int fd);
Result<struct stat> stat(std::string const& path);
Result<struct stat> lstat(std::string const& path);
Result<struct stat> fstatat(int dirfd, std::string const& path, int flags);
ErrorOr mkdir(std::string const& path, mode_t mode);
ErrorOr mkdirat(int dirfd, std::string const& path, mode_t mode);
ErrorOr rename(std::string const& from, std::string const& to);
ErrorOr renameat(int olddirfd, std::string const& from, int newdirfd, std::string const& to);
ErrorOr unlink(std::string const& path);
ErrorOr fsync(int fd);
ErrorOr fchown(int fd, uid_t uid, gid_t gid);
ErrorOr write_all(int fd, void const* data, size_t size);
ErrorOr write_all(int fd, std::string_view data);
/// Reads at most `size` bytes, retrying on EINTR; returns how many were read (0 at EOF).
Result<size_t> read(int fd, void* data, size_t size);
/// Reads until EOF.
Result<std::string> read_all(int fd);
Result<std::string> readlink(std::string const& path);
/// A pipe whose two ends are close-on-exec.
struct Pipe {
    UniqueFd read_end, write_end;
};
Result<Pipe> pipe();
/// pidfd_open(2): an fd that polls readable once `pid` (a child or not) has
/// exited; invalid on a kernel without it (before 5.3).
UniqueFd pidfd_open(pid_t pid);
Result<std::string> getcwd();
/// The calling user's home directory ($HOME, else the passwd entry).
std::string home_dir();
/// This process's environment as NAME -> value (--env-host, -e NAME without a value).
std::map<std::string, std::string> environment();

/// sd_notify(3) without libsystemd: one datagram `message` to the unix socket
/// `socket_path` (a path, or "@name" in the abstract namespace), as systemd's
/// NOTIFY_SOCKET names it.
ErrorOr sd_notify(std::string const& socket_path, std::string_view message);

/// Where a helper executable of berth's own (berth-monitor, berth-init) lives:
/// $BERTH_HELPER_DIR/NAME, else NAME beside the running berth binary (the build
/// tree and a plain install), else the configured libexec directory. ENOENT
/// naming every place tried when none holds an executable NAME.
Result<std::string> helper_path(std::string const& name);

} // namespace berth::sys
