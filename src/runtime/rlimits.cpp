// Resource limits: name table, OCI parsing, the clamping setrlimit loop and
// Docker's --ulimit syntax.
//
// apply_rlimits() runs in the container init: it works on pre-parsed values and
// only calls getrlimit/setrlimit. When the kernel refuses to raise a hard limit
// (EPERM: no CAP_SYS_RESOURCE, or RLIMIT_NOFILE above fs.nr_open) the limit is
// clamped and applied, as Podman does for rootless containers.
#include "runtime/rlimits.h"

#include "base/fs.h"
#include "base/log.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sys/resource.h>

namespace berth::runtime {

namespace {

struct RlimitName {
    char const* name; // without the RLIMIT_ prefix
    int resource;
};

constexpr RlimitName k_rlimits[] = {
    { "AS", RLIMIT_AS }, { "CORE", RLIMIT_CORE }, { "CPU", RLIMIT_CPU }, { "DATA", RLIMIT_DATA },
    { "FSIZE", RLIMIT_FSIZE }, { "LOCKS", RLIMIT_LOCKS }, { "MEMLOCK", RLIMIT_MEMLOCK },
    { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE }, { "NOFILE", RLIMIT_NOFILE },
    { "NPROC", RLIMIT_NPROC }, { "RSS", RLIMIT_RSS }, { "RTPRIO", RLIMIT_RTPRIO },
    { "RTTIME", RLIMIT_RTTIME }, { "SIGPENDING", RLIMIT_SIGPENDING }, { "STACK", RLIMIT_STACK },
};

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
    });
}

Result<uint64_t> rlimit_value(Json const& entry, char const* key, std::string const& what)
{
    auto it = entry.find(key);
    if (it == entry.end())
        return Error::msg(what + ": missing \"" + key + "\"");
    if (it->is_number_unsigned())
        return it->get<uint64_t>();
    if (it->is_number_integer()) {
        int64_t n = it->get<int64_t>();
        if (n >= 0)
            return static_cast<uint64_t>(n);
        // -1 is how people write "unlimited" by hand.
        if (n == -1)
            return k_rlimit_infinity;
    }
    return Error::msg(what + ": \"" + key + "\" must be a non-negative integer");
}

// fs.nr_open caps RLIMIT_NOFILE even for root.
uint64_t nr_open()
{
    static uint64_t const value = [] {
        auto text = fs::read_file("/proc/sys/fs/nr_open");
        uint64_t n = 1048576;
        if (text.has_value())
            std::from_chars(text->data(), text->data() + text->size(), n);
        return n;
    }();
    return value;
}

// A ulimit value: a decimal number, or -1 for unlimited.
Result<uint64_t> parse_ulimit_value(std::string_view text, std::string_view whole)
{
    if (text == "-1")
        return k_rlimit_infinity;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return Error::msg("invalid ulimit \"" + std::string(whole) + "\": \"" + std::string(text)
            + "\" is not a number (use -1 for unlimited)");
    return n;
}

} // namespace

Result<int> rlimit_from_name(std::string_view name)
{
    std::string_view bare = name;
    if (bare.size() > 7 && equals_ignoring_case(bare.substr(0, 7), "RLIMIT_"))
        bare.remove_prefix(7);
    for (auto const& entry : k_rlimits) {
        if (equals_ignoring_case(bare, entry.name))
            return entry.resource;
    }
    return Error { EINVAL, "unknown rlimit type \"" + std::string(name) + "\": expected one of RLIMIT_NOFILE, RLIMIT_NPROC, RLIMIT_CORE, ..." };
}

std::string rlimit_name(int resource)
{
    for (auto const& entry : k_rlimits) {
        if (entry.resource == resource)
            return std::string("RLIMIT_") + entry.name;
    }
    return "RLIMIT_" + std::to_string(resource);
}

