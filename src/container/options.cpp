// Flag grammars for create/run, as Podman parses them. The hard part is -v:
// "SRC:DST:OPTS", "DST" alone (an anonymous volume), and a SRC that is a path
// (bind mount: starts with '/' or '.') versus a name (named volume).
#include "container/options.h"

#include <sstream>

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
        m.overlay = true;
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
    if (parts.size() == 3)
        for (auto const& opt : split(parts[2], ','))
            TRY(apply_volume_option(m, opt, spec));
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

std::vector<std::string> parse_env_file(std::string const& text, std::map<std::string, std::string> const& host_env)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        auto start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#')
            continue;
        line = line.substr(start);
        if (line.find('=') != std::string::npos) {
            out.push_back(line);
        } else if (auto it = host_env.find(line); it != host_env.end()) {
            out.push_back(line + "=" + it->second);
        }
    }
    return out;
}

Json CreateOptions::to_json() const
{
    Json j;
    j["image"] = image;
    j["command"] = command;
    if (entrypoint)
        j["entrypoint"] = *entrypoint;
    j["name"] = name;
    j["env"] = env;
    j["env_files"] = env_files;
    j["env_host"] = env_host;
    j["workdir"] = workdir;
    j["user"] = user;
    j["hostname"] = hostname;
    j["labels"] = labels;
    j["annotations"] = annotations;
    j["volumes"] = volumes;
    j["mounts"] = mounts;
    j["tmpfs"] = tmpfs;
    j["read_only"] = read_only;
    j["read_only_tmpfs"] = read_only_tmpfs;
    j["cap_add"] = cap_add;
    j["cap_drop"] = cap_drop;
    j["privileged"] = privileged;
    j["security_opt"] = security_opt;
    j["ulimits"] = ulimits;
    j["init"] = init;
    j["init_path"] = init_path;
    j["memory"] = memory;
    j["memory_swap"] = memory_swap;
    j["cpus"] = cpus;
    j["cpu_shares"] = cpu_shares;
    if (pids_limit)
        j["pids_limit"] = *pids_limit;
    j["cgroups"] = cgroups;
    j["cgroup_parent"] = cgroup_parent;
    j["userns"] = userns;
    j["uidmap"] = uidmap;
    j["gidmap"] = gidmap;
    j["group_add"] = group_add;
    j["network"] = network;
    j["publish"] = publish;
    j["stop_signal"] = stop_signal;
    j["stop_timeout"] = stop_timeout;
    j["shm_size"] = shm_size;
    j["devices"] = devices;
    j["sysctls"] = sysctls;
    j["interactive"] = interactive;
    j["tty"] = tty;
    j["remove"] = remove;
    j["pull"] = pull;
    j["platform"] = platform;
    j["cidfile"] = cidfile;
    j["runtime"] = runtime;
    j["preserve_fds"] = preserve_fds;
    j["detach"] = detach;
    j["log_driver"] = log_driver;
    j["log_opts"] = log_opts;
    j["restart"] = restart;
    j["create_command"] = create_command;
    j["healthcheck_cmd"] = healthcheck_cmd;
    j["healthcheck_interval"] = healthcheck_interval;
    j["healthcheck_timeout"] = healthcheck_timeout;
    j["healthcheck_start_period"] = healthcheck_start_period;
    if (healthcheck_retries)
        j["healthcheck_retries"] = *healthcheck_retries;
    j["no_healthcheck"] = no_healthcheck;
    j["health_on_failure"] = health_on_failure;
    j["health_startup_cmd"] = health_startup_cmd;
    j["health_startup_interval"] = health_startup_interval;
    j["health_startup_timeout"] = health_startup_timeout;
    if (health_startup_retries)
        j["health_startup_retries"] = *health_startup_retries;
    if (health_startup_success)
        j["health_startup_success"] = *health_startup_success;
    return j;
}

Result<CreateOptions> CreateOptions::from_json(Json const& j)
{
    try {
        CreateOptions o;
        auto get = [&](char const* key, auto& field) {
            if (j.contains(key))
                j.at(key).get_to(field);
        };
        get("image", o.image);
        get("command", o.command);
        if (j.contains("entrypoint"))
            o.entrypoint = j.at("entrypoint").get<std::string>();
        get("name", o.name);
        get("env", o.env);
        get("env_files", o.env_files);
        get("env_host", o.env_host);
        get("workdir", o.workdir);
        get("user", o.user);
        get("hostname", o.hostname);
        get("labels", o.labels);
        get("annotations", o.annotations);
        get("volumes", o.volumes);
        get("mounts", o.mounts);
        get("tmpfs", o.tmpfs);
        get("read_only", o.read_only);
        get("read_only_tmpfs", o.read_only_tmpfs);
        get("cap_add", o.cap_add);
        get("cap_drop", o.cap_drop);
        get("privileged", o.privileged);
        get("security_opt", o.security_opt);
        get("ulimits", o.ulimits);
        get("init", o.init);
        get("init_path", o.init_path);
        get("memory", o.memory);
        get("memory_swap", o.memory_swap);
        get("cpus", o.cpus);
        get("cpu_shares", o.cpu_shares);
        if (j.contains("pids_limit"))
            o.pids_limit = j.at("pids_limit").get<int64_t>();
        get("cgroups", o.cgroups);
        get("cgroup_parent", o.cgroup_parent);
        get("userns", o.userns);
        get("uidmap", o.uidmap);
        get("gidmap", o.gidmap);
        get("group_add", o.group_add);
        get("network", o.network);
        get("publish", o.publish);
        get("stop_signal", o.stop_signal);
        get("stop_timeout", o.stop_timeout);
        get("shm_size", o.shm_size);
        get("devices", o.devices);
        get("sysctls", o.sysctls);
        get("interactive", o.interactive);
        get("tty", o.tty);
        get("remove", o.remove);
        get("pull", o.pull);
        get("platform", o.platform);
        get("cidfile", o.cidfile);
        get("runtime", o.runtime);
        get("preserve_fds", o.preserve_fds);
        get("detach", o.detach);
        get("log_driver", o.log_driver);
        get("log_opts", o.log_opts);
        get("restart", o.restart);
        get("create_command", o.create_command);
        get("healthcheck_cmd", o.healthcheck_cmd);
        get("healthcheck_interval", o.healthcheck_interval);
        get("healthcheck_timeout", o.healthcheck_timeout);
        get("healthcheck_start_period", o.healthcheck_start_period);
        if (j.contains("healthcheck_retries"))
            o.healthcheck_retries = j.at("healthcheck_retries").get<int>();
        get("no_healthcheck", o.no_healthcheck);
        get("health_on_failure", o.health_on_failure);
        get("health_startup_cmd", o.health_startup_cmd);
        get("health_startup_interval", o.health_startup_interval);
        get("health_startup_timeout", o.health_startup_timeout);
        if (j.contains("health_startup_retries"))
            o.health_startup_retries = j.at("health_startup_retries").get<int>();
        if (j.contains("health_startup_success"))
            o.health_startup_success = j.at("health_startup_success").get<int>();
        return o;
    } catch (std::exception const& e) {
        return Error::msg(std::string("container options: ") + e.what());
    }
}

} // namespace berth::container
