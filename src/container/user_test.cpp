// --user resolution (user.cpp): the passwd and group grammars, Podman's forms
// with supplementary groups as runc's, and an image's account files that try
// to lead out of the rootfs, block the reader or exhaust its memory.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "base/fs.h"
#include "base/temp_dir.h"
#include "container/user.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace berth;
using namespace berth::container;

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
                                    "# a comment:x:5:5::/:/bin/sh\n"
                                    "huge:x:99999999999:0::/:/bin/sh\n"
                                    "neg:x:-1:0::/:/bin/sh\n"
                                    "short:x:1200:1200\n"
                                    "web:x:1000:1001:Web:/home/web:/bin/sh\n";
constexpr char const* group_text = "root:x:0:\n"
                                   "wheel:x:10:root,web\n"
                                   "web:x:1001:web\n"
                                   "audio:x:29:web,web\n"
                                   "nomembers:x:30\n"
                                   "bad:x:abc:web\n";

} // namespace

TEST_CASE("users: passwd and group lines")
{
    auto p = parse_passwd(passwd_text);
    REQUIRE(p.size() == 3);
    CHECK(p[0].home == "/root");
    CHECK(p[1].name == "short");
    CHECK(p[1].home.empty());
    CHECK(p[2].name == "web");
    CHECK(p[2].uid == 1000);
    CHECK(p[2].gid == 1001);
    CHECK(p[2].home == "/home/web");
    auto g = parse_group(group_text);
    REQUIRE(g.size() == 5);
    CHECK(g[1].members == std::vector<std::string> { "root", "web" });
    CHECK(g[0].members.empty());
    CHECK(g[4].name == "nomembers");
    CHECK(g[4].members.empty());
    CHECK(parse_passwd("").empty());
    CHECK(parse_group("\n\n:x:1:\n").empty());
}

TEST_CASE("users: Podman's --user forms")
{
    auto root = resolve_user_from("", passwd_text, group_text, {}).release_value();
    CHECK(root.uid == 0);
    CHECK(root.gid == 0);
    CHECK(root.name == "root");
    CHECK(root.home == "/root");
    CHECK(root.additional_gids == std::vector<gid_t> { 10 });

    // Its primary group is not repeated; a group naming it twice counts once.
    auto web = resolve_user_from("web", passwd_text, group_text, {}).release_value();
    CHECK(web.uid == 1000);
    CHECK(web.gid == 1001);
    CHECK(web.additional_gids == std::vector<gid_t> { 10, 29 });

    // An explicit group: no supplementary groups from /etc/group (runc's rule), then --group-add.
    auto by_id = resolve_user_from("1000:audio", passwd_text, group_text, { "wheel", "500", "keep-groups" }).release_value();
    CHECK(by_id.name == "web");
    CHECK(by_id.gid == 29);
    CHECK(by_id.additional_gids == std::vector<gid_t> { 10, 500 });

    auto numeric = resolve_user_from("4242:4343", passwd_text, group_text, {}).release_value();
    CHECK(numeric.uid == 4242);
    CHECK(numeric.gid == 4343);
    CHECK(numeric.home == "/");
    CHECK(numeric.name.empty());
    auto unknown_id = resolve_user_from("4242", passwd_text, group_text, {}).release_value();
    CHECK(unknown_id.gid == 0);
    CHECK(unknown_id.additional_gids.empty());
    auto no_home = resolve_user_from("short", passwd_text, group_text, {}).release_value();
    CHECK(no_home.uid == 1200);
    CHECK(no_home.home == "/");

    auto missing = resolve_user_from("nobody", passwd_text, group_text, {});
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().message == "unable to find user nobody: no matching entries in passwd file");
    // A malformed line is no user, and an out-of-range number is no uid.
    CHECK_FALSE(resolve_user_from("huge", passwd_text, group_text, {}).has_value());
    CHECK_FALSE(resolve_user_from("99999999999", passwd_text, group_text, {}).has_value());
    auto missing_group = resolve_user_from("web:nogroup", passwd_text, group_text, {});
    REQUIRE_FALSE(missing_group.has_value());
    CHECK(missing_group.error().message == "unable to find group nogroup: no matching entries in group file");
    CHECK_FALSE(resolve_user_from("web", passwd_text, group_text, { "bad" }).has_value());
}

TEST_CASE("users: the files are read from the rootfs")
{
    TempDir r = rootfs_with(passwd_text, group_text);
    auto web = resolve_user(r.path(), "web").release_value();
    CHECK(web.uid == 1000);
    CHECK(web.additional_gids == std::vector<gid_t> { 10, 29 });
    // Without the files: root, and numbers only.
    TempDir empty = rootfs_with("", "");
    CHECK(resolve_user(empty.path(), "").value().uid == 0);
    CHECK(resolve_user(empty.path(), "7:8").value().gid == 8);
    CHECK_FALSE(resolve_user(empty.path(), "web").has_value());
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
    // The same absolute path inside the rootfs is what the link names.
    REQUIRE(fs::mkdir_p(r.path() + host.path()).has_value());
    REQUIRE(fs::write_file_atomic(r.path() + host_passwd, "evil:x:77:78::/:/bin/sh\n").has_value());
    CHECK(resolve_user(r.path(), "evil").value().uid == 77);

    // "../.." climbs no higher than the rootfs: this /etc/group names itself
    // (a loop), never the host's /etc/group with its "root" group.
    TempDir g = rootfs_with("", "");
    REQUIRE(::symlink("../../../../../../../../etc/group", (g.path() + "/etc/group").c_str()) == 0);
    auto root_group = resolve_user(g.path(), "0:root");
    REQUIRE_FALSE(root_group.has_value());
    CHECK(root_group.error().code == ELOOP);
}

TEST_CASE("users: a FIFO, a directory or a huge file is never read")
{
    // A FIFO neither blocks the open nor is read: it counts as no file.
    TempDir f = rootfs_with("", "");
    REQUIRE(::mkfifo((f.path() + "/etc/passwd").c_str(), 0644) == 0);
    auto read = read_in_root(f.path(), "etc/passwd");
    REQUIRE_FALSE(read.has_value());
    CHECK(read.error().code == EINVAL);
    CHECK(read.error().message.find("not a regular file") != std::string::npos);
    CHECK(resolve_user(f.path(), "0").value().uid == 0);
    CHECK_FALSE(resolve_user(f.path(), "root").has_value());

    TempDir d = rootfs_with("", "");
    REQUIRE(fs::mkdir_p(d.path() + "/etc/group").has_value());
    CHECK(resolve_user(d.path(), "0:5").value().gid == 5);

    // Larger than the limit: an error, whatever the line it would have found.
    TempDir big = rootfs_with("", "");
    std::string text = "big:x:5:5::/:/bin/sh\n";
    text += std::string(max_account_file_size, '#');
    REQUIRE(fs::write_file_atomic(big.path() + "/etc/passwd", text).has_value());
    auto huge = resolve_user(big.path(), "big");
    REQUIRE_FALSE(huge.has_value());
    CHECK(huge.error().code == EFBIG);
}
