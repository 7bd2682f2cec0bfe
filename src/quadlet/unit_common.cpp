// The helpers every Quadlet kind's generator shares (see unit_common.h).
#include "quadlet/unit_common.h"

#include <algorithm>

namespace berth::quadlet {

Error entry_error(Entry const& e, std::string const& what)
{
    return Error { EINVAL, e.file + ":" + std::to_string(e.line) + ": " + what };
}

Error unsupported_key(Entry const& e, std::string const& section)
{
    return entry_error(e, "unsupported key " + e.key + " in section [" + section + "]");
}

ErrorOr check_keys(UnitFile const& file, std::string const& section, std::initializer_list<std::string_view> known)
{
    if (auto const* s = file.section(section))
        for (auto const& e : s->entries)
            if (std::find(known.begin(), known.end(), e.key) == known.end())
                return unsupported_key(e, section);
    return {};
}

Result<bool> parse_bool(Entry const& e)
{
    static constexpr std::string_view yes[] = { "1", "yes", "true", "on" }, no[] = { "0", "no", "false", "off" };
    if (std::find(std::begin(yes), std::end(yes), e.value) != std::end(yes))
        return true;
    if (std::find(std::begin(no), std::end(no), e.value) != std::end(no))
        return false;
    return entry_error(e, e.key + "=" + e.value + " is not a boolean (yes or no)");
}

Entry const* last_entry(UnitFile const& file, std::string_view section, std::string_view key)
{
    Entry const* last = nullptr;
    for (auto const& s : file.sections())
        if (s.name == section)
            for (auto const& e : s.entries)
                if (e.key == key)
                    last = &e;
    return last;
}

Result<bool> bool_value(UnitFile const& file, std::string_view section, std::string_view key, bool fallback)
{
    auto const* e = last_entry(file, section, key);
    if (!e || e->value.empty())
        return fallback;
    return parse_bool(*e);
}

ErrorOr flag_per_word(Entry const& e, Words& out, char const* flag)
{
    auto words = split_words(e.value);
    if (!words)
        return entry_error(e, e.key + ": " + words.error().message);
    for (auto const& w : *words)
        out.push_back(std::string(flag) + "=" + w);
    return {};
}

void flag_per_value(UnitFile const& file, std::string const& section, char const* key, char const* flag, Words& out)
{
    for (auto const& v : file.values(section, key))
        out.push_back(std::string(flag) + "=" + v);
}

void flag_last(UnitFile const& file, std::string const& section, char const* key, char const* flag, Words& out)
{
    if (auto v = file.last(section, key); v && !v->empty())
        out.push_back(std::string(flag) + "=" + *v);
}

ErrorOr label_flags(UnitFile const& file, std::string const& section, Words& out)
{
    if (auto const* s = file.section(section))
        for (auto const& e : s->entries)
            if (e.key == "Label" && !e.value.empty())
                TRY(flag_per_word(e, out, "--label"));
    return {};
}

ErrorOr podman_args(UnitFile const& file, std::string const& section, Words& out)
{
    for (auto const& args : file.values(section, "PodmanArgs")) {
        auto words = split_words(args);
        if (!words)
            return Error { EINVAL, file.path() + ": PodmanArgs: " + words.error().message };
        out.insert(out.end(), words->begin(), words->end());
    }
    return {};
}

std::string exec_line(Words const& words)
{
    std::string out;
    for (auto const& w : words) {
        if (!out.empty())
            out += ' ';
        out += quote_word(w);
    }
    return out;
}

std::string section_text(UnitFile const& file, std::string const& section)
{
    std::string t;
    if (auto const* s = file.section(section))
        for (auto const& e : s->entries)
            t += e.key + "=" + e.value + "\n";
    return t;
}

std::string source_stem(std::string const& source_name)
{
    return source_name.substr(0, source_name.rfind('.'));
}

std::string parent_dir(std::string const& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string beside_unit(UnitFile const& file, std::string const& path)
{
    if (path.empty() || path.front() == '/')
        return path;
    return parent_dir(file.path()) + "/" + path;
}

Result<std::string> References::resolve(Entry const& e, std::string const& value, std::initializer_list<std::string_view> kinds,
    char const* bind)
{
    auto colon = value.find(':');
    std::string source = value.substr(0, colon);
    auto dot = source.rfind('.');
    if (dot == std::string::npos || std::find(kinds.begin(), kinds.end(), std::string_view(source).substr(dot + 1)) == kinds.end())
        return value;
    auto known = env.resource_names.find(source);
    if (known == env.resource_names.end())
        return entry_error(e, e.key + "=" + value + ": no Quadlet file " + source + " in the search path");
    std::string service = env.service_of(source);
    unit_lines.push_back(std::string(bind) + "=" + service);
    unit_lines.push_back("After=" + service);
    return known->second + (colon == std::string::npos ? "" : value.substr(colon));
}

std::string service_head(UnitFile const& file, std::string const& section, std::vector<std::string> const& unit_lines)
{
    std::string t = "# Automatically generated by berth-generator from " + file.path() + "\n";
    t += "[Unit]\n" + section_text(file, "Unit");
    for (auto const& line : unit_lines)
        t += line + "\n";
    t += "SourcePath=" + file.path() + "\n";
    t += "RequiresMountsFor=%t/berth\n\n";
    t += "[X-" + section + "]\n" + section_text(file, section);
    return t + "\n[Service]\n";
}

std::string service_tail(UnitFile const& file)
{
    std::string t = section_text(file, "Service");
    if (file.section("Install"))
        t += "\n[Install]\n" + section_text(file, "Install");
    return t;
}

std::string oneshot_service(UnitFile const& file, std::string const& section, Words const& create,
    std::vector<std::string> const& unit_lines, std::string const& service_lines)
{
    std::string t = service_head(file, section, unit_lines);
    t += "ExecStart=" + exec_line(create) + "\n";
    t += "Type=oneshot\nRemainAfterExit=yes\nSyslogIdentifier=%N\n";
    t += service_lines;
    return t + service_tail(file);
}

} // namespace berth::quadlet
