// A Compose file into its canonical shape (see normalize.h). Every
// exception yaml-cpp throws is caught in normalize_file, the one wrapper.
#include "compose/normalize.h"
#include "base/yaml_load.h"

#include "compose/project.h"

#include <algorithm>
#include <map>
#include <set>

namespace berth::compose {

Error Where::error(std::string const& what) const
{
    std::string text = file;
    if (!service.empty())
        text += ": service " + service;
    if (!path.empty())
        text += ": " + path;
    return Error { EINVAL, text + ": " + what };
}

namespace {

using Node = YAML::Node;

std::string type_name(Node const& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "empty";
    default: return "a scalar";
    }
}

ErrorOr expect(Node const& n, YAML::NodeType::value type, char const* what, Where const& w)
{
    if (n.Type() != type)
        return w.error(std::string("must be ") + what + ", not " + type_name(n));
    return {};
}

Result<std::string> scalar(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Scalar, "a string", w));
    return n.Scalar();
}

Result<bool> boolean(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Scalar, "a boolean", w));
    bool b = false;
    if (!YAML::convert<bool>::decode(n, b))
        return w.error("must be true or false, not \"" + n.Scalar() + "\"");
    return b;
}

Result<int> integer(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Scalar, "an integer", w));
    int v = 0;
    if (!YAML::convert<int>::decode(n, v))
        return w.error("must be an integer, not \"" + n.Scalar() + "\"");
    return v;
}

/// A string or a list of strings, as a list.
Result<Node> string_list(Node const& n, Where const& w, bool allow_string = true)
{
    Node out(YAML::NodeType::Sequence);
    if (n.IsScalar() && allow_string) {
        out.push_back(n.Scalar());
        return out;
    }
    TRY(expect(n, YAML::NodeType::Sequence, allow_string ? "a string or a list of strings" : "a list of strings", w));
    for (size_t i = 0; i < n.size(); ++i)
        out.push_back(TRY(scalar(n[i], w.index(i))));
    return out;
}

/// A map of strings, or a list of "KEY=VALUE" (KEY alone: null), as a map; `sep` may also be ':' (extra_hosts).
Result<Node> string_map(Node const& n, Where const& w, char const* seps = "=")
{
    Node out(YAML::NodeType::Map);
    if (n.IsMap()) {
        for (auto const& kv : n) {
            auto key = kv.first.Scalar();
            if (kv.second.IsNull())
                out[key] = Node(YAML::NodeType::Null);
            else
                out[key] = TRY(scalar(kv.second, w.key(key)));
        }
        return out;
    }
    TRY(expect(n, YAML::NodeType::Sequence, "a map or a list of KEY=VALUE", w));
    for (size_t i = 0; i < n.size(); ++i) {
        auto item = TRY(scalar(n[i], w.index(i)));
        auto at = item.find_first_of(seps);
        if (at == 0)
            return w.index(i).error("\"" + item + "\" has no key");
        if (at == std::string::npos)
            out[item] = Node(YAML::NodeType::Null);
        else
            out[item.substr(0, at)] = item.substr(at + 1);
    }
    return out;
}

ErrorOr known_keys(Node const& n, std::set<std::string> const& keys, Where const& w)
{
    for (auto const& kv : n) {
        auto key = kv.first.Scalar();
        if (!keys.count(key) && key.rfind("x-", 0) != 0)
            return w.key(key).error("unknown key (is it spelled right?)");
    }
    return {};
}

std::string absolute(std::string const& path, std::string const& dir)
{
    if (path.empty() || path[0] == '/')
        return path;
    if (path == ".")
        return dir;
    if (path.rfind("./", 0) == 0)
        return dir + path.substr(1);
    return dir + "/" + path;
}

std::string host_path(std::string const& path, std::string const& dir, Variables const& vars)
{
    if (path == "~" || path.rfind("~/", 0) == 0) {
        auto home = vars.find("HOME");
        return (home != vars.end() ? home->second : "") + path.substr(1);
    }
    return absolute(path, dir);
}

