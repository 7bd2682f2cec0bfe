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
//
// A container on user-defined networks has no helper but netavark's setup
// (bridge.h); teardown_bridge runs `netavark teardown` as the teardown file
// that setup wrote says, then unmounts the container's network namespace.
#pragma once

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

inline constexpr char const* helper_pid_file_name = "network.pid";  ///< the helper's pid, once it is ready
inline constexpr char const* helper_log_file_name = "network.log";  ///< the helper's own messages
inline constexpr char const* helper_ports_file_name = "network.ports";  ///< there when the helpers publish ports: stop_helper awaits their exit
inline constexpr char const* api_socket_name = "slirp4netns.sock";  ///< slirp4netns's API socket (port forwarding)
inline constexpr char const* namespace_file_suffix = "-ns";          ///< net-ns, user-ns: bind mounts for the helper to open
inline constexpr char const* bridge_teardown_file_name = "netavark.teardown";  ///< lines: netns to enter (or empty), the container's netns, the lock, netavark's argv
inline constexpr char const* netavark_lock_name = "netavark.lock";  ///< one netavark at a time (its iptables chains race): bridge.h netavark_lock_file
inline constexpr char const* bridge_netns_file_name = "netavark-ns";           ///< the container's network namespace, bound until the teardown
inline constexpr char const* isolation_file_name = "netavark.isolation";  ///< lines: netns to enter (or empty), iptables, the isolated bridges (isolation.h)
inline constexpr char const* isolation_chain_1 = "BERTH-ISOLATION-1";    ///< isolation.h: from FORWARD, per bridge `-i BR ! -o BR` to chain 2
inline constexpr char const* isolation_chain_2 = "BERTH-ISOLATION-2";    ///< isolation.h: per bridge `-o BR -j DROP`

