// The typed project from the merged canonical YAML (see project.h): the
// project's name, the profiles, references between services, volumes and
// networks, and the order of the services.
#include "compose/project.h"

#include "compose/config_yaml.h"
#include "compose/convert.h"
#include "compose/normalize.h"
#include "container/options.h"
#include "rootless/idmap.h"
#include "runtime/cgroups.h"
#include "runtime/rlimits.h"

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

/// A failure of `run`'s own parser for a flag, said of the key that gave its value.
template<typename R>
ErrorOr said_of(Where const& w, R const& parsed)
{
    if (!parsed)
        return w.error(parsed.error().message);
    return {};
}

/// "0440" and "0o440" are octal (as YAML 1.1 and Compose read them), "288" decimal: as --secret's octal mode=.
std::string octal_mode(std::string const& mode)
{
    if (mode.rfind("0o", 0) == 0)
        return "0" + mode.substr(2);
    if (mode.empty() || mode[0] == '0' || mode.find_first_not_of("0123456789") != std::string::npos)
        return mode;
    char text[16];
    std::snprintf(text, sizeof text, "0%lo", std::stoul(mode));
    return text;
}

/// The keys that map one to one to a flag of `run`: read, then checked by that flag's parser.
ErrorOr read_run_flags(Service& s, Node const& n, Where const& w)
{
    auto flag = [&](char const* key) { return n[key] && n[key].as<bool>(); };
    s.privileged = flag("privileged");
    s.tty = flag("tty");
    s.stdin_open = flag("stdin_open");
    s.group_add = strings(n["group_add"]);
    s.devices = strings(n["devices"]);
    s.mem_limit = text(n["mem_limit"]);
    s.memswap_limit = text(n["memswap_limit"]);
    s.cpus = text(n["cpus"]);
    s.shm_size = text(n["shm_size"]);
    namespace cg = runtime::cgroups;
    if (!s.mem_limit.empty())
        TRY(said_of(w.key("mem_limit"), cg::parse_size(s.mem_limit)));
    if (!s.memswap_limit.empty()) {
        auto swap = cg::parse_swap(s.memswap_limit);
        TRY(said_of(w.key("memswap_limit"), swap));
        if (swap.value() > 0 && (s.mem_limit.empty() || cg::parse_size(s.mem_limit).value() > swap.value()))
            return w.key("memswap_limit").error("must be at least mem_limit (it is memory plus swap), and needs mem_limit");
    }
    if (!s.cpus.empty())
        TRY(said_of(w.key("cpus"), cg::parse_cpus(s.cpus)));
    if (!s.shm_size.empty())
        TRY(said_of(w.key("shm_size"), cg::parse_size(s.shm_size)));
    if (n["cpu_shares"]) {
        if (n["cpu_shares"].as<int>() < 0)
            return w.key("cpu_shares").error("must not be negative");
        s.cpu_shares = n["cpu_shares"].as<int>();
    }
    if (n["pids_limit"])
        s.pids_limit = n["pids_limit"].as<int>();
    if (n["oom_score_adj"])
        s.oom_score_adj = n["oom_score_adj"].as<int>();
    if (auto ulimits = n["ulimits"])
        for (auto const& kv : ulimits) {
            auto limit = kv.second["soft"].Scalar() + ":" + kv.second["hard"].Scalar();
            TRY(said_of(w.key("ulimits").key(kv.first.Scalar()), runtime::parse_ulimit(kv.first.Scalar() + "=" + limit)));
            s.ulimits[kv.first.Scalar()] = limit;
        }
    for (auto const& [key, value] : string_map(n["sysctls"])) {
        if (n["sysctls"][key].IsNull())
            return w.key("sysctls").key(key).error("has no value: give KEY=VALUE");
        s.sysctls[key] = value;
    }
    s.security_opt = strings(n["security_opt"]);
    s.dns_search = strings(n["dns_search"]);
    s.dns_opt = strings(n["dns_opt"]);
    s.mac_address = text(n["mac_address"]);
    s.annotations = string_map(n["annotations"]);
    return {};
}

/// ipc, pid, uts, cgroup, userns_mode: namespace modes, service:NAME for ipc and pid as Compose allows.
ErrorOr read_namespaces(Service& s, Node const& n, Where const& w)
{
    s.ipc = text(n["ipc"]);
    s.pid = text(n["pid"]);
    s.uts = text(n["uts"]);
    s.cgroup = text(n["cgroup"]);
    for (auto [key, value, flag] : { std::tuple { "ipc", &s.ipc, "--ipc" }, std::tuple { "pid", &s.pid, "--pid" }, std::tuple { "uts", &s.uts, "--uts" } })
        if (value->rfind("service:", 0) != 0 || key == std::string("uts"))
            TRY(said_of(w.key(key), container::parse_namespace_mode(*value, flag)));
    if (!s.cgroup.empty() && s.cgroup != "host" && s.cgroup != "private")
        return w.key("cgroup").error("must be host or private, not \"" + s.cgroup + "\"");
    s.userns_mode = text(n["userns_mode"]);
    TRY(said_of(w.key("userns_mode"), rootless::validate_userns_flags({ s.userns_mode, {}, {} })));
    s.cgroup_parent = text(n["cgroup_parent"]);
    s.platform = text(n["platform"]);
    s.runtime = text(n["runtime"]);
    return {};
}