Result<Node> normalize_build(Node const& n, Where const& w)
{
    Node out(YAML::NodeType::Map);
    if (n.IsScalar()) {
        out["context"] = n.Scalar();
        return out;
    }
    TRY(expect(n, YAML::NodeType::Map, "a path or a map", w));
    TRY(known_keys(n, { "context", "dockerfile", "args", "target", "labels", "cache_from", "network", "tags", "pull" }, w));
    for (auto key : { "context", "dockerfile", "target" })
        if (n[key])
            out[key] = TRY(scalar(n[key], w.key(key)));
    if (n["args"])
        out["args"] = TRY(string_map(n["args"], w.key("args")));
    return out;
}

/// [IP:][HOST:]CONTAINER[/PROTO] from the long syntax.
Result<std::string> long_port(Node const& n, Where const& w)
{
    TRY(known_keys(n, { "target", "published", "host_ip", "protocol", "mode", "name", "app_protocol" }, w));
    if (!n["target"])
        return w.key("target").error("is required");
    std::string text = TRY(scalar(n["target"], w.key("target")));
    if (n["published"])
        text = TRY(scalar(n["published"], w.key("published"))) + ":" + text;
    if (n["host_ip"]) {
        if (!n["published"])
            text = ":" + text;
        text = TRY(scalar(n["host_ip"], w.key("host_ip"))) + ":" + text;
    }
    if (n["protocol"])
        text += "/" + TRY(scalar(n["protocol"], w.key("protocol")));
    return text;
}

Result<Node> normalize_ports(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Sequence, "a list", w));
    Node out(YAML::NodeType::Sequence);
    for (size_t i = 0; i < n.size(); ++i)
        out.push_back(n[i].IsMap() ? TRY(long_port(n[i], w.index(i))) : TRY(scalar(n[i], w.index(i))));
    return out;
}

/// SRC:DST[:MODE] or DST into {type, source, target, read_only}.
Result<Node> short_volume(std::string const& spec, Where const& w, std::string const& dir, Variables const& vars)
{
    Node out(YAML::NodeType::Map);
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t at; (at = spec.find(':', start)) != std::string::npos; start = at + 1)
        parts.push_back(spec.substr(start, at - start));
    parts.push_back(spec.substr(start));
    if (parts.size() > 3 || parts[0].empty())
        return w.error("\"" + spec + "\" is not SOURCE:TARGET[:MODE] or TARGET");
    if (parts.size() == 1) {
        out["type"] = "volume";
        out["target"] = parts[0];
        return out;
    }
    auto const& source = parts[0];
    bool path = source[0] == '/' || source[0] == '.' || source[0] == '~';
    out["type"] = path ? "bind" : "volume";
    out["source"] = path ? host_path(source, dir, vars) : source;
    out["target"] = parts[1];
    if (parts.size() == 3) {
        for (size_t s = 0, e; s <= parts[2].size(); s = e + 1) {
            e = parts[2].find(',', s);
            if (e == std::string::npos)
                e = parts[2].size();
            auto mode = parts[2].substr(s, e - s);
            if (mode == "ro")
                out["read_only"] = true;
            else if (mode != "rw" && mode != "z" && mode != "Z" && mode != "cached" && mode != "delegated" && mode != "consistent")
                return w.error("unknown volume mode \"" + mode + "\" in \"" + spec + "\" (ro, rw, z, Z)");
        }
    }
    return out;
}

Result<Node> long_volume(Node const& n, Where const& w, std::string const& dir, Variables const& vars)
{
    TRY(known_keys(n, { "type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency" }, w));
    Node out(YAML::NodeType::Map);
    auto type = n["type"] ? TRY(scalar(n["type"], w.key("type"))) : std::string("volume");
    if (type != "volume" && type != "bind" && type != "tmpfs")
        return w.key("type").error("must be volume, bind or tmpfs, not \"" + type + "\"");
    out["type"] = type;
    if (!n["target"])
        return w.key("target").error("is required");
    out["target"] = TRY(scalar(n["target"], w.key("target")));
    if (n["source"]) {
        auto source = TRY(scalar(n["source"], w.key("source")));
        out["source"] = type == "bind" ? host_path(source, dir, vars) : source;
    } else if (type == "bind") {
        return w.key("source").error("is required for a bind mount");
    }
    if (n["read_only"] && TRY(boolean(n["read_only"], w.key("read_only"))))
        out["read_only"] = true;
    if (n["tmpfs"] && n["tmpfs"]["size"])
        out["size"] = TRY(scalar(n["tmpfs"]["size"], w.key("tmpfs.size")));
    return out;
}

