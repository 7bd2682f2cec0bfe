// build's output flags (output.h): parsing and the Docker-only config members.
#include "build/output.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace berth::build {

Result<ImageFormat> parse_image_format(std::string_view text)
{
    if (text.empty() || text == "oci")
        return ImageFormat::Oci;
    if (text == "docker")
        return ImageFormat::Docker;
    return Error { EINVAL, "--format: unrecognized image type \"" + std::string(text) + "\": use oci or docker" };
}

ErrorOr parse_build_platform(std::string_view text, OutputOptions& out)
{
    auto fail = [&] {
        return Error { EINVAL, "--platform: invalid platform syntax for \"" + std::string(text) + "\" (use OS/ARCH[/VARIANT])" };
    };
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        size_t slash = text.find('/', start);
        parts.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    if (parts.size() < 2 || parts.size() > 3)
        return fail();
    for (auto const& part : parts)
        if (part.empty() || part.find_first_of(" \t,") != std::string::npos)
            return fail();
    out.os = parts[0];
    out.architecture = parts[1];
    out.variant = parts.size() == 3 ? parts[2] : "";
    return {};
}

ErrorOr parse_build_annotation(std::string_view text, OutputOptions& out)
{
    auto eq = text.find('=');
    std::string key(text.substr(0, eq));
    if (key.empty())
        return Error { EINVAL, "--annotation \"" + std::string(text) + "\": give KEY=VALUE (or KEY for an empty value)" };
    out.annotations[key] = eq == std::string_view::npos ? std::string() : std::string(text.substr(eq + 1));
    return {};
}

Json os_features(Json const& base, std::vector<std::string> const& changes)
{
    std::vector<std::string> out;
    if (base.is_array())
        for (auto const& f : base)
            if (f.is_string() && std::find(out.begin(), out.end(), f.get<std::string>()) == out.end())
                out.push_back(f.get<std::string>());
    for (auto const& change : changes) {
        bool remove = change.size() > 1 && change.back() == '-';
        std::string name = remove ? change.substr(0, change.size() - 1) : change;
        auto it = std::find(out.begin(), out.end(), name);
        if (remove && it != out.end())
            out.erase(it);
        else if (!remove && !name.empty() && it == out.end())
            out.push_back(name);
    }
    Json j = Json::array();
    for (auto const& f : out)
        j.push_back(f);
    return j;
}

Result<int64_t> parse_build_timestamp(std::string_view text)
{
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0)
        return Error { EINVAL, "--timestamp: invalid value \"" + std::string(text) + "\": give whole seconds since the epoch" };
    return value;
}

Result<BuildOutput> parse_build_output(std::string_view text)
{
    std::string value(text);
    auto fail = [&](std::string const& why) {
        return Error { EINVAL, "-o/--output \"" + value + "\": " + why + ": use type=local,dest=DIR, type=tar,dest=FILE (dest=- for standard output) or DIR" };
    };
    if (text.empty())
        return fail("no destination");
    if (text == "-")
        return BuildOutput { BuildOutput::Kind::Tar, "-" };
    if (text.find(',') == std::string_view::npos && !text.starts_with("type=") && !text.starts_with("dest="))
        return BuildOutput { BuildOutput::Kind::Local, value };
    std::optional<std::string> type, dest;
    for (size_t start = 0; start <= text.size();) {
        size_t comma = std::min(text.find(',', start), text.size());
        std::string_view part = text.substr(start, comma - start);
        start = comma + 1;
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            return fail(std::string(1, '"').append(part).append("\" is not KEY=VALUE"));  // not "\"" + ...: GCC 12's -Wrestrict false positive
        std::string key(part.substr(0, eq)), val(part.substr(eq + 1));
        if (key != "type" && key != "dest")
            return fail("unknown key \"" + key + "\"");
        auto& slot = key == "type" ? type : dest;
        if (slot)
            return fail(key + "= given twice");
        slot = val;
    }
    if (!type || !dest)
        return fail(!type ? "type= is missing" : "dest= is missing");
    if (*type != "local" && *type != "tar")
        return fail("unknown type \"" + *type + "\"");
    if (dest->empty())
        return fail("dest= is empty");
    if (*type == "local" && *dest == "-")
        return fail("type=local cannot go to standard output");
    return BuildOutput { *type == "local" ? BuildOutput::Kind::Local : BuildOutput::Kind::Tar, *dest };
}

std::vector<std::string> drop_docker_only(Json& config)
{
    std::vector<std::string> warnings;
    if (!config.is_object() || !config.contains("config") || !config["config"].is_object())
        return warnings;
    Json& c = config["config"];
    if (c.contains("Healthcheck") && !c["Healthcheck"].is_null()) {
        warnings.push_back("HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format");
        c.erase("Healthcheck");
    }
    if (c.contains("Shell") && c["Shell"].is_array() && !c["Shell"].empty()) {
        std::string text = "SHELL is not supported for OCI image format, [";
        for (auto const& w : c["Shell"]) {
            if (text.back() != '[')
                text += ' ';
            text += w.is_string() ? w.get<std::string>() : w.dump();
        }
        text += "] will be ignored. Must use `docker` format";
        warnings.push_back(std::move(text));
    }
    c.erase("Shell");
    if (c.contains("OnBuild") && c["OnBuild"].is_array())
        for (auto const& trigger : c["OnBuild"]) {
            std::string text = "ONBUILD is not supported for OCI image format, ";
            text += trigger.is_string() ? trigger.get<std::string>() : trigger.dump();
            text += " will be ignored. Must use `docker` format";
            warnings.push_back(std::move(text));
        }
    c.erase("OnBuild");
    return warnings;
}

} // namespace berth::build
