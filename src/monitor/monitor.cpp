// berth-launch's steps, in order: block signals, stdio (pty or pipes), start the
// container (in-process runtime or external runtime), report the pid, exec
// berth-monitor with the fds on its command line. See monitor.h.
#include "monitor/monitor.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/process_stat.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "monitor/protocol.h"
#include "runtime/container.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

namespace berth::monitor {

namespace {

Result<pid_t> start_external(MonitorConfig const& c, runtime::Stdio const& stdio)
{
    TRY(fs::write_file_replace(fs::join(c.bundle_dir, "config.json"), json::dump(c.spec.to_json(), 2) + "\n"));
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
        // Nothing else of ours: the container's lock among them would stay
        // held by the runtime for the container's life, and stop and rm wait on it.
        ::close_range(3, ~0U, 0);
        std::string id = c.id;
        char const* argv[] = { c.runtime_path.c_str(), "--root", c.runtime_root.c_str(), "run", "--bundle",
            c.bundle_dir.c_str(), id.c_str(), nullptr };
        ::execv(argv[0], const_cast<char* const*>(argv));
        ::_exit(errno == ENOENT ? 127 : 126);
    }
    return pid;
}

/// The container's ends and the monitor's ends of its stdio.
struct StdioFds {
    UniqueFd out_r, out_w, err_r, err_w, in_r, in_w, pty_master, pty_slave;
};

ErrorOr make_pipe(UniqueFd& r, UniqueFd& w)
{
    auto p = TRY(sys::pipe());
    r = std::move(p.read_end);
    w = std::move(p.write_end);
    return {};
}

Result<StdioFds> make_stdio(MonitorConfig const& c, runtime::Stdio& stdio)
{
    StdioFds f;
    stdio.preserve = c.preserve_fds;
    if (c.spec.process.terminal && c.runtime_path.empty()) {
        int master = -1, slave = -1;
        if (::openpty(&master, &slave, nullptr, nullptr, nullptr) != 0)
            return Error::from_errno("openpty");
        f.pty_master.reset(master);
        f.pty_slave.reset(slave);
        ::fcntl(master, F_SETFD, FD_CLOEXEC);
        ::fcntl(slave, F_SETFD, FD_CLOEXEC);
        if (c.attached && ::isatty(0)) {
            struct winsize ws {};
            if (::ioctl(0, TIOCGWINSZ, &ws) == 0)
                ::ioctl(master, TIOCSWINSZ, &ws);
        }
        stdio.pty_slave = slave;
        return f;
    }
    TRY(make_pipe(f.out_r, f.out_w));
    TRY(make_pipe(f.err_r, f.err_w));
    stdio.out = f.out_w.get();
    stdio.err = f.err_w.get();
    stdio.in = -1;
    if (c.interactive && c.attached) {
        stdio.in = 0;  // the attached CLI's stdin goes straight to the container
    } else if (c.interactive) {
        TRY(make_pipe(f.in_r, f.in_w));
        stdio.in = f.in_r.get();
    }
    return f;
}

Result<pid_t> start_container(MonitorConfig const& c, runtime::Stdio const& stdio)
{
    bool helper = c.network.program != network::HelperPlan::Program::None;
    if (!c.runtime_path.empty() && helper)
        return Error { EINVAL, "--network " + c.network.to_json().value("program", "") + ": not supported with --runtime yet" };
    if (!c.runtime_path.empty())
        return start_external(c, stdio);
    TRY(fs::write_file_replace(fs::join(c.bundle_dir, "config.json"), json::dump(c.spec.to_json(), 2) + "\n"));
    runtime::StartOptions options;
    options.seccomp_cache_dir = c.seccomp_cache_dir;
    if (c.bridge.active())
        options.before_go = [&c](pid_t pid) { return network::setup_bridge(c.bridge, c.run_dir, pid); };
    if (helper) {
        bool own_userns = false;
        for (auto const& ns : c.spec.linux_config.namespaces)
            own_userns = own_userns || (ns.type == runtime::NamespaceType::User && ns.path.empty());
        options.before_go = [&c, own_userns](pid_t pid) { return network::attach_helper(c.network, c.run_dir, pid, own_userns); };
    }
    return runtime::start(c.spec, stdio, options);
}

void write_line(int fd, std::string const& line)
{
    if (fd < 0)
        return;
    // The CLI reading the line may have been killed: that is EPIPE here, not
    // death by SIGPIPE, which would leave the container without its monitor.
    struct sigaction ignore {}, old {};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    (void)sys::write_all(fd, line);
    ::sigaction(SIGPIPE, &old, nullptr);
}

/// Clears close-on-exec so that berth-monitor inherits the fd; returns "--key=fd".
std::string pass_fd(char const* key, UniqueFd const& fd)
{
    ::fcntl(fd.get(), F_SETFD, 0);
    return std::string(key) + "=" + std::to_string(fd.get());
}

[[noreturn]] void exec_monitor(MonitorConfig const& c, pid_t pid, StdioFds const& f)
{
    std::vector<std::string> args { c.monitor_path, "--id=" + c.id, "--dir=" + c.run_dir,
        "--log-driver=" + c.log_driver, "--log-path=" + c.log_path, "--log-max-size=" + std::to_string(c.log_max_size),
        "--pid=" + std::to_string(pid) };
    if (f.pty_master.valid())
        args.push_back(pass_fd("--pty", f.pty_master));
    if (f.out_r.valid())
        args.push_back(pass_fd("--stdout", f.out_r));
    if (f.err_r.valid())
        args.push_back(pass_fd("--stderr", f.err_r));
    if (f.in_w.valid())
        args.push_back(pass_fd("--stdin", f.in_w));
    if (c.status_fd >= 0) {
        ::fcntl(c.status_fd, F_SETFD, 0);
        args.push_back("--status=" + std::to_string(c.status_fd));
    }
    if (c.attached)
        args.push_back("--relay-out");
    if (c.attached && !c.relay_stdout)
        args.push_back("--quiet-stdout");
    if (c.attached && !c.relay_stderr)
        args.push_back("--quiet-stderr");
    if (c.timeout_s > 0)
        args.push_back("--timeout=" + std::to_string(c.timeout_s));
    if (c.attached && c.interactive && f.pty_master.valid())
        args.push_back("--relay-in");
    bool healthcheck = (c.healthcheck_interval_ms > 0 || c.healthcheck_startup_interval_ms > 0) && !c.healthcheck_command.empty();
    if (healthcheck)
        args.push_back("--healthcheck-interval=" + std::to_string(c.healthcheck_interval_ms));
    if (healthcheck && c.healthcheck_startup_interval_ms > 0)
        args.push_back("--healthcheck-startup-interval=" + std::to_string(c.healthcheck_startup_interval_ms));
    args.push_back("--");
    for (auto const& a : c.exit_command)
        args.push_back(a);
    if (healthcheck) {
        args.push_back("--");
        for (auto const& a : c.healthcheck_command)
            args.push_back(a);
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execve(argv[0], argv.data(), environ);
    // The container runs without anyone to watch it: stop it rather than lose it.
    log::warn("exec {}: {}", c.monitor_path, std::strerror(errno));
    ::kill(pid, SIGKILL);
    ::_exit(125);
}

} // namespace

void run(MonitorConfig const& c)
{
    // Signals become events in berth-monitor's signalfd: block them now (the
    // container's init resets its mask); pending ones survive the exec.
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig : monitor_signals)
        sigaddset(&mask, sig);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    auto fail = [&](Error const& e) {
        write_line(c.sync_fd, encode_error(e));
        ::_exit(exit_status(e.kind));
    };
    if (auto r = fs::mkdir_p(c.run_dir, 0700); !r)
        fail(r.error());
    ::unlink(fs::join(c.run_dir, exit_file_name).c_str());
    ::unlink(fs::join(c.run_dir, launch_file_name).c_str());
    runtime::Stdio stdio;
    auto fds = make_stdio(c, stdio);
    if (!fds)
        fail(fds.error());
    auto pid = start_container(c, stdio);
    if (!pid)
        fail(pid.error());
    fds->out_w.reset();
    fds->err_w.reset();
    fds->in_r.reset();
    fds->pty_slave.reset();
    // Before the sync line: from here on the container can be found even if
    // the CLI waiting for that line is killed (engine's adopt_interrupted_start).
    std::string launch = std::to_string(::getpid()) + " " + std::to_string(process_start_time(::getpid())) + " "
        + std::to_string(*pid) + " " + std::to_string(std::time(nullptr)) + "\n";
    if (auto r = fs::write_file_replace(fs::join(c.run_dir, launch_file_name), launch, 0600); !r)
        log::warn("container {}: {}", c.id, r.error().message);
    // The container lock came with us from the CLI, so that a CLI killed
    // before this point leaves the container locked until the launch file
    // names us (an rm waiting for the lock then finds the container running,
    // not created). Now the CLI's copy alone holds it.
    if (c.lock_fd >= 0)
        ::close(c.lock_fd);
    write_line(c.sync_fd, encode_pid(*pid));
    ::close(c.sync_fd);
    exec_monitor(c, *pid, *fds);
}

