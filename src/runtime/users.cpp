// --user resolution against the rootfs's passwd and group files, read inside
// the rootfs (see users.h). Malformed lines are skipped, as libc does.
#include "runtime/users.h"

#include "base/sys.h"
#include "runtime/kernel.h"

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

namespace berth::runtime {

namespace {

std::vector<std::string_view> split(std::string_view text, char sep)
{
    std::vector<std::string_view> out;
    size_t i = 0;
    while (true) {
        size_t j = text.find(sep, i);
        out.push_back(text.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
        if (j == std::string_view::npos)
            return out;
        i = j + 1;
    }
}

bool parse_id(std::string_view text, uint32_t& out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

/// A file of the rootfs, or "" when it does not exist.
Result<std::string> read_rootfs_file(int root_fd, std::string const& path)
{
    auto fd = sys::openat2(root_fd, path, O_RDONLY | O_NONBLOCK | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!fd && fd.error().code == ENOENT)
        return std::string();
    if (!fd)
        return std::move(fd).error().with_context("read the image's " + path);
    struct stat st = TRY(sys::fstat(fd->get()));
    if (!S_ISREG(st.st_mode))
        return Error::msg("read the image's " + path + ": not a regular file");
    return sys::read_all(fd->get());
}

PasswdEntry const* find_user(std::vector<PasswdEntry> const& entries, std::string_view name_or_id)
{
    uint32_t id = 0;
    bool numeric = parse_id(name_or_id, id);
    for (auto const& e : entries) {
        if (numeric ? e.uid == id : e.name == name_or_id)
            return &e;
    }
    return nullptr;
}

Result<uint32_t> find_group(std::vector<GroupEntry> const& groups, std::string_view name_or_id)
{
    uint32_t id = 0;
    if (parse_id(name_or_id, id))
        return id;
    for (auto const& g : groups) {
        if (g.name == name_or_id)
            return g.gid;
    }
    return Error { ENOENT, "unable to find group " + std::string(name_or_id) + ": no matching entries in group file" };
}

void add_unique(std::vector<uint32_t>& ids, uint32_t id)
{
    if (std::find(ids.begin(), ids.end(), id) == ids.end())
        ids.push_back(id);
}

} // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text)
{
    std::vector<PasswdEntry> out;
    for (auto line : split(text, '\n')) {
        auto f = split(line, ':');
        PasswdEntry e;
        if (f.size() < 7 || f[0].empty() || !parse_id(f[2], e.uid) || !parse_id(f[3], e.gid))
            continue;
        e.name = f[0];
        e.home = f[5];
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view text)
{
    std::vector<GroupEntry> out;
    for (auto line : split(text, '\n')) {
        auto f = split(line, ':');
        GroupEntry g;
        if (f.size() < 4 || f[0].empty() || !parse_id(f[2], g.gid))
            continue;
        g.name = f[0];
        for (auto member : split(f[3], ',')) {
            if (!member.empty())
                g.members.emplace_back(member);
        }
        out.push_back(std::move(g));
    }
    return out;
}

Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string_view user, std::vector<std::string> const& group_add)
{
    UniqueFd root = TRY_CTX(sys::open(rootfs, O_PATH | O_DIRECTORY), "rootfs");
    auto passwd = parse_passwd(TRY(read_rootfs_file(root.get(), "/etc/passwd")));
    auto groups = parse_group(TRY(read_rootfs_file(root.get(), "/etc/group")));

    size_t colon = user.find(':');
    std::string_view user_part = user.substr(0, colon);
    std::string_view group_part = colon == std::string_view::npos ? std::string_view() : user.substr(colon + 1);
    if (user_part.empty())
        user_part = "0";

    ResolvedUser out;
    if (auto const* entry = find_user(passwd, user_part)) {
        out = ResolvedUser { entry->uid, entry->gid, {}, entry->name, entry->home.empty() ? "/" : entry->home };
    } else if (!parse_id(user_part, out.uid)) {
        return Error { ENOENT, "unable to find user " + std::string(user_part) + ": no matching entries in passwd file" };
    }
    if (!group_part.empty())
        out.gid = TRY(find_group(groups, group_part));
    if (!out.name.empty()) {
        for (auto const& g : groups) {
            if (std::find(g.members.begin(), g.members.end(), out.name) != g.members.end())
                add_unique(out.additional_gids, g.gid);
        }
    }
    for (auto const& extra : group_add)
        add_unique(out.additional_gids, TRY(find_group(groups, extra)));
    return out;
}

} // namespace berth::runtime