Result<Node> normalize_volumes(Node const& n, Where const& w, std::string const& dir, Variables const& vars)
{
    TRY(expect(n, YAML::NodeType::Sequence, "a list", w));
    Node out(YAML::NodeType::Sequence);
    for (size_t i = 0; i < n.size(); ++i)
        out.push_back(n[i].IsMap() ? TRY(long_volume(n[i], w.index(i), dir, vars)) : TRY(short_volume(TRY(scalar(n[i], w.index(i))), w.index(i), dir, vars)));
    return out;
}

Result<Node> normalize_service_networks(Node const& n, Where const& w)
{
    Node out(YAML::NodeType::Map);
    if (n.IsSequence()) {
        for (size_t i = 0; i < n.size(); ++i)
            out[TRY(scalar(n[i], w.index(i)))] = Node(YAML::NodeType::Map);
        return out;
    }
    TRY(expect(n, YAML::NodeType::Map, "a list or a map", w));
    for (auto const& kv : n) {
        auto name = kv.first.Scalar();
        auto at = w.key(name);
        Node net(YAML::NodeType::Map);
        if (!kv.second.IsNull()) {
            TRY(expect(kv.second, YAML::NodeType::Map, "a map", at));
            TRY(known_keys(kv.second, { "aliases", "ipv4_address", "ipv6_address", "priority", "mac_address" }, at));
            if (kv.second["aliases"])
                net["aliases"] = TRY(string_list(kv.second["aliases"], at.key("aliases"), false));
            if (kv.second["ipv4_address"])
                net["ipv4_address"] = TRY(scalar(kv.second["ipv4_address"], at.key("ipv4_address")));
        }
        out[name] = net;
    }
    return out;
}

Result<Node> normalize_depends_on(Node const& n, Where const& w)
{
    Node out(YAML::NodeType::Map);
    if (n.IsSequence()) {
        for (size_t i = 0; i < n.size(); ++i) {
            Node dep(YAML::NodeType::Map);
            dep["condition"] = "service_started";
            out[TRY(scalar(n[i], w.index(i)))] = dep;
        }
        return out;
    }
    TRY(expect(n, YAML::NodeType::Map, "a list or a map", w));
    for (auto const& kv : n) {
        auto name = kv.first.Scalar();
        auto at = w.key(name);
        TRY(expect(kv.second, YAML::NodeType::Map, "a map", at));
        TRY(known_keys(kv.second, { "condition", "required", "restart" }, at));
        Node dep(YAML::NodeType::Map);
        auto condition = kv.second["condition"] ? TRY(scalar(kv.second["condition"], at.key("condition"))) : std::string("service_started");
        if (condition != "service_started" && condition != "service_healthy" && condition != "service_completed_successfully")
            return at.key("condition").error("must be service_started, service_healthy or service_completed_successfully, not \"" + condition + "\"");
        dep["condition"] = condition;
        if (kv.second["required"] && !TRY(boolean(kv.second["required"], at.key("required"))))
            dep["required"] = false;
        out[name] = dep;
    }
    return out;
}

