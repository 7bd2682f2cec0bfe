// --userns / --uidmap / --gidmap -> the mappings of a container's own user
// namespace. See idmap.h for the keep-id layout; the checks here exist so that
// a bad flag fails at create time with the flag's name rather than as an
// EINVAL from writing /proc/<pid>/uid_map in the middle of a start.
#include "rootless/idmap.h"

#include "rootless/userns.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace berth::rootless {

namespace {

std::vector<std::string> split(std::string const& s, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        auto at = s.find(sep, start);
        out.push_back(s.substr(start, at - start));
        if (at == std::string::npos)
            return out;
        start = at + 1;
    }
}

bool parse_u32(std::string const& s, uint32_t& out)
{
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

/// "keep-id[:uid=N,gid=N]" -> the uid and gid inside (unset: the user's own).
Result<std::pair<std::optional<uint32_t>, std::optional<uint32_t>>> parse_keep_id(std::string const& mode)
{
    std::pair<std::optional<uint32_t>, std::optional<uint32_t>> ids;
    if (mode == "keep-id")
        return ids;
    for (auto const& opt : split(mode.substr(std::string("keep-id:").size()), ',')) {
        uint32_t value = 0;
        auto eq = opt.find('=');
        std::string key = opt.substr(0, eq);
        if (eq == std::string::npos || !parse_u32(opt.substr(eq + 1), value) || (key != "uid" && key != "gid"))
            return Error { EINVAL, "--userns=" + mode + ": unknown keep-id option \"" + opt + "\" (use keep-id:uid=N,gid=N)" };
        (key == "uid" ? ids.first : ids.second) = value;
    }
    return ids;
}

bool is_keep_id(std::string const& mode)
{
    return mode == "keep-id" || mode.rfind("keep-id:", 0) == 0;
}

ErrorOr check_fits(std::vector<IdMapping> const& map, uint64_t count, std::string const& flag)
{
    bool zero = false;
    for (auto const& m : map) {
        if (static_cast<uint64_t>(m.host_id) + m.size > count)
            return Error { EINVAL, flag + " " + std::to_string(m.container_id) + ":" + std::to_string(m.host_id) + ":"
                    + std::to_string(m.size) + ": host ids beyond the " + std::to_string(count)
                    + " ids available (rootless: host ids count in the user's namespace, 0 is the user, 1.. its subordinate ids)" };
        zero = zero || (m.container_id == 0);
    }
    if (!zero)
        return Error { EINVAL, flag + ": container id 0 must be mapped (berth sets the container up as its root)" };
    return {};
}

} // namespace

Result<std::vector<IdMapping>> parse_id_map_flags(std::vector<std::string> const& flags, std::string const& flag_name)
{
    std::vector<IdMapping> out;
    for (auto const& flag : flags) {
        for (auto const& entry : split(flag, ',')) {
            auto parts = split(entry, ':');
            IdMapping m;
            if (parts.size() != 3 || !parse_u32(parts[0], m.container_id) || !parse_u32(parts[1], m.host_id)
                || !parse_u32(parts[2], m.size) || m.size == 0)
                return Error { EINVAL, "invalid " + flag_name + " \"" + entry + "\": use CONTAINER:HOST:SIZE, e.g. 0:100000:65536" };
            for (auto const& other : out) {
                bool overlap = m.container_id < uint64_t(other.container_id) + other.size
                    && other.container_id < uint64_t(m.container_id) + m.size;
                if (overlap)
                    return Error { EINVAL, "invalid " + flag_name + " \"" + entry + "\": container ids overlap another mapping" };
            }
            out.push_back(m);
        }
    }
    return out;
}

ErrorOr validate_userns_flags(UsernsFlags const& f)
{
    TRY(parse_id_map_flags(f.uidmap, "--uidmap"));
    TRY(parse_id_map_flags(f.gidmap, "--gidmap"));
    bool maps = !f.uidmap.empty() || !f.gidmap.empty();
    if (maps && !f.userns.empty())
        return Error { EINVAL, "--userns=" + f.userns + " and --uidmap/--gidmap cannot be used together" };
    if (f.userns.empty() || f.userns == "host")
        return {};
    if (is_keep_id(f.userns)) {
        TRY(parse_keep_id(f.userns));
        return {};
    }
    if (f.userns == "nomap")
        return {};
    if (f.userns == "auto" || f.userns.rfind("auto:", 0) == 0) {
        TRY(auto_userns_size(f.userns));
        return {};
    }
    return Error { ENOTSUP, "--userns=" + f.userns + ": not supported by berth (use host, keep-id[:uid=N,gid=N], nomap, auto[:size=N], or --uidmap/--gidmap)" };
}

Result<uint32_t> auto_userns_size(std::string const& mode)
{
    uint32_t size = 1024;  // Podman's default when the image asks for no more
    if (mode == "auto")
        return size;
    for (auto const& opt : split(mode.substr(std::string("auto:").size()), ',')) {
        auto eq = opt.find('=');
        if (eq == std::string::npos || opt.substr(0, eq) != "size" || !parse_u32(opt.substr(eq + 1), size) || size == 0)
            return Error { EINVAL, "--userns=" + mode + ": unknown auto option \"" + opt + "\" (use auto:size=N)" };
    }
    return size;
}

