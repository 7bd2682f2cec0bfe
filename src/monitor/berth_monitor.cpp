// berth-monitor: the small, statically linked process that stays with a
// running container (DESIGN.md "process model"). berth spawns berth-launch,
// which starts the container and then execs this program, so the container is our
// child and we can wait for it. Arguments and files: protocol.h.
//
// One poll() loop: the container's stdout/stderr pipes (or pty master) go to
// the log file (k8s-file or json-file, with one rotated file LOG.1 beyond
// --log-max-size), to attach clients and, while a CLI runs attached, to our
// own fds 1/2; stdin comes from attach clients or the attached terminal;
// signals (signalfd) are forwarded to the container. At its exit we drain the
// output, write the exit file atomically, and either just exit with its status
// (a CLI is attached and records the exit) or run the exit command
// (`berth container cleanup`) and wait for it. With a healthcheck, a timerfd
// starts `berth healthcheck run` every interval, never two at once (at the
// startup check's interval until it has passed, protocol.h).
//
// The hard part is staying small: no iostreams, no exceptions, no allocation
// after start, no stdio; every buffer is static and only touched pages count.
#include "monitor/protocol.h"
#include "network/teardown.h"

#include <cerrno>
#include <cstdio>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

using namespace berth::monitor;

namespace {

MonitorArgs g;
int g_log_fd = -1;
long long g_log_size = 0;
int g_dir_fd = -1;
int g_listen_fd = -1;
constexpr int max_clients = 16;
int g_clients[max_clients];
int g_nclients = 0;
bool g_attached = false;  ///< the CLI holds the status pipe
int g_health_timer = -1;  ///< timerfd of the healthcheck interval
pid_t g_health_pid = 0;   ///< the running healthcheck command, 0 when none
bool g_health_startup = false;  ///< ticking at the startup interval until the startup check passed

char g_buf[attach_packet_max + 1];
char g_out[16384];
size_t g_out_len = 0;
bool g_log_json = false;  ///< --log-driver=json-file (else k8s-file)

// The relay path (poll, read, log, send, write) runs for as long as the
// container does, so it calls no string function of libc's: their many
// CPU-specific variants lie all over the binary, and each one touched keeps a
// 64 KiB window of it resident (the kernel maps text around every fault).
// These loops are slower per byte than libc's and do not matter next to the
// system calls around them.
void copy_bytes(char* to, char const* from, size_t n)
{
    while (n-- > 0)
        *to++ = *from++;
}

size_t length(char const* s)
{
    size_t n = 0;
    while (s[n])
        ++n;
    return n;
}

char const* find_newline(char const* p, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (p[i] == '\n')
            return p + i;
    return nullptr;
}

void write_all(int fd, char const* p, size_t n)
{
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= static_cast<size_t>(w);
    }
}

// ------------------------------------------------------------------ log file

void out_flush()
{
    if (g_log_fd >= 0 && g_out_len > 0) {
        write_all(g_log_fd, g_out, g_out_len);
        g_log_size += static_cast<long long>(g_out_len);
    }
    g_out_len = 0;
}

void out(char const* p, size_t n)
{
    while (n > 0) {
        if (g_out_len == sizeof g_out)
            out_flush();
        size_t k = sizeof g_out - g_out_len;
        if (k > n)
            k = n;
        copy_bytes(g_out + g_out_len, p, k);
        g_out_len += k;
        p += k;
        n -= k;
    }
}

void out_str(char const* s) { out(s, length(s)); }

/// Writes `v` zero-padded to `width` digits into `p`; returns the end.
char* put_num(char* p, long long v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v > 0 && n < 23);
    while (n < width)
        tmp[n++] = '0';
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/// Static glibc brings ~650 KiB of text and read-only data, and start-up
/// leaves nearly all of it mapped (each page fault maps up to 64 KiB around
/// it) while the loop runs a few pages of it: unmap the read-only file-backed
/// segments (never a writable one: RELRO lives in the writable segment) so
/// that only what the loop touches comes back. The page cache keeps the file.
void drop_startup_pages()
{
    auto const* phdr = reinterpret_cast<ElfW(Phdr) const*>(::getauxval(AT_PHDR));
    size_t count = ::getauxval(AT_PHNUM);
    if (!phdr)
        return;
    uintptr_t bias = 0;  // non-zero for a static-pie
    for (size_t i = 0; i < count; ++i)
        if (phdr[i].p_type == PT_PHDR)
            bias = reinterpret_cast<uintptr_t>(phdr) - phdr[i].p_vaddr;
    uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    for (size_t i = 0; i < count; ++i) {
        if (phdr[i].p_type != PT_LOAD || (phdr[i].p_flags & PF_W))
            continue;
        uintptr_t start = (bias + phdr[i].p_vaddr + page - 1) & ~(page - 1);
        uintptr_t end = (bias + phdr[i].p_vaddr + phdr[i].p_memsz) & ~(page - 1);
        if (end > start)
            ::madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
    }
}

