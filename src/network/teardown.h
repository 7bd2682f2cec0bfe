// The files a container's network helper (pasta or slirp4netns) leaves in the
// container's run directory, and its teardown. Header-only and plain C++
// without exceptions or libraries, because the small static berth-monitor
// (monitor/berth_monitor.cpp) includes it: the monitor stops the helper when
// the container exits, before the exit file says the container is gone, so
// that its published ports are free by then.
//
// The helper is the monitor's child with PR_SET_PDEATHSIG (helper.cpp): when
// the monitor is killed outright the kernel ends the helper too, so no path
// leaves one behind.
#pragma once

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

inline constexpr char const* helper_pid_file_name = "network.pid";  ///< the helper's pid, once it is ready
inline constexpr char const* helper_log_file_name = "network.log";  ///< the helper's own messages
inline constexpr char const* api_socket_name = "slirp4netns.sock";  ///< slirp4netns's API socket (port forwarding)
inline constexpr char const* namespace_file_suffix = "-ns";          ///< net-ns, user-ns: bind mounts for the helper to open

/// Ends the helper named by dir_fd/network.pid (SIGTERM, SIGKILL after 2 s)
/// and reaps it; nothing when there is none. Called by the helper's parent.
inline void stop_helper(int dir_fd)
{
    int fd = ::openat(dir_fd, helper_pid_file_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[32] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    ::unlinkat(dir_fd, helper_pid_file_name, 0);
    ::unlinkat(dir_fd, api_socket_name, 0);
    pid_t pid = n > 0 ? static_cast<pid_t>(std::strtol(buf, nullptr, 10)) : 0;
    if (pid <= 0)
        return;
    // A pidfd says when it has exited without polling every few ms; a kernel
    // without pidfd_open (before 5.3) gets the loop.
    int exited = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (::kill(pid, SIGTERM) != 0) {
        if (exited >= 0)
            ::close(exited);
        return;
    }
    if (exited >= 0) {
        struct pollfd p = { exited, POLLIN, 0 };
        int n;
        do
            n = ::poll(&p, 1, 2000);  // 2 s, then SIGKILL
        while (n < 0 && errno == EINTR);
        ::close(exited);
        if (n > 0) {
            ::waitpid(pid, nullptr, 0);
            return;
        }
    } else {
        for (int i = 0; i < 200; ++i) {  // 2 s, then SIGKILL
            if (::waitpid(pid, nullptr, WNOHANG) != 0)
                return;
            ::usleep(10000);
        }
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

} // namespace berth::network