Result<Node> normalize_healthcheck(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    TRY(known_keys(n, { "test", "interval", "timeout", "start_period", "start_interval", "retries", "disable" }, w));
    Node out(YAML::NodeType::Map);
    if (n["test"]) {
        if (n["test"].IsScalar()) {
            Node test(YAML::NodeType::Sequence);
            test.push_back("CMD-SHELL");
            test.push_back(n["test"].Scalar());
            out["test"] = test;
        } else {
            auto test = TRY(string_list(n["test"], w.key("test"), false));
            auto first = test.size() ? test[0].Scalar() : "";
            if (first != "CMD" && first != "CMD-SHELL" && first != "NONE")
                return w.key("test").error("a list must start with CMD, CMD-SHELL or NONE");
            out["test"] = test;
        }
    }
    for (auto key : { "interval", "timeout", "start_period" })
        if (n[key])
            out[key] = TRY(scalar(n[key], w.key(key)));
    if (n["retries"])
        out["retries"] = TRY(integer(n["retries"], w.key("retries")));
    if (n["disable"] && TRY(boolean(n["disable"], w.key("disable"))))
        out["disable"] = true;
    return out;
}

Result<Node> normalize_env_file(Node const& n, Where const& w, std::string const& dir)
{
    Node out(YAML::NodeType::Sequence);
    Node items = n;
    if (n.IsScalar()) {
        items = Node(YAML::NodeType::Sequence);
        items.push_back(n.Scalar());
    }
    TRY(expect(items, YAML::NodeType::Sequence, "a path or a list", w));
    for (size_t i = 0; i < items.size(); ++i) {
        Node file(YAML::NodeType::Map);
        if (items[i].IsMap()) {
            TRY(known_keys(items[i], { "path", "required", "format" }, w.index(i)));
            file["path"] = absolute(TRY(scalar(items[i]["path"], w.index(i).key("path"))), dir);
            if (items[i]["required"])
                file["required"] = TRY(boolean(items[i]["required"], w.index(i).key("required")));
        } else {
            file["path"] = absolute(TRY(scalar(items[i], w.index(i))), dir);
        }
        out.push_back(file);
    }
    return out;
}

/// A command or entrypoint: a list, or a string split as a shell would.
Result<Node> normalize_words(Node const& n, Where const& w)
{
    if (n.IsNull())
        return Node(YAML::NodeType::Sequence);
    if (n.IsSequence())
        return string_list(n, w, false);
    auto words = split_command(TRY(scalar(n, w)));
    if (!words)
        return w.error(words.error().message);
    Node out(YAML::NodeType::Sequence);
    for (auto const& word : *words)
        out.push_back(word);
    return out;
}

std::set<std::string> const supported_service_keys = {
    "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "expose", "volumes", "networks",
    "network_mode", "depends_on", "healthcheck", "restart", "user", "working_dir", "labels", "hostname", "extra_hosts",
    "dns", "cap_add", "cap_drop", "read_only", "tmpfs", "init", "stop_signal", "stop_grace_period", "profiles",
    "deploy", "container_name", "scale", "privileged", "tty", "stdin_open", "group_add", "devices", "mem_limit",
    "memswap_limit", "cpus", "cpu_shares", "pids_limit", "shm_size", "ulimits", "oom_score_adj", "sysctls",
    "security_opt", "dns_search", "dns_opt", "mac_address", "ipc", "pid", "uts", "cgroup", "userns_mode",
    "cgroup_parent", "platform", "runtime", "pull_policy", "logging", "volumes_from", "annotations", "secrets", "links",
};

/// Keys of the specification that change nothing berth or Podman could do:
/// accepted, and ignored.
std::set<std::string> const ignored_service_keys = {
    "attach",                                 // which logs an attached `up` shows: berth shows every service's
    "develop",                                // for `compose watch`, which berth does not have
    "cpu_count", "cpu_percent",               // Windows containers only
    "credential_spec", "isolation",           // Windows containers only
    "mem_swappiness", "oom_kill_disable",     // cgroup v2 has neither: `run` ignores the flags too
};