/// Year, month (1-12) and day of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar (eras of 400 years, 146,097 days each).
void civil_from_days(long long days, long long& year, int& month, int& day)
{
    days += 719468;  // from 0000-03-01, so that a leap day ends a year
    long long era = (days >= 0 ? days : days - 146096) / 146097;
    long long doe = days - era * 146097;                                  // [0, 146096]
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);              // [0, 365]
    long long mp = (5 * doy + 2) / 153;                                   // March = 0
    day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    year = yoe + era * 400 + (month <= 2);
}

/// The local time's offset from UTC in seconds, from localtime_r, kept until
/// the next quarter hour of UTC (every time zone changes its offset on one):
/// glibc's time zone code (stdio, malloc, the TZif parser) then runs four
/// times an hour, and its pages are dropped again, instead of staying in the
/// RSS of every monitor that logs.
long local_offset(time_t now)
{
    static time_t valid_until = 0;
    static long offset = 0;
    if (now >= valid_until) {
        struct tm tm {};
        ::localtime_r(&now, &tm);
        offset = tm.tm_gmtoff;
        valid_until = now - now % 900 + 900;
        drop_startup_pages();
    }
    return offset;
}

/// RFC 3339 with nanoseconds: local time with offset (k8s-file, as conmon) or UTC "Z" (json-file, as Docker).
void timestamp(char* buf, bool utc)
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    long off = utc ? 0 : local_offset(ts.tv_sec);
    long long t = static_cast<long long>(ts.tv_sec) + off;
    long long days = (t >= 0 ? t : t - 86399) / 86400;
    long long secs = t - days * 86400;
    long long year = 0;
    int month = 0, day = 0;
    civil_from_days(days, year, month, day);
    char* p = buf;
    p = put_num(p, year, 4);
    *p++ = '-';
    p = put_num(p, month, 2);
    *p++ = '-';
    p = put_num(p, day, 2);
    *p++ = 'T';
    p = put_num(p, secs / 3600, 2);
    *p++ = ':';
    p = put_num(p, secs % 3600 / 60, 2);
    *p++ = ':';
    p = put_num(p, secs % 60, 2);
    *p++ = '.';
    p = put_num(p, ts.tv_nsec, 9);
    if (utc) {
        *p++ = 'Z';
    } else {
        *p++ = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        p = put_num(p, off / 3600, 2);
        *p++ = ':';
        p = put_num(p, (off % 3600) / 60, 2);
    }
    *p = 0;
}

void open_log(bool truncate)
{
    if (*g.log_path == 0 || std::strcmp(g.log_driver, "none") == 0)
        return;
    g_log_json = std::strcmp(g.log_driver, "json-file") == 0;
    g_log_fd = ::open(g.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0640);
    struct stat st {};
    g_log_size = g_log_fd >= 0 && ::fstat(g_log_fd, &st) == 0 ? st.st_size : 0;
}

/// Keeps one rotated file: LOG becomes LOG.1 (replacing the previous one).
void rotate_if_needed(size_t incoming)
{
    long long size = g_log_size + static_cast<long long>(g_out_len);
    if (g_log_fd < 0 || g.log_max_size <= 0 || size == 0 || size + static_cast<long long>(incoming) <= g.log_max_size)
        return;
    out_flush();
    char rotated[4096];
    size_t n = std::strlen(g.log_path);
    if (n + 3 > sizeof rotated)
        return;
    std::memcpy(rotated, g.log_path, n);
    std::memcpy(rotated + n, ".1", 3);
    ::rename(g.log_path, rotated);
    ::close(g_log_fd);
    open_log(true);
}

