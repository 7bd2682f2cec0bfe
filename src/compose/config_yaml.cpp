// The resolved project as YAML (see config_yaml.h). A secret's value from
// the environment is never printed, only the variable's name.
#include "compose/config_yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace berth::compose {

namespace {

/// The emitter with the shapes of `compose config`: a key is left out when its value is empty.
struct Writer {
    YAML::Emitter& e;
    void list(char const* key, std::vector<std::string> const& v)
    {
        if (!v.empty())
            e << YAML::Key << key << YAML::Value << v;
    }
    void str(char const* key, std::string const& v)
    {
        if (!v.empty())
            e << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << v;
    }
    void map(char const* key, std::map<std::string, std::string> const& m)
    {
        if (m.empty())
            return;
        e << YAML::Key << key << YAML::Value << YAML::BeginMap;
        for (auto const& [k, v] : m)
            e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
        e << YAML::EndMap;
    }
    void flag(char const* key, bool v)
    {
        if (v)
            e << YAML::Key << key << YAML::Value << true;
    }
    template<typename T>
    void number(char const* key, std::optional<T> const& v)
    {
        if (v)
            e << YAML::Key << key << YAML::Value << *v;
    }
};

/// The keys that are flags of `run` (privileged ... secrets), after the others.
void emit_run_keys(Writer& w, Service const& s)
{
    auto& e = w.e;
    w.flag("privileged", s.privileged);
    w.flag("tty", s.tty);
    w.flag("stdin_open", s.stdin_open);
    w.list("group_add", s.group_add);
    w.list("devices", s.devices);
    w.str("mem_limit", s.mem_limit);
    w.str("memswap_limit", s.memswap_limit);
    w.str("cpus", s.cpus);
    w.number("cpu_shares", s.cpu_shares);
    w.number("pids_limit", s.pids_limit);
    w.str("shm_size", s.shm_size);
    if (!s.ulimits.empty()) {
        e << YAML::Key << "ulimits" << YAML::Value << YAML::BeginMap;
        for (auto const& [name, limit] : s.ulimits)
            e << YAML::Key << name << YAML::Value << YAML::BeginMap << YAML::Key << "soft" << YAML::Value << limit.substr(0, limit.find(':'))
              << YAML::Key << "hard" << YAML::Value << limit.substr(limit.find(':') + 1) << YAML::EndMap;
        e << YAML::EndMap;
    }
    w.number("oom_score_adj", s.oom_score_adj);
    w.map("sysctls", s.sysctls);
    w.list("security_opt", s.security_opt);
    w.list("dns_search", s.dns_search);
    w.list("dns_opt", s.dns_opt);
    w.str("mac_address", s.mac_address);
    w.str("ipc", s.ipc);
    w.str("pid", s.pid);
    w.str("uts", s.uts);
    w.str("cgroup", s.cgroup);
    w.str("userns_mode", s.userns_mode);
    w.str("cgroup_parent", s.cgroup_parent);
    w.str("platform", s.platform);
    w.str("runtime", s.runtime);
    w.str("pull_policy", s.pull_policy);
    if (s.logging) {
        e << YAML::Key << "logging" << YAML::Value << YAML::BeginMap;
        w.str("driver", s.logging->driver);
        w.map("options", s.logging->options);
        e << YAML::EndMap;
    }
    w.list("volumes_from", s.volumes_from);
    w.map("annotations", s.annotations);
    if (s.secrets.empty())
        return;
    e << YAML::Key << "secrets" << YAML::Value << YAML::BeginSeq;
    for (auto const& secret : s.secrets) {
        e << YAML::BeginMap;
        w.str("source", secret.source);
        w.str("target", secret.target);
        w.str("uid", secret.uid);
        w.str("gid", secret.gid);
        w.str("mode", secret.mode);
        e << YAML::EndMap;
    }
    e << YAML::EndSeq;
}

void emit_secrets(Writer& w, std::vector<Secret> const& secrets)
{
    if (secrets.empty())
        return;
    auto& e = w.e;
    e << YAML::Key << "secrets" << YAML::Value << YAML::BeginMap;
    for (auto const& s : secrets) {
        e << YAML::Key << s.key << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name;
        w.flag("external", s.external);
        w.str("file", s.file);
        w.str("environment", s.environment);
        e << YAML::EndMap;
    }
    e << YAML::EndMap;
}

} // namespace

