// /etc/subuid and /etc/subgid parsing and the mapping built from it. Numbers
// are parsed strictly (digits only, no sign, no overflow) because a silently
// misread range would map the wrong host ids into every container.
#include "rootless/subid.h"

#include "base/fs.h"
#include "base/log.h"

#include <charconv>
#include <string_view>

namespace berth::rootless {

namespace {

constexpr size_t max_map_lines = 340; // kernel limit for uid_map/gid_map since 4.15
constexpr uint64_t id_space = 1ull << 32;

bool parse_u32(std::string_view text, uint32_t& out)
{
    if (text.empty())
        return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Splits "owner:start:count"; false if the line does not have that shape.
bool split_line(std::string_view line, std::string_view& owner, uint32_t& start, uint32_t& count)
{
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos || line.find(':', c2 + 1) != std::string_view::npos)
        return false;
    owner = trim(line.substr(0, c1));
    return !owner.empty() && parse_u32(trim(line.substr(c1 + 1, c2 - c1 - 1)), start)
        && parse_u32(trim(line.substr(c2 + 1)), count);
}

} // namespace

std::vector<IdMapping> parse_subordinate_ranges(std::string const& text, std::string const& user, uid_t uid)
{
    std::vector<IdMapping> ranges;
    std::string const uid_text = std::to_string(uid);
    size_t pos = 0;
    for (int line_no = 1; pos < text.size(); ++line_no) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line = trim(std::string_view(text).substr(pos, end - pos));
        pos = end + 1;
        if (line.empty() || line.front() == '#')
            continue;
        std::string_view owner;
        uint32_t start = 0, count = 0;
        if (!split_line(line, owner, start, count) || count == 0 || uint64_t(start) + count > id_space) {
            log::debug("subordinate ids: skipping malformed line {}: \"{}\"", line_no, line);
            continue;
        }
        if ((!user.empty() && owner == user) || owner == uid_text)
            ranges.push_back(IdMapping { 0, start, count });
    }
    return ranges;
}

Result<std::vector<IdMapping>> subordinate_ranges(std::string const& file, std::string const& user, uid_t uid)
{
    if (!fs::exists(file)) {
        log::debug("subordinate ids: {} does not exist", file);
        return std::vector<IdMapping> {};
    }
    std::string text = TRY(fs::read_file(file));
    return parse_subordinate_ranges(text, user, uid);
}

std::vector<IdMapping> build_mappings(uid_t uid, std::vector<IdMapping> const& ranges)
{
    std::vector<IdMapping> out { IdMapping { 0, static_cast<uint32_t>(uid), 1 } };
    uint64_t next = 1;
    for (auto const& r : ranges) {
        if (out.size() >= max_map_lines || next >= id_space)
            break;
        uint64_t size = std::min<uint64_t>(r.size, id_space - next);
        out.push_back(IdMapping { static_cast<uint32_t>(next), r.host_id, static_cast<uint32_t>(size) });
        next += size;
    }
    return out;
}

std::vector<std::string> mapping_arguments(std::vector<IdMapping> const& mappings)
{
    std::vector<std::string> args;
    for (auto const& m : mappings) {
        args.push_back(std::to_string(m.container_id));
        args.push_back(std::to_string(m.host_id));
        args.push_back(std::to_string(m.size));
    }
    return args;
}

} // namespace berth::rootless
