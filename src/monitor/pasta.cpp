// start_pasta(): see pasta.h. pasta runs with --foreground so that it stays
// this process's child (no detached pid namespace, a pid that can be killed)
// and writes its pid file only once it is ready: polling for that file, or for
// pasta's exit, is the readiness check.
#include "monitor/pasta.h"

#include "base/fs.h"
#include "base/sys.h"
#include "monitor/protocol.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::monitor {

namespace {

/// Bind mounts /proc/PID/ns/NAME on run_dir/NAME-ns and returns that path.
Result<std::string> bind_namespace(std::string const& run_dir, pid_t pid, char const* name)
{
    std::string target = fs::join(run_dir, std::string(name) + namespace_file_suffix);
    std::string source = "/proc/" + std::to_string(pid) + "/ns/" + name;
    ::umount2(target.c_str(), MNT_DETACH);
    int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error::from_errno("create " + target);
    ::close(fd);
    if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0)
        return Error::from_errno("bind mount " + source + " on " + target);
    return target;
}

void unbind(std::string const& path)
{
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
}

[[noreturn]] void exec_pasta(std::vector<std::string> const& argv, std::string const& log_path, pid_t parent)
{
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent)
        ::_exit(125);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
        ::signal(sig, SIG_DFL);
    int null = ::open("/dev/null", O_RDWR);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(log >= 0 ? log : null, 2);
    ::close_range(3, ~0U, 0);  // not the container's stdio pipes: their EOF must not wait for pasta
    std::vector<char*> args;
    for (auto const& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::dprintf(2, "exec pasta: %s (install the passt package)\n", ::strerror(errno));
    ::_exit(127);
}

/// The last line pasta logged, for the error message.
std::string last_line(std::string const& path)
{
    auto text = fs::read_file(path);
    if (!text)
        return "no message";
    std::string s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    auto nl = s.rfind('\n');
    s = nl == std::string::npos ? s : s.substr(nl + 1);
    return s.empty() ? "no message" : s;
}

} // namespace

ErrorOr start_pasta(std::vector<std::string> const& args, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    std::string netns = TRY(bind_namespace(run_dir, init_pid, "net"));
    std::string userns;
    if (own_userns) {
        auto u = bind_namespace(run_dir, init_pid, "user");
        if (!u) {
            unbind(netns);
            return std::move(u).error();
        }
        userns = *u;
    }
    std::string pid_file = fs::join(run_dir, pasta_pid_file_name);
    std::string log_path = fs::join(run_dir, pasta_log_file_name);
    ::unlink(pid_file.c_str());
    std::vector<std::string> argv { "pasta", "--foreground", "--runas", "0", "--no-netns-quit", "--pid", pid_file };
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), { "--netns", netns });
    if (own_userns)
        argv.insert(argv.end(), { "--userns", userns });
    pid_t self = ::getpid();
    pid_t child = ::fork();
    if (child == 0)
        exec_pasta(argv, log_path, self);
    if (child < 0) {
        unbind(netns);
        if (own_userns)
            unbind(userns);
        return Error::from_errno("start pasta");
    }
    ErrorOr result;
    for (int i = 0;; ++i) {
        int st = 0;
        if (::waitpid(child, &st, WNOHANG) == child) {
            result = Error { EIO, "start pasta for the container's network: " + last_line(log_path) };
            break;
        }
        if (auto text = fs::read_file(pid_file); text && !text->empty() && text->back() == '\n')
            break;
        if (i == 1000) {  // 10 s
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
            result = Error { ETIMEDOUT, "start pasta for the container's network: not ready after 10 s" };
            break;
        }
        ::usleep(10000);
    }
    unbind(netns);
    if (own_userns)
        unbind(userns);
    return result;
}

} // namespace berth::monitor
