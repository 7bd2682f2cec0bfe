#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "rootless/subid.h"

using namespace berth;
using namespace berth::rootless;

TEST_CASE("subordinate ranges match by user name")
{
    auto ranges = parse_subordinate_ranges("alice:100000:65536\nbob:165536:65536\n", "bob", 1001);
    REQUIRE(ranges.size() == 1);
    CHECK(ranges[0] == IdMapping { 0, 165536, 65536 });
}

TEST_CASE("subordinate ranges match by numeric uid")
{
    auto ranges = parse_subordinate_ranges("1000:200000:1000\nalice:100000:65536\n", "carol", 1000);
    REQUIRE(ranges.size() == 1);
    CHECK(ranges[0] == IdMapping { 0, 200000, 1000 });
    // A name that merely starts with the uid is not a match.
    CHECK(parse_subordinate_ranges("10000:1:2\n", "x", 1000).empty());
}

TEST_CASE("subordinate ranges: several ranges, by name and uid, in file order")
{
    std::string text = "# comment\n"
                       "\n"
                       "alice:100000:65536\n"
                       "  \t \n"
                       "bob:300000:10\n"
                       "1000:500000:20\n"
                       "alice:700000:30\n";
    auto ranges = parse_subordinate_ranges(text, "alice", 1000);
    REQUIRE(ranges.size() == 3);
    CHECK(ranges[0] == IdMapping { 0, 100000, 65536 });
    CHECK(ranges[1] == IdMapping { 0, 500000, 20 });
    CHECK(ranges[2] == IdMapping { 0, 700000, 30 });
}

TEST_CASE("subordinate ranges: malformed lines are skipped")
{
    std::string text = "alice:100000\n"          // too few fields
                       "alice:1:2:3\n"           // too many
                       "alice:-5:10\n"           // sign
                       "alice:abc:10\n"          // not a number
                       "alice:10:0\n"            // empty range
                       "alice:99999999999:1\n"   // overflow
                       "alice:4294967295:2\n"    // runs past the id space
                       ":1:2\n"                  // no owner
                       "alice: 200000 : 5 \r\n"  // whitespace is fine
                       "alice:300000:7";         // no final newline
    auto ranges = parse_subordinate_ranges(text, "alice", 4242);
    REQUIRE(ranges.size() == 2);
    CHECK(ranges[0] == IdMapping { 0, 200000, 5 });
    CHECK(ranges[1] == IdMapping { 0, 300000, 7 });
}

TEST_CASE("subordinate ranges from a file; a missing file is no ranges")
{
    auto dir = TempDir::create("/tmp", "berth-subid-");
    REQUIRE(dir);
    std::string file = fs::join(dir->path(), "subuid");
    REQUIRE(fs::write_file_atomic(file, "berthdev:200000:65536\n"));
    auto ranges = subordinate_ranges(file, "berthdev", 1234);
    REQUIRE(ranges);
    REQUIRE(ranges->size() == 1);
    CHECK((*ranges)[0].host_id == 200000);

    auto missing = subordinate_ranges(fs::join(dir->path(), "nope"), "berthdev", 1234);
    REQUIRE(missing);
    CHECK(missing->empty());
}

TEST_CASE("build_mappings: root is the user, the ranges follow back to back")
{
    auto none = build_mappings(1000, {});
    REQUIRE(none.size() == 1);
    CHECK(none[0] == IdMapping { 0, 1000, 1 });

    auto map = build_mappings(1000, { { 0, 100000, 65536 }, { 0, 300000, 10 } });
    REQUIRE(map.size() == 3);
    CHECK(map[0] == IdMapping { 0, 1000, 1 });
    CHECK(map[1] == IdMapping { 1, 100000, 65536 });
    CHECK(map[2] == IdMapping { 65537, 300000, 10 });
    CHECK(mapping_arguments(map)
        == std::vector<std::string> { "0", "1000", "1", "1", "100000", "65536", "65537", "300000", "10" });
}

TEST_CASE("build_mappings: stays inside the id space and the kernel's line limit")
{
    auto huge = build_mappings(1000, { { 0, 1, 4294967295u }, { 0, 5, 5 } });
    REQUIRE(huge.size() == 2);
    CHECK(huge[1] == IdMapping { 1, 1, 4294967295u }); // ids 1..2^32-1: the whole rest of the space

    std::vector<IdMapping> many(500, IdMapping { 0, 100000, 1 });
    CHECK(build_mappings(1000, many).size() == 340);
}
