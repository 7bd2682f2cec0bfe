// --user resolution: Podman's forms, supplementary groups from /etc/group, and
// an image whose passwd is a symlink to a host file (never read).
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "runtime/users.h"

#include <sys/stat.h>
#include <unistd.h>

using namespace berth;
using namespace berth::runtime;

namespace {

TempDir rootfs_with(std::string const& passwd, std::string const& group)
{
    TempDir dir = TempDir::create("/tmp", "berth-users-").release_value();
    REQUIRE(fs::mkdir_p(dir.path() + "/etc").has_value());
    if (!passwd.empty())
        REQUIRE(fs::write_file_atomic(dir.path() + "/etc/passwd", passwd).has_value());
    if (!group.empty())
        REQUIRE(fs::write_file_atomic(dir.path() + "/etc/group", group).has_value());
    return dir;
}

constexpr char const* passwd_text = "root:x:0:0:root:/root:/bin/sh\n"
                                    "bad line\n"
                                    "web:x:1000:1001:Web:/home/web:/bin/sh\n";
constexpr char const* group_text = "root:x:0:\n"
                                   "wheel:x:10:root,web\n"
                                   "web:x:1001:\n"
                                   "audio:x:29:web\n";

} // namespace

TEST_CASE("users: passwd and group lines")
{
    auto p = parse_passwd(passwd_text);
    REQUIRE(p.size() == 2);
    CHECK(p[1].name == "web");
    CHECK(p[1].uid == 1000);
    CHECK(p[1].gid == 1001);
    CHECK(p[1].home == "/home/web");
    auto g = parse_group(group_text);
    REQUIRE(g.size() == 4);
    CHECK(g[1].members == std::vector<std::string> { "root", "web" });
    CHECK(g[0].members.empty());
}

TEST_CASE("users: Podman's --user forms")
{
    TempDir r = rootfs_with(passwd_text, group_text);
    auto root = resolve_user(r.path(), "");
    REQUIRE(root.has_value());
    CHECK(root->uid == 0);
    CHECK(root->home == "/root");
    CHECK(root->additional_gids == std::vector<uint32_t> { 10 });

    auto web = resolve_user(r.path(), "web");
    REQUIRE(web.has_value());
    CHECK(web->uid == 1000);
    CHECK(web->gid == 1001);
    CHECK(web->additional_gids == std::vector<uint32_t> { 10, 29 });

    auto by_id = resolve_user(r.path(), "1000:audio", { "wheel", "500" });
    REQUIRE(by_id.has_value());
    CHECK(by_id->name == "web");
    CHECK(by_id->gid == 29);
    CHECK(by_id->additional_gids == std::vector<uint32_t> { 10, 29, 500 });

    auto unknown_id = resolve_user(r.path(), "4242");
    REQUIRE(unknown_id.has_value());
    CHECK(unknown_id->uid == 4242);
    CHECK(unknown_id->gid == 0);
    CHECK(unknown_id->home == "/");

    auto missing = resolve_user(r.path(), "nobody");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message == "unable to find user nobody: no matching entries in passwd file");
    auto missing_group = resolve_user(r.path(), "web:nogroup");
    REQUIRE_FALSE(missing_group.has_value());
    CHECK(missing_group.error().message == "unable to find group nogroup: no matching entries in group file");
}

TEST_CASE("users: a passwd symlinked to a host file is resolved inside the rootfs")
{
    TempDir host = TempDir::create("/tmp", "berth-hostpasswd-").release_value();
    std::string host_passwd = host.path() + "/passwd";
    REQUIRE(fs::write_file_atomic(host_passwd, "evil:x:4242:4242::/evil:/bin/sh\n").has_value());
    TempDir r = rootfs_with("", "");
    REQUIRE(::symlink(host_passwd.c_str(), (r.path() + "/etc/passwd").c_str()) == 0);
    auto evil = resolve_user(r.path(), "evil");
    REQUIRE_FALSE(evil.has_value());
    CHECK(evil.error().message == "unable to find user evil: no matching entries in passwd file");

    // "../.." climbs no higher than the rootfs: this /etc/group names itself
    // (a loop), never the host's /etc/group with its "root" group.
    TempDir g = rootfs_with("", "");
    REQUIRE(::symlink("../../../../../../../../etc/group", (g.path() + "/etc/group").c_str()) == 0);
    auto root_group = resolve_user(g.path(), "0:root");
    REQUIRE_FALSE(root_group.has_value());
    CHECK(root_group.error().code == ELOOP);

    // A FIFO is refused instead of blocking.
    TempDir f = rootfs_with("", "");
    REQUIRE(::mkfifo((f.path() + "/etc/passwd").c_str(), 0644) == 0);
    auto fifo = resolve_user(f.path(), "0");
    REQUIRE_FALSE(fifo.has_value());
    CHECK(fifo.error().message.find("not a regular file") != std::string::npos);
}
