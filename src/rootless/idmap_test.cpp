#include <doctest/doctest.h>

#include "rootless/idmap.h"

using namespace berth;
using namespace berth::rootless;

TEST_CASE("keep-id maps the user's uid to itself and uses every intermediate id once")
{
    auto map = keep_id_mappings(1001, 65537);
    REQUIRE(map.size() == 3);
    CHECK(map[0] == IdMapping { 0, 1, 1001 });
    CHECK(map[1] == IdMapping { 1001, 0, 1 });
    CHECK(map[2] == IdMapping { 1002, 1002, 64535 });
    CHECK(mapped_id_count(map) == 65537);
    // uid 0 inside: the user is root, the rest follows.
    auto zero = keep_id_mappings(0, 65537);
    REQUIRE(zero.size() == 2);
    CHECK(zero[0] == IdMapping { 0, 0, 1 });
    CHECK(zero[1] == IdMapping { 1, 1, 65536 });
}

TEST_CASE("keep-id with a uid beyond the available ids maps what there is")
{
    auto map = keep_id_mappings(70000, 65537);
    REQUIRE(map.size() == 2);
    CHECK(map[0] == IdMapping { 0, 1, 65536 });
    CHECK(map[1] == IdMapping { 70000, 0, 1 });
}

TEST_CASE("container_id_maps: the modes")
{
    auto none = container_id_maps({}, true, 1000, 1000, 65537, 65537);
    REQUIRE(none);
    CHECK(!none->private_userns);
    auto host = container_id_maps({ "host", {}, {} }, false, 0, 0, 4294967295u, 4294967295u);
    REQUIRE(host);
    CHECK(!host->private_userns);

    auto keep = container_id_maps({ "keep-id", {}, {} }, true, 1000, 1001, 65537, 65537);
    REQUIRE(keep);
    CHECK(keep->private_userns);
    CHECK(keep->default_user == "1000:1001");
    CHECK(keep->gid[1] == IdMapping { 1001, 0, 1 });

    auto custom = container_id_maps({ "keep-id:uid=200,gid=300", {}, {} }, true, 1000, 1000, 65537, 65537);
    REQUIRE(custom);
    CHECK(custom->default_user == "200:300");
    CHECK(custom->uid[1] == IdMapping { 200, 0, 1 });

    CHECK(!container_id_maps({ "keep-id", {}, {} }, false, 0, 0, 4294967295u, 4294967295u));
    CHECK(!container_id_maps({ "keep-id", {}, {} }, true, 1000, 1000, 1, 1));
    CHECK(!container_id_maps({ "keep-id:size=5", {}, {} }, true, 1000, 1000, 65537, 65537));
    auto autom = container_id_maps({ "auto", {}, {} }, true, 1000, 1000, 65537, 65537);
    REQUIRE(!autom);
    CHECK(autom.error().message.find("chosen at create") != std::string::npos);
}

TEST_CASE("--uidmap/--gidmap: parsing, one used for both, limits")
{
    auto maps = container_id_maps({ "", { "0:1:1000" }, {} }, true, 1000, 1000, 65537, 65537);
    REQUIRE(maps);
    CHECK(maps->private_userns);
    CHECK(maps->uid == std::vector<IdMapping> { { 0, 1, 1000 } });
    CHECK(maps->gid == maps->uid);
    CHECK(maps->default_user.empty());

    auto two = parse_id_map_flags({ "0:100000:1000", "1000:200000:10" }, "--uidmap");
    REQUIRE(two);
    CHECK(two->size() == 2);
    CHECK(!parse_id_map_flags({ "0:1" }, "--uidmap"));
    CHECK(!parse_id_map_flags({ "0:1:x" }, "--uidmap"));
    CHECK(!parse_id_map_flags({ "0:1:0" }, "--uidmap"));
    CHECK(!parse_id_map_flags({ "0:1:10", "5:100:10" }, "--uidmap"));
    // Host ids beyond the user's namespace, container 0 unmapped, both flags kinds.
    CHECK(!container_id_maps({ "", { "0:1:70000" }, {} }, true, 1000, 1000, 65537, 65537));
    CHECK(!container_id_maps({ "", { "1:1:100" }, {} }, true, 1000, 1000, 65537, 65537));
    CHECK(!container_id_maps({ "keep-id", { "0:1:100" }, {} }, true, 1000, 1000, 65537, 65537));
}

TEST_CASE("fuse-overlayfs mapping value")
{
    CHECK(fuse_mapping_value({ { 0, 1, 1000 }, { 1000, 0, 1 } }) == "0:1:1000:1000:0:1");
}

TEST_CASE("--userns=nomap: the subordinate ids only, rootless only")
{
    auto maps = container_id_maps({ "nomap", {}, {} }, true, 1000, 1000, 65537, 65537).value();
    CHECK(maps.private_userns);
    REQUIRE(maps.uid.size() == 1);
    CHECK(maps.uid[0] == IdMapping { 0, 1, 65536 });
    CHECK(maps.gid[0] == IdMapping { 0, 1, 65536 });
    CHECK_FALSE(container_id_maps({ "nomap", {}, {} }, false, 0, 0, 0, 0).has_value());
    CHECK_FALSE(container_id_maps({ "nomap", {}, {} }, true, 1000, 1000, 1, 1).has_value());
}

TEST_CASE("--userns=auto: size option, and the lowest free range")
{
    CHECK(auto_userns_size("auto").value() == 1024);
    CHECK(auto_userns_size("auto:size=500").value() == 500);
    CHECK_FALSE(auto_userns_size("auto:size=0").has_value());
    CHECK_FALSE(auto_userns_size("auto:bogus=1").has_value());
    CHECK(validate_userns_flags({ "auto:size=10", {}, {} }).has_value());
    CHECK_FALSE(validate_userns_flags({ "auto:size=x", {}, {} }).has_value());

    std::vector<IdMapping> available { { 0, 1, 4096 } };
    CHECK(pick_auto_range(available, {}, 1024).value() == 1);
    CHECK(pick_auto_range(available, { { 0, 1, 1024 } }, 1024).value() == 1025);
    // Used ranges in any order, and a gap too small to use.
    CHECK(pick_auto_range(available, { { 0, 1025, 1024 }, { 0, 1, 1000 } }, 1024).value() == 2049);
    CHECK(pick_auto_range(available, { { 0, 1, 1024 }, { 0, 1025, 1024 }, { 0, 2049, 1024 } }, 1024).value() == 3073);
    auto full = pick_auto_range(available, { { 0, 1, 4000 } }, 1024);
    REQUIRE_FALSE(full.has_value());
    CHECK(full.error().code == ENOSPC);
    // A second range of the user's is used when the first is full.
    std::vector<IdMapping> two { { 0, 100, 10 }, { 0, 5000, 2000 } };
    CHECK(pick_auto_range(two, {}, 1024).value() == 5000);
}

TEST_CASE("outside_id: a container id through the mapping; itself without one")
{
    auto map = keep_id_mappings(1000, 65536);
    CHECK(outside_id(map, 1000) == 0u);  // keep-id: the user is the user
    CHECK(outside_id(map, 0) == 1u);     // the container's root is the first subordinate id
    CHECK(outside_id(map, 2000) == 2000u);
    CHECK_FALSE(outside_id(map, 70000).has_value());
    CHECK(outside_id({}, 1234) == 1234u);
    CHECK(inside_id(map, 0) == 1000u);
    CHECK(inside_id(map, 1) == 0u);
    CHECK(inside_id(map, 2000) == 2000u);
    CHECK_FALSE(inside_id(map, 70000).has_value());
    CHECK(inside_id({}, 1234) == 1234u);
}
