// Flag grammars for create/run, as Podman parses them. The hard part is -v:
// "SRC:DST:OPTS", "DST" alone (an anonymous volume), and a SRC that is a path
// (bind mount: starts with '/' or '.') versus a name (named volume).
#include "container/options.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <tuple>

namespace berth::container {

static std::vector<std::string> split(std::string const& s, char sep)
{
    std::vector<std::string> out;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep))
        out.push_back(cur);
    if (!s.empty() && s.back() == sep)
        out.push_back("");
    return out;
}

static ErrorOr check_destination(std::string const& dst, std::string const& spec)
{
    if (dst.empty() || dst[0] != '/')
        return Error { EINVAL, "invalid container path \"" + dst + "\" in \"" + spec + "\": it must be absolute" };
    return {};
}

static ErrorOr apply_volume_option(MountRequest& m, std::string const& opt, std::string const& spec)
{
    if (opt == "ro")
        m.read_only = true;
    else if (opt == "rw")
        m.read_only = false;
    else if (opt == "z" || opt == "Z")
        ; // SELinux relabelling: nothing to do without SELinux, accepted like Podman on such hosts
    else if (opt == "U")
        m.chown = true;
    else if (opt == "O")
        m.overlay = true;  // its changes go to the container's own upper directory, discarded at each start
    else if (opt == "private" || opt == "rprivate" || opt == "shared" || opt == "rshared" || opt == "slave" || opt == "rslave")
        m.propagation = opt;
    else if (opt == "bind" || opt == "rbind" || opt == "nocopy" || opt == "copy" || opt == "exec" || opt == "noexec"
        || opt == "suid" || opt == "nosuid" || opt == "dev" || opt == "nodev")
        m.tmpfs_options.push_back(opt);
    else
        return Error { EINVAL, "invalid option \"" + opt + "\" in volume \"" + spec + "\"" };
    return {};
}

Result<MountRequest> parse_volume(std::string const& spec)
{
    auto parts = split(spec, ':');
    if (parts.empty() || parts.size() > 3)
        return Error { EINVAL, "invalid volume \"" + spec + "\": use SOURCE:DESTINATION[:OPTIONS]" };
    MountRequest m;
    if (parts.size() == 1) {
        m.type = MountRequest::Type::Volume;
        m.destination = parts[0];
    } else {
        m.source = parts[0];
        m.destination = parts[1];
        if (m.source.empty())
            return Error { EINVAL, "invalid volume \"" + spec + "\": empty source" };
        m.type = (m.source[0] == '/' || m.source[0] == '.') ? MountRequest::Type::Bind : MountRequest::Type::Volume;
    }
    TRY(check_destination(m.destination, spec));
    if (parts.size() == 3) {
        auto opts = split(parts[2], ',');
        for (auto const& opt : opts)
            TRY(apply_volume_option(m, opt, spec));
        // As Podman: O (an overlay over the source) goes with U, z and Z only.
        bool others = std::any_of(opts.begin(), opts.end(), [](auto const& o) { return o != "O" && o != "U" && o != "z" && o != "Z"; });
        if (m.overlay && others)
            return Error { EINVAL, "invalid volume \"" + spec + "\": can't use 'O' with other options" };
    }
    return m;
}

Result<MountRequest> parse_mount(std::string const& spec)
{
    MountRequest m;
    std::string type;
    for (auto const& field : split(spec, ',')) {
        auto eq = field.find('=');
        std::string key = field.substr(0, eq), value = eq == std::string::npos ? "" : field.substr(eq + 1);
        if (key == "type")
            type = value;
        else if (key == "source" || key == "src")
            m.source = value;
        else if (key == "target" || key == "destination" || key == "dst")
            m.destination = value;
        else if (key == "ro" || key == "readonly")
            m.read_only = value.empty() || value == "true" || value == "1";
        else if (key == "rw")
            m.read_only = !(value.empty() || value == "true" || value == "1");
        else if (key == "bind-propagation")
            m.propagation = value;
        else if (key == "tmpfs-size")
            m.tmpfs_options.push_back("size=" + value);
        else if (key == "tmpfs-mode")
            m.tmpfs_options.push_back("mode=" + value);
        else if (key == "U" || key == "chown")
            m.chown = value.empty() || value == "true";
        else if (key == "z" || key == "Z" || key == "relabel" || key == "bind-nonrecursive" || key == "volume-nocopy")
            ;
        else
            return Error { EINVAL, "invalid field \"" + key + "\" in --mount \"" + spec + "\"" };
    }
    if (type == "bind")
        m.type = MountRequest::Type::Bind;
    else if (type == "volume")
        m.type = MountRequest::Type::Volume;
    else if (type == "tmpfs")
        m.type = MountRequest::Type::Tmpfs;
    else
        return Error { EINVAL, "invalid --mount \"" + spec + "\": type must be bind, volume or tmpfs" };
    if (m.type == MountRequest::Type::Bind && m.source.empty())
        return Error { EINVAL, "invalid --mount \"" + spec + "\": a bind mount needs source=" };
    TRY(check_destination(m.destination, spec));
    return m;
}

