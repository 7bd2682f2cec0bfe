// Joining or creating the per-user namespace.
//
// Creation is a three-process dance. berth forks an intermediate child that
// forks the pause process and exits at once, so the pause process is never a
// child that some later waitpid(-1) in berth could reap, and it is re-parented
// to init (or the session's subreaper). The pause process unshares a user and
// a mount namespace, reports its pid on the report pipe, and waits on the go
// pipe while berth installs the id mappings from outside (newuidmap and
// newgidmap are setuid helpers that act on a pid; the single-mapping fallback
// writes /proc/<pid>/uid_map itself, which an unprivileged parent may do for
// its own uid). Then the pause process makes its mounts private, detaches
// (setsid, chdir /, every fd closed, including the inherited pause.lock
// descriptor), reports "ready" and sleeps in pause(). berth records
// "<pid> <starttime>" in pause.pid and joins with setns() like any later
// invocation does.
//
// setns(CLONE_NEWNS) resets the working directory to the namespace root, so
// the caller's directory is restored by path afterwards.
#include "rootless/userns.h"

#include "base/command.h"
#include "base/file_lock.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/process_stat.h"
#include "base/scope_guard.h"
#include "base/sys.h"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sstream>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::rootless {

namespace {

struct PauseRecord {
    pid_t pid = 0;
    unsigned long long start_time = 0;
};

// One message from the pause process: 'u' unshared, 'r' ready, 'e' failed.
struct Report {
    char tag = 0;
    int err = 0;
    pid_t pid = 0;
    char step[48] = {};
};

std::string user_name(uid_t uid)
{
    if (struct passwd* pw = ::getpwuid(uid))
        return pw->pw_name;
    return std::to_string(uid);
}

ErrorOr check_single_threaded()
{
    std::string status = TRY_CTX(fs::read_file("/proc/self/status"), "enter user namespace");
    size_t pos = status.find("\nThreads:");
    if (pos == std::string::npos)
        return {};
    long threads = std::strtol(status.c_str() + pos + 9, nullptr, 10);
    if (threads > 1)
        return Error::msg("enter user namespace: the process already has " + std::to_string(threads)
            + " threads: rootless::enter() must run before any thread is started");
    return {};
}

std::optional<PauseRecord> read_pause_record(std::string const& file)
{
    auto text = fs::read_file(file);
    if (!text)
        return std::nullopt;
    PauseRecord r;
    std::istringstream in(*text);
    if (!(in >> r.pid >> r.start_time) || r.pid <= 0)
        return std::nullopt;
    return r;
}

bool still_running(PauseRecord const& r)
{
    auto st = read_process_stat(r.pid);
    return st && !st->exited() && static_cast<unsigned long long>(st->start_time) == r.start_time;
}

// --- the pause process (runs after fork: async-signal-safe calls only) ---

void send_report(int fd, char tag, int err, char const* step)
{
    Report r;
    r.tag = tag;
    r.err = err;
    r.pid = ::getpid();
    std::strncpy(r.step, step, sizeof r.step - 1);
    (void)!::write(fd, &r, sizeof r);
}

/// Names the pause process "berth-pause" in ps and top, both its comm and its
/// command line, which would otherwise go on showing the berth command that
/// happened to create the namespace (`berth ps -a` sleeping forever).
void set_pause_title()
{
    static constexpr char title[] = "berth-pause";
    ::prctl(PR_SET_NAME, title, 0, 0, 0);
    auto cmdline = fs::read_file("/proc/self/cmdline");
    char* argv0 = program_invocation_name;  // glibc: argv[0], where the kernel's arg area starts
    if (!cmdline || !argv0 || cmdline->size() < sizeof(title) || std::strcmp(argv0, cmdline->c_str()) != 0)
        return;
    std::memset(argv0, 0, cmdline->size());
    std::memcpy(argv0, title, sizeof(title) - 1);
}

void reset_signals()
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : { SIGINT, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE })
        signal(sig, SIG_IGN);
    signal(SIGTERM, SIG_DFL); // `kill <pause pid>` must still end the namespace
}

