#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "base/command.h"
#include "base/error.h"
#include "base/fs.h"
#include "base/process_stat.h"
#include "base/temp_dir.h"
#include "base/tree_copy.h"
#include "base/unique_fd.h"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace berth;

static Result<int> half(int x)
{
    if (x % 2)
        return Error::msg("odd");
    return x / 2;
}

static Result<int> quarter(int x)
{
    int h = TRY_CTX(half(x), "quarter");
    return TRY(half(h));
}

TEST_CASE("TRY propagates errors with context")
{
    CHECK(quarter(8).value() == 2);
    auto r = quarter(6);
    REQUIRE(!r.has_value());
    CHECK(r.error().message == "odd");
    auto r2 = quarter(5);
    CHECK(r2.error().message == "quarter: odd");
}

TEST_CASE("atomic write and remove_tree")
{
    auto dir = TempDir::create("/tmp", "berth-test-");
    REQUIRE(dir.has_value());
    std::string p = fs::join(dir->path(), "a/b/c");
    REQUIRE(fs::mkdir_p(p).has_value());
    REQUIRE(fs::write_file_atomic(fs::join(p, "f"), "hello").has_value());
    CHECK(fs::read_file(fs::join(p, "f")).value() == "hello");
    REQUIRE(fs::remove_tree(fs::join(dir->path(), "a")).has_value());
    CHECK(!fs::exists(fs::join(dir->path(), "a")));
}