Result<MountRequest> parse_tmpfs(std::string const& spec)
{
    MountRequest m;
    m.type = MountRequest::Type::Tmpfs;
    auto colon = spec.find(':');
    m.destination = spec.substr(0, colon);
    TRY(check_destination(m.destination, spec));
    if (colon != std::string::npos)
        for (auto const& opt : split(spec.substr(colon + 1), ','))
            if (!opt.empty())
                m.tmpfs_options.push_back(opt);
    return m;
}

/// An unsigned number of --secret's uid=, gid= (base 10) or mode= (base 8).
static std::optional<uint32_t> secret_number(std::string const& text, int base)
{
    if (text.empty() || text.size() > 11 || text.find_first_not_of(base == 8 ? "01234567" : "0123456789") != std::string::npos)
        return std::nullopt;
    auto value = std::stoull(text, nullptr, base);
    if (value > UINT32_MAX)
        return std::nullopt;
    return static_cast<uint32_t>(value);
}

Result<SecretRequest> parse_secret(std::string const& spec)
{
    auto fail = [&](std::string const& what) { return Error { EINVAL, "--secret " + spec + ": " + what }; };
    auto parts = split(spec, ',');
    SecretRequest s;
    s.name = parts.empty() ? "" : parts.front();
    if (s.name.empty())
        return fail("no secret name: use --secret NAME[,type=mount|env][,target=...]");
    std::string type, target;
    bool ids_or_mode = false;
    for (size_t i = 1; i < parts.size(); ++i) {
        auto eq = parts[i].find('=');
        std::string key = parts[i].substr(0, eq), value = eq == std::string::npos ? "" : parts[i].substr(eq + 1);
        if (eq == std::string::npos || value.empty())
            return fail("option " + parts[i] + " invalid: use type=, target=, uid=, gid= or mode= with a value");
        if (key == "type") {
            if (value != "mount" && value != "env")
                return fail("type " + value + " is invalid: use type=mount or type=env");
            type = value;
        } else if (key == "target") {
            target = value;
        } else if (key == "uid" || key == "gid" || key == "mode") {
            auto n = secret_number(value, key == "mode" ? 8 : 10);
            if (!n)
                return fail(key + " " + value + " invalid: use " + (key == "mode" ? "an octal mode such as 0400" : "a number"));
            (key == "uid" ? s.uid : key == "gid" ? s.gid : s.mode) = *n;
            ids_or_mode = true;
        } else {
            return fail("option " + parts[i] + " invalid: use type=, target=, uid=, gid= or mode=");
        }
    }
    if (type == "env") {
        if (ids_or_mode)
            return fail("UID, GID, Mode options cannot be set with secret type env: drop them or use type=mount");
        s.type = SecretRequest::Type::Env;
        s.target = target.empty() ? s.name : target;
        return s;
    }
    // A mount's target: absolute as given, else under /run/secrets; cleaned ("a/../b" is /run/secrets/b).
    std::filesystem::path path = target.empty() ? s.name : target;
    if (path.is_relative())
        path = std::filesystem::path("/run/secrets") / path;
    s.target = path.lexically_normal().string();
    if (s.target == "/" || s.target.ends_with('/'))
        return fail("target " + target + " is a directory: name a file");
    return s;
}

/// The lines of an --env-file or --label-file that say something: without
/// their CR and leading blanks; blank lines and '#' comments skipped.
template<typename Fn> static void for_each_setting_line(std::string const& text, Fn&& fn)
{
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#')
            continue;
        fn(line.substr(start));
    }
}

std::vector<std::string> parse_env_file(std::string const& text, std::map<std::string, std::string> const& host_env)
{
    std::vector<std::string> out;
    for_each_setting_line(text, [&](std::string const& line) {
        if (line.find('=') != std::string::npos)
            out.push_back(line);
        else if (auto it = host_env.find(line); it != host_env.end())
            out.push_back(line + "=" + it->second);
    });
    return out;
}

std::vector<std::string> parse_label_file(std::string const& text)
{
    std::vector<std::string> out;
    for_each_setting_line(text, [&](std::string const& line) {
        out.push_back(line.find('=') == std::string::npos ? line + "=" : line);
    });
    return out;
}

