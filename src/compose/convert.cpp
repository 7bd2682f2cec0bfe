// Service -> container::CreateOptions (see convert.h).
#include "compose/convert.h"

#include "base/json.h"

#include <functional>

namespace berth::compose {

namespace {

std::string volume_name(Project const& p, std::string const& key)
{
    for (auto const& v : p.volumes)
        if (v.key == key)
            return v.name;
    return p.name + "_" + key;
}

std::string network_name(Project const& p, std::string const& key)
{
    for (auto const& n : p.networks)
        if (n.key == key)
            return n.name;
    return p.name + "_" + key;
}

void add_mounts(Project const& p, Service const& s, container::CreateOptions& o)
{
    for (auto const& m : s.volumes) {
        auto ro = m.read_only ? std::string(":ro") : std::string();
        switch (m.type) {
        case Mount::Type::Bind:
            o.volumes.push_back(m.source + ":" + m.target + ro);
            break;
        case Mount::Type::Volume:
            o.volumes.push_back(m.source.empty() ? m.target : volume_name(p, m.source) + ":" + m.target + ro);
            break;
        case Mount::Type::Tmpfs:
            o.tmpfs.push_back(m.target + (m.tmpfs_size.empty() ? "" : ":size=" + m.tmpfs_size));
            break;
        }
    }
    for (auto const& t : s.tmpfs)
        o.tmpfs.push_back(t);
}

void add_healthcheck(Healthcheck const& h, container::CreateOptions& o)
{
    if (h.disable || (!h.test.empty() && h.test.front() == "NONE")) {
        o.no_healthcheck = true;
        return;
    }
    if (!h.test.empty())
        o.healthcheck_cmd = json::dump(Json(h.test));
    o.healthcheck_interval = h.interval;
    o.healthcheck_timeout = h.timeout;
    o.healthcheck_start_period = h.start_period;
    o.healthcheck_retries = h.retries;
}

/// The name of the first container of service `name` (which network_mode, ipc, pid and volumes_from name).
std::string first_container(Project const& p, std::string const& name)
{
    auto const* target = p.service(name);
    return target ? container_name(p, *target, 1) : p.name + "-" + name + "-1";
}

/// ipc and pid: service:NAME is the first container of that service.
std::string namespace_option(Project const& p, std::string const& mode)
{
    return mode.rfind("service:", 0) == 0 ? "container:" + first_container(p, mode.substr(8)) : mode;
}

/// volumes_from: service:NAME[:MODE] is the first container of that service, container:NAME[:MODE] that container.
std::string volumes_from_option(Project const& p, std::string const& from)
{
    auto rest = from.substr(from.find(':') + 1);
    if (from.rfind("container:", 0) == 0)
        return rest;
    auto colon = rest.find(':');
    return first_container(p, rest.substr(0, colon)) + (colon == std::string::npos ? "" : rest.substr(colon));
}

/// The keys that are flags of `run`, as `run` takes them.
void add_run_flags(Project const& p, Service const& s, container::CreateOptions& o)
{
    o.privileged = s.privileged;
    o.tty = s.tty;
    o.interactive = s.stdin_open;
    o.group_add = s.group_add;
    o.devices = s.devices;
    o.memory = s.mem_limit;
    o.memory_swap = s.memswap_limit;
    o.cpus = s.cpus;
    o.cpu_shares = s.cpu_shares.value_or(0);
    o.pids_limit = s.pids_limit;
    o.shm_size = s.shm_size;
    for (auto const& [name, limit] : s.ulimits)
        o.ulimits.push_back(name + "=" + limit);
    o.oom_score_adj = s.oom_score_adj;
    for (auto const& [key, value] : s.sysctls)
        o.sysctls.push_back(key + "=" + value);
    o.security_opt = s.security_opt;
    o.dns_search = s.dns_search;
    o.dns_options = s.dns_opt;
    o.mac_address = s.mac_address;
    o.ipc = namespace_option(p, s.ipc);
    o.pid = namespace_option(p, s.pid);
    o.uts = s.uts;
    o.cgroupns = s.cgroup;
    o.userns = s.userns_mode;
    o.cgroup_parent = s.cgroup_parent;
    o.platform = s.platform;
    o.runtime = s.runtime;
    // A built image is local: only never is worth passing on for it.
    if (s.pull_policy == "always" || s.pull_policy == "never" || s.pull_policy == "missing")
        o.pull = s.build && s.pull_policy != "never" ? "missing" : s.pull_policy;
    if (s.logging) {
        o.log_driver = s.logging->driver;
        for (auto const& [key, value] : s.logging->options)
            o.log_opts.push_back(key + "=" + value);
    }
    for (auto const& from : s.volumes_from)
        o.volumes_from.push_back(volumes_from_option(p, from));
    for (auto const& [key, value] : s.annotations)
        o.annotations.push_back(key + "=" + value);
    for (auto const& secret : s.secrets) {
        auto const* top = p.secret(secret.source);
        o.secrets.push_back(secret_flag(top ? top->name : secret.source, secret));
    }
}

} // namespace

std::string secret_flag(std::string const& name, ServiceSecret const& secret)
{
    std::string flag = name + ",type=mount,target=" + (secret.target.empty() ? secret.source : secret.target);
    if (!secret.uid.empty())
        flag += ",uid=" + secret.uid;
    if (!secret.gid.empty())
        flag += ",gid=" + secret.gid;
    if (!secret.mode.empty())
        flag += ",mode=" + secret.mode;
    return flag;
}

std::string container_name(Project const& project, Service const& service, int number)
{
    if (!service.container_name.empty())
        return service.container_name;
    return project.name + "-" + service.name + "-" + std::to_string(number);
}

std::string image_name(Project const& project, Service const& service)
{
    return service.image.empty() ? project.name + "-" + service.name : service.image;
}

std::string network_option(Project const& project, Service const& service)
{
    auto const& mode = service.network_mode;
    if (!mode.empty())
        return namespace_option(project, mode);
    // Podman's syntax: NET:alias=A,alias=B,ip=IP,NET2:alias=A (an item without '=' starts the next network).
    std::string out;
    for (auto const& n : service.networks) {
        if (!out.empty())
            out += ',';
        out += network_name(project, n.name);
        out += ":alias=";
        out += service.name;
        for (auto const& a : n.aliases)
            out += ",alias=" + a;
        if (!n.ipv4_address.empty())
            out += ",ip=" + n.ipv4_address;
    }
    return out;
}

container::CreateOptions create_options(Project const& p, Service const& s, int number)
{
    container::CreateOptions o;
    o.image = image_name(p, s);
    o.name = container_name(p, s, number);
    if (s.command)
        o.command = *s.command;
    if (s.entrypoint)
        o.entrypoint = s.entrypoint->empty() ? std::string() : json::dump(Json(*s.entrypoint));
    o.env = s.environment;
    for (auto const& f : s.env_files)
        if (!f.empty() && f[0] != '?')
            o.env_files.push_back(f);
    o.publish = s.ports;
    o.expose = s.expose;
    add_mounts(p, s, o);
    o.network = network_option(p, s);
    if (s.healthcheck)
        add_healthcheck(*s.healthcheck, o);
    o.restart = s.restart == "no" ? "" : s.restart;
    o.user = s.user;
    o.workdir = s.working_dir;
    o.hostname = s.hostname;
    o.add_hosts = s.extra_hosts;
    o.dns = s.dns;
    o.cap_add = s.cap_add;
    o.cap_drop = s.cap_drop;
    o.read_only = s.read_only;
    o.init = s.init;
    o.stop_signal = s.stop_signal;
    if (s.stop_grace_period)
        o.stop_timeout = *s.stop_grace_period;
    add_run_flags(p, s, o);
    o.detach = true;
    for (auto const& [k, v] : s.labels)
        o.labels.push_back(k + "=" + v);
    o.labels.push_back(std::string(project_label) + "=" + p.name);
    o.labels.push_back(std::string(service_label) + "=" + s.name);
    o.labels.push_back(std::string(number_label) + "=" + std::to_string(number));
    o.labels.push_back(std::string(oneoff_label) + "=False");
    o.labels.push_back(std::string(working_dir_label) + "=" + p.working_dir);
    std::string files;
    for (auto const& f : p.config_files)
        files += (files.empty() ? "" : ",") + f;
    o.labels.push_back(std::string(config_files_label) + "=" + files);
    char hash[32];
    std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string> {}(json::dump(o.to_json())));
    o.labels.push_back(std::string(config_hash_label) + "=" + hash);
    return o;
}

} // namespace berth::compose
