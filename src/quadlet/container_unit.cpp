// .container → .service (see container_unit.h). Each supported key maps to
// berth run flags in one table; the service lines around them are Podman
// Quadlet's.
#include "quadlet/container_unit.h"

#include <algorithm>
#include <functional>
#include <map>

namespace berth::quadlet {

namespace {

using Words = std::vector<std::string>;

/// How one [Container] key becomes flags: each value of the key is handed to it.
using KeyHandler = std::function<ErrorOr(Entry const&, Words&)>;

ErrorOr flag_per_value(Entry const& e, Words& out, char const* flag)
{
    out.push_back(std::string(flag) + "=" + e.value);
    return {};
}

/// "A=1 B=2" (systemd's word list) → one flag per word.
ErrorOr flag_per_word(Entry const& e, Words& out, char const* flag)
{
    auto words = split_words(e.value);
    if (!words)
        return Error { EINVAL, e.file + ":" + std::to_string(e.line) + ": " + e.key + ": " + words.error().message };
    for (auto const& w : *words)
        out.push_back(std::string(flag) + "=" + w);
    return {};
}

Result<bool> parse_bool(Entry const& e)
{
    static constexpr std::string_view yes[] = { "1", "yes", "true", "on" }, no[] = { "0", "no", "false", "off" };
    if (std::find(std::begin(yes), std::end(yes), e.value) != std::end(yes))
        return true;
    if (std::find(std::begin(no), std::end(no), e.value) != std::end(no))
        return false;
    return Error { EINVAL, e.file + ":" + std::to_string(e.line) + ": " + e.key + "=" + e.value + " is not a boolean (yes or no)" };
}

/// The flag-making keys, in the order their flags go on the command line.
std::map<std::string, KeyHandler> const& handlers()
{
    static std::map<std::string, KeyHandler> const table {
        { "PublishPort", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--publish"); } },
        { "Environment", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--env"); } },
        { "EnvironmentFile", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--env-file"); } },
        { "Network", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--network"); } },
        { "Label", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--label"); } },
        { "HealthCmd", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--health-cmd"); } },
        { "HealthInterval", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--health-interval"); } },
        { "HealthRetries", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--health-retries"); } },
        { "HealthTimeout", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--health-timeout"); } },
        { "HealthStartPeriod", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--health-start-period"); } },
        { "WorkingDir", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--workdir"); } },
        { "HostName", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--hostname"); } },
        { "AddCapability", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--cap-add"); } },
        { "DropCapability", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--cap-drop"); } },
        { "Tmpfs", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--tmpfs"); } },
        { "Timezone", [](Entry const& e, Words& o) { return flag_per_value(e, o, "--tz"); } },
        { "ReadOnly", [](Entry const& e, Words& o) -> ErrorOr {
             if (TRY(parse_bool(e)))
                 o.push_back("--read-only");
             return {};
         } },
        { "RunInit", [](Entry const& e, Words& o) -> ErrorOr {
             if (TRY(parse_bool(e)))
                 o.push_back("--init");
             return {};
         } },
    };
    return table;
}

/// Keys read elsewhere (not a flag of their own, or not one flag a value).
constexpr std::string_view special_keys[] = { "Image", "Exec", "ContainerName", "Notify", "User", "Group", "PodmanArgs", "Volume" };

Error unsupported_key(Entry const& e, std::string const& section)
{
    return Error { EINVAL, e.file + ":" + std::to_string(e.line) + ": unsupported key " + e.key + " in section [" + section + "]" };
}

/// The value of an Exec line running `words`.
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

/// The entries of `section` in the file's text form, "KEY=VALUE\n" each.
std::string section_text(UnitFile const& file, char const* section)
{
    std::string t;
    if (auto const* s = file.section(section))
        for (auto const& e : s->entries)
            t += e.key + "=" + e.value + "\n";
    return t;
}

} // namespace

std::vector<std::string> supported_container_keys()
{
    std::vector<std::string> keys;
    for (auto const& [k, h] : handlers())
        keys.push_back(k);
    keys.insert(keys.end(), std::begin(special_keys), std::end(special_keys));
    std::sort(keys.begin(), keys.end());
    return keys;
}

Result<std::string> container_service(UnitFile const& file, GeneratorEnvironment const& env)
{
    auto const* container = file.section("Container");
    if (!container)
        return Error { EINVAL, file.path() + ": no [Container] section" };
    // Every key is known, or the file is refused.
    for (auto const& e : container->entries) {
        bool known = handlers().count(e.key) > 0
            || std::find(std::begin(special_keys), std::end(special_keys), e.key) != std::end(special_keys);
        if (!known)
            return unsupported_key(e, "Container");
    }
    auto image = file.last("Container", "Image");
    if (!image || image->empty())
        return Error { EINVAL, file.path() + ": [Container] has no Image=" };
    // berth run and its fixed flags, as Quadlet's.
    std::string name = file.last("Container", "ContainerName").value_or("");
    Words run { env.executable, "run", "--name=" + (name.empty() ? std::string("systemd-%N") : name), "--cidfile=%t/%N.cid",
        "--replace", "--rm", "--cgroups=split" };
    bool notify = false;
    if (auto const* n = [&]() -> Entry const* {
            Entry const* last = nullptr;
            for (auto const& e : container->entries)
                if (e.key == "Notify")
                    last = &e;
            return last;
        }())
        notify = TRY(parse_bool(*n));
    run.push_back(notify ? "--sdnotify=container" : "--sdnotify=conmon");
    run.push_back("-d");
    auto user = file.last("Container", "User"), group = file.last("Container", "Group");
    if (user && !user->empty())
        run.push_back("--user=" + *user + (group && !group->empty() ? ":" + *group : ""));
    else if (group && !group->empty())
        return Error { EINVAL, file.path() + ": Group= needs User=" };
    // Key by key, in the file's order. Volume=NAME.volume:... names the
    // volume that file makes, and the unit then needs that file's service.
    std::vector<std::string> volume_units;
    for (auto const& e : container->entries) {
        if (e.key == "Volume" && !e.value.empty()) {
            std::string value = e.value;
            auto colon = value.find(':');
            std::string source = value.substr(0, colon);
            if (source.ends_with(".volume")) {
                auto known = env.volume_names.find(source);
                std::string stem = source.substr(0, source.size() - 7);
                value = (known != env.volume_names.end() ? known->second : "systemd-" + stem)
                    + (colon == std::string::npos ? "" : value.substr(colon));
                volume_units.push_back(stem + "-volume.service");
            }
            run.push_back("--volume=" + value);
        } else if (auto h = handlers().find(e.key); h != handlers().end() && !e.value.empty()) {
            TRY(h->second(e, run));
        }
    }
    for (auto const& args : file.values("Container", "PodmanArgs")) {
        auto words = split_words(args);
        if (!words)
            return Error { EINVAL, file.path() + ": PodmanArgs: " + words.error().message };
        run.insert(run.end(), words->begin(), words->end());
    }
    run.push_back(*image);
    if (auto exec = file.last("Container", "Exec"); exec && !exec->empty()) {
        auto words = split_words(*exec);
        if (!words)
            return Error { EINVAL, file.path() + ": Exec: " + words.error().message };
        run.insert(run.end(), words->begin(), words->end());
    }

    std::string t = "# Automatically generated by berth-generator from " + file.path() + "\n";
    auto section_lines = [&](char const* name) { t += section_text(file, name); };
    t += "[Unit]\n";
    section_lines("Unit");
    for (auto const& unit : volume_units)
        t += "Requires=" + unit + "\nAfter=" + unit + "\n";
    t += "SourcePath=" + file.path() + "\n";
    t += "RequiresMountsFor=%t/berth\n\n";
    t += "[X-Container]\n";
    section_lines("Container");
    t += "\n[Service]\n";
    t += "Environment=PODMAN_SYSTEMD_UNIT=%n\n";
    t += "KillMode=mixed\n";
    std::string rm = quote_word(env.executable) + " rm -v -f -i --cidfile=%t/%N.cid";
    t += "ExecStop=" + rm + "\n";
    t += "ExecStopPost=-" + rm + "\n";
    t += "Delegate=yes\n";
    t += "Type=notify\n";
    t += "NotifyAccess=all\n";
    t += "SyslogIdentifier=%N\n";
    t += "ExecStart=" + exec_line(run) + "\n";
    section_lines("Service");
    if (file.section("Install")) {
        t += "\n[Install]\n";
        section_lines("Install");
    }
    return t;
}

std::string volume_name(UnitFile const& file, std::string const& source_name)
{
    if (auto name = file.last("Volume", "VolumeName"); name && !name->empty())
        return *name;
    return "systemd-" + source_name.substr(0, source_name.rfind('.'));
}

Result<std::string> volume_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env)
{
    static constexpr std::string_view known[] = { "Label", "Device", "Type", "Options", "User", "Group", "Copy", "VolumeName" };
    Words create { env.executable, "volume", "create", "--ignore" };
    if (auto const* volume = file.section("Volume")) {
        for (auto const& e : volume->entries) {
            if (std::find(std::begin(known), std::end(known), e.key) == std::end(known))
                return unsupported_key(e, "Volume");
            if (e.value.empty() || e.key == "VolumeName")
                continue;
            if (e.key == "Label")
                TRY(flag_per_word(e, create, "--label"));
            else if (e.key == "Copy") {
                if (!TRY(parse_bool(e)))
                    create.push_back("--opt=nocopy");
            } else {
                static std::map<std::string, std::string> const opt { { "Device", "device" }, { "Type", "type" },
                    { "Options", "o" }, { "User", "uid" }, { "Group", "gid" } };
                create.push_back("--opt=" + opt.at(e.key) + "=" + e.value);
            }
        }
    }
    create.push_back(volume_name(file, source_name));
    std::string t = "# Automatically generated by berth-generator from " + file.path() + "\n";
    t += "[Unit]\n" + section_text(file, "Unit");
    t += "SourcePath=" + file.path() + "\n";
    t += "RequiresMountsFor=%t/berth\n\n";
    t += "[X-Volume]\n" + section_text(file, "Volume");
    t += "\n[Service]\n";
    t += "ExecStart=" + exec_line(create) + "\n";
    t += "Type=oneshot\nRemainAfterExit=yes\nSyslogIdentifier=%N\n";
    t += section_text(file, "Service");
    if (file.section("Install"))
        t += "\n[Install]\n" + section_text(file, "Install");
    return t;
}

} // namespace berth::quadlet