std::vector<std::string> entrypoint_words(std::string const& entrypoint)
{
    if (entrypoint.empty())
        return {};
    if (entrypoint.front() == '[') {
        // Podman: a value that is a JSON array of strings is the argv; anything else one word.
        auto parsed = json::parse(entrypoint, "--entrypoint");
        if (parsed && parsed->is_array()
            && std::all_of(parsed->begin(), parsed->end(), [](Json const& w) { return w.is_string(); }))
            return parsed->get<std::vector<std::string>>();
    }
    return { entrypoint };
}

Result<std::string> expand_env_merge(std::string const& spec, std::vector<std::string> const& env)
{
    auto lookup = [&](std::string const& name) -> std::string {
        for (auto it = env.rbegin(); it != env.rend(); ++it)
            if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 && (*it)[name.size()] == '=')
                return it->substr(name.size() + 1);
        return "";
    };
    auto is_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    std::string out;
    for (size_t i = 0; i < spec.size(); ++i) {
        if (spec[i] != '$' || i + 1 == spec.size()) {
            out += spec[i];
            continue;
        }
        if (spec[i + 1] == '{') {
            auto close = spec.find('}', i + 2);
            if (close == std::string::npos)
                return Error { EINVAL, "unable to process variables for --env-merge " + spec + ": missing '}' in substitution" };
            out += lookup(spec.substr(i + 2, close - i - 2));
            i = close;
            continue;
        }
        size_t end = i + 1;
        while (end < spec.size() && is_name(spec[end]))
            ++end;
        if (end == i + 1) {
            out += '$';
            continue;
        }
        out += lookup(spec.substr(i + 1, end - i - 1));
        i = end - 1;
    }
    return out;
}

Result<NamespaceMode> parse_namespace_mode(std::string const& text, std::string const& flag)
{
    using Kind = NamespaceMode::Kind;
    if (text.empty() || text == "private" || (flag == "--ipc" && (text == "shareable" || text == "none")))
        return NamespaceMode { Kind::Private, "" };
    if (text == "host")
        return NamespaceMode { Kind::Host, "" };
    // Podman's words (pkg/specgen/namespaces.go), whichever the flag.
    for (auto [prefix, kind, word] : { std::tuple { "ns:", Kind::Path, "path" }, std::tuple { "container:", Kind::Container, "container" } }) {
        std::string_view p = prefix;
        if (text.rfind(p, 0) != 0)
            continue;
        if (text.size() == p.size())
            return Error { EINVAL, std::string("invalid config provided: namespace mode ") + word + " requires a value" };
        return NamespaceMode { kind, text.substr(p.size()) };
    }
    return Error { EINVAL, "unrecognized namespace mode " + text + " passed" };
}

std::span<NamespaceFlag const> namespace_flags()
{
    static constexpr NamespaceFlag flags[] = {
        { "--ipc", "ipc", "IPC", &CreateOptions::ipc },
        { "--uts", "uts", "UTS", &CreateOptions::uts },
        { "--cgroupns", "cgroup", "cgroup", &CreateOptions::cgroupns },
        { "--pid", "pid", "PID", &CreateOptions::pid },
    };
    return flags;
}

std::string expand_passwd_entry(std::string const& templ, PasswdFields const& f)
{
    // In Podman's order: $USERNAME before $UID/$NAME, which are parts of other words.
    std::string s = templ;
    auto replace_all = [&](std::string const& from, std::string const& to) {
        for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
            s.replace(at, from.size(), to);
    };
    replace_all("$USERNAME", f.username);
    replace_all("$UID", f.uid);
    replace_all("$GID", f.gid);
    replace_all("$NAME", f.name);
    replace_all("$HOME", f.home);
    return s;
}

