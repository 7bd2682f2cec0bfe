// Result-returning wrappers for the syscalls only the runtime needs (clone3,
// setns, mount and the new mount API, pivot_root, openat2, mknodat, ...), one
// per call, in the style of base/sys.h. Each error names the syscall and the
// path, so the container init's TRY chain produces messages like
// "mount /dev/pts: Invalid argument" without further work.
//
// Everything here may run in the container init between clone and execve: the
// wrappers do not throw, and allocate only to build error messages.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::runtime::kernel {

/// "/proc/self/fd/N": a path that names exactly the object `fd` refers to. The
/// mount syscalls follow it as a magic link, which is how the runtime mounts
/// onto a target it resolved safely inside the rootfs.
std::string fd_path(int fd);

/// clone3 (falling back to clone where clone3 is refused with ENOSYS, as under
/// some seccomp profiles) with `flags` and SIGCHLD; like fork, the child
/// continues on a copy of the stack and gets 0.
Result<pid_t> clone_process(unsigned long long flags);
/// The same with CLONE_PARENT: the child is our parent's child and inherits
/// our exit signal (clone3 wants none given). The kernel refuses CLONE_PARENT
/// together with CLONE_NEWUSER or CLONE_NEWPID (EINVAL).
Result<pid_t> clone_sibling(unsigned long long flags);
ErrorOr setns(int fd, int nstype, std::string const& what);
ErrorOr mount(char const* source, std::string const& target, char const* fstype, unsigned long flags, char const* data,
    std::string const& what);
ErrorOr umount2(std::string const& target, int flags);
ErrorOr pivot_root(char const* new_root, char const* put_old);
/// mount_setattr(2) on `fd` itself (AT_EMPTY_PATH), recursively when asked.
ErrorOr mount_setattr(int fd, bool recursive, unsigned long long attr_set, unsigned long long attr_clr,
    std::string const& what);
ErrorOr mknodat(int dirfd, std::string const& name, mode_t mode, dev_t dev);
ErrorOr mkdirat(int dirfd, std::string const& name, mode_t mode);
ErrorOr symlinkat(std::string const& target, int dirfd, std::string const& name);
Result<std::string> readlinkat(int dirfd, std::string const& name);
ErrorOr fchownat(int dirfd, std::string const& name, uid_t uid, gid_t gid, int flags);
ErrorOr fchmodat(int dirfd, std::string const& name, mode_t mode);
ErrorOr sethostname(std::string const& name);
/// Brings the loopback interface of this network namespace up (a new one has it down), as runc does.
ErrorOr loopback_up();
ErrorOr chdir(std::string const& path);
ErrorOr setresuid(uid_t uid);
ErrorOr setresgid(gid_t gid);
ErrorOr setgroups(size_t count, gid_t const* groups);
ErrorOr dup2(int from, int to);
/// fcntl(F_DUPFD_CLOEXEC) at or above `min`.
Result<int> dup_above(int fd, int min);
ErrorOr set_cloexec(int fd, bool on);
/// Closes every fd from 3 up that is not in `keep` (any order; entries below
/// 3 are ignored). A process about to become or join a container calls it
/// first, so that no descriptor of the caller's (a directory on the host, the
/// store's database) is reachable from inside through /proc/self/fd while the
/// process is set up: the class of runc's CVE-2024-21626.
ErrorOr close_fds_except(std::vector<int> keep);
ErrorOr prctl(int option, unsigned long arg2, std::string const& what);
/// Writes all of `data` to an existing file (O_WRONLY|O_TRUNC), as for
/// /proc/<pid>/uid_map or /proc/sys/...: one write() call, as those files need.
ErrorOr write_file(std::string const& path, std::string const& data);

} // namespace berth::runtime::kernel