/// Keys berth cannot honour, with what to do instead: an error, never a silent drop.
std::map<std::string, std::string> const unsupported_service_keys = {
    { "mem_reservation", "berth sets no soft memory limit: remove it, or use mem_limit" },
    { "cpu_period", "use cpus instead" },
    { "cpu_quota", "use cpus instead" },
    { "cpu_rt_runtime", "berth sets no real-time CPU limits: remove it" },
    { "cpu_rt_period", "berth sets no real-time CPU limits: remove it" },
    { "cpuset", "berth cannot pin CPUs: remove it" },
    { "blkio_config", "berth sets no block I/O limits: remove it" },
    { "device_cgroup_rules", "list the devices under devices instead" },
    { "storage_opt", "berth's storage drivers take no per-container options: remove it" },
    { "configs", "mount the file with volumes instead" },
    { "domainname", "berth does not set the container's domain name: remove it" },
    { "external_links", "put both containers on a shared external network instead" },
};

ErrorOr scalar_keys(Node const& in, Node& out, Where const& w, std::initializer_list<char const*> keys)
{
    for (auto key : keys)
        if (in[key])
            out[key] = TRY(scalar(in[key], w.key(key)));
    return {};
}

ErrorOr list_keys(Node const& in, Node& out, Where const& w, std::initializer_list<char const*> keys)
{
    for (auto key : keys)
        if (in[key])
            out[key] = TRY(string_list(in[key], w.key(key)));
    return {};
}

/// devices: HOST[:CONTAINER[:PERMS]], or {source, target, permissions}, as --device strings.
Result<Node> normalize_devices(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Sequence, "a list", w));
    Node out(YAML::NodeType::Sequence);
    for (size_t i = 0; i < n.size(); ++i) {
        auto at = w.index(i);
        if (!n[i].IsMap()) {
            auto spec = TRY(scalar(n[i], at));
            if (spec.empty() || spec[0] == ':' || std::count(spec.begin(), spec.end(), ':') > 2)
                return at.error("\"" + spec + "\" is not HOST[:CONTAINER[:PERMISSIONS]]");
            out.push_back(spec);
            continue;
        }
        TRY(known_keys(n[i], { "source", "target", "permissions" }, at));
        if (!n[i]["source"])
            return at.key("source").error("is required");
        auto spec = TRY(scalar(n[i]["source"], at.key("source")));
        std::string target = n[i]["target"] ? TRY(scalar(n[i]["target"], at.key("target"))) : spec;
        spec.append(":").append(target);
        if (n[i]["permissions"])
            spec.append(":").append(TRY(scalar(n[i]["permissions"], at.key("permissions"))));
        out.push_back(spec);
    }
    return out;
}

/// ulimits: NAME: N (soft and hard) or NAME: {soft, hard}, as {soft, hard} maps.
Result<Node> normalize_ulimits(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    Node out(YAML::NodeType::Map);
    for (auto const& kv : n) {
        auto name = kv.first.Scalar();
        auto at = w.key(name);
        Node limit(YAML::NodeType::Map);
        if (kv.second.IsMap()) {
            TRY(known_keys(kv.second, { "soft", "hard" }, at));
            if (!kv.second["soft"] || !kv.second["hard"])
                return at.error("needs both soft and hard");
            limit["soft"] = TRY(scalar(kv.second["soft"], at.key("soft")));
            limit["hard"] = TRY(scalar(kv.second["hard"], at.key("hard")));
        } else {
            auto value = TRY(scalar(kv.second, at));
            limit["soft"] = value;
            limit["hard"] = value;
        }
        out[name] = limit;
    }
    return out;
}

Result<Node> normalize_logging(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    TRY(known_keys(n, { "driver", "options" }, w));
    Node out(YAML::NodeType::Map);
    if (n["driver"])
        out["driver"] = TRY(scalar(n["driver"], w.key("driver")));
    if (n["options"] && !n["options"].IsNull())
        out["options"] = TRY(string_map(n["options"], w.key("options")));
    return out;
}

/// A service's secrets: NAME, or {source, target, uid, gid, mode}, as maps.
Result<Node> normalize_service_secrets(Node const& n, Where const& w)
{
    TRY(expect(n, YAML::NodeType::Sequence, "a list", w));
    Node out(YAML::NodeType::Sequence);
    for (size_t i = 0; i < n.size(); ++i) {
        auto at = w.index(i);
        Node secret(YAML::NodeType::Map);
        if (!n[i].IsMap()) {
            secret["source"] = TRY(scalar(n[i], at));
        } else {
            TRY(known_keys(n[i], { "source", "target", "uid", "gid", "mode" }, at));
            if (!n[i]["source"])
                return at.key("source").error("is required");
            for (auto key : { "source", "target", "uid", "gid", "mode" })
                if (n[i][key])
                    secret[key] = TRY(scalar(n[i][key], at.key(key)));
        }
        out.push_back(secret);
    }
    return out;
}

