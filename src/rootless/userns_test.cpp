// enter() changes the process irreversibly, so every namespace test runs in a
// forked child (youki's test_in_child_process) that reports back over a pipe.
// When the tests run as root the child first becomes "nobody" (65534), which
// has no /etc/subuid range, so the single-mapping path is what gets exercised;
// the newuidmap path is checked for its error message.
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "rootless/userns.h"

#include <csignal>
#include <functional>
#include <sstream>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace berth;
using namespace berth::rootless;

namespace {

constexpr uid_t nobody = 65534;

// Runs `body` in a forked child as uid/gid 65534; returns (exit code, what it wrote).
std::pair<int, std::string> run_as_nobody(std::function<int(int out_fd)> const& body)
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        if (::setresgid(nobody, nobody, nobody) < 0 || ::setgroups(0, nullptr) < 0
            || ::setresuid(nobody, nobody, nobody) < 0)
            _exit(100);
        _exit(body(fds[1]));
    }
    ::close(fds[1]);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        out.append(buf, size_t(n));
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    return { WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status), out };
}

void say(int fd, std::string const& text) { (void)!::write(fd, text.data(), text.size()); }

ino_t user_ns_inode()
{
    struct stat st {};
    ::stat("/proc/self/ns/user", &st);
    return st.st_ino;
}

// A run directory that uid 65534 owns, inside a TempDir it can traverse.
std::string nobody_run_dir(TempDir const& dir)
{
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    std::string run = fs::join(dir.path(), "run");
    REQUIRE(::mkdir(run.c_str(), 0700) == 0);
    REQUIRE(::chown(run.c_str(), nobody, nobody) == 0);
    return run;
}

Paths nobody_paths(std::string const& run_dir)
{
    Paths p;
    p.run_dir = run_dir;
    p.data_dir = run_dir;
    p.rootless = true;
    p.uid = nobody;
    p.gid = nobody;
    return p;
}

// Kills the recorded pause process and waits until it is gone.
void kill_pause(Paths const& paths)
{
    pid_t pid = pause_pid(paths);
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 500 && pause_pid(paths) == pid; ++i)
        ::usleep(10000);
}

bool user_namespaces_available()
{
    auto [code, out] = run_as_nobody([](int) { return ::unshare(CLONE_NEWUSER) == 0 ? 0 : 1; });
    return code == 0;
}

// The child's side of the join tests: enter, then report what it sees as
// "uid map-lines ns-inode env cwd".
int enter_and_report(Paths const& paths, std::string const& cwd, int out)
{
    if (::chdir(cwd.c_str()) < 0)
        return 20;
    auto r = enter(paths);
    if (!r) {
        say(out, r.error().message);
        return 21;
    }
    auto map = read_id_map("/proc/self/uid_map");
    char buf[4096];
    std::string here = ::getcwd(buf, sizeof buf) ? buf : "?";
    char const* env = std::getenv(userns_env_var);
    say(out, std::to_string(::getuid()) + " " + std::to_string(map ? map->size() : 0) + ":"
            + (map && !map->empty() ? std::to_string((*map)[0].host_id) : "-") + " "
            + std::to_string(user_ns_inode()) + " " + (env ? env : "-") + " " + here);
    return 0;
}

struct Seen {
    std::string uid, map, inode, env, cwd;
};

Seen parse_seen(std::string const& text)
{
    Seen s;
    std::istringstream in(text);
    in >> s.uid >> s.map >> s.inode >> s.env >> s.cwd;
    return s;
}

} // namespace

TEST_CASE("parse_id_map")
{
    auto identity = parse_id_map("         0          0 4294967295\n");
    REQUIRE(identity);
    CHECK(is_identity_map(*identity));

    auto two = parse_id_map("0 1000 1\n1 100000 65536\n");
    REQUIRE(two);
    REQUIRE(two->size() == 2);
    CHECK((*two)[1] == IdMapping { 1, 100000, 65536 });
    CHECK_FALSE(is_identity_map(*two));

    auto empty = parse_id_map("");
    REQUIRE(empty);
    CHECK(empty->empty());

    CHECK_FALSE(parse_id_map("0 1000\n"));
    CHECK_FALSE(parse_id_map("0 1000 1 7\n"));
    CHECK_FALSE(parse_id_map("0 x 1\n"));
    CHECK_FALSE(parse_id_map("0 0 4294967296\n"));
}

TEST_CASE("read_id_map reads this process's map")
{
    auto map = read_id_map("/proc/self/uid_map");
    REQUIRE(map);
    CHECK_FALSE(map->empty());
    CHECK_FALSE(read_id_map("/proc/self/no-such-map"));
}

TEST_CASE("enter is a no-op for root on the host")
{
    if (::geteuid() != 0 || inside_user_namespace()) {
        MESSAGE("skipped: not root on the host");
        return;
    }
    ino_t before = user_ns_inode();
    Paths root;
    REQUIRE(enter(root));
    CHECK(user_ns_inode() == before);
    CHECK_FALSE(inside_user_namespace());
}

