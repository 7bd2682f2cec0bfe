// The typed project from the merged canonical YAML (see project.h): the
// project's name, the profiles, references between services, volumes and
// networks, and the order of the services.
#include "compose/project.h"

#include "compose/normalize.h"

#include <algorithm>
#include <functional>
#include <set>

namespace berth::compose {

namespace {

using Node = YAML::Node;

std::vector<std::string> strings(Node const& n)
{
    std::vector<std::string> out;
    if (n)
        for (auto const& item : n)
            out.push_back(item.Scalar());
    return out;
}

std::map<std::string, std::string> string_map(Node const& n)
{
    std::map<std::string, std::string> out;
    if (n)
        for (auto const& kv : n)
            out[kv.first.Scalar()] = kv.second.IsNull() ? "" : kv.second.Scalar();
    return out;
}

std::string text(Node const& n) { return n ? n.Scalar() : ""; }

/// "1m30s", "10s", "500ms", "2h" or bare seconds, into whole seconds.
std::optional<int> duration_seconds(std::string const& s)
{
    if (s.empty())
        return std::nullopt;
    double total = 0;
    size_t i = 0;
    while (i < s.size()) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(s.substr(i), &used);
        } catch (std::exception const&) {
            return std::nullopt;
        }
        i += used;
        std::string unit;
        while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])))
            unit += s[i++];
        if (unit == "h")
            total += v * 3600;
        else if (unit == "m")
            total += v * 60;
        else if (unit == "s" || unit.empty())
            total += v;
        else if (unit == "ms")
            total += v / 1000;
        else if (unit == "us" || unit == "ns")
            total += 0;
        else
            return std::nullopt;
    }
    return static_cast<int>(total);
}

Result<Service> read_service(std::string const& name, Node const& n, Where const& w)
{
    Service s;
    s.name = name;
    s.image = text(n["image"]);
    if (auto b = n["build"]) {
        Build build;
        if (b["context"])
            build.context = b["context"].Scalar();
        build.dockerfile = text(b["dockerfile"]);
        build.target = text(b["target"]);
        build.args = string_map(b["args"]);
        s.build = build;
    }
    if (s.image.empty() && !s.build)
        return w.error("has neither image nor build: give it an image");
    if (n["command"])
        s.command = strings(n["command"]);
    if (n["entrypoint"])
        s.entrypoint = strings(n["entrypoint"]);
    for (auto const& [key, value] : string_map(n["environment"]))
        s.environment.push_back(n["environment"][key].IsNull() ? key : key + "=" + value);
    if (auto files = n["env_file"])
        for (auto const& f : files)
            s.env_files.push_back((f["required"] && !f["required"].as<bool>() ? "?" : "") + f["path"].Scalar());
    s.ports = strings(n["ports"]);
    s.expose = strings(n["expose"]);
    if (auto volumes = n["volumes"])
        for (auto const& v : volumes) {
            Mount m;
            auto type = v["type"].Scalar();
            m.type = type == "bind" ? Mount::Type::Bind : type == "tmpfs" ? Mount::Type::Tmpfs : Mount::Type::Volume;
            m.source = text(v["source"]);
            m.target = v["target"].Scalar();
            m.read_only = v["read_only"] && v["read_only"].as<bool>();
            m.tmpfs_size = text(v["size"]);
            s.volumes.push_back(m);
        }
    if (auto networks = n["networks"])
        for (auto const& kv : networks)
            s.networks.push_back({ kv.first.Scalar(), strings(kv.second["aliases"]), text(kv.second["ipv4_address"]) });
    s.network_mode = text(n["network_mode"]);
    if (!s.network_mode.empty() && !s.networks.empty())
        return w.key("network_mode").error("cannot be used together with networks");
    if (auto deps = n["depends_on"])
        for (auto const& kv : deps)
            s.depends_on.push_back({ kv.first.Scalar(), text(kv.second["condition"]),
                !(kv.second["required"] && !kv.second["required"].as<bool>()) });
    if (auto hc = n["healthcheck"]) {
        Healthcheck h;
        h.test = strings(hc["test"]);
        h.interval = text(hc["interval"]);
        h.timeout = text(hc["timeout"]);
        h.start_period = text(hc["start_period"]);
        if (hc["retries"])
            h.retries = hc["retries"].as<int>();
        h.disable = hc["disable"] && hc["disable"].as<bool>();
        s.healthcheck = h;
    }
    s.restart = text(n["restart"]);
    if (!s.restart.empty() && s.restart != "no" && s.restart != "always" && s.restart != "unless-stopped" && s.restart.rfind("on-failure", 0) != 0)
        return w.key("restart").error("must be no, always, on-failure[:N] or unless-stopped, not \"" + s.restart + "\"");
    s.user = text(n["user"]);
    s.working_dir = text(n["working_dir"]);
    s.hostname = text(n["hostname"]);
    s.container_name = text(n["container_name"]);
    s.labels = string_map(n["labels"]);
    for (auto const& [host, ip] : string_map(n["extra_hosts"]))
        s.extra_hosts.push_back(host + ":" + ip);
    s.dns = strings(n["dns"]);
    s.cap_add = strings(n["cap_add"]);
    s.cap_drop = strings(n["cap_drop"]);
    s.read_only = n["read_only"] && n["read_only"].as<bool>();
    s.tmpfs = strings(n["tmpfs"]);
    s.init = n["init"] && n["init"].as<bool>();
    s.stop_signal = text(n["stop_signal"]);
    if (n["stop_grace_period"]) {
        s.stop_grace_period = duration_seconds(text(n["stop_grace_period"]));
        if (!s.stop_grace_period)
            return w.key("stop_grace_period").error("\"" + text(n["stop_grace_period"]) + "\" is not a duration such as 10s or 1m30s");
    }
    s.profiles = strings(n["profiles"]);
    if (n["replicas"])
        s.replicas = n["replicas"].as<int>();
    return s;
}