void json_escaped(char const* p, size_t n)
{
    static char const hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(p[i]);
        if (c == '"' || c == '\\') {
            char e[2] = { '\\', static_cast<char>(c) };
            out(e, 2);
        } else if (c == '\n') {
            out("\\n", 2);
        } else if (c == '\r') {
            out("\\r", 2);
        } else if (c == '\t') {
            out("\\t", 2);
        } else if (c < 0x20) {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            out(e, 6);
        } else {
            out(reinterpret_cast<char const*>(&c), 1);
        }
    }
}

/// One log record per line; a trailing piece without newline is a partial record.
void log_output(char stream, char const* data, size_t n)
{
    if (g_log_fd < 0 || n == 0)
        return;
    bool json = g_log_json;
    char const* name = stream == stream_stderr ? "stderr" : "stdout";
    char ts[64];
    timestamp(ts, json);
    size_t start = 0;
    while (start < n) {
        char const* nl = find_newline(data + start, n - start);
        size_t end = nl ? static_cast<size_t>(nl - data) : n;
        bool full = nl != nullptr;
        // Rotation happens between records, so each file holds whole records.
        rotate_if_needed((end - start) * (json ? 2 : 1) + 80);
        if (json) {
            out_str("{\"log\":\"");
            json_escaped(data + start, end - start);
            if (full)
                out("\\n", 2);
            out_str("\",\"stream\":\"");
            out_str(name);
            out_str("\",\"time\":\"");
            out_str(ts);
            out_str("\"}\n");
        } else {
            out_str(ts);
            out(" ", 1);
            out_str(name);
            out_str(full ? " F " : " P ");
            out(data + start, end - start);
            out("\n", 1);
        }
        start = full ? end + 1 : n;
    }
    out_flush();
}

// ------------------------------------------------------------------ clients

void drop_client(int i)
{
    ::close(g_clients[i]);
    g_clients[i] = g_clients[--g_nclients];
}

void to_clients(char stream, char const* data, size_t n)
{
    while (n > 0) {
        size_t k = n > attach_packet_max ? attach_packet_max : n;
        g_buf[0] = stream;
        copy_bytes(g_buf + 1, data, k);
        for (int i = 0; i < g_nclients;) {
            ssize_t w = ::send(g_clients[i], g_buf, k + 1, MSG_NOSIGNAL);
            if (w < 0 && errno != EAGAIN && errno != EINTR)
                drop_client(i);
            else
                ++i;
        }
        data += k;
        n -= k;
    }
}

/// Output of the container: log, clients, and the attached terminal.
void handle_output(char stream, char const* data, size_t n)
{
    log_output(stream, data, n);
    if (g_nclients > 0) {
        char copy[sizeof g_buf];
        copy_bytes(copy, data, n);
        to_clients(stream, copy, n);
    }
    if (g.relay_out && !(stream == stream_stderr ? g.quiet_stderr : g.quiet_stdout))
        write_all(stream == stream_stderr ? 2 : 1, data, n);
}

/// Reads once from a container output fd; false at EOF or error.
bool pump(int fd, char stream)
{
    char buf[attach_packet_max];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return true;
    if (n <= 0)
        return false;  // EIO on a pty master: every slave is closed
    handle_output(stream, buf, static_cast<size_t>(n));
    return true;
}

int stdin_target() { return g.pty_fd >= 0 ? g.pty_fd : g.stdin_fd; }

void set_window(char const* text)
{
    WindowSize size = parse_resize(text);
    struct winsize ws {};
    ws.ws_row = size.rows;
    ws.ws_col = size.cols;
    if (g.pty_fd >= 0 && ws.ws_row > 0 && ws.ws_col > 0)
        ::ioctl(g.pty_fd, TIOCSWINSZ, &ws);
}

void close_stdin()
{
    if (g.pty_fd >= 0) {
        char eot = 4;  // the terminal's EOF character, as a user types ^D
        write_all(g.pty_fd, &eot, 1);
    } else if (g.stdin_fd >= 0) {
        ::close(g.stdin_fd);
        g.stdin_fd = -1;
    }
}

void client_packet(int i)
{
    char buf[attach_packet_max + 2];
    ssize_t n = ::recv(g_clients[i], buf, sizeof buf - 1, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        drop_client(i);
        return;
    }
    buf[n] = 0;
    if (buf[0] == attach_stdin && stdin_target() >= 0)
        write_all(stdin_target(), buf + 1, static_cast<size_t>(n - 1));
    else if (buf[0] == attach_resize)
        set_window(buf + 1);
    else if (buf[0] == attach_close_stdin)
        close_stdin();
}