Result<uint32_t> pick_auto_range(std::vector<IdMapping> const& available, std::vector<IdMapping> const& used, uint32_t size)
{
    for (auto const& range : available) {
        uint64_t start = range.host_id, end = uint64_t(range.host_id) + range.size;
        // The lowest start in this range that no used range overlaps.
        for (bool moved = true; moved && start + size <= end;) {
            moved = false;
            for (auto const& u : used)
                if (start < uint64_t(u.host_id) + u.size && u.host_id < start + size) {
                    start = uint64_t(u.host_id) + u.size;
                    moved = true;
                }
        }
        if (start + size <= end)
            return static_cast<uint32_t>(start);
    }
    return Error { ENOSPC, "--userns=auto: no free range of " + std::to_string(size)
            + " subordinate ids left (other containers use them; remove some or use auto:size=N)" };
}

std::vector<IdMapping> keep_id_mappings(uint32_t inside, uint32_t count)
{
    std::vector<IdMapping> out;
    uint32_t below = std::min(inside, count > 0 ? count - 1 : 0);
    if (below > 0)
        out.push_back({ 0, 1, below });
    out.push_back({ inside, 0, 1 });
    if (uint64_t(inside) + 1 < count)
        out.push_back({ inside + 1, inside + 1, count - 1 - inside });
    return out;
}

std::optional<uint32_t> outside_id(std::vector<IdMapping> const& map, uint32_t id)
{
    if (map.empty())
        return id;
    for (auto const& m : map)
        if (id >= m.container_id && id - m.container_id < m.size)
            return m.host_id + (id - m.container_id);
    return std::nullopt;
}

std::optional<uint32_t> inside_id(std::vector<IdMapping> const& map, uint32_t id)
{
    if (map.empty())
        return id;
    for (auto const& m : map)
        if (id >= m.host_id && id - m.host_id < m.size)
            return m.container_id + (id - m.host_id);
    return std::nullopt;
}

uint64_t mapped_id_count(std::vector<IdMapping> const& map)
{
    uint64_t count = 0;
    for (auto const& m : map)
        count = std::max(count, uint64_t(m.container_id) + m.size);
    return count;
}

Result<ContainerIdMaps> container_id_maps(UsernsFlags const& flags, bool rootless, uid_t uid, gid_t gid,
    uint64_t uid_count, uint64_t gid_count)
{
    TRY(validate_userns_flags(flags));
    ContainerIdMaps maps;
    if (is_keep_id(flags.userns)) {
        if (!rootless)
            return Error { EINVAL, "--userns=keep-id: only supported rootless (as root, use --uidmap/--gidmap)" };
        if (uid_count < 2 || gid_count < 2)
            return Error { EINVAL, "--userns=keep-id: needs subordinate ids for the user (add a range to /etc/subuid and /etc/subgid)" };
        auto [in_uid, in_gid] = TRY(parse_keep_id(flags.userns));
        uint32_t u = in_uid.value_or(uid), g = in_gid.value_or(gid);
        maps.private_userns = true;
        maps.uid = keep_id_mappings(u, static_cast<uint32_t>(std::min<uint64_t>(uid_count, UINT32_MAX)));
        maps.gid = keep_id_mappings(g, static_cast<uint32_t>(std::min<uint64_t>(gid_count, UINT32_MAX)));
        maps.default_user = std::to_string(u) + ":" + std::to_string(g);
        return maps;
    }
    if (flags.userns == "nomap") {
        // The user's own id is left out: container ids 0.. are the subordinate ids only.
        if (!rootless)
            return Error { EINVAL, "--userns=nomap is only supported rootless" };
        if (uid_count < 2 || gid_count < 2)
            return Error { EINVAL, "--userns=nomap: needs subordinate ids for the user (add a range to /etc/subuid and /etc/subgid)" };
        maps.private_userns = true;
        maps.uid = { { 0, 1, static_cast<uint32_t>(std::min<uint64_t>(uid_count - 1, UINT32_MAX)) } };
        maps.gid = { { 0, 1, static_cast<uint32_t>(std::min<uint64_t>(gid_count - 1, UINT32_MAX)) } };
        return maps;
    }
    if (flags.userns == "auto" || flags.userns.rfind("auto:", 0) == 0)
        return Error { EINVAL, "--userns=auto: the range is chosen at create (this container has none)" };
    if (flags.uidmap.empty() && flags.gidmap.empty())
        return maps;
    // Podman: one of the two alone is used for both.
    auto uid_map = TRY(parse_id_map_flags(flags.uidmap.empty() ? flags.gidmap : flags.uidmap, "--uidmap"));
    auto gid_map = TRY(parse_id_map_flags(flags.gidmap.empty() ? flags.uidmap : flags.gidmap, "--gidmap"));
    TRY(check_fits(uid_map, uid_count, "--uidmap"));
    TRY(check_fits(gid_map, gid_count, "--gidmap"));
    maps.private_userns = true;
    maps.uid = std::move(uid_map);
    maps.gid = std::move(gid_map);
    return maps;
}

Result<ContainerIdMaps> current_container_id_maps(UsernsFlags const& flags, Paths const& paths)
{
    if (flags.userns.empty() && flags.uidmap.empty() && flags.gidmap.empty())
        return ContainerIdMaps {};
    auto uids = TRY(read_id_map("/proc/self/uid_map"));
    auto gids = TRY(read_id_map("/proc/self/gid_map"));
    return container_id_maps(flags, paths.rootless, paths.uid, paths.gid, mapped_id_count(uids), mapped_id_count(gids));
}

std::string fuse_mapping_value(std::vector<IdMapping> const& map)
{
    std::string out;
    for (auto const& m : map)
        out += (out.empty() ? "" : ":") + std::to_string(m.container_id) + ":" + std::to_string(m.host_id) + ":" + std::to_string(m.size);
    return out;
}

} // namespace berth::rootless