/// The fields of the record that are stored as they are, in one list for
/// both directions; the optional ones are handled beside it.
template<typename Options, typename Field> void for_each_plain_field(Options& o, Field&& f)
{
    f("image", o.image);
    f("command", o.command);
    f("name", o.name);
    f("pod", o.pod);
    f("env", o.env);
    f("env_files", o.env_files);
    f("env_host", o.env_host);
    f("workdir", o.workdir);
    f("user", o.user);
    f("hostname", o.hostname);
    f("labels", o.labels);
    f("annotations", o.annotations);
    f("volumes", o.volumes);
    f("mounts", o.mounts);
    f("tmpfs", o.tmpfs);
    f("secrets", o.secrets);
    f("read_only", o.read_only);
    f("read_only_tmpfs", o.read_only_tmpfs);
    f("cap_add", o.cap_add);
    f("cap_drop", o.cap_drop);
    f("privileged", o.privileged);
    f("security_opt", o.security_opt);
    f("ulimits", o.ulimits);
    f("init", o.init);
    f("init_path", o.init_path);
    f("memory", o.memory);
    f("memory_swap", o.memory_swap);
    f("cpus", o.cpus);
    f("cpu_shares", o.cpu_shares);
    f("cgroups", o.cgroups);
    f("cgroup_parent", o.cgroup_parent);
    f("userns", o.userns);
    f("uidmap", o.uidmap);
    f("gidmap", o.gidmap);
    f("group_add", o.group_add);
    f("network", o.network);
    f("publish", o.publish);
    f("expose", o.expose);
    f("publish_all", o.publish_all);
    f("stop_signal", o.stop_signal);
    f("stop_timeout", o.stop_timeout);
    f("shm_size", o.shm_size);
    f("devices", o.devices);
    f("sysctls", o.sysctls);
    f("interactive", o.interactive);
    f("tty", o.tty);
    f("remove", o.remove);
    f("pull", o.pull);
    f("platform", o.platform);
    f("cidfile", o.cidfile);
    f("runtime", o.runtime);
    f("preserve_fds", o.preserve_fds);
    f("detach", o.detach);
    f("log_driver", o.log_driver);
    f("log_opts", o.log_opts);
    f("restart", o.restart);
    f("create_command", o.create_command);
    f("healthcheck_cmd", o.healthcheck_cmd);
    f("healthcheck_interval", o.healthcheck_interval);
    f("healthcheck_timeout", o.healthcheck_timeout);
    f("healthcheck_start_period", o.healthcheck_start_period);
    f("no_healthcheck", o.no_healthcheck);
    f("health_on_failure", o.health_on_failure);
    f("health_startup_cmd", o.health_startup_cmd);
    f("health_startup_interval", o.health_startup_interval);
    f("health_startup_timeout", o.health_startup_timeout);
    f("pidfile", o.pidfile);
    f("conmon_pidfile", o.conmon_pidfile);
    f("sdnotify", o.sdnotify);
    f("tz", o.tz);
    f("systemd", o.systemd);
    f("ipc", o.ipc);
    f("uts", o.uts);
    f("cgroupns", o.cgroupns);
    f("pid", o.pid);
    f("passwd_entry", o.passwd_entry);
    f("attach", o.attach);
    f("hostuser", o.hostuser);
    f("dns", o.dns);
    f("dns_search", o.dns_search);
    f("dns_options", o.dns_options);
    f("add_hosts", o.add_hosts);
    f("network_aliases", o.network_aliases);
    f("ip", o.ip);
    f("ip6", o.ip6);
    f("mac_address", o.mac_address);
    f("env_merge", o.env_merge);
    f("unsetenv", o.unsetenv);
    f("label_files", o.label_files);
    f("remove_image", o.remove_image);
    f("replace", o.replace);
    f("default_capabilities", o.default_capabilities);
    f("no_hosts", o.no_hosts);
    f("unsetenv_all", o.unsetenv_all);
    f("passwd", o.passwd);
    f("timeout", o.timeout);
    f("default_env", o.default_env);
    f("umask", o.umask);
    f("personality", o.personality);
    f("volumes_from", o.volumes_from);
    f("requires", o.required);
    f("image_volume", o.image_volume);
    f("image_volumes", o.image_volumes);
}

Json CreateOptions::to_json() const
{
    Json j;
    for_each_plain_field(*this, [&](char const* key, auto const& value) { j[key] = value; });
    if (entrypoint)
        j["entrypoint"] = *entrypoint;
    if (pids_limit)
        j["pids_limit"] = *pids_limit;
    if (healthcheck_retries)
        j["healthcheck_retries"] = *healthcheck_retries;
    if (health_startup_retries)
        j["health_startup_retries"] = *health_startup_retries;
    if (health_startup_success)
        j["health_startup_success"] = *health_startup_success;
    if (http_proxy)
        j["http_proxy"] = *http_proxy;
    if (oom_score_adj)
        j["oom_score_adj"] = *oom_score_adj;
    return j;
}

Result<CreateOptions> CreateOptions::from_json(Json const& j)
{
    try {
        CreateOptions o;
        for_each_plain_field(o, [&](char const* key, auto& field) {
            if (j.contains(key))
                j.at(key).get_to(field);
        });
        auto optional = [&](char const* key, auto& field) {
            if (j.contains(key))
                field = j.at(key).get<typename std::remove_reference_t<decltype(field)>::value_type>();
        };
        optional("entrypoint", o.entrypoint);
        optional("pids_limit", o.pids_limit);
        optional("healthcheck_retries", o.healthcheck_retries);
        optional("health_startup_retries", o.health_startup_retries);
        optional("health_startup_success", o.health_startup_success);
        optional("http_proxy", o.http_proxy);
        optional("oom_score_adj", o.oom_score_adj);
        return o;
    } catch (std::exception const& e) {
        return Error::msg(std::string("container options: ") + e.what());
    }
}

} // namespace berth::container
