// ensure_rootless_netns() and remove_rootless_netns(): see rootless_netns.h.
#include "network/rootless_netns.h"

#include "base/command.h"
#include "base/file_lock.h"
#include "base/fs.h"
#include "base/unique_fd.h"
#include "network/helper_process.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/magic.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

namespace {

std::string netns_dir(std::string const& run_root) { return fs::join(run_root, "netns"); }

bool is_namespace(std::string const& path)
{
    struct statfs st {};
    return ::statfs(path.c_str(), &st) == 0 && st.f_type == NSFS_MAGIC;
}

pid_t read_pid(std::string const& path)
{
    auto text = fs::read_file(path);
    return text ? static_cast<pid_t>(std::atoi(text->c_str())) : 0;
}

bool pasta_alive(std::string const& pid_file)
{
    pid_t pid = read_pid(pid_file);
    if (pid <= 0 || ::kill(pid, 0) != 0)
        return false;
    auto comm = fs::read_file("/proc/" + std::to_string(pid) + "/comm");
    // Debian's pasta execs passt.avx2 where the CPU has it.
    return comm && (comm->rfind("pasta", 0) == 0 || comm->rfind("passt", 0) == 0);
}

/// A new network namespace with loopback up, bound on dir/rootless-netns.
ErrorOr make_namespace(std::string const& dir)
{
    int ready[2], done[2];
    if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(done, O_CLOEXEC) != 0)
        return Error::from_errno("pipe");
    UniqueFd ready_r(ready[0]), ready_w(ready[1]), done_r(done[0]), done_w(done[1]);
    pid_t child = ::fork();
    if (child < 0)
        return Error::from_errno("fork");
    if (child == 0) {
        ::close(ready[0]);
        ::close(done[1]);  // else the read below never sees the parent's end close
        char ok = 0;
        if (::unshare(CLONE_NEWNET) == 0) {
            ok = 1;
            int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            struct ifreq ifr {};
            std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
            if (s >= 0 && ::ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
                ifr.ifr_flags |= IFF_UP;
                ::ioctl(s, SIOCSIFFLAGS, &ifr);
            }
        }
        (void)!::write(ready[1], &ok, 1);
        char c;
        (void)!::read(done[0], &c, 1);
        ::_exit(0);
    }
    ready_w.reset();
    done_r.reset();
    char ok = 0;
    bool got = ::read(ready_r.get(), &ok, 1) == 1 && ok == 1;
    ErrorOr result;
    if (!got) {
        result = Error { EPERM, "create the rootless network namespace: unshare(CLONE_NEWNET) failed" };
    } else {
        auto bound = bind_namespace(dir, child, "net", "rootless-netns");
        if (!bound)
            result = std::move(bound).error();
    }
    done_w.reset();
    ::waitpid(child, nullptr, 0);
    return result;
}

} // namespace

Result<std::string> ensure_rootless_netns(std::string const& run_root, std::string const& pasta)
{
    std::string dir = netns_dir(run_root);
    TRY(fs::mkdir_p(dir, 0700));
    auto lock = TRY(FileLock::acquire(fs::join(dir, "lock")));
    std::string path = fs::join(dir, "rootless-netns");
    std::string pid_file = fs::join(dir, "pasta.pid");
    if (is_namespace(path) && pasta_alive(pid_file))
        return path;
    // Whatever is left of an earlier one goes: its pasta quits with the file.
    remove_rootless_netns(run_root);
    TRY_CTX(make_namespace(dir), "rootless network namespace");
    auto program = find_program(pasta);
    if (!program) {
        remove_rootless_netns(run_root);
        return Error { ENOENT, "pasta not found: rootless user-defined networks need it for their egress: install the passt package" };
    }
    // --no-map-gw: the host's loopback-only services stay out of reach, as in
    // every default mode; no port forwarding of its own (-t none ...).
    std::string log = fs::join(dir, "pasta.log");
    std::vector<std::string> argv { *program, "--config-net", "--no-map-gw", "--quiet", "-t", "none", "-u", "none", "-T", "none", "-U",
        "none", "--pid", pid_file, "--netns", path };
    // pasta goes to the background once the namespace is configured: the
    // process we start exits then, and its daemon's pid is in the pid file.
    auto started = spawn_helper(argv, log);
    if (!started) {
        remove_rootless_netns(run_root);
        return std::move(started).error();
    }
    int status = 0;
    while (::waitpid(*started, &status, 0) < 0 && errno == EINTR) {
    }
    // The daemon writes its pid file as it starts: give it a moment.
    for (int i = 0; i < 200 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && !pasta_alive(pid_file); ++i)
        ::usleep(5000);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !pasta_alive(pid_file)) {
        std::string why = last_log_line(log);
        if (why == "no message")
            why = WIFEXITED(status) ? "it exited with status " + std::to_string(WEXITSTATUS(status)) : "it was killed by signal " + std::to_string(WTERMSIG(status));
        remove_rootless_netns(run_root);
        return Error { EIO, "start pasta for the rootless network namespace: " + why };
    }
    return path;
}

void remove_rootless_netns(std::string const& run_root)
{
    std::string dir = netns_dir(run_root);
    std::string pid_file = fs::join(dir, "pasta.pid");
    if (pasta_alive(pid_file))
        ::kill(read_pid(pid_file), SIGTERM);
    ::unlink(pid_file.c_str());
    std::string path = fs::join(dir, "rootless-netns");
    ::umount2(path.c_str(), MNT_DETACH);
    ::unlink(path.c_str());
}

} // namespace berth::network
