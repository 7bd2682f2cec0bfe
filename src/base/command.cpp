// Helper processes with a deadline: fork, exec, poll the output pipes, kill on
// timeout. Exec failures travel back over a close-on-exec pipe (the child
// writes errno there only if execv returns), so "not found" is an Error rather
// than a mysterious exit status 127.
#include "base/command.h"

#include "base/sys.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <sched.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth {

namespace {

bool is_executable_file(std::string const& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Runs in the forked child: only async-signal-safe calls, ends in execv or _exit.
[[noreturn]] void exec_child(std::vector<char*> const& argv, int out_fd, int err_fd, int status_fd, CommandOptions const& options)
{
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (options.netns_fd >= 0 && ::setns(options.netns_fd, CLONE_NEWNET) != 0) {
        int e = errno;
        (void)!::write(status_fd, &e, sizeof e);
        _exit(127);
    }
    int null_fd = options.stdin_fd >= 0 ? options.stdin_fd : ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
        int e = errno;
        (void)!::write(status_fd, &e, sizeof e);
        _exit(127);
    }
    // Leave only stdio and the exec-status pipe (close-on-exec) open.
    for (int fd = 3; fd < status_fd; ++fd)
        ::close(fd);
    ::close_range(static_cast<unsigned>(status_fd) + 1, ~0U, 0);
    ::execv(argv[0], argv.data());
    int e = errno;
    (void)!::write(status_fd, &e, sizeof e);
    _exit(127);
}

// Reads both pipes until EOF on both or the deadline; returns false on timeout.
bool collect_output(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline, CommandResult& result)
{
    struct pollfd fds[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
    std::string* sinks[2] = { &result.out, &result.err };
    int open_count = 2;
    while (open_count > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        int n = ::poll(fds, 2, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return false;
        if (n < 0)
            return true; // poll itself failed: keep what we have
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                fds[i].fd = -1;
                --open_count;
                continue;
            }
            if (sinks[i]->size() < (1 << 20)) // a helper's chatter is never worth more than 1 MiB
                sinks[i]->append(buf, static_cast<size_t>(got));
        }
    }
    return true;
}

int wait_status(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

std::optional<std::string> find_program(std::string const& name)
{
    if (name.empty())
        return std::nullopt;
    if (name.find('/') != std::string::npos)
        return is_executable_file(name) ? std::optional(name) : std::nullopt;
    std::string search;
    if (char const* path = std::getenv("PATH"); path && *path)
        search = std::string(path) + ":";
    search += "/usr/bin:/usr/sbin:/bin:/sbin";
    size_t start = 0;
    while (start <= search.size()) {
        size_t end = search.find(':', start);
        if (end == std::string::npos)
            end = search.size();
        std::string dir = search.substr(start, end - start);
        if (!dir.empty() && dir[0] == '/') {
            std::string candidate = dir + "/" + name;
            if (is_executable_file(candidate))
                return candidate;
        }
        start = end + 1;
    }
    return std::nullopt;
}

Result<CommandResult> run_command(std::vector<std::string> const& argv, std::chrono::milliseconds timeout)
{
    return run_command(argv, timeout, CommandOptions {});
}

Result<CommandResult> run_command(std::vector<std::string> const& argv, std::chrono::milliseconds timeout, CommandOptions const& options)
{
    if (argv.empty())
        return Error::msg("run command: empty argument list");
    std::vector<char*> cargv;
    for (auto const& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);

    auto out = TRY_CTX(sys::pipe(), "run " + argv[0]);
    auto err = TRY_CTX(sys::pipe(), "run " + argv[0]);
    auto status = TRY_CTX(sys::pipe(), "run " + argv[0]);
    auto deadline = std::chrono::steady_clock::now() + timeout;

    pid_t pid = ::fork();
    if (pid < 0)
        return Error::from_errno("run " + argv[0] + ": fork");
    if (pid == 0)
        exec_child(cargv, out.write_end.get(), err.write_end.get(), status.write_end.get(), options);

    out.write_end.reset();
    err.write_end.reset();
    status.write_end.reset();

    int exec_errno = 0;
    auto got = sys::read(status.read_end.get(), &exec_errno, sizeof exec_errno);
    if (got && *got == sizeof exec_errno) {
        wait_status(pid);
        return Error::from_errno("run " + argv[0], exec_errno);
    }

    CommandResult result;
    if (!collect_output(out.read_end.get(), err.read_end.get(), deadline, result)) {
        ::kill(pid, SIGKILL);
        result.timed_out = true;
    }
    result.exit_code = wait_status(pid);
    return result;
}

std::string first_line(std::string const& text)
{
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(pos, end - pos);
        size_t b = line.find_first_not_of(" \t\r");
        if (b != std::string::npos) {
            size_t e = line.find_last_not_of(" \t\r");
            return line.substr(b, e - b + 1);
        }
        pos = end + 1;
    }
    return {};
}

} // namespace berth
