// exec_container(): container record -> its config.json -> the exec'd
// process's spec (the container's security setup plus -e/-u/-w/-t and
// --privileged) -> runtime::exec_in() -> wait, relaying the pty with -t.
//
// The subtle part is the relay loop: the process may exit while its output is
// still in the pty, so the loop reads the master until EIO/EOF (every slave fd
// closed) and only then reaps; a SIGWINCH arrives through a signalfd so the
// window size follows our terminal without a signal handler racing the loop.
#include "engine/containers/exec.h"

#include "container/spec_builder.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/raw_terminal.h"
#include "base/signal_forwarder.h"
#include "base/sys.h"
#include "container/options.h"
#include "container/user.h"
#include "engine/containers/containers.h"
#include "monitor/protocol.h"
#include "runtime/capabilities.h"
#include "runtime/exec.h"

#include <csignal>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char** environ;

namespace berth::engine {

namespace {

bool has_env(std::vector<std::string> const& env, std::string const& key)
{
    for (auto const& e : env)
        if (e.rfind(key + "=", 0) == 0)
            return true;
    return false;
}

/// The container's environment, then --env-file, then -e (KEY alone copies ours).
Result<std::vector<std::string>> exec_env(std::vector<std::string> env, ExecOptions const& o)
{
    auto host = sys::environment();
    for (auto const& f : o.env_files) {
        auto text = TRY_CTX(fs::read_file(f), "env file " + f);
        for (auto const& e : container::parse_env_file(text, host))
            container::set_env(env, e);
    }
    for (auto const& e : o.env) {
        if (e.empty() || e[0] == '=')
            return Error { EINVAL, "invalid environment variable \"" + e + "\": use KEY=VALUE or KEY" };
        if (e.find('=') != std::string::npos)
            container::set_env(env, e);
        else if (auto it = host.find(e); it != host.end())
            container::set_env(env, e + "=" + it->second);
    }
    if (o.tty && !has_env(env, "TERM"))
        env.push_back("TERM=xterm");
    return env;
}

/// The exec'd process: the container's, with the caller's overrides.
Result<runtime::Process> exec_process_spec(runtime::Spec const& spec, ExecOptions const& o)
{
    runtime::Process p = spec.process;
    p.args = o.command;
    p.terminal = o.tty;
    p.oom_score_adj.reset();
    if (!o.workdir.empty()) {
        if (o.workdir[0] != '/')
            return Error { EINVAL, "workdir \"" + o.workdir + "\" must be an absolute path" };
        p.cwd = o.workdir;
    }
    bool user_home = false;
    if (!o.user.empty()) {
        auto resolved = TRY(container::resolve_user(spec.root.path, o.user));
        p.user.uid = resolved.uid;
        p.user.gid = resolved.gid;
        p.user.additional_gids = resolved.additional_gids;
        user_home = true;
        std::erase_if(p.env, [](auto const& e) { return e.rfind("HOME=", 0) == 0; });
        if (!has_env(o.env, "HOME"))
            p.env.push_back("HOME=" + resolved.home);
    }
    (void)user_home;
    p.env = TRY(exec_env(std::move(p.env), o));
    if (o.privileged) {
        // Every capability this process can still hand on (our bounding set).
        std::vector<std::string> all;
        for (auto const& name : runtime::all_capabilities())
            if (auto cap = runtime::capability_from_name(name); cap && ::prctl(PR_CAPBSET_READ, *cap) == 1)
                all.push_back(name);
        p.capabilities = runtime::CapabilityNames { all, all, all, {}, {} };
    }
    return p;
}

void copy_window_size(int from, int to)
{
    struct winsize ws {};
    if (::ioctl(from, TIOCGWINSZ, &ws) == 0)
        ::ioctl(to, TIOCSWINSZ, &ws);
}

bool write_all(int fd, char const* data, size_t size)
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

/// Copies stdin -> master (with -i) and master -> stdout until the pty hangs
/// up, forwarding the signals berth receives to `pid` meanwhile.
void relay_pty(int master, bool interactive, SignalForwarder* forwarder, pid_t pid)
{
    copy_window_size(STDIN_FILENO, master);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGWINCH);
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC);
    bool stdin_open = interactive;
    char buf[8192];
    for (;;) {
        struct pollfd fds[4] = { { master, POLLIN, 0 }, { sfd, POLLIN, 0 }, { stdin_open ? STDIN_FILENO : -1, POLLIN, 0 },
            { forwarder ? forwarder->fd() : -1, POLLIN, 0 } };
        if (::poll(fds, 4, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (fds[0].revents) {
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0 || !write_all(STDOUT_FILENO, buf, static_cast<size_t>(n)))
                break;
        }
        if (fds[1].revents) {
            struct signalfd_siginfo si {};
            if (::read(sfd, &si, sizeof si) > 0)
                copy_window_size(STDIN_FILENO, master);
        }
        if (fds[2].revents) {
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n <= 0)
                stdin_open = false;
            else
                write_all(master, buf, static_cast<size_t>(n));
        }
        if (fds[3].revents)
            forwarder->forward_pending(pid);
    }
    if (sfd >= 0)
        ::close(sfd);
}

