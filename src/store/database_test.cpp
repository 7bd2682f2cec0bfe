// Database wrapper: transactions roll back unless committed, and a second
// connection waits for the write lock instead of failing.
#include "base/temp_dir.h"
#include "store/database.h"

#include <chrono>
#include <doctest/doctest.h>
#include <thread>

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