/// Waits for `pid`, sent SIGTERM (`exited`: its pidfd, or -1), for 2 s, then
/// sends SIGKILL; reaps it.
inline void await_helper(pid_t pid, int exited)
{
    // A pidfd says when it has exited without polling every few ms; a kernel
    // without pidfd_open (before 5.3) gets the loop.
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

/// Ends the helpers named by dir_fd/network.pid, one pid per line (slirp4netns
/// and berth's port proxy for it, or one helper); nothing when there is none.
/// Helpers that publish ports (dir_fd/network.ports) get SIGTERM and are
/// awaited (SIGKILL after 2 s) and reaped, so that their ports are free when
/// this returns. Helpers that publish none (pasta for outbound traffic alone)
/// get SIGKILL and are not awaited: nothing depends on their exit, which
/// takes pasta ~20 ms (its socket and pipe pools), and an attached `run`
/// waits for the monitor's. Whoever adopts them when the monitor exits reaps
/// them. Called by the helpers' parent.
inline void stop_helper(int dir_fd)
{
    bool held_ports = ::faccessat(dir_fd, helper_ports_file_name, F_OK, 0) == 0;
    ::unlinkat(dir_fd, helper_ports_file_name, 0);
    int fd = ::openat(dir_fd, helper_pid_file_name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[64] = {};
    ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    ::unlinkat(dir_fd, helper_pid_file_name, 0);
    ::unlinkat(dir_fd, api_socket_name, 0);
    constexpr int max_helpers = 4;
    pid_t pids[max_helpers] = {};
    int pidfds[max_helpers] = {};
    int count = 0;
    for (char* p = buf; n > 0 && *p && count < max_helpers;) {
        char* end = nullptr;
        long pid = std::strtol(p, &end, 10);
        if (end == p || pid <= 0)
            break;
        p = end;
        if (!held_ports) {
            ::kill(static_cast<pid_t>(pid), SIGKILL);
            continue;
        }
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
        if (::kill(static_cast<pid_t>(pid), SIGTERM) != 0) {
            if (pidfd >= 0)
                ::close(pidfd);
            continue;
        }
        pids[count] = static_cast<pid_t>(pid);
        pidfds[count++] = pidfd;
    }
    for (int i = 0; i < count; ++i)
        await_helper(pids[i], pidfds[i]);
}

/// In a forked child: joins the network namespace at `enter` ("" for none), or exits.
inline void enter_netns_or_exit(char const* enter)
{
    if (!*enter)
        return;
    int ns = ::open(enter, O_RDONLY | O_CLOEXEC);
    if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0)
        ::_exit(127);
    ::close(ns);
}

/// Appends /usr/sbin and /sbin to this process's PATH where it lacks them.
/// netavark runs iptables by name, and a Debian user's PATH has neither, so
/// without this a rootless user network fails to start ("netavark setup: No
/// such file or directory"). Called where netavark may run: berth-launch
/// (and so the monitor it becomes) and run_quietly's children.
inline void add_system_dirs_to_path()
{
    char const* current = std::getenv("PATH");
    bool changed = !current || !*current;
    // ":PATH:", so that each directory is found as ":DIR:".
    char path[4096];
    int n = std::snprintf(path, sizeof path, ":%s:", changed ? "/usr/local/bin:/usr/bin:/bin" : current);
    if (n < 0 || static_cast<size_t>(n) + sizeof "/usr/sbin:/sbin:" > sizeof path)
        return;  // a PATH that long is someone's deliberate choice
    char const* const dirs[] = { ":/usr/sbin:", ":/sbin:" };
    for (char const* dir : dirs) {
        if (!std::strstr(path, dir)) {
            std::strcat(path, dir + 1);  // path ends with ':'
            changed = true;
        }
    }
    if (!changed)
        return;
    path[std::strlen(path) - 1] = '\0';
    ::setenv("PATH", path + 1, 1);
}

/// Runs argv (null-terminated) with stdio on /dev/null and waits for it.
inline void run_quietly(char* const* argv)
{
    pid_t pid = ::fork();
    if (pid == 0) {
        add_system_dirs_to_path();
        int null_fd = ::open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            ::dup2(null_fd, 0);
            ::dup2(null_fd, 1);
            ::dup2(null_fd, 2);
        }
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    if (pid > 0)
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
}

/// Removes the isolation rules (isolation.h) of each of `bridges` that no
/// longer exists, in the network namespace `enter` ("" for ours), with
/// `iptables`. The caller holds netavark's lock and has run its teardown,
/// which takes a bridge away with its last container.
inline void release_isolation(char const* enter, char const* iptables, char* const* bridges, int count)
{
    if (count <= 0 || !*iptables)
        return;
    pid_t pid = ::fork();
    if (pid == 0) {
        enter_netns_or_exit(enter);
        for (int i = 0; i < count; ++i) {
            char* bridge = bridges[i];
            if (!*bridge || ::if_nametoindex(bridge) != 0)
                continue;  // still there: another container is on it
            char* stage1[] = { const_cast<char*>(iptables), const_cast<char*>("-w"), const_cast<char*>("-D"),
                const_cast<char*>(isolation_chain_1), const_cast<char*>("-i"), bridge, const_cast<char*>("!"), const_cast<char*>("-o"),
                bridge, const_cast<char*>("-j"), const_cast<char*>(isolation_chain_2), nullptr };
            char* stage2[] = { const_cast<char*>(iptables), const_cast<char*>("-w"), const_cast<char*>("-D"),
                const_cast<char*>(isolation_chain_2), const_cast<char*>("-o"), bridge, const_cast<char*>("-j"), const_cast<char*>("DROP"),
                nullptr };
            run_quietly(stage1);
            run_quietly(stage2);
        }
        ::_exit(0);
    }
    if (pid > 0)
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
}

/// Splits buf in place into at most `max` lines; returns how many.
inline int split_lines(char* buf, char** lines, int max)
{
    int count = 0;
    for (char* p = buf; *p && count < max;) {
        lines[count++] = p;
        char* nl = p;
        while (*nl && *nl != '\n')
            ++nl;
        if (!*nl)
            break;
        *nl = 0;
        p = nl + 1;
    }
    return count;
}

/// Reads dir_fd/name into buf (NUL-terminated); the byte count, -1 if there is no such file.
inline ssize_t read_small_file(int dir_fd, char const* name, char* buf, size_t size)
{
    int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = ::read(fd, buf, size - 1);
    ::close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n < 0 ? 0 : n;
}

/// release_isolation as dir_fd/netavark.isolation says, and the file removed.
inline void release_isolation_file(int dir_fd)
{
    static char buf[4096];
    ssize_t n = read_small_file(dir_fd, isolation_file_name, buf, sizeof buf);
    if (n < 0)
        return;
    if (n > 0) {
        char* lines[64];
        int count = split_lines(buf, lines, 64);
        if (count > 2)
            release_isolation(lines[0], lines[1], lines + 2, count - 2);
    }
    ::unlinkat(dir_fd, isolation_file_name, 0);
}

/// Undoes setup_bridge (bridge.h) as dir_fd/netavark.teardown says: runs
/// `netavark ... teardown NETNS` (in the network namespace to enter, if
/// any), unmounts NETNS, and removes the file. Nothing when there is none.
/// Safe to call twice, and from the engine when the monitor was killed.
inline void teardown_bridge(int dir_fd)
{
    static char buf[8192];
    ssize_t n = read_small_file(dir_fd, bridge_teardown_file_name, buf, sizeof buf);
    if (n < 0)
        return;
    if (n == 0) {
        ::unlinkat(dir_fd, bridge_teardown_file_name, 0);
        return;
    }
    // Split into lines: enter, netns, argv...
    char* lines[64];
    int count = split_lines(buf, lines, 60);
    if (count < 4) {
        ::unlinkat(dir_fd, bridge_teardown_file_name, 0);
        return;
    }
    char const* enter = lines[0];
    char const* netns = lines[1];
    char const* lock_path = lines[2];
    char* argv[64];
    int argc = 0;
    for (int i = 3; i < count; ++i)
        argv[argc++] = lines[i];
    argv[argc++] = const_cast<char*>("teardown");
    argv[argc++] = const_cast<char*>(netns);
    argv[argc] = nullptr;
    int lock = *lock_path ? ::open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    if (lock >= 0)
        while (::flock(lock, LOCK_EX) < 0 && errno == EINTR) {
        }
    pid_t pid = ::fork();
    if (pid == 0) {
        enter_netns_or_exit(enter);
        run_quietly(argv);
        ::_exit(0);
    }
    if (pid > 0) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    // The isolation rules of the bridges netavark took away, still under its lock.
    release_isolation_file(dir_fd);
    if (lock >= 0)
        ::close(lock);
    ::umount2(netns, MNT_DETACH);
    ::unlink(netns);
    ::unlinkat(dir_fd, bridge_teardown_file_name, 0);
}

/// teardown_bridge for a run directory by path.
inline void teardown_bridge_at(char const* run_dir)
{
    int dir_fd = ::open(run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0)
        return;
    teardown_bridge(dir_fd);
    ::close(dir_fd);
}

} // namespace berth::network