/// A top-level secret: {file} or {environment} or {external, name}.
Result<Node> normalize_secret(Node const& n, Where const& w, std::string const& dir, Variables const& vars)
{
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    TRY(known_keys(n, { "file", "environment", "external", "name", "labels", "driver", "driver_opts", "template_driver" }, w));
    for (auto key : { "driver", "driver_opts", "template_driver" })
        if (n[key])
            return w.key(key).error("berth's secrets have the file driver only: remove it");
    Node out(YAML::NodeType::Map);
    TRY(scalar_keys(n, out, w, { "name", "environment" }));
    if (n["file"])
        out["file"] = host_path(TRY(scalar(n["file"], w.key("file"))), dir, vars);
    if (n["external"])
        out["external"] = TRY(boolean(n["external"], w.key("external")));
    if (n["labels"])
        out["labels"] = TRY(string_map(n["labels"], w.key("labels")));
    bool external = out["external"] && out["external"].as<bool>();
    int sources = (out["file"] ? 1 : 0) + (out["environment"] ? 1 : 0) + (external ? 1 : 0);
    if (sources != 1)
        return w.error("give exactly one of file, environment or external: true");
    return out;
}

Result<Node> normalize_service(Node const& n, Where const& w, std::string const& dir, Variables const& vars)
{
    if (n.IsNull())
        return Node(YAML::NodeType::Map);
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    Node out(YAML::NodeType::Map);
    for (auto const& kv : n) {
        auto key = kv.first.Scalar();
        if (auto it = unsupported_service_keys.find(key); it != unsupported_service_keys.end())
            return w.key(key).error("is not supported by berth: " + it->second);
        if (!supported_service_keys.count(key) && !ignored_service_keys.count(key) && key.rfind("x-", 0) != 0)
            return w.key(key).error("unknown key (is it spelled right?)");
    }
    TRY(scalar_keys(n, out, w, { "image", "network_mode", "restart", "user", "working_dir", "hostname", "stop_signal",
        "stop_grace_period", "container_name", "mem_limit", "memswap_limit", "cpus", "shm_size", "mac_address", "ipc", "pid",
        "uts", "cgroup", "userns_mode", "cgroup_parent", "platform", "runtime", "pull_policy" }));
    TRY(list_keys(n, out, w, { "dns", "cap_add", "cap_drop", "tmpfs", "profiles", "expose", "group_add", "security_opt",
        "dns_search", "dns_opt", "volumes_from", "links" }));
    for (auto key : { "read_only", "init", "privileged", "tty", "stdin_open" })
        if (n[key])
            out[key] = TRY(boolean(n[key], w.key(key)));
    for (auto key : { "cpu_shares", "pids_limit", "oom_score_adj" })
        if (n[key])
            out[key] = TRY(integer(n[key], w.key(key)));
    for (auto key : { "sysctls", "annotations" })
        if (n[key])
            out[key] = TRY(string_map(n[key], w.key(key)));
    if (n["devices"])
        out["devices"] = TRY(normalize_devices(n["devices"], w.key("devices")));
    if (n["ulimits"])
        out["ulimits"] = TRY(normalize_ulimits(n["ulimits"], w.key("ulimits")));
    if (n["logging"])
        out["logging"] = TRY(normalize_logging(n["logging"], w.key("logging")));
    if (n["secrets"])
        out["secrets"] = TRY(normalize_service_secrets(n["secrets"], w.key("secrets")));
    if (n["build"])
        out["build"] = TRY(normalize_build(n["build"], w.key("build")));
    for (auto key : { "command", "entrypoint" })
        if (n[key])
            out[key] = TRY(normalize_words(n[key], w.key(key)));
    if (n["environment"])
        out["environment"] = TRY(string_map(n["environment"], w.key("environment")));
    if (n["labels"])
        out["labels"] = TRY(string_map(n["labels"], w.key("labels")));
    if (n["extra_hosts"])
        out["extra_hosts"] = TRY(string_map(n["extra_hosts"], w.key("extra_hosts"), "=:"));
    if (n["env_file"])
        out["env_file"] = TRY(normalize_env_file(n["env_file"], w.key("env_file"), dir));
    if (n["ports"])
        out["ports"] = TRY(normalize_ports(n["ports"], w.key("ports")));
    if (n["volumes"])
        out["volumes"] = TRY(normalize_volumes(n["volumes"], w.key("volumes"), dir, vars));
    if (n["networks"])
        out["networks"] = TRY(normalize_service_networks(n["networks"], w.key("networks")));
    if (n["depends_on"])
        out["depends_on"] = TRY(normalize_depends_on(n["depends_on"], w.key("depends_on")));
    if (n["healthcheck"])
        out["healthcheck"] = TRY(normalize_healthcheck(n["healthcheck"], w.key("healthcheck")));
    if (n["scale"])
        out["replicas"] = TRY(integer(n["scale"], w.key("scale")));
    if (auto deploy = n["deploy"]) {
        TRY(expect(deploy, YAML::NodeType::Map, "a map", w.key("deploy")));
        if (deploy["replicas"])
            out["replicas"] = TRY(integer(deploy["replicas"], w.key("deploy.replicas")));
    }
    if (out["replicas"] && out["replicas"].as<int>() < 0)
        return w.key("deploy.replicas").error("must not be negative");
    return out;
}

