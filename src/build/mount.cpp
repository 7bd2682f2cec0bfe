// RUN --mount=type=...,key=value: the comma-separated options of a build
// mount, with Docker's defaults (bind read-only, cache read-write, a secret's
// target under /run/secrets). Keys may come in any order, so the type is
// found first and the other keys are read against it.
#include "build/containerfile.h"
#include "build/syntax.h"

#include <array>
#include <charconv>
#include <fmt/format.h>

namespace berth::build {

namespace {

/// Splits at commas outside double quotes, which are removed ("source=\"a,b\"").
std::vector<std::string> split_options(std::string_view spec)
{
    std::vector<std::string> out(1);
    bool quoted = false;
    for (char c : spec) {
        if (c == '"')
            quoted = !quoted;
        else if (c == ',' && !quoted)
            out.emplace_back();
        else
            out.back() += c;
    }
    return out;
}

Result<bool> parse_bool(std::string_view key, std::optional<std::string> const& value)
{
    if (!value || *value == "true" || *value == "1")
        return true;
    if (*value == "false" || *value == "0")
        return false;
    return Error::msg(fmt::format("--mount {}={}: use true or false", key, *value));
}

Result<uint32_t> parse_number(std::string_view key, std::string_view value, int base)
{
    uint32_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n, base);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size())
        return Error::msg(fmt::format("--mount {}={}: not {} number", key, value, base == 8 ? "an octal" : "a"));
    return n;
}

/// "64m", "1g", "4096": tmpfs sizes, binary units as Docker reads them.
Result<uint64_t> parse_size(std::string_view value)
{
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    std::string unit(end, value.data() + value.size());
    for (auto& c : unit)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (unit.ends_with('b') && unit.size() == 2)
        unit.pop_back();
    int shift = unit.empty() || unit == "b" ? 0 : unit == "k" ? 10 : unit == "m" ? 20 : unit == "g" ? 30 : -1;
    if (value.empty() || ec != std::errc() || shift < 0 || n > (UINT64_MAX >> shift))
        return Error::msg(fmt::format("--mount size={}: use bytes or a size like 64m", value));
    return n << shift;
}

constexpr std::array<std::string_view, 5> type_names { "bind", "cache", "tmpfs", "secret", "ssh" };
constexpr std::array<std::string_view, 3> sharing_names { "shared", "private", "locked" };

/// The enum value whose name (in enum order) is `value`.
template<typename Enum, size_t N>
Result<Enum> parse_name(std::string_view key, std::string_view value, std::array<std::string_view, N> const& names)
{
    for (size_t i = 0; i < N; ++i)
        if (names[i] == value)
            return static_cast<Enum>(i);
    std::string list;
    for (size_t i = 0; i < N; ++i)
        list += fmt::format("{}{}", i == 0 ? "" : i + 1 == N ? " or " : ", ", names[i]);
    return Error::msg(fmt::format("--mount {}={}: use {}", key, value, list));
}

/// Sets one key of `mount` (whose type is known already).
ErrorOr apply_option(Mount& mount, std::string const& key, std::optional<std::string> const& value)
{
    auto need = [&]() -> Result<std::string> {
        if (!value)
            return Error::msg(fmt::format("--mount {} needs a value: {}=...", key, key));
        return *value;
    };
    if (key == "type")
        return {};
    if (key == "target" || key == "dst" || key == "destination")
        mount.target = TRY(need());
    else if (key == "source" || key == "src")
        mount.source = TRY(need());
    else if (key == "from")
        mount.from = TRY(need());
    else if (key == "id")
        mount.id = TRY(need());
    else if (key == "ro" || key == "readonly")
        mount.read_only = TRY(parse_bool(key, value));
    else if (key == "rw" || key == "readwrite")
        mount.read_only = !TRY(parse_bool(key, value));
    else if (key == "sharing")
        mount.sharing = TRY(parse_name<CacheSharing>(key, TRY(need()), sharing_names));
    else if (key == "mode")
        mount.mode = TRY(parse_number(key, TRY(need()), 8));
    else if (key == "uid")
        mount.uid = TRY(parse_number(key, TRY(need()), 10));
    else if (key == "gid")
        mount.gid = TRY(parse_number(key, TRY(need()), 10));
    else if (key == "required")
        mount.required = TRY(parse_bool(key, value));
    else if (key == "env" && mount.type == MountType::Secret)
        mount.env = TRY(need());
    else if (key == "size" && mount.type == MountType::Tmpfs)
        mount.size = TRY(parse_size(TRY(need())));
    else
        return Error::msg(fmt::format("--mount: unknown option \"{}\" for a {} mount", key,
            type_names[static_cast<size_t>(mount.type)]));
    return {};
}

/// Docker's per-type defaults and requirements.
ErrorOr complete(Mount& mount)
{
    switch (mount.type) {
    case MountType::Secret:
        if (mount.id.empty() && !mount.target.empty())
            mount.id = mount.target.substr(mount.target.rfind('/') + 1);
        if (mount.id.empty())
            return Error::msg("--mount type=secret needs an id or a target: id=NAME");
        if (mount.target.empty() && mount.env.empty())
            mount.target = "/run/secrets/" + mount.id;
        return {};
    case MountType::Ssh:
        if (mount.id.empty())
            mount.id = "default";
        return {};
    case MountType::Bind:
    case MountType::Cache:
    case MountType::Tmpfs:
        if (mount.target.empty())
            return Error::msg("--mount needs a target: target=/path/in/container");
        return {};
    }
    return {};
}

} // namespace

Result<Mount> Mount::parse(std::string_view spec)
{
    std::vector<std::pair<std::string, std::optional<std::string>>> options;
    for (auto const& option : split_options(spec)) {
        auto text = syntax::trim(option);
        if (text.empty())
            continue;
        size_t eq = text.find('=');
        std::string key(text.substr(0, eq));
        for (auto& c : key)
            c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        if (eq == std::string_view::npos)
            options.emplace_back(std::move(key), std::nullopt);
        else
            options.emplace_back(std::move(key), std::string(text.substr(eq + 1)));
    }
    Mount mount;
    for (auto const& [key, value] : options)
        if (key == "type") {
            if (!value)
                return Error::msg("--mount type needs a value: type=bind|cache|tmpfs|secret|ssh");
            mount.type = TRY(parse_name<MountType>(key, *value, type_names));
        }
    mount.read_only = mount.type == MountType::Bind;
    for (auto const& [key, value] : options)
        TRY(apply_option(mount, key, value));
    TRY(complete(mount));
    return mount;
}

std::string Mount::str() const
{
    std::string out = fmt::format("type={}", type_names[static_cast<size_t>(type)]);
    auto add = [&out](std::string_view key, std::string const& value) {
        if (!value.empty())
            out += fmt::format(",{}={}", key, value.find_first_of(",\"") == std::string::npos ? value : "\"" + value + "\"");
    };
    add("target", target);
    add("source", source);
    add("from", from);
    add("id", id);
    if (read_only != (type == MountType::Bind))
        out += read_only ? ",ro" : ",rw";
    if (sharing != CacheSharing::Shared)
        add("sharing", std::string(sharing_names[static_cast<size_t>(sharing)]));
    if (mode)
        add("mode", fmt::format("{:o}", *mode));
    if (uid)
        add("uid", std::to_string(*uid));
    if (gid)
        add("gid", std::to_string(*gid));
    if (required)
        out += ",required";
    add("env", env);
    if (size)
        add("size", std::to_string(*size));
    return out;
}

} // namespace berth::build
