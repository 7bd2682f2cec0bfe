// ChildProcess, SignalForwarder and MountGuard: the owners of a child, of the
// forwarded signals and of a mount. Signal masks and mount namespaces are
// process state that cannot be undone, so those tests run in a forked child
// (STYLE.md "Irreversible process state") that reports through its exit status.
#include <doctest/doctest.h>

#include "base/child_process.h"
#include "base/fs.h"
#include "base/mount_guard.h"
#include "base/signal_forwarder.h"
#include "base/sys.h"
#include "base/temp_dir.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace berth;

namespace {

/// Runs `body` in a forked child; its return value (0 pass, 77 skip, else the failed step) as exit status.
template<typename F> int in_child(F body)
{
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(body());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

struct Pipe {
    UniqueFd r, w;
    Pipe()
    {
        int p[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        r.reset(p[0]);
        w.reset(p[1]);
    }
};

ChildProcess spawn_sh(std::string const& script, std::vector<int> inherit = {})
{
    SpawnOptions o;
    o.argv = { "/bin/sh", "-c", script };
    o.inherit = std::move(inherit);
    return ChildProcess::spawn(o).release_value();
}

bool is_mount_point(std::string const& path)
{
    struct stat st {}, parent {};
    return ::stat(path.c_str(), &st) == 0 && ::stat((path + "/..").c_str(), &parent) == 0 && st.st_dev != parent.st_dev;
}

} // namespace

TEST_CASE("ChildProcess: spawn and wait give the exit status")
{
    auto child = spawn_sh("exit 3");
    CHECK(child.valid());
    auto status = child.wait().release_value();
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 3);
    CHECK_FALSE(child.valid());
    CHECK(child.wait().error().code == ECHILD);
}

TEST_CASE("ChildProcess: a program that cannot be executed is an Error with its errno")
{
    SpawnOptions o;
    o.argv = { "/no/such/program" };
    auto r = ChildProcess::spawn(o);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ENOENT);
}

TEST_CASE("ChildProcess: the destructor kills and reaps, release() hands the child out")
{
    pid_t pid = -1;
    {
        auto child = spawn_sh("exec sleep 100");
        pid = child.pid();
        CHECK(child.try_wait().release_value() == std::nullopt);
    }
    // Reaped: not even a zombie is left.
    CHECK(::kill(pid, 0) == -1);
    CHECK(errno == ESRCH);

    auto child = spawn_sh("exec sleep 100");
    pid = child.release();
    CHECK_FALSE(child.valid());
    CHECK(::kill(pid, 0) == 0);
    ::kill(pid, SIGKILL);
    int status = 0;
    CHECK(::waitpid(pid, &status, 0) == pid);
    CHECK(WTERMSIG(status) == SIGKILL);
}

TEST_CASE("ChildProcess: only the fds named reach the program")
{
    Pipe passed, kept_back;
    std::string script = "echo hi >&" + std::to_string(passed.w.get()) + "; test -e /proc/self/fd/"
        + std::to_string(kept_back.w.get()) + " && exit 9; exit 0";
    auto child = spawn_sh(script, { passed.w.get() });
    passed.w.reset();
    auto status = child.wait().release_value();
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(sys::read_all(passed.r.get()).release_value() == "hi\n");
    // In berth the fd keeps its close-on-exec flag: only the child's copy lost it.
    CHECK((::fcntl(kept_back.w.get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("ChildProcess: a new session, /dev/null stdio, blocked signals")
{
    SpawnOptions o;
    o.argv = { "/bin/sleep", "100" };
    o.null_stdio = true;
    o.group = SpawnOptions::Group::NewSession;
    o.blocked_signals = { SIGUSR1 };
    // spawn() returns once the program runs, so /proc shows it, not the spawning side.
    auto child = ChildProcess::spawn(o).release_value();
    std::string proc = "/proc/" + std::to_string(child.pid());
    CHECK(::getsid(child.pid()) == child.pid());
    for (int fd = 0; fd < 3; ++fd)
        CHECK(sys::readlink(proc + "/fd/" + std::to_string(fd)).release_value() == "/dev/null");
    auto status = fs::read_file(proc + "/status").release_value();
    auto at = status.find("SigBlk:");
    REQUIRE(at != std::string::npos);
    // SIGUSR1 is signal 10: bit 9 of the mask, 0x200.
    CHECK(std::stoull(status.substr(at + 7), nullptr, 16) == 0x200);
    CHECK(child.kill(SIGKILL).has_value());
    CHECK(WTERMSIG(child.wait().release_value()) == SIGKILL);
}

TEST_CASE("SignalForwarder: a signal to us reaches the child once, and we survive it")
{
    int result = in_child([] {
        Pipe ready;
        auto child = spawn_sh("trap 'exit 7' USR1; echo >&" + std::to_string(ready.w.get()) + "; while :; do sleep 0.01; done",
            { ready.w.get() });
        ready.w.reset();
        char c;
        if (::read(ready.r.get(), &c, 1) != 1)
            return 1;
        auto forwarder = SignalForwarder::create();
        if (!forwarder)
            return 2;
        ::kill(::getpid(), SIGUSR1);  // would kill us without the forwarder
        auto status = forwarder->wait(child);
        if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 7)
            return 3;
        return 0;
    });
    CHECK(result == 0);
}

TEST_CASE("SignalForwarder: a signal left pending at the end is dropped, the mask restored")
{
    int result = in_child([] {
        {
            auto forwarder = SignalForwarder::create();
            if (!forwarder)
                return 1;
            ::kill(::getpid(), SIGTERM);
        }
        sigset_t now;
        ::sigprocmask(SIG_BLOCK, nullptr, &now);
        if (sigismember(&now, SIGTERM) || sigismember(&now, SIGCHLD))
            return 2;
        return 0;  // alive: the SIGTERM was not delivered by the unblock
    });
    CHECK(result == 0);
}

TEST_CASE("MountGuard: unmounts unless released")
{
    TempDir dir = TempDir::create("/tmp", "mount-guard-").release_value();
    std::string a = fs::join(dir.path(), "a"), b = fs::join(dir.path(), "b");
    REQUIRE(fs::mkdir_p(a, 0700).has_value());
    REQUIRE(fs::mkdir_p(b, 0700).has_value());
    int result = in_child([&] {
        // A mount namespace of our own (with a user namespace when not root).
        int flags = CLONE_NEWNS | (::geteuid() == 0 ? 0 : CLONE_NEWUSER);
        if (::unshare(flags) != 0)
            return 77;
        if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return 77;
        for (auto const& path : { a, b })
            if (::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=64k") != 0)
                return 77;
        {
            MountGuard ga(a), gb(b);
            if (!is_mount_point(a) || !is_mount_point(b))
                return 1;
            if (gb.release() != b || gb.owns())
                return 2;
        }
        if (is_mount_point(a))
            return 3;  // the guard unmounted it
        if (!is_mount_point(b))
            return 4;  // released: still mounted
        MountGuard again(b);
        if (!again.unmount().has_value() || is_mount_point(b))
            return 5;
        // Nothing mounted there any more: no error, nothing to do.
        MountGuard none(b);
        return none.unmount().has_value() ? 0 : 6;
    });
    if (result == 77)
        MESSAGE("skipped: no mount namespace can be made here (unshare refused)");
    else
        CHECK(result == 0);
}