void listen_attach()
{
    g_dir_fd = ::open(g.dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (g_dir_fd < 0)
        return;
    ::unlinkat(g_dir_fd, attach_socket_name, 0);
    g_listen_fd = ::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    // The directory can be deeper than sun_path allows; its fd's /proc path is short.
    char* p = addr.sun_path;
    std::memcpy(p, "/proc/self/fd/", 14);
    p = put_num(p + 14, g_dir_fd, 1);
    *p++ = '/';
    std::memcpy(p, attach_socket_name, std::strlen(attach_socket_name) + 1);
    if (::bind(g_listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(g_listen_fd, 8) != 0) {
        ::close(g_listen_fd);
        g_listen_fd = -1;
    }
}

// ------------------------------------------------------------------ exit

void health_startup_passed();

bool reap(int& status)
{
    bool done = false;
    int st = 0;
    pid_t p;
    while ((p = ::waitpid(-1, &st, WNOHANG)) > 0)
        if (p == g.container_pid) {
            status = st;
            done = true;
        } else if (p == g_health_pid) {
            g_health_pid = 0;  // the next tick may start another
            if (WIFEXITED(st) && WEXITSTATUS(st) == health_startup_passed_code)
                health_startup_passed();
        }
    return done;
}

/// The container's main process is gone. As the subreaper the monitor has
/// adopted whatever outlived it: the container of an external runtime whose
/// `runc run` a SIGKILL (stop's escalation) ended before it could pass the
/// signal on. None of it may outlive the exit file: kill and reap the
/// children that live in another pid namespace (the container's), not the
/// monitor's own (a health action's `berth stop` is still at work).
void kill_orphans()
{
    struct stat own {};
    if (::stat("/proc/self/ns/pid", &own) < 0)
        return;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/children", static_cast<int>(::getpid()));
    for (int round = 0; round < 100; ++round) {
        int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return;
        char buf[4096];
        ssize_t n = ::read(fd, buf, sizeof buf - 1);
        ::close(fd);
        if (n <= 0)
            return;
        buf[n] = 0;
        bool any = false;
        for (char* p = buf; *p;) {
            char* end = nullptr;
            long pid = std::strtol(p, &end, 10);
            if (end == p)
                break;
            p = end;
            while (*p == ' ' || *p == '\n')
                ++p;
            char ns[64];
            std::snprintf(ns, sizeof ns, "/proc/%ld/ns/pid", pid);
            struct stat theirs {};
            if (pid > 0 && ::stat(ns, &theirs) == 0 && (theirs.st_ino != own.st_ino || theirs.st_dev != own.st_dev)) {
                ::kill(static_cast<pid_t>(pid), SIGKILL);
                ::waitpid(static_cast<pid_t>(pid), nullptr, 0);
                any = true;
            }
        }
        if (!any)
            return;
    }
}

void drain(int fd, char stream)
{
    if (fd < 0)
        return;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    char buf[attach_packet_max];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        handle_output(stream, buf, static_cast<size_t>(n));
}

void write_exit_file(int code)
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    char text[80];
    char* p = text;
    if (code < 0) {
        *p++ = '-';
        code = -code;
    }
    p = put_num(p, code, 1);
    *p++ = ' ';
    p = put_num(p, ts.tv_sec, 1);
    *p++ = ' ';
    p = put_num(p, ts.tv_nsec, 1);
    *p++ = '\n';
    int fd = ::openat(g_dir_fd, exit_temp_file_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    write_all(fd, text, static_cast<size_t>(p - text));
    // No fsync: the rename is what protects readers (and a kill -9) from a
    // half-written file; the run dir does not outlive a reboot (tmpfs), and
    // on a disk an fsync here waits for a journal commit (ms on a busy disk)
    // while `run` waits for the exit. A missing or empty file reads as an
    // unknown exit status.
    ::close(fd);
    ::renameat(g_dir_fd, exit_temp_file_name, g_dir_fd, exit_file_name);
}

/// Starts `argv` in its own session with /dev/null as stdio, no signal
/// blocked and no other fd: the container's pipes, pty and stdin are not its
/// to hold open. Its pid, or -1.
pid_t spawn_detached(char** argv)
{
    pid_t pid = ::fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::setsid();
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd)
            ::dup2(null, fd);
        if (::close_range(3, ~0U, 0) != 0)
            for (int fd = 3; fd < 1024; ++fd)
                ::close(fd);
        ::execv(argv[0], argv);
        ::_exit(127);
    }
    return pid;
}

