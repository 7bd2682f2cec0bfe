// User lookup in the image: passwd/group parsing and the confined read (see user.h).
#include "container/user.h"

#include "base/sys.h"
#include "base/unique_fd.h"

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

namespace berth::container {

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

/// A decimal id that fits 32 bits, nothing else ("", "-1", "1x", "99999999999" are not).
bool parse_id(std::string_view text, uint32_t& out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

/// The fields of each line that is neither blank nor a comment.
template<typename F>
void for_each_record(std::string_view text, F const& f)
{
    for (auto line : split(text, '\n'))
        if (!line.empty() && line[0] != '#')
            f(split(line, ':'));
}

PasswdEntry const* find_user(std::vector<PasswdEntry> const& entries, std::string_view name_or_id)
{
    uint32_t id = 0;
    bool numeric = parse_id(name_or_id, id);
    for (auto const& e : entries)
        if (e.name == name_or_id || (numeric && e.uid == id))
            return &e;
    return nullptr;
}

Result<gid_t> find_group(std::vector<GroupEntry> const& groups, std::string_view name_or_id)
{
    uint32_t id = 0;
    if (parse_id(name_or_id, id))
        return id;
    for (auto const& g : groups)
        if (g.name == name_or_id)
            return g.gid;
    return Error { ENOENT, "unable to find group " + std::string(name_or_id) + ": no matching entries in group file" };
}

/// A file of the rootfs, "" when it is missing or not a regular file.
Result<std::string> read_account_file(std::string const& rootfs, char const* path)
{
    auto text = read_in_root(rootfs, path);
    if (!text && (text.error().code == ENOENT || text.error().code == EINVAL))
        return std::string();
    return text;
}

} // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text)
{
    std::vector<PasswdEntry> out;
    for_each_record(text, [&](std::vector<std::string_view> const& f) {
        PasswdEntry e;
        if (f.size() < 4 || f[0].empty() || !parse_id(f[2], e.uid) || !parse_id(f[3], e.gid))
            return;
        e.name = f[0];
        if (f.size() > 5)
            e.home = f[5];
        out.push_back(std::move(e));
    });
    return out;
}

std::vector<GroupEntry> parse_group(std::string_view text)
{
    std::vector<GroupEntry> out;
    for_each_record(text, [&](std::vector<std::string_view> const& f) {
        GroupEntry g;
        if (f.size() < 3 || f[0].empty() || !parse_id(f[2], g.gid))
            return;
        g.name = f[0];
        if (f.size() > 3)
            for (auto member : split(f[3], ','))
                if (!member.empty())
                    g.members.emplace_back(member);
        out.push_back(std::move(g));
    });
    return out;
}

Result<ResolvedUser> resolve_user_from(std::string_view spec, std::string_view passwd, std::string_view group,
    std::vector<std::string> const& group_add)
{
    auto users = parse_passwd(passwd);
    auto groups = parse_group(group);
    size_t colon = spec.find(':');
    std::string_view user_part = spec.substr(0, colon);
    std::string_view group_part = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
    if (user_part.empty())
        user_part = "0";

    ResolvedUser r;
    if (auto const* entry = find_user(users, user_part)) {
        r.uid = entry->uid;
        r.gid = entry->gid;
        r.name = entry->name;
        if (!entry->home.empty())
            r.home = entry->home;
    } else if (uint32_t uid = 0; parse_id(user_part, uid)) {
        r.uid = uid;
    } else {
        return Error { ENOENT, "unable to find user " + std::string(user_part) + ": no matching entries in passwd file" };
    }
    if (!group_part.empty()) {
        r.gid = TRY(find_group(groups, group_part));
    } else if (!r.name.empty()) {
        for (auto const& g : groups)
            if (g.gid != r.gid && std::find(g.members.begin(), g.members.end(), r.name) != g.members.end()
                && std::find(r.additional_gids.begin(), r.additional_gids.end(), g.gid) == r.additional_gids.end())
                r.additional_gids.push_back(g.gid);
    }
    for (auto const& g : group_add)
        if (g != "keep-groups")
            r.additional_gids.push_back(TRY(find_group(groups, g)));
    return r;
}

Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string_view spec, std::vector<std::string> const& group_add)
{
    std::string passwd = TRY(read_account_file(rootfs, "etc/passwd"));
    std::string group = TRY(read_account_file(rootfs, "etc/group"));
    return resolve_user_from(spec, passwd, group, group_add);
}

Result<std::string> read_in_root(std::string const& root, std::string const& path)
{
    UniqueFd dir = TRY(sys::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
    // O_NONBLOCK: a FIFO must not block the open; O_NOCTTY: a tty must not become ours.
    auto opened = sys::openat2(dir.get(), path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!opened)
        return Error::from_errno("open " + path + " in " + root, opened.error().code);
    UniqueFd file = opened.release_value();
    auto st = TRY(sys::fstat(file.get()));
    if (!S_ISREG(st.st_mode))
        return Error { EINVAL, path + " in " + root + ": not a regular file" };
    auto too_big = [&] {
        return Error { EFBIG, path + " in " + root + ": larger than " + std::to_string(max_account_file_size >> 20) + " MiB" };
    };
    if (static_cast<size_t>(st.st_size) > max_account_file_size)
        return too_big();
    // The size may grow after fstat: read no more than the limit allows.
    std::string out;
    char buf[65536];
    for (;;) {
        size_t n = TRY(sys::read(file.get(), buf, sizeof buf));
        if (n == 0)
            return out;
        if (out.size() + n > max_account_file_size)
            return too_big();
        out.append(buf, n);
    }
}

} // namespace berth::container