template<typename T>
Result<std::vector<T>> read_resources(Node const& n, std::string const& project)
{
    std::vector<T> out;
    for (auto const& kv : n) {
        T r;
        r.key = kv.first.Scalar();
        r.external = kv.second["external"] && kv.second["external"].as<bool>();
        r.driver = text(kv.second["driver"]);
        r.labels = string_map(kv.second["labels"]);
        r.name = kv.second["name"] ? kv.second["name"].Scalar() : r.external ? r.key : project + "_" + r.key;
        if constexpr (std::is_same_v<T, Network>)
            r.internal = kv.second["internal"] && kv.second["internal"].as<bool>();
        out.push_back(r);
    }
    return out;
}

bool valid_project_name(std::string const& name)
{
    if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || std::isdigit(static_cast<unsigned char>(name[0]))))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

Result<std::string> project_name(LoadInput const& in, Node const& merged)
{
    auto check = [](std::string const& name, std::string const& from) -> Result<std::string> {
        if (!valid_project_name(name))
            return Error { EINVAL, from + " \"" + name + "\" is not a valid project name: use lower-case letters, digits, '-' and '_', starting with a letter or digit" };
        return name;
    };
    if (!in.project_name.empty())
        return check(in.project_name, "-p");
    if (auto env = in.variables.find("COMPOSE_PROJECT_NAME"); env != in.variables.end() && !env->second.empty())
        return check(env->second, "COMPOSE_PROJECT_NAME");
    if (merged["name"])
        return check(merged["name"].Scalar(), "name:");
    auto dir = in.working_dir;
    auto name = normalize_project_name(dir.substr(dir.rfind('/') + 1));
    if (name.empty())
        return Error { EINVAL, "cannot derive a project name from the directory " + dir + ": give one with -p" };
    return name;
}