/// Runs the exit command and waits for it.
void run_exit_command()
{
    if (!g.exit_command || !g.exit_command[0])
        return;
    pid_t pid = spawn_detached(g.exit_command);
    if (pid > 0)
        while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) { }
}

void copy_window_size(int from, int to)
{
    struct winsize ws {};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0)
        ::ioctl(to, TIOCSWINSZ, &ws);
}

// ------------------------------------------------------------------ healthcheck

/// Ticks every `ms` from now (0: no more ticks).
bool arm_health_timer(long long ms)
{
    struct itimerspec its {};
    its.it_interval.tv_sec = static_cast<time_t>(ms / 1000);
    its.it_interval.tv_nsec = static_cast<long>(ms % 1000) * 1000000;
    its.it_value = its.it_interval;
    return ::timerfd_settime(g_health_timer, 0, &its, nullptr) == 0;
}

/// A timerfd ticking every --healthcheck-startup-interval while there is a
/// startup check, else every --healthcheck-interval; -1 without a healthcheck.
void start_health_timer()
{
    long long ms = g.healthcheck_startup_interval_ms > 0 ? g.healthcheck_startup_interval_ms : g.healthcheck_interval_ms;
    if (ms <= 0 || !g.healthcheck_command || !g.healthcheck_command[0])
        return;
    g_health_startup = g.healthcheck_startup_interval_ms > 0;
    g_health_timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (g_health_timer >= 0 && !arm_health_timer(ms)) {
        ::close(g_health_timer);
        g_health_timer = -1;
    }
}

/// A check we started says the startup check passed: tick at the regular interval.
void health_startup_passed()
{
    if (!g_health_startup || g_health_timer < 0)
        return;
    g_health_startup = false;
    arm_health_timer(g.healthcheck_interval_ms > 0 ? g.healthcheck_interval_ms : 0);
}

/// A tick: starts `berth healthcheck run` (which records the result itself)
/// unless the previous one still runs. reap() clears g_health_pid.
void health_tick()
{
    unsigned long long expirations = 0;
    if (::read(g_health_timer, &expirations, sizeof expirations) < 0 || g_health_pid > 0)
        return;
    pid_t pid = spawn_detached(g.healthcheck_command);
    if (pid > 0)
        g_health_pid = pid;
}

// ------------------------------------------------------------------ --timeout

int g_timeout_timer = -1;  ///< one-shot timerfd of --timeout, -1 without one
bool g_timed_out = false;

/// Arms the --timeout timer: the container is killed when it fires.
void start_timeout_timer()
{
    if (g.timeout_s <= 0)
        return;
    g_timeout_timer = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec its {};
    its.it_value.tv_sec = static_cast<time_t>(g.timeout_s);
    if (g_timeout_timer >= 0 && ::timerfd_settime(g_timeout_timer, 0, &its, nullptr) != 0) {
        ::close(g_timeout_timer);
        g_timeout_timer = -1;
    }
}

/// --timeout expired: SIGKILL, as conmon does; the exit is then recorded as conmon's.
void timeout_expired()
{
    unsigned long long expirations = 0;
    if (::read(g_timeout_timer, &expirations, sizeof expirations) < 0)
        return;
    ::close(g_timeout_timer);
    g_timeout_timer = -1;
    g_timed_out = true;
    ::kill(g.container_pid, SIGKILL);
}

// ------------------------------------------------------------------ memory

// ------------------------------------------------------------------ loop

void handle_signal(int signal_fd)
{
    struct signalfd_siginfo si {};
    if (::read(signal_fd, &si, sizeof si) != sizeof si)
        return;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGWINCH) {
        if (g.pty_fd >= 0 && g.relay_in)
            copy_window_size(0, g.pty_fd);
    } else if (sig != SIGCHLD) {
        ::kill(g.container_pid, sig);
    }
}

enum Slot { SigSlot, OutSlot, ErrSlot, PtySlot, InSlot, StatusSlot, ListenSlot, HealthSlot, TimeoutSlot, ClientSlot };