[[noreturn]] void pause_main(int report_fd, int go_fd)
{
    // A process that changed uid (su, a setuid wrapper) is not dumpable, and
    // then its /proc/<pid> files belong to root: berth could neither write
    // uid_map nor open ns/user to join. The pause process holds no secrets.
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
        send_report(report_fd, 'e', errno, "unshare");
        _exit(1);
    }
    send_report(report_fd, 'u', 0, "");
    char go = 0;
    if (::read(go_fd, &go, 1) != 1 || go != 'g')
        _exit(1); // berth gave up (mapping failed or it died)
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) {
        send_report(report_fd, 'e', errno, "make / private");
        _exit(1);
    }
    ::setsid();
    (void)!::chdir("/");
    set_pause_title();
    reset_signals();
    // Close everything (stdio, pause.lock, the store...) but the report pipe.
    if (report_fd > 0)
        ::close_range(0, static_cast<unsigned>(report_fd) - 1, 0);
    ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
    send_report(report_fd, 'r', 0, "");
    ::close(report_fd);
    for (;;)
        ::pause();
}

// --- the parent side ---

Result<Report> read_report(int fd)
{
    Report r;
    size_t got = TRY_CTX(sys::read(fd, &r, sizeof r), "read from pause process");
    if (got != sizeof r)
        return Error::msg("create user namespace: the pause process exited unexpectedly");
    if (r.tag == 'e') {
        std::string step(r.step, strnlen(r.step, sizeof r.step));
        if (step == "unshare" && (r.err == EPERM || r.err == EACCES || r.err == ENOSPC))
            return Error::from_errno("create user namespace: unshare", r.err)
                .with_context("unprivileged user namespaces are not available (check the sysctls "
                              "user.max_user_namespaces, kernel.unprivileged_userns_clone and "
                              "kernel.apparmor_restrict_unprivileged_userns)");
        return Error::from_errno("create user namespace: " + step, r.err);
    }
    return r;
}

ErrorOr write_proc_file(std::string const& path, std::string const& text)
{
    UniqueFd fd = TRY(sys::open(path, O_WRONLY));
    TRY_CTX(sys::write_all(fd.get(), text), "write " + path);
    return {};
}

ErrorOr write_single_mapping(pid_t pid, uid_t uid, gid_t gid)
{
    std::string proc = "/proc/" + std::to_string(pid);
    TRY(write_proc_file(proc + "/uid_map", "0 " + std::to_string(uid) + " 1\n"));
    // An unprivileged writer may only map its own gid after giving up setgroups().
    TRY(write_proc_file(proc + "/setgroups", "deny"));
    TRY(write_proc_file(proc + "/gid_map", "0 " + std::to_string(gid) + " 1\n"));
    return {};
}

ErrorOr run_map_helper(std::string const& helper, pid_t pid, std::vector<IdMapping> const& map,
    std::string const& file, std::string const& user)
{
    std::vector<std::string> argv { helper, std::to_string(pid) };
    for (auto& a : mapping_arguments(map))
        argv.push_back(std::move(a));
    std::string name = helper.substr(helper.rfind('/') + 1);
    auto result = TRY_CTX(run_command(argv, std::chrono::seconds(30)), name);
    if (result.exit_code == 0)
        return {};
    std::string why = first_line(result.err);
    if (why.rfind(name + ": ", 0) == 0)
        why = why.substr(name.size() + 2);
    if (why.empty())
        why = result.timed_out ? "timed out" : "exit status " + std::to_string(result.exit_code);
    return Error::msg(name + ": " + why + ": check " + file + " for user " + user);
}

void warn_single_mapping_once(Paths const& paths, std::string const& why)
{
    std::string marker = paths.layout().single_mapping_marker();
    if (fs::exists(marker))
        return;
    log::warn("{}", why);
    if (auto r = fs::write_file_atomic(marker, "", 0600); !r)
        log::debug("record the single-mapping warning: {}", r.error().message);
}

