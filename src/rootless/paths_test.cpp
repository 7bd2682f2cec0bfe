#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "rootless/paths.h"

#include <cstdlib>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace berth;
using namespace berth::rootless;

namespace {

mode_t mode_of(std::string const& path)
{
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

PathEnvironment rootless_env(TempDir const& dir)
{
    PathEnvironment env;
    env.rootless = true;
    env.uid = 4242;
    env.gid = 4343;
    env.owner_uid = ::geteuid();
    env.home = fs::join(dir.path(), "home");
    env.tmp_dir = fs::join(dir.path(), "tmp");
    REQUIRE(fs::mkdir_p(env.tmp_dir, 01777));
    return env;
}

} // namespace

TEST_CASE("paths: root uses the system directories, flags override")
{
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    PathEnvironment env; // root on the host
    auto paths = resolve_paths(env, fs::join(dir->path(), "store"), fs::join(dir->path(), "run"));
    REQUIRE(paths);
    CHECK_FALSE(paths->rootless);
    CHECK(paths->uid == 0);
    CHECK(paths->data_dir == fs::join(dir->path(), "store"));
    CHECK(paths->run_dir == fs::join(dir->path(), "run"));
    CHECK(paths->config_dir == "/etc/containers");
    CHECK(fs::is_dir(paths->data_dir));
    CHECK(fs::is_dir(paths->run_dir));
}

TEST_CASE("paths: rootless defaults under the home directory and /tmp/berth-$UID")
{
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    auto env = rootless_env(*dir);
    auto paths = resolve_paths(env, "", "");
    REQUIRE(paths);
    CHECK(paths->rootless);
    CHECK(paths->uid == 4242);
    CHECK(paths->gid == 4343);
    CHECK(paths->data_dir == dir->path() + "/home/.local/share/berth");
    CHECK(paths->config_dir == dir->path() + "/home/.config/containers");
    CHECK(paths->run_dir == dir->path() + "/tmp/berth-4242");
    CHECK(mode_of(paths->data_dir) == 0700);
    CHECK(mode_of(paths->run_dir) == 0700);
    CHECK_FALSE(fs::exists(paths->config_dir)); // configuration is read, never created
}

TEST_CASE("paths: XDG variables are honoured")
{
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    auto env = rootless_env(*dir);
    std::string runtime = fs::join(dir->path(), "xdg-run");
    REQUIRE(::mkdir(runtime.c_str(), 0700) == 0);
    env.vars["XDG_DATA_HOME"] = fs::join(dir->path(), "xdg-data");
    env.vars["XDG_CONFIG_HOME"] = fs::join(dir->path(), "xdg-config");
    env.vars["XDG_RUNTIME_DIR"] = runtime;
    auto paths = resolve_paths(env, "", "");
    REQUIRE(paths);
    CHECK(paths->data_dir == dir->path() + "/xdg-data/berth");
    CHECK(paths->config_dir == dir->path() + "/xdg-config/containers");
    CHECK(paths->run_dir == runtime + "/berth");
    CHECK(mode_of(paths->run_dir) == 0700);

    SUBCASE("relative XDG values are ignored")
    {
        env.vars["XDG_DATA_HOME"] = "relative/data";
        auto p = resolve_paths(env, "", "");
        REQUIRE(p);
        CHECK(p->data_dir == dir->path() + "/home/.local/share/berth");
    }
    SUBCASE("flags win over XDG")
    {
        auto p = resolve_paths(env, fs::join(dir->path(), "r"), fs::join(dir->path(), "rr"));
        REQUIRE(p);
        CHECK(p->data_dir == dir->path() + "/r");
        CHECK(p->run_dir == dir->path() + "/rr");
        CHECK(mode_of(p->run_dir) == 0700);
    }
}

TEST_CASE("paths: an XDG_RUNTIME_DIR that is not private falls back to /tmp/berth-$UID")
{
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    auto env = rootless_env(*dir);
    std::string runtime = fs::join(dir->path(), "xdg-run");
    REQUIRE(::mkdir(runtime.c_str(), 0700) == 0);
    REQUIRE(::chmod(runtime.c_str(), 0755) == 0);
    env.vars["XDG_RUNTIME_DIR"] = runtime;
    auto paths = resolve_paths(env, "", "");
    REQUIRE(paths);
    CHECK(paths->run_dir == dir->path() + "/tmp/berth-4242");

    SUBCASE("missing directory")
    {
        env.vars["XDG_RUNTIME_DIR"] = fs::join(dir->path(), "does-not-exist");
        auto p = resolve_paths(env, "", "");
        REQUIRE(p);
        CHECK(p->run_dir == dir->path() + "/tmp/berth-4242");
    }
    SUBCASE("owned by someone else")
    {
        REQUIRE(::chmod(runtime.c_str(), 0700) == 0);
        env.owner_uid = ::geteuid() + 1;
        // The fallback (made above, owned by us) is then refused too.
        auto p = resolve_paths(env, "", "");
        REQUIRE_FALSE(p);
        CHECK(p.error().message.find("is owned by uid") != std::string::npos);
    }
}

TEST_CASE("paths: the /tmp fallback is created 0700 and checked")
{
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    std::string target = fs::join(dir->path(), "berth-1");

    SUBCASE("created with mode 0700 whatever the umask")
    {
        mode_t old = ::umask(0277);
        auto r = ensure_private_dir(target, ::geteuid());
        ::umask(old);
        REQUIRE(r);
        CHECK(mode_of(target) == 0700);
    }
    SUBCASE("an existing one of ours with a wider mode is repaired")
    {
        REQUIRE(::mkdir(target.c_str(), 0700) == 0);
        REQUIRE(::chmod(target.c_str(), 0777) == 0);
        REQUIRE(ensure_private_dir(target, ::geteuid()));
        CHECK(mode_of(target) == 0700);
    }
    SUBCASE("a symlink is refused")
    {
        REQUIRE(::symlink(dir->path().c_str(), target.c_str()) == 0);
        auto r = ensure_private_dir(target, ::geteuid());
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("not a directory") != std::string::npos);
    }
    SUBCASE("someone else's is refused with a clear error")
    {
        REQUIRE(::mkdir(target.c_str(), 0700) == 0);
        if (::geteuid() == 0)
            REQUIRE(::chown(target.c_str(), 65534, 65534) == 0);
        uid_t me = ::geteuid() == 0 ? 0 : ::geteuid() + 1;
        auto r = ensure_private_dir(target, me);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("runtime directory " + target + " is owned by uid") == 0);
        CHECK(r.error().message.find("XDG_RUNTIME_DIR") != std::string::npos);
    }
}