/// Profiles: a service with profiles runs only when one of them is active.
bool enabled(Service const& s, std::vector<std::string> const& active)
{
    if (s.profiles.empty())
        return true;
    return std::any_of(s.profiles.begin(), s.profiles.end(), [&](auto const& p) {
        return p == "*" || std::find(active.begin(), active.end(), p) != active.end() || std::find(active.begin(), active.end(), "*") != active.end();
    });
}

/// depends_on, networks and named volumes name things the file defines.
ErrorOr check_references(Project const& p, std::string const& files)
{
    std::set<std::string> enabled_names, all_names(p.disabled.begin(), p.disabled.end());
    for (auto const& s : p.services) {
        enabled_names.insert(s.name);
        all_names.insert(s.name);
    }
    for (auto const& s : p.services) {
        Where w { files, s.name, "" };
        for (auto const& d : s.depends_on) {
            if (!all_names.count(d.service))
                return w.key("depends_on").error("service \"" + d.service + "\" is not defined");
            if (!enabled_names.count(d.service) && d.required)
                return w.key("depends_on").error("service \"" + d.service + "\" is not enabled by the active profiles: add --profile");
        }
        for (auto const& n : s.networks)
            if (std::none_of(p.networks.begin(), p.networks.end(), [&](auto const& net) { return net.key == n.name; }))
                return w.key("networks").error("network \"" + n.name + "\" is not declared in the top-level networks");
        for (auto const& m : s.volumes)
            if (m.type == Mount::Type::Volume && !m.source.empty()
                && std::none_of(p.volumes.begin(), p.volumes.end(), [&](auto const& v) { return v.key == m.source; }))
                return w.key("volumes").error("volume \"" + m.source + "\" is not declared in the top-level volumes");
        if (s.network_mode.rfind("service:", 0) == 0 && !all_names.count(s.network_mode.substr(8)))
            return w.key("network_mode").error("service \"" + s.network_mode.substr(8) + "\" is not defined");
    }
    return {};
}