/// A top-level volume or network: null or {name, external, driver, labels, ...}.
Result<Node> normalize_resource(Node const& n, Where const& w, std::set<std::string> const& keys)
{
    Node out(YAML::NodeType::Map);
    if (n.IsNull())
        return out;
    TRY(expect(n, YAML::NodeType::Map, "a map", w));
    TRY(known_keys(n, keys, w));
    TRY(scalar_keys(n, out, w, { "name", "driver" }));
    if (auto ext = n["external"]) {
        if (ext.IsMap()) {
            out["external"] = true;
            if (ext["name"])
                out["name"] = TRY(scalar(ext["name"], w.key("external.name")));
        } else {
            out["external"] = TRY(boolean(ext, w.key("external")));
        }
    }
    if (n["internal"])
        out["internal"] = TRY(boolean(n["internal"], w.key("internal")));
    if (n["labels"])
        out["labels"] = TRY(string_map(n["labels"], w.key("labels")));
    return out;
}

/// Every scalar value (not key) interpolated.
ErrorOr interpolate_node(Node n, Variables const& vars, Where const& w)
{
    if (n.IsScalar()) {
        auto text = interpolate(n.Scalar(), vars);
        if (!text)
            return w.error(text.error().message);
        if (*text != n.Scalar())
            n = *text;
        return {};
    }
    if (n.IsSequence())
        for (size_t i = 0; i < n.size(); ++i)
            TRY(interpolate_node(n[i], vars, w.index(i)));
    if (n.IsMap())
        for (auto kv : n)
            TRY(interpolate_node(kv.second, vars, w.key(kv.first.Scalar())));
    return {};
}

