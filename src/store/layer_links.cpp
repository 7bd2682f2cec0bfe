// Short layer links (see layer_links.h). The name is a pure function of the
// diff id; the only I/O is one readlink per layer at mount time, plus a
// symlink where a store made before links existed lacks one.
#include "store/layer_links.h"

#include "base/log.h"
#include "base/sys.h"

#include <cerrno>
#include <cstdio>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::store {

static constexpr char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

std::string layer_link_name(std::string_view hex)
{
    if (hex.size() != 64)
        return {};
    for (char c : hex)
        if (hex_value(c) < 0)
            return {};
    // Each name character takes 5 bits: a stream of hex digits (4 bits each) regrouped by 5.
    std::string name;
    name.reserve(layer_link_length);
    unsigned bits = 0, count = 0;
    for (size_t i = 0; name.size() < layer_link_length; ++i) {
        bits = (bits << 4) | static_cast<unsigned>(hex_value(hex[i]));
        count += 4;
        while (count >= 5 && name.size() < layer_link_length) {
            count -= 5;
            name += base32_alphabet[(bits >> count) & 31];
        }
        bits &= (1U << count) - 1;
    }
    return name;
}

bool is_layer_link_name(std::string_view name)
{
    if (name.size() != layer_link_length)
        return false;
    for (char c : name)
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')))
            return false;
    return true;
}

std::string layer_link_entry(std::string_view hex)
{
    return std::string(layer_link_dir) + "/" + layer_link_name(hex);
}

std::string layer_link_target(std::string_view hex)
{
    return "../" + std::string(hex) + "/diff";
}

/// Replaces a wrong link by a right one in one rename.
static ErrorOr replace_link(std::string const& path, std::string const& target)
{
    std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    if (::symlink(target.c_str(), tmp.c_str()) != 0)
        return Error::from_errno("layer link " + tmp);
    return sys::rename(tmp, path);
}

Result<std::string> ensure_layer_link(std::string const& layers_dir, std::string_view hex)
{
    std::string name = layer_link_name(hex);
    if (name.empty())
        return Error { EINVAL, "layer link: \"" + std::string(hex) + "\" is not a sha256 hex digest" };
    std::string entry = std::string(layer_link_dir) + "/" + name;
    std::string path = layers_dir + "/" + entry;
    std::string target = layer_link_target(hex);
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto current = sys::readlink(path);
        if (current && *current == target)
            return entry;
        if (current || current.error().code == EINVAL) {
            // Another layer's link (a 130-bit collision) or not a link at all: make it right.
            log::warn("layer link {}: {}; replacing it", path, current ? "points to " + *current : "not a symlink");
            TRY(replace_link(path, target));
            return entry;
        }
        if (current.error().code != ENOENT)
            return std::move(current).error().with_context("layer link");
        if (::symlink(target.c_str(), path.c_str()) == 0)
            return entry;
        if (errno == ENOENT) {
            // A store made before links existed: no l/ yet.
            std::string dir = layers_dir + "/" + std::string(layer_link_dir);
            if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
                return Error::from_errno("layer links: mkdir " + dir);
        } else if (errno != EEXIST) {
            return Error::from_errno("layer link " + path);
        }
        // EEXIST: a concurrent mount made it; the next round checks what it says.
    }
    return Error { EEXIST, "layer link " + path + ": cannot be made to point to " + target };
}

ErrorOr remove_layer_link(std::string const& layers_dir, std::string_view hex)
{
    std::string name = layer_link_name(hex);
    if (name.empty())
        return {};
    std::string path = layers_dir + "/" + std::string(layer_link_dir) + "/" + name;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return Error::from_errno("remove layer link " + path);
    return {};
}

} // namespace berth::store
