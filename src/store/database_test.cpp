// Database wrapper: transactions roll back unless committed, a second
// connection waits for the write lock instead of failing, and a full disk
// does not stop a commit.
#include "base/temp_dir.h"
#include "store/database.h"

#include <chrono>
#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace berth;
using namespace berth::store;

TEST_CASE("transactions commit or roll back")
{
    auto dir = TempDir::create("/tmp", "berth-db-test-").release_value();
    auto db = Database::open(dir.path() + "/t.db").release_value();
    REQUIRE(db->exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)").has_value());
    {
        auto txn = db->begin().release_value();
        auto stmt = db->prepare("INSERT INTO t VALUES (?1, ?2)").release_value();
        stmt.bind(1, "a").bind(2, 1);
        REQUIRE(stmt.run().has_value());
    } // not committed
    {
        auto txn = db->begin().release_value();
        auto stmt = db->prepare("INSERT INTO t VALUES (?1, ?2)").release_value();
        stmt.bind(1, "b").bind(2, int64_t { 1 } << 40);
        REQUIRE(stmt.run().has_value());
        CHECK(db->changes() == 1);
        REQUIRE(txn.commit().has_value());
    }
    auto stmt = db->prepare("SELECT k, v FROM t").release_value();
    REQUIRE(stmt.step().value_or(false));
    CHECK(stmt.text(0) == "b");
    CHECK(stmt.integer(1) == int64_t { 1 } << 40);
    CHECK(!stmt.step().value_or(true));
}

TEST_CASE("errors name the statement")
{
    auto dir = TempDir::create("/tmp", "berth-db-test-").release_value();
    auto db = Database::open(dir.path() + "/t.db").release_value();
    auto bad = db->prepare("SELEKT 1");
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message.find("SELEKT") != std::string::npos);
}

TEST_CASE("a second connection waits for the write lock")
{
    auto dir = TempDir::create("/tmp", "berth-db-test-").release_value();
    std::string path = dir.path() + "/t.db";
    auto first = Database::open(path).release_value();
    auto second = Database::open(path).release_value();
    REQUIRE(first->exec("CREATE TABLE t (v INTEGER)").has_value());
    std::thread holder([&] {
        auto txn = first->begin().release_value();
        CHECK(first->exec("INSERT INTO t VALUES (1)").has_value());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(txn.commit().has_value());
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto start = std::chrono::steady_clock::now();
    {
        auto txn = second->begin();
        REQUIRE_MESSAGE(txn.has_value(), (txn ? "" : txn.error().message));
        REQUIRE(second->exec("INSERT INTO t VALUES (2)").has_value());
        REQUIRE(txn->commit().has_value());
    }
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(150));
    holder.join();
    auto count = second->prepare("SELECT count(*) FROM t").release_value();
    REQUIRE(count.step().value_or(false));
    CHECK(count.integer(0) == 2);
}

TEST_CASE("a UNIQUE or PRIMARY KEY conflict is EEXIST, so that callers can pick another name")
{
    auto dir = TempDir::create("/tmp", "berth-db-test-").release_value();
    auto db = Database::open(dir.path() + "/t.db").release_value();
    REQUIRE(db->exec("CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE)").has_value());
    REQUIRE(db->exec("INSERT INTO t VALUES ('1', 'brave_anchor')").has_value());
    auto same_name = db->exec("INSERT INTO t VALUES ('2', 'brave_anchor')");
    REQUIRE(!same_name);
    CHECK(same_name.error().code == EEXIST);
    auto same_id = db->exec("INSERT INTO t VALUES ('1', 'calm_buoy')");
    REQUIRE(!same_id);
    CHECK(same_id.error().code == EEXIST);
    auto other = db->exec("INSERT INTO nosuchtable VALUES (1)");
    REQUIRE(!other);
    CHECK(other.error().code != EEXIST);
}

// In a private mount namespace (and a user namespace when not root), on a
// 2 MiB tmpfs filled to the last byte: a commit still succeeds, paid from the
// reserve file, and the error of a write that cannot be saved says the disk is full.
static int commit_on_full_disk(std::string const& dir)
{
    if (::getuid() != 0) {
        uid_t uid = ::getuid();
        gid_t gid = ::getgid();
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
            return 77;
        auto write_file = [](char const* path, std::string const& text) {
            int fd = ::open(path, O_WRONLY);
            bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
            if (fd >= 0)
                ::close(fd);
            return ok;
        };
        if (!write_file("/proc/self/setgroups", "deny") || !write_file("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1")
            || !write_file("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1"))
            return 77;
    } else if (::unshare(CLONE_NEWNS) < 0) {
        return 77;
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0
        || ::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=2m") < 0)
        return 77;
    auto db = Database::open(dir + "/t.db");
    if (!db || !(*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"))
        return 2;
    int fd = ::open((dir + "/fill").c_str(), O_WRONLY | O_CREAT, 0600);
    std::string chunk(4096, 'x');
    while (::write(fd, chunk.data(), chunk.size()) > 0) {
    }
    if (errno != ENOSPC)
        return 3;
    for (int i = 0; i < 3; ++i) {
        auto txn = (*db)->begin();
        if (!txn)
            return 4;
        auto stmt = (*db)->prepare("INSERT INTO t VALUES (?1, ?2)");
        if (!stmt || !stmt->bind(1, i).bind(2, std::string(100, 'v')).run())
            return 5;
        if (auto committed = txn->commit(); !committed) {
            std::fprintf(stderr, "commit %d: %s\n", i, committed.error().message.c_str());
            return 6;
        }
    }
    return 0;
}

TEST_CASE("a commit on a full disk is paid from the reserve file")
{
    auto dir = TempDir::create("/tmp", "berth-db-full-").release_value();
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(commit_on_full_disk(dir.path()));
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    int code = WEXITSTATUS(status); // 2-6: the step of commit_on_full_disk that failed
    if (code == 77) {
        MESSAGE("skipped: no private mount namespace for a small tmpfs here");
        return;
    }
    CHECK(code == 0);
}

TEST_CASE("the WAL stays small across processes that each write a little")
{
    // Each berth command is a process of its own: opening the database after
    // the last connection closed rebuilds the WAL index by reading the whole
    // WAL, which forgets what was checkpointed, so a WAL that is never reset
    // grows with every write and every command reads all of it.
    auto dir = TempDir::create("/tmp", "berth-db-test-").release_value();
    std::string path = dir.path() + "/t.db";
    {
        auto db = Database::open(path).release_value();
        REQUIRE(db->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").has_value());
    }
    std::string value(3000, 'x');
    for (int i = 0; i < 600; ++i) {
        auto db = Database::open(path).release_value();
        auto stmt = db->prepare("INSERT INTO t VALUES (?1, ?2)").release_value();
        stmt.bind(1, int64_t { i }).bind(2, value);
        REQUIRE(stmt.run().has_value());
    }
    struct stat st {};
    REQUIRE(::stat((path + "-wal").c_str(), &st) == 0);
    // 600 commits of a page or two each: without resets the WAL holds them all (~5 MB).
    CHECK(st.st_size < 2 * 1024 * 1024);
    auto db = Database::open(path).release_value();
    auto count = db->prepare("SELECT count(*) FROM t").release_value();
    REQUIRE(count.step().value_or(false));
    CHECK(count.integer(0) == 600);
}