/// pull_policy, logging, volumes_from, links and secrets.
ErrorOr read_references(Service& s, Node const& n, Where const& w)
{
    s.pull_policy = text(n["pull_policy"]);
    if (s.pull_policy == "if_not_present")
        s.pull_policy = "missing";
    if (!s.pull_policy.empty() && s.pull_policy != "always" && s.pull_policy != "never" && s.pull_policy != "missing" && s.pull_policy != "build")
        return w.key("pull_policy").error("must be always, never, missing or build, not \"" + s.pull_policy + "\"");
    if (s.pull_policy == "build" && !s.build)
        return w.key("pull_policy").error("build needs a build: section");
    if (auto l = n["logging"])
        s.logging = Logging { text(l["driver"]), string_map(l["options"]) };
    for (auto const& from : strings(n["volumes_from"])) {
        auto spec = from.rfind("service:", 0) == 0 || from.rfind("container:", 0) == 0 ? from : "service:" + from;
        auto name = spec.substr(spec.find(':') + 1);
        auto mode = name.find(':') == std::string::npos ? "" : name.substr(name.find(':') + 1);
        if (name.empty() || name[0] == ':' || (!mode.empty() && mode != "ro" && mode != "rw"))
            return w.key("volumes_from").error("\"" + from + "\" is not [service:]NAME[:ro|rw] or container:NAME[:ro|rw]");
        s.volumes_from.push_back(spec);
    }
    for (auto const& link : strings(n["links"]))
        if (auto colon = link.find(':'); colon != std::string::npos && link.substr(colon + 1) != link.substr(0, colon))
            return w.key("links").error("\"" + link + "\": berth does not make link aliases: give service " + link.substr(0, colon)
                + " networks.NAME.aliases: [" + link.substr(colon + 1) + "] instead");
    if (auto secrets = n["secrets"])
        for (size_t i = 0; i < secrets.size(); ++i) {
            auto const& item = secrets[i];
            ServiceSecret secret { item["source"].Scalar(), text(item["target"]), text(item["uid"]), text(item["gid"]), octal_mode(text(item["mode"])) };
            if (secret.target.empty())
                secret.target = secret.source;
            TRY(said_of(w.key("secrets").index(i), container::parse_secret(secret_flag(secret.source, secret))));
            s.secrets.push_back(secret);
        }
    return {};
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
    TRY(read_run_flags(s, n, w));
    TRY(read_namespaces(s, n, w));
    TRY(read_references(s, n, w));
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

std::vector<Secret> read_secrets(Node const& n, std::string const& project, Variables const& vars)
{
    std::vector<Secret> out;
    for (auto const& kv : n) {
        Secret secret;
        secret.key = kv.first.Scalar();
        secret.external = kv.second["external"] && kv.second["external"].as<bool>();
        secret.name = kv.second["name"] ? kv.second["name"].Scalar() : secret.external ? secret.key : project + "_" + secret.key;
        secret.file = text(kv.second["file"]);
        secret.environment = text(kv.second["environment"]);
        if (auto value = vars.find(secret.environment); !secret.environment.empty() && value != vars.end())
            secret.value = value->second;
        out.push_back(secret);
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

/// The services a service names in network_mode, ipc, pid (service:NAME) and volumes_from: (key, service).
std::vector<std::pair<std::string, std::string>> service_references(Service const& s)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto [key, value] : { std::pair { "network_mode", &s.network_mode }, std::pair { "ipc", &s.ipc }, std::pair { "pid", &s.pid } })
        if (value->rfind("service:", 0) == 0)
            out.emplace_back(key, value->substr(8));
    for (auto const& from : s.volumes_from)
        if (from.rfind("service:", 0) == 0)
            out.emplace_back("volumes_from", from.substr(8, from.find(':', 8) - 8));
    return out;
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
        for (auto const& [key, used] : service_references(s))
            if (!all_names.count(used))
                return w.key(key).error("service \"" + used + "\" is not defined");
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
        for (auto const& secret : s.secrets)
            if (!p.secret(secret.source))
                return w.key("secrets").error("secret \"" + secret.source + "\" is not declared in the top-level secrets");
    }
    return {};
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
    p.secrets = read_secrets(merged["secrets"], p.name, in.variables);
    std::vector<Service> services;
    bool uses_default = false;
    for (auto const& kv : merged["services"]) {
        auto s = TRY(read_service(kv.first.Scalar(), kv.second, Where { files, kv.first.Scalar(), "" }));
        if (!enabled(s, in.profiles)) {
            p.disabled.push_back(s.name);
            continue;
        }
        // network_mode, ipc, pid service:X and volumes_from X need X's container first.
        for (auto const& reference : service_references(s)) {
            // Not a structured binding: clang 14 (the fuzz build) cannot capture one.
            std::string const& used = reference.second;
            if (std::none_of(s.depends_on.begin(), s.depends_on.end(), [&](auto const& d) { return d.service == used; }))
                s.depends_on.push_back({ used, "service_started", true });
        }
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

Secret const* Project::secret(std::string const& key) const
{
    for (auto const& s : secrets)
        if (s.key == key)
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
