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

} // namespace

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
    if (mode.rfind("service:", 0) == 0) {
        auto const* target = project.service(mode.substr(8));
        return "container:" + (target ? container_name(project, *target, 1) : project.name + "-" + mode.substr(8) + "-1");
    }
    if (!mode.empty())
        return mode;
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
