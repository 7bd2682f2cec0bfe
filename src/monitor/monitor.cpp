// The monitor's steps, in order: optional pty, start the container (in-process
// runtime or external runtime), report the pid, record "running", relay and
// forward signals until the container exits, record the exit, clean up on
// --rm, _exit with the status. See monitor.h for the shape.
#include "monitor/monitor.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "container/container_store.h"
#include "container/rootfs.h"
#include "monitor/protocol.h"
#include "runtime/container.h"

#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace berth::monitor {

namespace {

constexpr int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

/// Puts the user's terminal in raw mode for the life of the object.
class RawTerminal {
public:
    explicit RawTerminal(int fd) : m_fd(fd)
    {
        if (::tcgetattr(fd, &m_saved) != 0)
            return;
        struct termios raw = m_saved;
        ::cfmakeraw(&raw);
        // cfmakeraw also turns off output processing: the container's pty already did it.
        m_active = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
    }
    ~RawTerminal()
    {
        if (m_active)
            ::tcsetattr(m_fd, TCSADRAIN, &m_saved);
    }

private:
    int m_fd;
    struct termios m_saved {};
    bool m_active = false;
};

void copy_window_size(int from, int to)
{
    struct winsize ws {};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0)
        ::ioctl(to, TIOCSWINSZ, &ws);
}

/// Writes all of `data` to a (blocking) fd; false when the reader is gone.
bool write_fully(int fd, char const* data, size_t size)
{
    while (size > 0) {
        ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

struct Started {
    pid_t pid = 0;         ///< what we wait for (the container, or the external runtime)
    UniqueFd pty_master;
};

Result<pid_t> start_external(MonitorConfig const& c, runtime::Stdio const& stdio)
{
    TRY(fs::write_file_atomic(fs::join(c.bundle_dir, "config.json"), json::dump(c.spec.to_json(), 2) + "\n"));
    TRY(fs::mkdir_p(c.runtime_root, 0700));
    pid_t pid = ::fork();
    if (pid < 0)
        return Error::from_errno("fork " + c.runtime_path);
    if (pid == 0) {
        ::sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        int in = stdio.in >= 0 ? stdio.in : ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        ::dup2(stdio.out, 1);
        ::dup2(stdio.err, 2);
        std::string id = c.id;
        char const* argv[] = { c.runtime_path.c_str(), "--root", c.runtime_root.c_str(), "run", "--bundle",
            c.bundle_dir.c_str(), id.c_str(), nullptr };
        ::execv(argv[0], const_cast<char* const*>(argv));
        ::_exit(errno == ENOENT ? 127 : 126);
    }
    return pid;
}

Result<Started> start_container(MonitorConfig const& c)
{
    Started s;
    runtime::Stdio stdio;
    stdio.in = c.interactive ? 0 : -1;
    stdio.preserve = c.preserve_fds;
    UniqueFd slave;
    if (c.spec.process.terminal && c.runtime_path.empty()) {
        int master = -1, slave_fd = -1;
        if (::openpty(&master, &slave_fd, nullptr, nullptr, nullptr) != 0)
            return Error::from_errno("openpty");
        s.pty_master.reset(master);
        slave.reset(slave_fd);
        ::fcntl(master, F_SETFD, FD_CLOEXEC);
        ::fcntl(slave_fd, F_SETFD, FD_CLOEXEC);
        if (::isatty(0))
            copy_window_size(0, master);
        stdio.pty_slave = slave_fd;
    }
    if (!c.runtime_path.empty()) {
        s.pid = TRY(start_external(c, stdio));
        return s;
    }
    TRY(fs::write_file_atomic(fs::join(c.bundle_dir, "config.json"), json::dump(c.spec.to_json(), 2) + "\n"));
    runtime::StartOptions options;
    options.seccomp_cache_dir = c.seccomp_cache_dir;
    s.pid = TRY(runtime::start(c.spec, stdio, options));
    return s;
}

/// Reaps every exited child (the monitor is the subreaper of the container's
/// orphans); true, with its status, once `pid` is among them.
bool reap(pid_t pid, int& status)
{
    bool done = false;
    int st = 0;
    pid_t p;
    while ((p = ::waitpid(-1, &st, WNOHANG)) > 0)
        if (p == pid) {
            status = st;
            done = true;
        }
    return done;
}

/// Copies what is left in the pty after the container exited.
void drain(int pty_master)
{
    char buf[16384];
    ::fcntl(pty_master, F_SETFL, O_NONBLOCK);
    ssize_t n;
    while ((n = ::read(pty_master, buf, sizeof buf)) > 0)
        write_fully(1, buf, static_cast<size_t>(n));
}

/// Relays the pty and forwards signals until `pid` exits; returns its wait status.
int supervise(pid_t pid, int pty_master, int signal_fd, bool interactive)
{
    std::optional<RawTerminal> raw;
    bool stdin_open = pty_master >= 0 && interactive;
    bool master_open = pty_master >= 0;
    if (pty_master >= 0 && interactive && ::isatty(0))
        raw.emplace(0);
    char buf[16384];
    int status = 0;
    for (;;) {
        if (reap(pid, status))
            break;
        struct pollfd fds[3] = { { signal_fd, POLLIN, 0 }, { master_open ? pty_master : -1, POLLIN, 0 },
            { stdin_open ? 0 : -1, POLLIN, 0 } };
        if (::poll(fds, 3, -1) < 0 && errno != EINTR)
            break;
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(pty_master, buf, sizeof buf);
            if (n > 0)
                write_fully(1, buf, static_cast<size_t>(n));
            else if (n == 0 || errno != EINTR)
                master_open = false;  // EIO: every slave is closed, the container is going away
        }
        if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n > 0) {
                write_fully(pty_master, buf, static_cast<size_t>(n));
            } else {
                stdin_open = false;
                // End of input: send the terminal's EOF character, as a user would type ^D.
                char eot = 4;
                write_fully(pty_master, &eot, 1);
            }
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo si {};
            if (::read(signal_fd, &si, sizeof si) != sizeof si)
                continue;
            int sig = static_cast<int>(si.ssi_signo);
            if (sig == SIGWINCH && pty_master >= 0)
                copy_window_size(0, pty_master);
            else if (sig != SIGCHLD)
                ::kill(pid, sig);
        }
    }
    if (pty_master >= 0)
        drain(pty_master);
    return status;
}