TEST_CASE("enter: create, join, and recreate after the pause process dies")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to run the child as uid 65534");
        return;
    }
    if (!user_namespaces_available()) {
        MESSAGE("skipped: unprivileged user namespaces are not available");
        return;
    }
    auto dir = TempDir::create("/tmp", "berth-userns-");
    REQUIRE(dir);
    Paths paths = nobody_paths(nobody_run_dir(*dir));
    std::string cwd = dir->path();
    std::string host_inode = std::to_string(user_ns_inode());

    // 1. the first invocation creates the namespace
    auto [code1, out1] = run_as_nobody([&](int fd) { return enter_and_report(paths, cwd, fd); });
    INFO(out1);
    REQUIRE(code1 == 0);
    Seen first = parse_seen(out1);
    CHECK(first.uid == "0");
    CHECK(first.map == "1:65534"); // no subordinate ids for nobody: the single mapping
    CHECK(first.inode != host_inode);
    CHECK(first.env == "1");
    CHECK(first.cwd == cwd); // setns(CLONE_NEWNS) must not lose the working directory
    pid_t pause1 = pause_pid(paths);
    CHECK(pause1 > 0);
    CHECK(fs::exists(fs::join(paths.run_dir, "single-mapping-warned")));
    auto comm = fs::read_file("/proc/" + std::to_string(pause1) + "/comm");
    CHECK(comm.value_or("") == "berth-pause\n");

    // 2. a second invocation joins the same namespace
    auto [code2, out2] = run_as_nobody([&](int fd) { return enter_and_report(paths, cwd, fd); });
    INFO(out2);
    REQUIRE(code2 == 0);
    CHECK(parse_seen(out2).inode == first.inode);
    CHECK(pause_pid(paths) == pause1);

    // 3. entering twice in one process is harmless
    auto [code3, out3] = run_as_nobody([&](int) {
        if (!enter(paths) || !enter(paths))
            return 1;
        return inside_user_namespace() ? 0 : 2;
    });
    CHECK(code3 == 0);

    // 4. the pause process dies: the next invocation quietly builds a new namespace
    kill_pause(paths);
    REQUIRE(pause_pid(paths) == 0);
    auto [code4, out4] = run_as_nobody([&](int fd) { return enter_and_report(paths, cwd, fd); });
    INFO(out4);
    REQUIRE(code4 == 0);
    Seen fourth = parse_seen(out4);
    CHECK(fourth.uid == "0");
    CHECK(fourth.inode != first.inode);
    pid_t pause2 = pause_pid(paths);
    CHECK(pause2 > 0);
    CHECK(pause2 != pause1);

    // The pause process keeps no descriptor open: not pause.lock, not our pipes.
    auto fds = fs::read_file("/proc/" + std::to_string(pause2) + "/fdinfo/0");
    CHECK_FALSE(fds);
    int open_fds = 0;
    for (int fd = 0; fd < 64; ++fd)
        open_fds += fs::exists("/proc/" + std::to_string(pause2) + "/fd/" + std::to_string(fd));
    CHECK(open_fds == 0);
    kill_pause(paths);
}

TEST_CASE("enter refuses a multi-threaded process")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to run the child as uid 65534");
        return;
    }
    auto dir = TempDir::create("/tmp", "berth-userns-");
    REQUIRE(dir);
    Paths paths = nobody_paths(nobody_run_dir(*dir));
    auto [code, out] = run_as_nobody([&](int fd) {
        std::thread sleeper([] { ::usleep(300000); });
        auto r = enter(paths);
        sleeper.join();
        if (r)
            return 1;
        say(fd, r.error().message);
        return 0;
    });
    CHECK(code == 0);
    CHECK(out.find("before any thread is started") != std::string::npos);
    CHECK(pause_pid(paths) == 0);
}

TEST_CASE("enter: a failing newuidmap is reported with the file to fix")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to run the child as uid 65534");
        return;
    }
    if (!user_namespaces_available()) {
        MESSAGE("skipped: unprivileged user namespaces are not available");
        return;
    }
    auto dir = TempDir::create("/tmp", "berth-userns-");
    REQUIRE(dir);
    Paths paths = nobody_paths(nobody_run_dir(*dir));
    // berth reads these files, but the setuid helper below only trusts its own
    // check, which a fake "newuidmap" that always fails stands in for.
    std::string subuid = fs::join(dir->path(), "subuid");
    REQUIRE(fs::write_file_atomic(subuid, "nobody:200000:65536\n", 0644));
    std::string bin = fs::join(dir->path(), "bin");
    REQUIRE(fs::mkdir_p(bin, 0755));
    std::string helper = fs::join(bin, "newuidmap");
    REQUIRE(fs::write_file_atomic(helper, "#!/bin/sh\necho \"newuidmap: write to uid_map failed: Operation not permitted\" >&2\nexit 1\n", 0755));
    EnterOptions options;
    options.subuid_file = subuid;
    options.subgid_file = subuid;
    options.newuidmap = helper;
    options.newgidmap = helper;

    auto [code, out] = run_as_nobody([&](int fd) {
        auto r = enter(paths, options);
        if (r)
            return 1;
        say(fd, r.error().message);
        return 0;
    });
    CHECK(code == 0);
    CHECK(out == "newuidmap: write to uid_map failed: Operation not permitted: check " + subuid + " for user nobody");
    CHECK(pause_pid(paths) == 0); // the half-built namespace was not recorded
    CHECK_FALSE(fs::exists(paths.layout().pause_pid_file()));
}