Result<std::vector<Rlimit>> parse_rlimits(Json const& process_rlimits)
{
    std::vector<Rlimit> out;
    if (process_rlimits.is_null())
        return out;
    if (!process_rlimits.is_array())
        return Error::msg("process.rlimits: must be an array");
    for (size_t i = 0; i < process_rlimits.size(); ++i) {
        Json const& entry = process_rlimits[i];
        std::string what = "process.rlimits[" + std::to_string(i) + "]";
        if (!entry.is_object())
            return Error::msg(what + ": must be an object");
        auto type = TRY(json::get_string(entry, "type", what));
        Rlimit limit;
        limit.resource = TRY_CTX(rlimit_from_name(type), what);
        limit.soft = TRY(rlimit_value(entry, "soft", what));
        limit.hard = TRY(rlimit_value(entry, "hard", what));
        if (limit.soft > limit.hard)
            return Error::msg(what + ": " + type + " soft limit " + std::to_string(limit.soft)
                + " is above the hard limit " + std::to_string(limit.hard));
        out.push_back(limit);
    }
    return out;
}

ErrorOr apply_rlimits(std::span<Rlimit const> limits)
{
    for (auto const& limit : limits) {
        struct rlimit want { limit.soft, limit.hard };
        if (setrlimit(limit.resource, &want) == 0)
            continue;
        if (errno != EPERM)
            return Error::from_errno("setrlimit " + rlimit_name(limit.resource));
        // Not allowed to raise the hard limit: clamp and continue, as Podman does.
        if (limit.resource == RLIMIT_NOFILE && want.rlim_max > nr_open()) {
            struct rlimit clamped { std::min<uint64_t>(want.rlim_cur, nr_open()), nr_open() };
            if (setrlimit(limit.resource, &clamped) == 0) {
                log::debug("{} hard limit {} is above fs.nr_open: clamped to {}",
                    rlimit_name(limit.resource), limit.hard, nr_open());
                continue;
            }
        }
        struct rlimit current {};
        if (getrlimit(limit.resource, &current) < 0)
            return Error::from_errno("getrlimit " + rlimit_name(limit.resource));
        struct rlimit clamped { std::min(want.rlim_cur, current.rlim_max), std::min(want.rlim_max, current.rlim_max) };
        if (setrlimit(limit.resource, &clamped) < 0)
            return Error::from_errno("setrlimit " + rlimit_name(limit.resource) + " (clamped to the current hard limit)");
        log::debug("{}: raising the hard limit to {} is not permitted: clamped to {}",
            rlimit_name(limit.resource), limit.hard, clamped.rlim_max);
    }
    return {};
}

ErrorOr apply_rlimits(Json const& process_rlimits)
{
    auto limits = TRY(parse_rlimits(process_rlimits));
    return apply_rlimits(limits);
}

Json default_rlimits()
{
    struct Default {
        int resource;
        uint64_t value;
    };
    constexpr Default defaults[] = { { RLIMIT_NOFILE, 1048576 }, { RLIMIT_NPROC, 4194304 } };
    Json out = Json::array();
    for (auto const& d : defaults) {
        struct rlimit current {};
        uint64_t value = d.value;
        if (getrlimit(d.resource, &current) == 0)
            value = std::min<uint64_t>(value, current.rlim_max);
        out.push_back({ { "type", rlimit_name(d.resource) }, { "hard", value }, { "soft", value } });
    }
    return out;
}

Result<Json> parse_ulimit(std::string_view text)
{
    auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return Error::msg("invalid ulimit \"" + std::string(text) + "\": expected NAME=SOFT[:HARD], e.g. nofile=1024:2048");
    std::string_view name = text.substr(0, eq);
    std::string_view values = text.substr(eq + 1);
    int resource = TRY_CTX(rlimit_from_name(name), "invalid ulimit \"" + std::string(text) + "\"");
    auto colon = values.find(':');
    uint64_t soft = TRY(parse_ulimit_value(values.substr(0, colon), text));
    uint64_t hard = soft;
    if (colon != std::string_view::npos)
        hard = TRY(parse_ulimit_value(values.substr(colon + 1), text));
    if (soft > hard)
        return Error::msg("invalid ulimit \"" + std::string(text) + "\": soft limit must be less than or equal to hard limit");
    return Json { { "type", rlimit_name(resource) }, { "hard", hard }, { "soft", soft } };
}

} // namespace berth::runtime
