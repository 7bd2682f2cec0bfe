// .container → .service (see container_unit.h). Each supported key maps to
// berth run flags in one table; the service lines around them are Podman
// Quadlet's.
#include "quadlet/container_unit.h"

#include "quadlet/unit_common.h"

#include <algorithm>
#include <functional>
#include <map>

namespace berth::quadlet {

namespace {

/// How one [Container] key becomes flags: each value of the key is handed to it.
using KeyHandler = std::function<ErrorOr(Entry const&, Words&)>;

ErrorOr flag_for_value(Entry const& e, Words& out, char const* flag)
{
    out.push_back(std::string(flag) + "=" + e.value);
    return {};
}

/// The flag-making keys, in the order their flags go on the command line.
std::map<std::string, KeyHandler> const& handlers()
{
    static std::map<std::string, KeyHandler> const table {
        { "PublishPort", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--publish"); } },
        { "Environment", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--env"); } },
        { "EnvironmentFile", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--env-file"); } },
        { "Label", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--label"); } },
        { "HealthCmd", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--health-cmd"); } },
        { "HealthInterval", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--health-interval"); } },
        { "HealthRetries", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--health-retries"); } },
        { "HealthTimeout", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--health-timeout"); } },
        { "HealthStartPeriod", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--health-start-period"); } },
        { "WorkingDir", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--workdir"); } },
        { "HostName", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--hostname"); } },
        { "AddCapability", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--cap-add"); } },
        { "DropCapability", [](Entry const& e, Words& o) { return flag_per_word(e, o, "--cap-drop"); } },
        { "Tmpfs", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--tmpfs"); } },
        { "Timezone", [](Entry const& e, Words& o) { return flag_for_value(e, o, "--tz"); } },
        // The label berth auto-update (and Podman's) looks for.
        { "AutoUpdate", [](Entry const& e, Words& o) -> ErrorOr {
             if (e.value != "registry" && e.value != "local")
                 return entry_error(e, "AutoUpdate=" + e.value + " is not a policy: use registry or local");
             o.push_back("--label");
             o.push_back("io.containers.autoupdate=" + e.value);
             return {};
         } },
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
constexpr std::string_view special_keys[] = { "Image", "Exec", "ContainerName", "Notify", "User", "Group", "PodmanArgs", "Volume",
    "Network", "Pod" };

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

namespace {

/// The container's Volume=, Network=, Pod= and Image=, with the Quadlet files
/// they name resolved (refs collects the units they need).
struct Resolved {
    Words flags;  ///< in the file's order, before the PodmanArgs
    std::string image;
};

Result<Resolved> resolve_container(UnitFile const& file, Entry const& image, References& refs)
{
    Resolved out;
    out.image = TRY(refs.resolve(image, image.value, { "image", "build" }));
    auto const* container = file.section("Container");
    for (auto const& e : container->entries) {
        if (e.value.empty())
            continue;
        if (e.key == "Volume") {
            out.flags.push_back("--volume=" + TRY(refs.resolve(e, e.value, { "volume" })));
        } else if (e.key == "Network") {
            out.flags.push_back("--network=" + TRY(refs.resolve(e, e.value, { "network" })));
        } else if (e.key == "Pod") {
            // As Podman's: the container joins the pod the pod's service
            // made (its --pod-id-file) and is bound to that service.
            if (!e.value.ends_with(".pod"))
                return entry_error(e, "Pod=" + e.value + ": not a Quadlet .pod file (NAME.pod)");
            TRY(refs.resolve(e, e.value, { "pod" }, "BindsTo"));
            out.flags.push_back("--pod-id-file=%t/" + source_stem(refs.env.service_of(e.value)) + ".pod-id");
        } else if (auto h = handlers().find(e.key); h != handlers().end()) {
            TRY(h->second(e, out.flags));
        }
    }
    return out;
}

} // namespace

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
    auto const* image = last_entry(file, "Container", "Image");
    if (!image || image->value.empty())
        return Error { EINVAL, file.path() + ": [Container] has no Image=" };
    // berth run and its fixed flags, as Quadlet's.
    std::string name = file.last("Container", "ContainerName").value_or("");
    Words run { env.executable, "run", "--name=" + (name.empty() ? std::string("systemd-%N") : name), "--cidfile=%t/%N.cid",
        "--replace", "--rm", "--cgroups=split" };
    bool notify = TRY(bool_value(file, "Container", "Notify"));
    run.push_back(notify ? "--sdnotify=container" : "--sdnotify=conmon");
    run.push_back("-d");
    auto user = file.last("Container", "User"), group = file.last("Container", "Group");
    if (user && !user->empty())
        run.push_back("--user=" + *user + (group && !group->empty() ? ":" + *group : ""));
    else if (group && !group->empty())
        return Error { EINVAL, file.path() + ": Group= needs User=" };
    // Key by key, in the file's order; a NAME.volume (.network, .pod, .image,
    // .build) names what that file makes, and the unit then needs its service.
    References refs { env, {} };
    auto resolved = TRY(resolve_container(file, *image, refs));
    run.insert(run.end(), resolved.flags.begin(), resolved.flags.end());
    TRY(podman_args(file, "Container", run));
    run.push_back(resolved.image);
    if (auto exec = file.last("Container", "Exec"); exec && !exec->empty()) {
        auto words = split_words(*exec);
        if (!words)
            return Error { EINVAL, file.path() + ": Exec: " + words.error().message };
        run.insert(run.end(), words->begin(), words->end());
    }

    std::string t = service_head(file, "Container", refs.unit_lines);
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
    return t + service_tail(file);
}

std::string volume_name(UnitFile const& file, std::string const& source_name)
{
    if (auto name = file.last("Volume", "VolumeName"); name && !name->empty())
        return *name;
    return "systemd-" + source_stem(source_name);
}

Result<std::string> volume_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env)
{
    TRY(check_keys(file, "Volume", { "Label", "Device", "Type", "Options", "User", "Group", "Copy", "VolumeName" }));
    Words create { env.executable, "volume", "create", "--ignore" };
    if (auto const* volume = file.section("Volume")) {
        for (auto const& e : volume->entries) {
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
    return oneshot_service(file, "Volume", create, {});
}

} // namespace berth::quadlet
