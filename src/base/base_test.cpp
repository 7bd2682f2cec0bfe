#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "base/error.h"
#include "base/fs.h"
#include "base/temp_dir.h"

#include <algorithm>

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