ErrorOr install_mappings(pid_t pid, Paths const& paths, EnterOptions const& options)
{
    uid_t uid = ::geteuid();
    gid_t gid = ::getegid();
    std::string user = user_name(uid);
    auto uid_ranges = TRY(subordinate_ranges(options.subuid_file, user, uid));
    auto gid_ranges = TRY(subordinate_ranges(options.subgid_file, user, uid));
    auto newuidmap = options.newuidmap.empty() ? find_program("newuidmap") : std::optional(options.newuidmap);
    auto newgidmap = options.newgidmap.empty() ? find_program("newgidmap") : std::optional(options.newgidmap);

    if (uid_ranges.empty() || gid_ranges.empty()) {
        warn_single_mapping_once(paths, "no subordinate UIDs for user " + user + " in " + options.subuid_file
                + ": running with a single UID mapping; add a range with \"usermod --add-subuids 100000-165535 "
                  "--add-subgids 100000-165535 " + user + "\"");
        return write_single_mapping(pid, uid, gid);
    }
    if (!newuidmap || !newgidmap) {
        warn_single_mapping_once(paths, "newuidmap/newgidmap not found: running with a single UID mapping; "
                                        "install them (Debian package uidmap)");
        return write_single_mapping(pid, uid, gid);
    }
    TRY(run_map_helper(*newuidmap, pid, build_mappings(uid, uid_ranges), options.subuid_file, user));
    TRY(run_map_helper(*newgidmap, pid, build_mappings(gid, gid_ranges), options.subgid_file, user));
    return {};
}

struct Pipe {
    UniqueFd read_end, write_end;
};

Result<Pipe> make_pipe()
{
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return Error::from_errno("create user namespace: pipe2");
    return Pipe { UniqueFd(fds[0]), UniqueFd(fds[1]) };
}

// Forks the intermediate child, which forks the pause process and exits.
ErrorOr spawn_pause(Pipe& report, Pipe& go)
{
    pid_t mid = ::fork();
    if (mid < 0)
        return Error::from_errno("create user namespace: fork");
    if (mid == 0) {
        report.read_end.reset();
        go.write_end.reset(); // so the pause process sees EOF if berth dies
        pid_t pause_pid = ::fork();
        if (pause_pid < 0)
            send_report(report.write_end.get(), 'e', errno, "fork");
        if (pause_pid == 0)
            pause_main(report.write_end.get(), go.read_end.get());
        _exit(0);
    }
    report.write_end.reset();
    go.read_end.reset();
    int status = 0;
    while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) { }
    return {};
}

Result<PauseRecord> create_pause(Paths const& paths, EnterOptions const& options)
{
    Pipe report = TRY(make_pipe());
    Pipe go = TRY(make_pipe());
    TRY(spawn_pause(report, go));

    // 1. the pause process has unshared
    Report unshared = TRY(read_report(report.read_end.get()));
    pid_t pid = unshared.pid;
    ArmedScopeGuard kill_pause([pid] { ::kill(pid, SIGKILL); });
    // 2. map its ids from outside, then let it go on
    TRY(install_mappings(pid, paths, options));
    TRY_CTX(sys::write_all(go.write_end.get(), "g"), "create user namespace: start pause process");
    // 3. it has made / private and detached
    TRY(read_report(report.read_end.get()));
    auto st = read_process_stat(pid);
    if (!st || st->exited())
        return Error { ESRCH, "create user namespace: process " + std::to_string(pid) + " has exited" };
    PauseRecord record { pid, static_cast<unsigned long long>(st->start_time) };
    std::string text = std::to_string(record.pid) + " " + std::to_string(record.start_time) + "\n";
    TRY_CTX(fs::write_file_atomic(paths.layout().pause_pid_file(), text, 0600), "create user namespace");
    kill_pause.disarm();
    log::debug("created user namespace: pause process {}", pid);
    return record;
}

ErrorOr check_capabilities()
{
    cap_t caps = ::cap_get_proc();
    if (!caps)
        return Error::from_errno("enter user namespace: cap_get_proc");
    cap_flag_value_t admin = CAP_CLEAR;
    int rc = ::cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
    ::cap_free(caps);
    if (rc < 0 || admin != CAP_SET)
        return Error { EPERM, "enter user namespace: no CAP_SYS_ADMIN inside the namespace after setns" };
    return {};
}