Result<Node> normalize_top(Node const& doc, std::string const& file, Variables const& vars, std::string const& dir)
{
    Where top { file, "", "" };
    if (doc.IsNull())
        return top.error("the file is empty");
    TRY(expect(doc, YAML::NodeType::Map, "a map (a Compose file)", top));
    TRY(known_keys(doc, { "version", "name", "services", "volumes", "networks", "secrets", "configs", "include" }, top));
    // Interpolate service by service, so that an error names the service.
    for (auto kv : doc) {
        auto key = kv.first.Scalar();
        if (key == "services" && kv.second.IsMap()) {
            for (auto s : kv.second)
                TRY(interpolate_node(s.second, vars, Where { file, s.first.Scalar(), "" }));
        } else {
            TRY(interpolate_node(kv.second, vars, top.key(key)));
        }
    }
    Node out(YAML::NodeType::Map);
    if (doc["name"])
        out["name"] = TRY(scalar(doc["name"], top.key("name")));
    Node services(YAML::NodeType::Map);
    if (doc["services"]) {
        TRY(expect(doc["services"], YAML::NodeType::Map, "a map", top.key("services")));
        for (auto const& kv : doc["services"]) {
            auto name = kv.first.Scalar();
            services[name] = TRY(normalize_service(kv.second, Where { file, name, "" }, dir, vars));
        }
    }
    out["services"] = services;
    if (doc["secrets"]) {
        Node secrets(YAML::NodeType::Map);
        TRY(expect(doc["secrets"], YAML::NodeType::Map, "a map", top.key("secrets")));
        for (auto const& kv : doc["secrets"])
            secrets[kv.first.Scalar()] = TRY(normalize_secret(kv.second, top.key("secrets").key(kv.first.Scalar()), dir, vars));
        out["secrets"] = secrets;
    }
    for (auto key : { "volumes", "networks" }) {
        Node resources(YAML::NodeType::Map);
        if (doc[key]) {
            TRY(expect(doc[key], YAML::NodeType::Map, "a map", top.key(key)));
            for (auto const& kv : doc[key])
                resources[kv.first.Scalar()] = TRY(normalize_resource(kv.second, top.key(key).key(kv.first.Scalar()),
                    std::string(key) == "volumes" ? std::set<std::string> { "name", "external", "driver", "driver_opts", "labels" }
                                                  : std::set<std::string> { "name", "external", "driver", "driver_opts", "labels", "internal", "ipam", "attachable", "enable_ipv6" }));
        }
        out[key] = resources;
    }
    return out;
}

} // namespace

Result<Node> normalize_file(std::string const& file, std::string const& text, Variables const& vars, std::string const& working_dir)
{
    auto loaded = load_yaml(text);
    if (!loaded)
        return std::move(loaded.error()).with_context(file);
    try {
        return normalize_top(*loaded, file, vars, working_dir);
    } catch (YAML::Exception const& e) {
        return Error { EINVAL, file + ": " + yaml_exception_message(e) };
    }
}

namespace {

/// The keys whose later value replaces the earlier one instead of merging with it.
bool replaces(std::string const& key)
{
    return key == "command" || key == "entrypoint" || key == "test" || key == "profiles";
}

/// Two lists: the first's items, then the second's not in it (volumes: a later one for the same target replaces).
Node merge_lists(Node const& base, Node const& over, std::string const& key)
{
    Node out(YAML::NodeType::Sequence);
    auto same = [&](Node const& a, Node const& b) {
        if (key == "volumes" && a.IsMap() && b.IsMap())
            return a["target"].Scalar() == b["target"].Scalar();
        return YAML::Dump(a) == YAML::Dump(b);
    };
    for (auto const& item : base) {
        bool replaced = false;
        for (auto const& o : over)
            replaced = replaced || same(item, o);
        if (!replaced)
            out.push_back(YAML::Clone(item));
    }
    for (auto const& o : over)
        out.push_back(YAML::Clone(o));
    return out;
}

Node merge_nodes(Node const& base, Node const& over, std::string const& key)
{
    if (base.IsMap() && over.IsMap()) {
        Node out = YAML::Clone(base);
        for (auto const& kv : over) {
            auto k = kv.first.Scalar();
            out[k] = (out[k] && !replaces(k)) ? merge_nodes(out[k], kv.second, k) : YAML::Clone(kv.second);
        }
        return out;
    }
    if (base.IsSequence() && over.IsSequence() && !replaces(key))
        return merge_lists(base, over, key);
    return YAML::Clone(over);
}

} // namespace

YAML::Node merge_files(YAML::Node const& base, YAML::Node const& over)
{
    return merge_nodes(base, over, "");
}

} // namespace berth::compose
