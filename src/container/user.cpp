// User lookup in the image: passwd/group parsing and the confined read.
#include "container/user.h"

#include "base/sys.h"
#include "base/unique_fd.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sstream>
#include <unistd.h>

namespace berth::container {

namespace {

struct Entry {
    std::vector<std::string> fields;
};

std::vector<Entry> parse_colon_file(std::string const& text)
{
    std::vector<Entry> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        Entry e;
        size_t start = 0;
        for (;;) {
            auto colon = line.find(':', start);
            e.fields.push_back(line.substr(start, colon - start));
            if (colon == std::string::npos)
                break;
            start = colon + 1;
        }
        out.push_back(std::move(e));
    }
    return out;
}

bool is_number(std::string const& s)
{
    return !s.empty() && s.size() < 11 && s.find_first_not_of("0123456789") == std::string::npos;
}

Result<gid_t> lookup_group(std::string const& name, std::vector<Entry> const& groups)
{
    if (is_number(name))
        return static_cast<gid_t>(std::stoul(name));
    for (auto const& g : groups)
        if (g.fields.size() >= 3 && g.fields[0] == name && is_number(g.fields[2]))
            return static_cast<gid_t>(std::stoul(g.fields[2]));
    return Error { ENOENT, "unable to find group " + name + ": no matching entries in group file" };
}

} // namespace

Result<ResolvedUser> resolve_user_from(std::string const& spec, std::string const& passwd, std::string const& group,
    std::vector<std::string> const& group_add)
{
    auto users = parse_colon_file(passwd);
    auto groups = parse_colon_file(group);
    std::string user_part = spec.substr(0, spec.find(':'));
    std::string group_part = spec.find(':') == std::string::npos ? "" : spec.substr(spec.find(':') + 1);
    if (user_part.empty())
        user_part = "0";
    ResolvedUser r;
    std::string user_name;
    Entry const* found = nullptr;
    for (auto const& u : users)
        if (u.fields.size() >= 4 && (u.fields[0] == user_part || (is_number(user_part) && u.fields[2] == user_part))) {
            found = &u;
            break;
        }
    if (found) {
        r.uid = static_cast<uid_t>(std::stoul(is_number(found->fields[2]) ? found->fields[2] : "0"));
        r.gid = static_cast<gid_t>(std::stoul(is_number(found->fields[3]) ? found->fields[3] : "0"));
        if (found->fields.size() >= 6 && !found->fields[5].empty())
            r.home = found->fields[5];
        user_name = found->fields[0];
    } else if (is_number(user_part)) {
        r.uid = static_cast<uid_t>(std::stoul(user_part));
    } else {
        return Error { ENOENT, "unable to find user " + user_part + ": no matching entries in passwd file" };
    }
    if (!group_part.empty())
        r.gid = TRY(lookup_group(group_part, groups));
    else if (!user_name.empty())
        for (auto const& g : groups)
            if (g.fields.size() >= 4 && is_number(g.fields[2])) {
                std::istringstream members(g.fields[3]);
                std::string m;
                while (std::getline(members, m, ','))
                    if (m == user_name && static_cast<gid_t>(std::stoul(g.fields[2])) != r.gid)
                        r.additional_gids.push_back(static_cast<gid_t>(std::stoul(g.fields[2])));
            }
    for (auto const& g : group_add)
        if (g != "keep-groups")
            r.additional_gids.push_back(TRY(lookup_group(g, groups)));
    return r;
}

Result<std::string> read_in_root(std::string const& root, std::string const& path)
{
    UniqueFd dir = TRY(sys::open(root, O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto opened = sys::openat2(dir.get(), path, O_RDONLY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!opened)
        return Error::from_errno("open " + path + " in " + root, opened.error().code);
    UniqueFd file = opened.release_value();
    auto st = TRY(sys::fstat(file.get()));
    if (!S_ISREG(st.st_mode))
        return Error { EINVAL, path + " in " + root + ": not a regular file" };
    return sys::read_all(file.get());
}

Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string const& spec, std::vector<std::string> const& group_add)
{
    auto read_optional = [&](char const* path) -> Result<std::string> {
        auto text = read_in_root(rootfs, path);
        if (!text && (text.error().code == ENOENT || text.error().code == EINVAL))
            return std::string();
        return text;
    };
    std::string passwd = TRY(read_optional("etc/passwd"));
    std::string group = TRY(read_optional("etc/group"));
    return resolve_user_from(spec, passwd, group, group_add);
}

} // namespace berth::container