std::string emit_yaml(Project const& p)
{
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name;
    e << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
    Writer w { e };
    auto services = p.services;
    std::sort(services.begin(), services.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    for (auto const& s : services) {
        e << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
        if (s.build) {
            e << YAML::Key << "build" << YAML::Value << YAML::BeginMap;
            w.str("context", s.build->context);
            w.str("dockerfile", s.build->dockerfile);
            w.map("args", s.build->args);
            w.str("target", s.build->target);
            e << YAML::EndMap;
        }
        if (s.command)
            e << YAML::Key << "command" << YAML::Value << YAML::Flow << *s.command;
        if (s.entrypoint)
            e << YAML::Key << "entrypoint" << YAML::Value << YAML::Flow << *s.entrypoint;
        if (!s.depends_on.empty()) {
            e << YAML::Key << "depends_on" << YAML::Value << YAML::BeginMap;
            for (auto const& d : s.depends_on)
                e << YAML::Key << d.service << YAML::Value << YAML::BeginMap << YAML::Key << "condition" << YAML::Value << d.condition
                  << YAML::Key << "required" << YAML::Value << d.required << YAML::EndMap;
            e << YAML::EndMap;
        }
        w.list("environment", s.environment);
        w.list("env_file", s.env_files);
        w.list("expose", s.expose);
        if (s.healthcheck) {
            e << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
            if (!s.healthcheck->test.empty())
                e << YAML::Key << "test" << YAML::Value << YAML::Flow << s.healthcheck->test;
            w.str("interval", s.healthcheck->interval);
            w.str("timeout", s.healthcheck->timeout);
            w.str("start_period", s.healthcheck->start_period);
            if (s.healthcheck->retries)
                e << YAML::Key << "retries" << YAML::Value << *s.healthcheck->retries;
            if (s.healthcheck->disable)
                e << YAML::Key << "disable" << YAML::Value << true;
            e << YAML::EndMap;
        }
        w.str("image", s.image);
        w.map("labels", s.labels);
        w.str("network_mode", s.network_mode);
        if (!s.networks.empty()) {
            e << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
            for (auto const& n : s.networks) {
                e << YAML::Key << n.name << YAML::Value;
                if (n.aliases.empty() && n.ipv4_address.empty()) {
                    e << YAML::Null;
                    continue;
                }
                e << YAML::BeginMap;
                w.list("aliases", n.aliases);
                w.str("ipv4_address", n.ipv4_address);
                e << YAML::EndMap;
            }
            e << YAML::EndMap;
        }
        w.list("ports", s.ports);
        w.list("profiles", s.profiles);
        if (s.replicas != 1)
            e << YAML::Key << "deploy" << YAML::Value << YAML::BeginMap << YAML::Key << "replicas" << YAML::Value << s.replicas << YAML::EndMap;
        w.str("restart", s.restart);
        w.str("user", s.user);
        w.str("working_dir", s.working_dir);
        w.str("hostname", s.hostname);
        w.str("container_name", s.container_name);
        w.list("extra_hosts", s.extra_hosts);
        w.list("dns", s.dns);
        w.list("cap_add", s.cap_add);
        w.list("cap_drop", s.cap_drop);
        if (s.read_only)
            e << YAML::Key << "read_only" << YAML::Value << true;
        w.list("tmpfs", s.tmpfs);
        if (s.init)
            e << YAML::Key << "init" << YAML::Value << true;
        w.str("stop_signal", s.stop_signal);
        if (s.stop_grace_period)
            e << YAML::Key << "stop_grace_period" << YAML::Value << std::to_string(*s.stop_grace_period) + "s";
        if (!s.volumes.empty()) {
            e << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
            for (auto const& m : s.volumes) {
                e << YAML::BeginMap << YAML::Key << "type" << YAML::Value
                  << (m.type == Mount::Type::Bind ? "bind" : m.type == Mount::Type::Tmpfs ? "tmpfs" : "volume");
                w.str("source", m.source);
                e << YAML::Key << "target" << YAML::Value << m.target;
                if (m.read_only)
                    e << YAML::Key << "read_only" << YAML::Value << true;
                e << YAML::EndMap;
            }
            e << YAML::EndSeq;
        }
        emit_run_keys(w, s);
        e << YAML::EndMap;
    }
    e << YAML::EndMap;
    auto resources = [&](char const* key, auto const& items) {
        if (items.empty())
            return;
        e << YAML::Key << key << YAML::Value << YAML::BeginMap;
        for (auto const& r : items) {
            e << YAML::Key << r.key << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << r.name;
            if (r.external)
                e << YAML::Key << "external" << YAML::Value << true;
            w.str("driver", r.driver);
            w.map("labels", r.labels);
            e << YAML::EndMap;
        }
        e << YAML::EndMap;
    };
    resources("networks", p.networks);
    resources("volumes", p.volumes);
    emit_secrets(w, p.secrets);
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

} // namespace berth::compose