ErrorOr join(PauseRecord const& record)
{
    std::string proc = "/proc/" + std::to_string(record.pid) + "/ns/";
    auto user_ns = sys::open(proc + "user", O_RDONLY);
    auto mnt_ns = user_ns ? sys::open(proc + "mnt", O_RDONLY) : Result<UniqueFd>(Error {});
    if (!user_ns || !mnt_ns) {
        Error e = !user_ns ? std::move(user_ns).error() : std::move(mnt_ns).error();
        if (e.code == ENOENT)
            e.code = ESRCH; // the pause process is gone: the caller recreates it
        return std::move(e).with_context("join user namespace");
    }
    // The descriptors pin the namespaces; make sure they are the pause process's.
    if (!still_running(record))
        return Error { ESRCH, "join user namespace: pause process " + std::to_string(record.pid) + " exited" };
    std::string cwd = sys::getcwd().value_or(std::string("/"));
    if (::setns(user_ns->get(), CLONE_NEWUSER) < 0)
        return Error::from_errno("join user namespace: setns user");
    if (::setns(mnt_ns->get(), CLONE_NEWNS) < 0)
        return Error::from_errno("join user namespace: setns mnt");
    if (::chdir(cwd.c_str()) < 0) {
        log::debug("join user namespace: cannot return to {}: {}", cwd, std::strerror(errno));
        (void)!::chdir("/");
    }
    if (::setresgid(0, 0, 0) < 0)
        return Error::from_errno("join user namespace: setresgid 0");
    if (::setresuid(0, 0, 0) < 0)
        return Error::from_errno("join user namespace: setresuid 0");
    if (::getuid() != 0 || ::geteuid() != 0)
        return Error::msg("join user namespace: still uid " + std::to_string(::getuid()) + " after setns");
    TRY(check_capabilities());
    ::setenv(userns_env_var, "1", 1);
    return {};
}

} // namespace

Result<std::vector<IdMapping>> parse_id_map(std::string const& text)
{
    std::vector<IdMapping> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        std::istringstream fields(line);
        unsigned long long c = 0, h = 0, s = 0;
        std::string extra;
        if (!(fields >> c >> h >> s) || (fields >> extra) || c > UINT32_MAX || h > UINT32_MAX || s > UINT32_MAX)
            return Error::msg("id map: malformed line \"" + line + "\"");
        out.push_back(IdMapping { uint32_t(c), uint32_t(h), uint32_t(s) });
    }
    return out;
}

Result<std::vector<IdMapping>> read_id_map(std::string const& proc_file)
{
    std::string text = TRY(fs::read_file(proc_file));
    return TRY_CTX(parse_id_map(text), proc_file);
}

bool is_identity_map(std::vector<IdMapping> const& map)
{
    return map.size() == 1 && map[0] == IdMapping { 0, 0, UINT32_MAX };
}

bool inside_user_namespace()
{
    auto map = read_id_map("/proc/self/uid_map");
    if (!map || is_identity_map(*map) || ::geteuid() != 0)
        return false;
    for (auto const& m : *map) {
        if (m.container_id == 0 && m.size > 0)
            return true;
    }
    return false;
}

pid_t pause_pid(Paths const& paths)
{
    auto record = read_pause_record(paths.layout().pause_pid_file());
    return record && still_running(*record) ? record->pid : 0;
}

ErrorOr enter(Paths const& paths) { return enter(paths, EnterOptions {}); }

ErrorOr enter(Paths const& paths, EnterOptions const& options)
{
    if (::geteuid() == 0) {
        log::debug("user namespace: {}", inside_user_namespace() ? "already inside" : "running as root");
        return {};
    }
    if (!paths.rootless)
        return {};
    TRY(check_single_threaded());
    // Serialise with other berth invocations: only one creates the namespace.
    FileLock lock = TRY_CTX(FileLock::acquire(paths.layout().pause_lock()), "enter user namespace");
    if (auto record = read_pause_record(paths.layout().pause_pid_file()); record && still_running(*record)) {
        auto joined = join(*record);
        // Anything but a pause process that vanished under us is a real failure.
        if (joined || joined.error().code != ESRCH)
            return joined;
        log::debug("user namespace: pause process {} exited while joining; recreating", record->pid);
    }
    PauseRecord created = TRY(create_pause(paths, options));
    return join(created);
}

} // namespace berth::rootless
