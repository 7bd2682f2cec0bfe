// The helpers' process plumbing: see helper_process.h.
#include "network/helper_process.h"

#include "base/fs.h"
#include "network/teardown.h"

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace berth::network {

Result<std::string> bind_namespace(std::string const& run_dir, pid_t pid, char const* name, char const* file_name)
{
    std::string target = fs::join(run_dir, file_name ? std::string(file_name) : std::string(name) + namespace_file_suffix);
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

void unbind_namespace(std::string const& path)
{
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
}

BoundNamespaces::~BoundNamespaces()
{
    if (!net.empty())
        unbind_namespace(net);
    if (!user.empty())
        unbind_namespace(user);
}

ErrorOr bind_namespaces(BoundNamespaces& out, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    out.net = TRY(bind_namespace(run_dir, init_pid, "net"));
    if (own_userns)
        out.user = TRY(bind_namespace(run_dir, init_pid, "user"));
    return {};
}

char const* helper_package(std::string const& program)
{
    return program.find("slirp4netns") != std::string::npos ? "slirp4netns" : "passt";
}

namespace {

[[noreturn]] void exec_helper(std::vector<std::string> const& argv, std::string const& log_path, std::vector<int> const& keep,
    std::string const& cwd, pid_t parent)
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
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(log >= 0 ? log : null, 2);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
        ::dprintf(2, "chdir %s: %s\n", cwd.c_str(), ::strerror(errno));
        ::_exit(125);
    }
    // The fds to keep go to 3, 4, ... by way of numbers above every one of them.
    int high = 3 + static_cast<int>(keep.size());
    for (int fd : keep)
        high = std::max(high, fd + 1);
    std::vector<int> moved;
    for (int fd : keep)
        moved.push_back(::fcntl(fd, F_DUPFD, high));
    for (size_t i = 0; i < moved.size(); ++i)
        ::dup2(moved[i], 3 + static_cast<int>(i));
    // Not the container's stdio pipes: their EOF must not wait for the helper.
    ::close_range(3 + static_cast<unsigned>(keep.size()), ~0U, 0);
    std::vector<char*> args;
    for (auto const& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::dprintf(2, "exec %s: %s (install the %s package)\n", args[0], ::strerror(errno), helper_package(argv[0]));
    ::_exit(127);
}

} // namespace

Result<pid_t> spawn_helper(std::vector<std::string> const& argv, std::string const& log_path, std::vector<int> const& keep,
    std::string const& cwd)
{
    ::unlink(log_path.c_str());
    pid_t self = ::getpid();
    pid_t child = ::fork();
    if (child == 0)
        exec_helper(argv, log_path, keep, cwd, self);
    if (child < 0)
        return Error::from_errno("start " + argv[0]);
    return child;
}

std::string last_log_line(std::string const& path)
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

} // namespace berth::network
