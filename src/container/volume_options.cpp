// volume create -o. See volume_options.h.
#include "container/volume_options.h"

#include "runtime/mounts.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <vector>

namespace berth::container {

namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::vector<std::string> split_commas(std::string const& text)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos)
            comma = text.size();
        if (comma > start)
            out.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

Result<unsigned> parse_id(std::string const& key, std::string const& value)
{
    unsigned id = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        return Error { EINVAL, "volume option " + key + "=" + value + ": give a numeric id" };
    return id;
}

} // namespace

Result<VolumeMountOptions> parse_volume_options(std::map<std::string, std::string> const& options)
{
    VolumeMountOptions out;
    std::vector<std::string> o;
    for (auto const& [given, value] : options) {
        std::string key = lower(given);
        if (key == "type")
            out.type = value;
        else if (key == "device")
            out.device = value;
        else if (key == "o")
            o = split_commas(value);
        else if (key == "uid")
            out.uid = TRY(parse_id(key, value));
        else if (key == "gid")
            out.gid = TRY(parse_id(key, value));
        else if (key == "nocopy")
            out.nocopy = true;
        else if (key != "copy")
            return Error { EINVAL, "invalid mount option " + given + " for driver 'local': invalid argument" };
    }
    auto parsed = runtime::parse_mount_options(o, out.type);
    out.bind = parsed.bind;
    out.recursive = parsed.recursive;
    out.flags = parsed.flags;
    out.data = parsed.data;
    if (out.bind)
        out.type = "bind";
    if (!out.type.empty() && out.device.empty() && out.type != "tmpfs")
        return Error { EINVAL, "volume option type=" + out.type + " needs device=: the filesystem (or, for a bind, the host directory) to mount" };
    if (!out.device.empty() && out.type.empty())
        return Error { EINVAL, "volume option device=" + out.device + " needs type=: tmpfs, bind or a filesystem type such as ext4" };
    if (out.type == "tmpfs" && out.device.empty())
        out.device = "tmpfs";
    bool quota = std::any_of(o.begin(), o.end(), [](auto const& opt) { return opt.rfind("size=", 0) == 0 || opt.rfind("inodes=", 0) == 0; });
    if (quota && out.type != "tmpfs")
        return Error { ENOTSUP, "volume options size and inodes not supported: only a tmpfs volume (type=tmpfs) takes a size" };
    return out;
}

} // namespace berth::container