// ------------------------------------------------------------------ config

Json config_to_json(MonitorConfig const& c)
{
    return Json {
        { "id", c.id },
        { "bundle_dir", c.bundle_dir },
        { "run_dir", c.run_dir },
        { "seccomp_cache_dir", c.seccomp_cache_dir },
        { "runtime_path", c.runtime_path },
        { "runtime_root", c.runtime_root },
        { "monitor_path", c.monitor_path },
        { "log_driver", c.log_driver },
        { "log_path", c.log_path },
        { "log_max_size", c.log_max_size },
        { "exit_command", c.exit_command },
        { "healthcheck_interval_ms", c.healthcheck_interval_ms },
        { "healthcheck_command", c.healthcheck_command },
        { "healthcheck_startup_interval_ms", c.healthcheck_startup_interval_ms },
        { "timeout_s", c.timeout_s },
        { "relay_stdout", c.relay_stdout },
        { "relay_stderr", c.relay_stderr },
        { "spec", c.spec.to_json() },
        { "interactive", c.interactive },
        { "attached", c.attached },
        { "preserve_fds", c.preserve_fds },
        { "network", c.network.to_json() },
        { "bridge", c.bridge.to_json() },
    };
}

Result<MonitorConfig> config_from_json(Json const& j)
{
    if (!j.is_object() || !j.contains("spec"))
        return Error { EINVAL, "launch config: not an object with a spec" };
    MonitorConfig c;
    try {
        c.id = j.at("id").get<std::string>();
        c.bundle_dir = j.at("bundle_dir").get<std::string>();
        c.run_dir = j.at("run_dir").get<std::string>();
        c.seccomp_cache_dir = j.at("seccomp_cache_dir").get<std::string>();
        c.runtime_path = j.at("runtime_path").get<std::string>();
        c.runtime_root = j.at("runtime_root").get<std::string>();
        c.monitor_path = j.at("monitor_path").get<std::string>();
        c.log_driver = j.at("log_driver").get<std::string>();
        c.log_path = j.at("log_path").get<std::string>();
        c.log_max_size = j.at("log_max_size").get<int64_t>();
        c.exit_command = j.at("exit_command").get<std::vector<std::string>>();
        c.healthcheck_interval_ms = j.at("healthcheck_interval_ms").get<int64_t>();
        c.healthcheck_command = j.at("healthcheck_command").get<std::vector<std::string>>();
        c.healthcheck_startup_interval_ms = j.at("healthcheck_startup_interval_ms").get<int64_t>();
        c.timeout_s = j.value("timeout_s", int64_t(0));
        c.relay_stdout = j.value("relay_stdout", true);
        c.relay_stderr = j.value("relay_stderr", true);
        c.interactive = j.at("interactive").get<bool>();
        c.attached = j.at("attached").get<bool>();
        c.preserve_fds = j.at("preserve_fds").get<std::vector<int>>();
        c.network = TRY(network::HelperPlan::from_json(j.at("network")));
        c.bridge = TRY(network::BridgePlan::from_json(j.value("bridge", Json::object())));
    } catch (Json::exception const& e) {
        return Error { EINVAL, std::string("launch config: ") + e.what() };
    }
    c.spec = TRY_CTX(runtime::Spec::parse(j.at("spec")), "launch config");
    return c;
}

