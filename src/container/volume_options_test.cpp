// volume create -o: what each option means, and the mistakes that are refused.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "container/volume_options.h"

#include <sys/mount.h>

using namespace berth;
using container::parse_volume_options;

TEST_CASE("no options: a plain directory")
{
    auto o = parse_volume_options({}).value();
    CHECK(!o.mounts());
    CHECK(!o.nocopy);
}

TEST_CASE("tmpfs with o= splits flags from filesystem data")
{
    auto o = parse_volume_options({ { "type", "tmpfs" }, { "device", "tmpfs" }, { "o", "size=1m,nosuid,mode=0700,nodev" } }).value();
    CHECK(o.mounts());
    CHECK(o.type == "tmpfs");
    CHECK(o.device == "tmpfs");
    CHECK((o.flags & MS_NOSUID) != 0);
    CHECK((o.flags & MS_NODEV) != 0);
    CHECK(o.data == "size=1m,mode=0700");
    CHECK(!o.bind);
}

TEST_CASE("tmpfs needs no device; keys are case-insensitive")
{
    auto o = parse_volume_options({ { "TYPE", "tmpfs" } }).value();
    CHECK(o.device == "tmpfs");
}

TEST_CASE("bind by type or by o=bind")
{
    auto a = parse_volume_options({ { "type", "bind" }, { "device", "/srv/data" } }).value();
    CHECK(a.bind);
    CHECK(a.device == "/srv/data");
    auto b = parse_volume_options({ { "type", "none" }, { "device", "/srv/data" }, { "o", "rbind,ro" } }).value();
    CHECK(b.bind);
    CHECK(b.recursive);
    CHECK(b.type == "bind");
    CHECK((b.flags & MS_RDONLY) != 0);
}

TEST_CASE("uid, gid and nocopy")
{
    auto o = parse_volume_options({ { "uid", "1000" }, { "GID", "100" }, { "nocopy", "" } }).value();
    CHECK(*o.uid == 1000);
    CHECK(*o.gid == 100);
    CHECK(o.nocopy);
    CHECK(!o.mounts());
    CHECK(!parse_volume_options({ { "uid", "alice" } }));
}

TEST_CASE("mistakes are refused with what to do")
{
    auto unknown = parse_volume_options({ { "bogus", "1" } });
    REQUIRE(!unknown);
    CHECK(unknown.error().message == "invalid mount option bogus for driver 'local': invalid argument");
    auto no_device = parse_volume_options({ { "type", "ext4" } });
    REQUIRE(!no_device);
    CHECK(no_device.error().message.find("needs device=") != std::string::npos);
    auto no_type = parse_volume_options({ { "device", "/dev/sdb1" } });
    REQUIRE(!no_type);
    CHECK(no_type.error().message.find("needs type=") != std::string::npos);
    CHECK(!parse_volume_options({ { "o", "size=1m" } }));
    CHECK(!parse_volume_options({ { "type", "bind" } }));
}