/// The project's resolved model as YAML, for `compose config`.
std::string emit_yaml(Project const& p)
{
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << p.name;
    e << YAML::Key << "services" << YAML::Value << YAML::BeginMap;
    auto list = [&](char const* key, std::vector<std::string> const& v) {
        if (!v.empty())
            e << YAML::Key << key << YAML::Value << v;
    };
    auto str = [&](char const* key, std::string const& v) {
        if (!v.empty())
            e << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << v;
    };
    auto map = [&](char const* key, std::map<std::string, std::string> const& m) {
        if (m.empty())
            return;
        e << YAML::Key << key << YAML::Value << YAML::BeginMap;
        for (auto const& [k, v] : m)
            e << YAML::Key << k << YAML::Value << YAML::DoubleQuoted << v;
        e << YAML::EndMap;
    };
    auto services = p.services;
    std::sort(services.begin(), services.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    for (auto const& s : services) {
        e << YAML::Key << s.name << YAML::Value << YAML::BeginMap;
        if (s.build) {
            e << YAML::Key << "build" << YAML::Value << YAML::BeginMap;
            str("context", s.build->context);
            str("dockerfile", s.build->dockerfile);
            map("args", s.build->args);
            str("target", s.build->target);
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
        list("environment", s.environment);
        list("env_file", s.env_files);
        list("expose", s.expose);
        if (s.healthcheck) {
            e << YAML::Key << "healthcheck" << YAML::Value << YAML::BeginMap;
            if (!s.healthcheck->test.empty())
                e << YAML::Key << "test" << YAML::Value << YAML::Flow << s.healthcheck->test;
            str("interval", s.healthcheck->interval);
            str("timeout", s.healthcheck->timeout);
            str("start_period", s.healthcheck->start_period);
            if (s.healthcheck->retries)
                e << YAML::Key << "retries" << YAML::Value << *s.healthcheck->retries;
            if (s.healthcheck->disable)
                e << YAML::Key << "disable" << YAML::Value << true;
            e << YAML::EndMap;
        }
        str("image", s.image);
        map("labels", s.labels);
        str("network_mode", s.network_mode);
        if (!s.networks.empty()) {
            e << YAML::Key << "networks" << YAML::Value << YAML::BeginMap;
            for (auto const& n : s.networks) {
                e << YAML::Key << n.name << YAML::Value;
                if (n.aliases.empty() && n.ipv4_address.empty()) {
                    e << YAML::Null;
                    continue;
                }
                e << YAML::BeginMap;
                list("aliases", n.aliases);
                str("ipv4_address", n.ipv4_address);
                e << YAML::EndMap;
            }
            e << YAML::EndMap;
        }
        list("ports", s.ports);
        list("profiles", s.profiles);
        if (s.replicas != 1)
            e << YAML::Key << "deploy" << YAML::Value << YAML::BeginMap << YAML::Key << "replicas" << YAML::Value << s.replicas << YAML::EndMap;
        str("restart", s.restart);
        str("user", s.user);
        str("working_dir", s.working_dir);
        str("hostname", s.hostname);
        str("container_name", s.container_name);
        list("extra_hosts", s.extra_hosts);
        list("dns", s.dns);
        list("cap_add", s.cap_add);
        list("cap_drop", s.cap_drop);
        if (s.read_only)
            e << YAML::Key << "read_only" << YAML::Value << true;
        list("tmpfs", s.tmpfs);
        if (s.init)
            e << YAML::Key << "init" << YAML::Value << true;
        str("stop_signal", s.stop_signal);
        if (s.stop_grace_period)
            e << YAML::Key << "stop_grace_period" << YAML::Value << std::to_string(*s.stop_grace_period) + "s";
        if (!s.volumes.empty()) {
            e << YAML::Key << "volumes" << YAML::Value << YAML::BeginSeq;
            for (auto const& m : s.volumes) {
                e << YAML::BeginMap << YAML::Key << "type" << YAML::Value
                  << (m.type == Mount::Type::Bind ? "bind" : m.type == Mount::Type::Tmpfs ? "tmpfs" : "volume");
                str("source", m.source);
                e << YAML::Key << "target" << YAML::Value << m.target;
                if (m.read_only)
                    e << YAML::Key << "read_only" << YAML::Value << true;
                e << YAML::EndMap;
            }
            e << YAML::EndSeq;
        }
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
            str("driver", r.driver);
            map("labels", r.labels);
            e << YAML::EndMap;
        }
        e << YAML::EndMap;
    };
    resources("networks", p.networks);
    resources("volumes", p.volumes);
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

Result<Project> build_project(LoadInput const& in, Node const& merged)
{
    Project p;
    p.name = TRY(project_name(in, merged));
    p.working_dir = in.working_dir;
    for (auto const& [path, text] : in.files)
        p.config_files.push_back(path);
    std::string files;
    for (auto const& f : p.config_files)
        files += (files.empty() ? "" : ", ") + f.substr(f.rfind('/') + 1);
    p.volumes = TRY(read_resources<Volume>(merged["volumes"], p.name));
    p.networks = TRY(read_resources<Network>(merged["networks"], p.name));
    std::vector<Service> services;
    bool uses_default = false;
    for (auto const& kv : merged["services"]) {
        auto s = TRY(read_service(kv.first.Scalar(), kv.second, Where { files, kv.first.Scalar(), "" }));
        if (!enabled(s, in.profiles)) {
            p.disabled.push_back(s.name);
            continue;
        }
        // network_mode service:X needs X running first.
        if (s.network_mode.rfind("service:", 0) == 0
            && std::none_of(s.depends_on.begin(), s.depends_on.end(), [&](auto const& d) { return d.service == s.network_mode.substr(8); }))
            s.depends_on.push_back({ s.network_mode.substr(8), "service_started", true });
        if (s.network_mode.empty() && s.networks.empty()) {
            s.networks.push_back({ "default", {}, {} });
            uses_default = true;
        }
        services.push_back(std::move(s));
    }
    if (services.empty() && p.disabled.empty())
        return Error { EINVAL, files + ": no services are defined" };
    if (uses_default && std::none_of(p.networks.begin(), p.networks.end(), [](auto const& n) { return n.key == "default"; }))
        p.networks.push_back(Network { "default", p.name + "_default", false, "", false, {} });
    p.services = std::move(services);
    TRY(check_references(p, files));
    p.services = TRY(dependency_order(std::move(p.services)));
    p.yaml = emit_yaml(p);
    return p;
}

} // namespace

Service const* Project::service(std::string const& name) const
{
    for (auto const& s : services)
        if (s.name == name)
            return &s;
    return nullptr;
}

std::string normalize_project_name(std::string const& name)
{
    std::string out;
    for (char c : name) {
        char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (std::islower(static_cast<unsigned char>(l)) || std::isdigit(static_cast<unsigned char>(l)) || l == '_' || l == '-')
            out += l;
    }
    auto first = out.find_first_not_of("_-");
    return first == std::string::npos ? "" : out.substr(first);
}

Result<std::vector<Service>> dependency_order(std::vector<Service> services)
{
    std::sort(services.begin(), services.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    std::map<std::string, Service const*> by_name;
    for (auto const& s : services)
        by_name[s.name] = &s;
    std::vector<Service> out;
    std::map<std::string, int> state;  // 1: visiting, 2: done
    std::vector<std::string> stack;
    std::function<ErrorOr(Service const&)> visit = [&](Service const& s) -> ErrorOr {
        if (state[s.name] == 2)
            return {};
        if (state[s.name] == 1) {
            std::string cycle;
            for (auto it = std::find(stack.begin(), stack.end(), s.name); it != stack.end(); ++it)
                cycle += *it + " -> ";
            return Error { EINVAL, "dependency cycle between services: " + cycle + s.name };
        }
        state[s.name] = 1;
        stack.push_back(s.name);
        for (auto const& d : s.depends_on)
            if (auto it = by_name.find(d.service); it != by_name.end())
                TRY(visit(*it->second));
        stack.pop_back();
        state[s.name] = 2;
        out.push_back(s);
        return {};
    };
    for (auto const& s : services)
        TRY(visit(s));
    return out;
}

Result<std::vector<std::string>> split_command(std::string const& text)
{
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word)
                words.push_back(std::move(word));
            word.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\\' && i + 1 < text.size()) {
            word += text[++i];
        } else if (c == '\'') {
            auto end = text.find('\'', i + 1);
            if (end == std::string::npos)
                return Error { EINVAL, "unterminated single quote in \"" + text + "\"" };
            word += text.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            size_t j = i + 1;
            for (; j < text.size() && text[j] != '"'; ++j) {
                if (text[j] == '\\' && j + 1 < text.size() && (text[j + 1] == '"' || text[j + 1] == '\\' || text[j + 1] == '$'))
                    ++j;
                word += text[j];
            }
            if (j >= text.size())
                return Error { EINVAL, "unterminated double quote in \"" + text + "\"" };
            i = j;
        } else {
            word += c;
        }
    }
    if (in_word)
        words.push_back(std::move(word));
    return words;
}

Result<Project> load_project(LoadInput const& input)
{
    if (input.files.empty())
        return Error { ENOENT, "no Compose file given" };
    Node merged;
    try {
        for (auto const& [path, text] : input.files) {
            auto file = TRY(normalize_file(path, text, input.variables, input.working_dir));
            merged = merged ? merge_files(merged, file) : file;
        }
        return build_project(input, merged);
    } catch (YAML::Exception const& e) {
        return Error { EINVAL, input.files.front().first + ": " + e.msg };
    }
}

} // namespace berth::compose