// ------------------------------------------------------------------ protocol

std::string encode_pid(pid_t pid)
{
    return "pid " + std::to_string(pid) + "\n";
}

std::string encode_error(Error const& error)
{
    char const* kind = error.kind == ErrorKind::NotFound ? "notfound"
        : error.kind == ErrorKind::CannotInvoke         ? "cannotinvoke"
                                                        : "engine";
    std::string message = error.message;
    for (auto& ch : message)
        if (ch == '\n')
            ch = ' ';
    return std::string("error ") + kind + " " + std::to_string(error.code) + " " + message + "\n";
}

Result<StartReply> decode(std::string const& given)
{
    std::string line = given;
    if (!line.empty() && line.back() == '\n')
        line.pop_back();
    StartReply reply;
    if (line.rfind("pid ", 0) == 0) {
        reply.pid = static_cast<pid_t>(std::atoi(line.c_str() + 4));
        if (reply.pid > 0)
            return reply;
    } else if (line.rfind("error ", 0) == 0) {
        auto a = line.find(' ', 6);
        auto b = a == std::string::npos ? a : line.find(' ', a + 1);
        if (b != std::string::npos) {
            std::string kind = line.substr(6, a - 6);
            Error e = Error::msg(line.substr(b + 1));
            e.code = std::atoi(line.substr(a + 1, b - a - 1).c_str());
            e.kind = kind == "notfound" ? ErrorKind::NotFound : kind == "cannotinvoke" ? ErrorKind::CannotInvoke : ErrorKind::Engine;
            reply.error = std::move(e);
            return reply;
        }
    }
    return Error::msg("container monitor: unexpected reply \"" + line + "\"");
}