TEST_CASE("default_paths: reads the XDG variables of an unprivileged process")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root to switch to uid 65534 in a child");
        return;
    }
    auto dir = TempDir::create("/tmp", "berth-paths-");
    REQUIRE(dir);
    REQUIRE(::chmod(dir->path().c_str(), 0755) == 0);
    std::string base = fs::join(dir->path(), "u");
    REQUIRE(::mkdir(base.c_str(), 0700) == 0);
    REQUIRE(::chown(base.c_str(), 65534, 65534) == 0);
    std::string runtime = fs::join(base, "run");
    REQUIRE(::mkdir(runtime.c_str(), 0700) == 0);
    REQUIRE(::chown(runtime.c_str(), 65534, 65534) == 0);

    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        if (::setresgid(65534, 65534, 65534) < 0 || ::setgroups(0, nullptr) < 0 || ::setresuid(65534, 65534, 65534) < 0)
            _exit(10);
        ::setenv("XDG_DATA_HOME", (base + "/data").c_str(), 1);
        ::setenv("XDG_CONFIG_HOME", (base + "/config").c_str(), 1);
        ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
        auto p = default_paths("", "");
        if (!p)
            _exit(11);
        bool ok = p->rootless && p->uid == 65534 && p->gid == 65534 && p->data_dir == base + "/data/berth"
            && p->config_dir == base + "/config/containers" && p->run_dir == runtime + "/berth"
            && fs::is_dir(p->data_dir) && fs::is_dir(p->run_dir);
        _exit(ok ? 0 : 12);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}