ErrorOr record(MonitorConfig const& c, container::State state, pid_t pid, int exit_code)
{
    auto db = TRY(store::Database::open(c.database_path));
    auto cs = TRY(container::ContainerStore::open(*db, c.locks_dir));
    // The parent holds this lock until it has recorded "running".
    auto lock = TRY(cs.lock(c.id));
    auto rec = TRY(cs.get(c.id));
    if (!rec)
        return {};
    rec->state = state;
    auto now = static_cast<int64_t>(std::time(nullptr));
    if (state == container::State::Running) {
        rec->pid = pid;
        rec->monitor_pid = ::getpid();
        rec->started = now;
    } else {
        rec->pid = 0;
        rec->monitor_pid = 0;
        rec->exit_code = exit_code;
        rec->finished = now;
    }
    return cs.update(*rec);
}

ErrorOr locked_cleanup(MonitorConfig const& c)
{
    auto db = TRY(store::Database::open(c.database_path));
    auto cs = TRY(container::ContainerStore::open(*db, c.locks_dir));
    auto lock = TRY(cs.lock(c.id));
    return cleanup_container(c.database_path, c.locks_dir, c.bundle_dir, c.id);
}

int exit_engine_code(ErrorKind kind)
{
    return kind == ErrorKind::NotFound ? 127 : kind == ErrorKind::CannotInvoke ? 126 : 125;
}

void send(int fd, std::string const& line)
{
    if (fd >= 0)
        write_fully(fd, line.data(), line.size());
}

} // namespace

ErrorOr cleanup_container(std::string const& database_path, std::string const& locks_dir, std::string const& bundle_dir, std::string const& id)
{
    TRY(container::unmount_rootfs(bundle_dir));
    TRY(fs::remove_tree(bundle_dir));
    auto db = TRY(store::Database::open(database_path));
    auto cs = TRY(container::ContainerStore::open(*db, locks_dir));
    auto removed = cs.remove(id);
    if (!removed && removed.error().code != ENOENT)
        return removed;
    ::unlink(fs::join(locks_dir, "container-" + id + ".lock").c_str());
    return {};
}

void run(MonitorConfig const& c)
{
    // Signals become events: block them before the container exists (its
    // init resets the mask), read them from a signalfd.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : forwarded_signals)
        sigaddset(&mask, sig);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    int signal_fd = ::signalfd(-1, &mask, SFD_CLOEXEC);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    auto started = start_container(c);
    if (!started) {
        // The parent holds the container lock and removes it on --rm.
        send(c.sync_fd, encode_error(started.error()));
        ::_exit(exit_engine_code(started.error().kind));
    }
    send(c.sync_fd, encode_pid(started->pid));
    ::close(c.sync_fd);
    int status = supervise(started->pid, started->pty_master.get(), signal_fd, c.interactive);
    int code = exit_status_code(status);
    if (c.remove) {
        if (auto r = locked_cleanup(c); !r)
            log::warn("remove container {}: {}", c.id, r.error().message);
    } else if (auto r = record(c, container::State::Exited, 0, code); !r) {
        log::warn("record container exit: {}", r.error().message);
    }
    ::_exit(code);
}

} // namespace berth::monitor