/// Relays until the container exits; returns its wait status.
int supervise(int signal_fd)
{
    char buf[attach_packet_max];
    int status = 0;
    for (;;) {
        if (reap(status))
            return status;
        struct pollfd fds[ClientSlot + max_clients];
        int fdv[ClientSlot] = { signal_fd, g.stdout_fd, g.stderr_fd, g.pty_fd, g.relay_in ? 0 : -1,
            g_attached ? g.status_fd : -1, g_listen_fd, g_health_timer, g_timeout_timer };
        for (int i = 0; i < ClientSlot; ++i)
            fds[i] = { fdv[i], POLLIN, 0 };
        for (int i = 0; i < g_nclients; ++i)
            fds[ClientSlot + i] = { g_clients[i], POLLIN, 0 };
        int nclients = g_nclients;
        if (::poll(fds, static_cast<nfds_t>(ClientSlot + nclients), -1) < 0 && errno != EINTR)
            return status;
        short const ready = POLLIN | POLLHUP | POLLERR;
        if ((fds[OutSlot].revents & ready) && !pump(g.stdout_fd, stream_stdout)) {
            ::close(g.stdout_fd);
            g.stdout_fd = -1;
        }
        if ((fds[ErrSlot].revents & ready) && !pump(g.stderr_fd, stream_stderr)) {
            ::close(g.stderr_fd);
            g.stderr_fd = -1;
        }
        if ((fds[PtySlot].revents & ready) && !pump(g.pty_fd, stream_stdout))
            fds[PtySlot].fd = -1, g.relay_in = false, g.pty_fd = -1;
        if (fds[InSlot].revents & ready) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n > 0 && g.pty_fd >= 0)
                write_all(g.pty_fd, buf, static_cast<size_t>(n));
            else if (n == 0 || (n < 0 && errno != EINTR)) {
                g.relay_in = false;
                close_stdin();
            }
        }
        if (fds[StatusSlot].revents & ready) {
            ssize_t n = ::read(g.status_fd, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
                g_attached = false;
        }
        if (fds[ListenSlot].revents & POLLIN) {
            int c = ::accept4(g_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c >= 0 && g_nclients < max_clients)
                g_clients[g_nclients++] = c;
            else if (c >= 0)
                ::close(c);
        }
        for (int i = nclients - 1; i >= 0; --i)
            if (fds[ClientSlot + i].revents & ready)
                client_packet(i);
        if (fds[HealthSlot].revents & POLLIN)
            health_tick();
        if (fds[TimeoutSlot].revents & POLLIN)
            timeout_expired();
        if (fds[SigSlot].revents & POLLIN)
            handle_signal(signal_fd);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (!parse_args(argc, argv, g) || g.container_pid <= 0 || *g.dir == 0) {
        write_all(2, "berth-monitor: bad arguments (started by berth only)\n", 52);
        return 125;
    }
    sigset_t mask;
    sigemptyset(&mask);
    int const signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH };
    for (int sig : signals)
        sigaddset(&mask, sig);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    int signal_fd = ::signalfd(-1, &mask, SFD_CLOEXEC);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    g_attached = g.status_fd >= 0;
    open_log(false);
    listen_attach();
    start_health_timer();
    start_timeout_timer();
    local_offset(::time(nullptr));  // glibc's time zone set-up, before its pages are dropped
    int code = exit_status_code(supervise(signal_fd));
    if (g_timed_out)
        code = timeout_exit_code;
    drain(g.stdout_fd, stream_stdout);
    drain(g.stderr_fd, stream_stderr);
    drain(g.pty_fd, stream_stdout);
    out_flush();
    berth::network::stop_helper(g_dir_fd);  // its ports are free before the exit file says the container is gone
    berth::network::teardown_bridge(g_dir_fd);  // the same for netavark: veth, rules, DNS entry
    kill_orphans();
    write_exit_file(code);
    ::unlinkat(g_dir_fd, attach_socket_name, 0);
    while (g_nclients > 0)
        drop_client(0);
    if (g_attached) {
        // Still attached: is the CLI really there? A hang-up may be pending.
        struct pollfd p = { g.status_fd, POLLIN, 0 };
        if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
            g_attached = false;
    }
    if (!g_attached)
        run_exit_command();
    return code;
}