TEST_CASE("copy_tree_at copies files, directories and symlinks with their modes, and the top's mode")
{
    auto dir = TempDir::create("/tmp", "berth-test-");
    REQUIRE(dir.has_value());
    std::string from = fs::join(dir->path(), "from"), to = fs::join(dir->path(), "to");
    REQUIRE(fs::mkdir_p(fs::join(from, "sub/deeper")).has_value());
    REQUIRE(fs::mkdir_p(to).has_value());
    REQUIRE(fs::write_file_atomic(fs::join(from, "sub/deeper/f"), std::string(200000, 'x'), 0640).has_value());
    REQUIRE(::symlink("sub/deeper/f", fs::join(from, "link").c_str()) == 0);
    REQUIRE(::symlink("/etc/passwd", fs::join(from, "out").c_str()) == 0);  // copied as a link, never followed
    REQUIRE(::chmod(fs::join(from, "sub").c_str(), 0500) == 0);               // read-only: filled before its mode is set
    REQUIRE(::chmod(from.c_str(), 0710) == 0);
    UniqueFd in(::open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)), out(::open(to.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fs::copy_tree_at(in.get(), out.get(), "test").has_value());
    CHECK(fs::read_file(fs::join(to, "sub/deeper/f")).value() == std::string(200000, 'x'));
    struct stat st {};
    REQUIRE(::stat(fs::join(to, "sub/deeper/f").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0640);
    REQUIRE(::stat(fs::join(to, "sub").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0500);
    REQUIRE(::stat(to.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0710);
    char target[64] = {};
    REQUIRE(::readlink(fs::join(to, "out").c_str(), target, sizeof target - 1) > 0);
    CHECK(std::string(target) == "/etc/passwd");
    CHECK(fs::read_file(fs::join(to, "link")).value() == std::string(200000, 'x'));
    ::chmod(fs::join(from, "sub").c_str(), 0700);
    ::chmod(fs::join(to, "sub").c_str(), 0700);
}

TEST_CASE("join")
{
    CHECK(fs::join("/a/", "/b") == "/a/b");
    CHECK(fs::join("/", "b") == "/b");
    CHECK(fs::join("a", "b/c") == "a/b/c");
}

TEST_CASE("list_dir names entries without . and ..")
{
    auto dir = TempDir::create("/tmp", "berth-test-");
    REQUIRE(dir.has_value());
    REQUIRE(fs::write_file_atomic(fs::join(dir->path(), "a"), "1").has_value());
    REQUIRE(fs::mkdir_p(fs::join(dir->path(), "b")).has_value());
    auto names = fs::list_dir(dir->path());
    REQUIRE(names.has_value());
    std::sort(names->begin(), names->end());
    CHECK(*names == std::vector<std::string> { "a", "b" });
    CHECK(!fs::list_dir(fs::join(dir->path(), "missing")).has_value());
}

#include "base/timestamp.h"

TEST_CASE("rfc3339 round trip")
{
    CHECK(timestamp::rfc3339(1704164645) == "2024-01-02T03:04:05Z");
    CHECK(timestamp::parse_rfc3339("2024-01-02T03:04:05Z") == 1704164645);
    CHECK(timestamp::parse_rfc3339("2024-01-02T05:04:05.5+02:00") == 1704164645);
    CHECK(timestamp::parse_rfc3339("nonsense") == 0);
}

#include "base/file_lock.h"

#include <atomic>
#include <cerrno>
#include <optional>
#include <thread>
#include <unistd.h>

TEST_CASE("a lock file removed by its holder is not held twice")
{
    using namespace berth;
    auto dir = TempDir::create("/tmp", "berth-lock-test-");
    REQUIRE(dir);
    std::string path = dir->path() + "/x.lock";
    auto got_first = FileLock::acquire(path);
    REQUIRE(got_first);
    std::optional<FileLock> first(std::move(*got_first));
    std::atomic<bool> taken { false };
    std::optional<FileLock> second;
    std::thread waiter([&] {
        auto got = FileLock::acquire(path); // opens the file the holder will unlink, then waits
        REQUIRE(got);
        second.emplace(std::move(*got));
        taken = true;
    });
    ::usleep(100000);
    CHECK_FALSE(taken.load());
    first->remove_file();
    first.reset();
    waiter.join();
    REQUIRE(taken.load());
    // The waiter re-checked and holds the file now at the path: a third taker must not get it.
    auto third = FileLock::try_acquire(path);
    REQUIRE_FALSE(third);
    CHECK(third.error().code == EWOULDBLOCK);
    second.reset();
    CHECK(FileLock::try_acquire(path));
}

TEST_CASE("try_acquire_existing never creates the lock file")
{
    auto dir = TempDir::create("/tmp", "berth-lock-test-").release_value();
    std::string path = dir.path() + "/c.lock";
    auto missing = FileLock::try_acquire_existing(path);
    REQUIRE(!missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(!fs::exists(path));
    {
        auto held = FileLock::acquire(path).release_value();
        auto busy = FileLock::try_acquire_existing(path);
        REQUIRE(!busy);
        CHECK(busy.error().code == EWOULDBLOCK);
    }
    auto taken = FileLock::try_acquire_existing(path);
    CHECK(taken.has_value());
}

TEST_CASE("find_program looks in PATH and the system directories")
{
    auto sh = find_program("sh");
    REQUIRE(sh);
    CHECK(sh->front() == '/');
    CHECK_FALSE(find_program("berth-no-such-program"));
    CHECK_FALSE(find_program(""));
    CHECK(find_program("/bin/sh") == std::optional<std::string>("/bin/sh"));
    CHECK_FALSE(find_program("/etc/passwd")); // not executable
}

TEST_CASE("run_command collects stdout, stderr and the exit code")
{
    auto r = run_command({ "/bin/sh", "-c", "echo out; echo err >&2; exit 3" });
    REQUIRE(r);
    CHECK(r->out == "out\n");
    CHECK(r->err == "err\n");
    CHECK(r->exit_code == 3);
    CHECK_FALSE(r->timed_out);

    auto missing = run_command({ "/nonexistent/berth-helper" });
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ENOENT);
}

TEST_CASE("run_command kills a helper that hangs")
{
    auto r = run_command({ "/bin/sh", "-c", "echo started; exec sleep 30" }, std::chrono::milliseconds(200));
    REQUIRE(r);
    CHECK(r->timed_out);
    CHECK(r->out == "started\n");
    CHECK(r->exit_code == 128 + SIGKILL);
}

TEST_CASE("read_process_stat survives odd process names and tells zombies and dead pids")
{
    auto mine = read_process_stat(::getpid());
    REQUIRE(mine);
    CHECK(mine->start_time > 0);
    CHECK(mine->ppid == ::getppid());
    CHECK(process_start_time(::getpid()) == mine->start_time);
    CHECK_FALSE(read_process_stat(0));
    CHECK(process_start_time(0) == 0);
    CHECK(process_alive(::getpid()));
    CHECK_FALSE(process_alive(0));
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::prctl(PR_SET_NAME, "a) b (c) d e", 0, 0, 0);
        (void)!::write(ready[1], "x", 1);
        ::pause();
        _exit(0);
    }
    char c;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    auto theirs = read_process_stat(child);
    REQUIRE(theirs);
    CHECK(theirs->comm == "a) b (c) d e");
    CHECK(theirs->ppid == ::getpid());
    CHECK(theirs->start_time >= mine->start_time);
    CHECK_FALSE(theirs->exited());
    ::kill(child, SIGKILL);
    ::usleep(20000);
    auto zombie = read_process_stat(child);
    REQUIRE(zombie);
    CHECK(zombie->exited());
    CHECK(zombie->start_time == theirs->start_time); // a zombie keeps its start time
    ::waitpid(child, nullptr, 0);
    CHECK_FALSE(read_process_stat(child));
    CHECK_FALSE(process_alive(child));
    ::close(ready[0]);
    ::close(ready[1]);
}

TEST_CASE("parse_process_stat: fields by number, a malformed text is refused")
{
    auto st = parse_process_stat("42 (x y) S 1 42 42 34816 0 0 0 0 0 0 7 8 0 0 20 -5 1 0 12345 4096 3 18446744073709551615\n");
    REQUIRE(st);
    CHECK(st->comm == "x y");
    CHECK(st->state == 'S');
    CHECK(st->ppid == 1);
    CHECK(st->tty_nr == 34816);
    CHECK(st->utime == 7);
    CHECK(st->stime == 8);
    CHECK(st->nice == -5);
    CHECK(st->start_time == 12345);
    CHECK(st->vsize == 4096);
    CHECK(st->rss_pages == 3);
    CHECK_FALSE(parse_process_stat("42 (x) S 1 2 3"));
    CHECK_FALSE(parse_process_stat("garbage"));
}