std::optional<ExitInfo> parse_exit_text(std::string const& text)
{
    ExitInfo info;
    long long code = 0, sec = 0, nsec = 0;
    if (std::sscanf(text.c_str(), "%lld %lld %lld", &code, &sec, &nsec) < 2)
        return std::nullopt;
    info.code = static_cast<int>(code);
    info.finished = sec;
    info.finished_nanos = nsec;
    return info;
}

std::optional<ExitInfo> read_exit_file(std::string const& dir)
{
    auto text = fs::read_file(fs::join(dir, exit_file_name));
    if (!text)
        return std::nullopt;
    return parse_exit_text(*text);
}

std::optional<LaunchInfo> parse_launch_text(std::string const& text)
{
    long long monitor = 0, monitor_start = 0, container = 0, started = 0;
    if (std::sscanf(text.c_str(), "%lld %lld %lld %lld", &monitor, &monitor_start, &container, &started) != 4
        || monitor <= 0 || container <= 0 || monitor_start <= 0)
        return std::nullopt;
    return LaunchInfo { static_cast<pid_t>(monitor), monitor_start, static_cast<pid_t>(container), started };
}

std::optional<LaunchInfo> read_launch_file(std::string const& dir)
{
    auto text = fs::read_file(fs::join(dir, launch_file_name));
    if (!text)
        return std::nullopt;
    return parse_launch_text(*text);
}

} // namespace berth::monitor