Error not_running(container::ContainerRecord const& rec)
{
    return Error { EINVAL, "can only create exec sessions on running containers: container " + rec.name
            + " is " + std::string(container::state_name(rec.state)) + ": container state improper" };
}

} // namespace

Result<int> exec_container(Context& ctx, std::string const& name_or_id, ExecOptions const& o)
{
    if (o.command.empty())
        return Error { EINVAL, "exec requires the name or ID of a container and a command to run" };
    if (o.preserve_fds < 0)
        return Error { EINVAL, "--preserve-fds must be 0 or more" };
    TRY(parse_detach_keys(o.detach_keys));
    auto rec = TRY(find_container(ctx, name_or_id));
    if (rec.state != container::State::Running || rec.pid <= 0)
        return not_running(rec);
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    auto text = TRY_CTX(fs::read_file(fs::join(dir, "config.json")), "exec in " + rec.name);
    auto spec = TRY_CTX(runtime::Spec::parse(std::string_view(text)), "exec in " + rec.name);
    spec.process = TRY(exec_process_spec(spec, o));
    // The store stays open: its fds are close-on-exec and the helper exec_in
    // spawns closes every fd but stdio and --preserve-fds before it joins.

    runtime::ExecRequest req;
    req.init_pid = static_cast<pid_t>(rec.pid);
    req.spec = &spec;
    req.detach = o.detach;
    req.seccomp_cache_dir = ctx.paths.layout().seccomp_cache_dir();
    req.helper = TRY(sys::helper_path(monitor::launch_executable));
    req.stdio.in = o.interactive && !o.detach ? STDIN_FILENO : -1;
    req.stdio.out = o.detach ? -1 : STDOUT_FILENO;
    req.stdio.err = o.detach ? -1 : STDERR_FILENO;
    for (int i = 0; i < o.preserve_fds; ++i)
        req.stdio.preserve.push_back(3 + i);
    auto started = runtime::exec_in(req);
    if (!started) {
        Error e = std::move(started).error();
        if (e.code == ESRCH)
            return not_running(rec);
        return e;
    }
    if (o.detach)
        return 0;
    ChildProcess process(started->pid);
    auto forwarder = SignalForwarder::create();
    SignalForwarder* forwarding = forwarder ? &*forwarder : nullptr;
    if (o.tty && started->pty_master.valid()) {
        {
            std::optional<RawTerminal> raw;
            if (o.interactive && ::isatty(STDIN_FILENO))
                raw.emplace(STDIN_FILENO);
            relay_pty(started->pty_master.get(), o.interactive, forwarding, process.pid());
        }
        started->pty_master.reset();
    }
    auto status = TRY(forwarding ? forwarding->wait(process) : process.wait());
    return monitor::exit_status_code(status);
}

} // namespace berth::engine
