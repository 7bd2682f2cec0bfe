// config.json <-> Spec. Parsing walks the document with small typed readers
// that carry the field path, so "linux.mounts[3].options[1]: expected a
// string" points at the problem; to_json writes only what is set. Podman's
// defaults live at the bottom.
#include "runtime/spec.h"

#include "runtime/capabilities.h"
#include "runtime/rlimits.h"
#include "runtime/seccomp.h"

#include <algorithm>
#include <array>
#include <limits>

namespace berth::runtime {

namespace {

Error field_error(std::string const& path, std::string_view why)
{
    return Error::msg("config.json: " + path + ": " + std::string(why));
}

/// The member `key` of `obj`, or nullptr when absent or null.
Json const* member(Json const& obj, char const* key)
{
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
        return nullptr;
    return &*it;
}

std::string sub(std::string const& path, char const* key) { return path.empty() ? key : path + "." + key; }
std::string at(std::string const& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

ErrorOr expect_object(Json const& v, std::string const& path)
{
    if (!v.is_object())
        return field_error(path, "expected an object");
    return {};
}

ErrorOr expect_array(Json const& v, std::string const& path)
{
    if (!v.is_array())
        return field_error(path, "expected an array");
    return {};
}

Result<std::string> as_string(Json const& v, std::string const& path)
{
    if (!v.is_string())
        return field_error(path, "expected a string");
    return v.get<std::string>();
}

Result<bool> as_bool(Json const& v, std::string const& path)
{
    if (!v.is_boolean())
        return field_error(path, "expected true or false");
    return v.get<bool>();
}

Result<uint64_t> as_u64(Json const& v, std::string const& path)
{
    if (!v.is_number_unsigned())
        return field_error(path, "expected an unsigned integer");
    return v.get<uint64_t>();
}

Result<uint32_t> as_u32(Json const& v, std::string const& path)
{
    uint64_t n = TRY(as_u64(v, path));
    if (n > std::numeric_limits<uint32_t>::max())
        return field_error(path, "out of range for a 32-bit id");
    return static_cast<uint32_t>(n);
}

Result<int64_t> as_i64(Json const& v, std::string const& path)
{
    if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
        return field_error(path, "out of range");
    if (!v.is_number_integer())
        return field_error(path, "expected an integer");
    return v.get<int64_t>();
}

Result<std::vector<std::string>> as_strings(Json const& v, std::string const& path)
{
    TRY(expect_array(v, path));
    std::vector<std::string> out;
    for (size_t i = 0; i < v.size(); ++i)
        out.push_back(TRY(as_string(v[i], at(path, i))));
    return out;
}

Result<std::map<std::string, std::string>> as_string_map(Json const& v, std::string const& path)
{
    TRY(expect_object(v, path));
    std::map<std::string, std::string> out;
    for (auto const& [key, value] : v.items())
        out[key] = TRY(as_string(value, path + "." + key));
    return out;
}

Result<User> parse_user(Json const& v, std::string const& path)
{
    TRY(expect_object(v, path));
    User user;
    if (auto const* m = member(v, "uid"))
        user.uid = TRY(as_u32(*m, sub(path, "uid")));
    if (auto const* m = member(v, "gid"))
        user.gid = TRY(as_u32(*m, sub(path, "gid")));
    if (auto const* m = member(v, "umask"))
        user.umask = TRY(as_u32(*m, sub(path, "umask")));
    if (auto const* m = member(v, "additionalGids")) {
        TRY(expect_array(*m, sub(path, "additionalGids")));
        for (size_t i = 0; i < m->size(); ++i)
            user.additional_gids.push_back(TRY(as_u32((*m)[i], at(sub(path, "additionalGids"), i))));
    }
    return user;
}

Result<CapabilityNames> parse_capabilities(Json const& v, std::string const& path)
{
    TRY(expect_object(v, path));
    CapabilityNames caps;
    std::pair<char const*, std::vector<std::string>*> sets[] = {
        { "bounding", &caps.bounding }, { "effective", &caps.effective }, { "permitted", &caps.permitted },
        { "inheritable", &caps.inheritable }, { "ambient", &caps.ambient },
    };
    for (auto& [key, set] : sets) {
        if (auto const* m = member(v, key))
            *set = TRY(as_strings(*m, sub(path, key)));
    }
    return caps;
}

Result<std::vector<ProcessRlimit>> parse_process_rlimits(Json const& v, std::string const& path)
{
    TRY(expect_array(v, path));
    std::vector<ProcessRlimit> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = at(path, i);
        TRY(expect_object(v[i], p));
        ProcessRlimit r;
        auto const* type = member(v[i], "type");
        if (!type)
            return field_error(sub(p, "type"), "missing");
        r.type = TRY(as_string(*type, sub(p, "type")));
        if (auto const* m = member(v[i], "hard"))
            r.hard = TRY(as_u64(*m, sub(p, "hard")));
        if (auto const* m = member(v[i], "soft"))
            r.soft = TRY(as_u64(*m, sub(p, "soft")));
        out.push_back(std::move(r));
    }
    return out;
}

Result<Process> parse_process(Json const& v)
{
    std::string const path = "process";
    TRY(expect_object(v, path));
    Process p;
    if (auto const* m = member(v, "terminal"))
        p.terminal = TRY(as_bool(*m, "process.terminal"));
    if (auto const* m = member(v, "user"))
        p.user = TRY(parse_user(*m, "process.user"));
    if (auto const* m = member(v, "args"))
        p.args = TRY(as_strings(*m, "process.args"));
    if (auto const* m = member(v, "env"))
        p.env = TRY(as_strings(*m, "process.env"));
    if (auto const* m = member(v, "cwd"))
        p.cwd = TRY(as_string(*m, "process.cwd"));
    if (auto const* m = member(v, "capabilities"))
        p.capabilities = TRY(parse_capabilities(*m, "process.capabilities"));
    if (auto const* m = member(v, "rlimits"))
        p.rlimits = TRY(parse_process_rlimits(*m, "process.rlimits"));
    if (auto const* m = member(v, "noNewPrivileges"))
        p.no_new_privileges = TRY(as_bool(*m, "process.noNewPrivileges"));
    if (auto const* m = member(v, "oomScoreAdj")) {
        int64_t n = TRY(as_i64(*m, "process.oomScoreAdj"));
        if (n < -1000 || n > 1000)
            return field_error("process.oomScoreAdj", "must be between -1000 and 1000");
        p.oom_score_adj = static_cast<int>(n);
    }
    return p;
}

Result<std::vector<Mount>> parse_mounts(Json const& v)
{
    TRY(expect_array(v, "mounts"));
    std::vector<Mount> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = at("mounts", i);
        TRY(expect_object(v[i], p));
        Mount m;
        auto const* dest = member(v[i], "destination");
        if (!dest)
            return field_error(sub(p, "destination"), "missing");
        m.destination = TRY(as_string(*dest, sub(p, "destination")));
        if (auto const* f = member(v[i], "type"))
            m.type = TRY(as_string(*f, sub(p, "type")));
        if (auto const* f = member(v[i], "source"))
            m.source = TRY(as_string(*f, sub(p, "source")));
        if (auto const* f = member(v[i], "options"))
            m.options = TRY(as_strings(*f, sub(p, "options")));
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<Namespace>> parse_namespaces(Json const& v, std::string const& path)
{
    TRY(expect_array(v, path));
    std::vector<Namespace> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = at(path, i);
        TRY(expect_object(v[i], p));
        auto const* type = member(v[i], "type");
        if (!type)
            return field_error(sub(p, "type"), "missing");
        Namespace ns;
        auto parsed = namespace_type_from_name(TRY(as_string(*type, sub(p, "type"))));
        if (!parsed)
            return field_error(sub(p, "type"), parsed.error().message);
        ns.type = parsed.value();
        if (auto const* f = member(v[i], "path"))
            ns.path = TRY(as_string(*f, sub(p, "path")));
        out.push_back(std::move(ns));
    }
    return out;
}

Result<std::vector<IdMapping>> parse_mappings(Json const& v, std::string const& path)
{
    TRY(expect_array(v, path));
    std::vector<IdMapping> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = at(path, i);
        TRY(expect_object(v[i], p));
        IdMapping m;
        std::pair<char const*, uint32_t*> fields[] = { { "containerID", &m.container_id }, { "hostID", &m.host_id }, { "size", &m.size } };
        for (auto& [key, slot] : fields) {
            auto const* f = member(v[i], key);
            if (!f)
                return field_error(sub(p, key), "missing");
            *slot = TRY(as_u32(*f, sub(p, key)));
        }
        out.push_back(m);
    }
    return out;
}

Result<std::vector<Device>> parse_devices(Json const& v, std::string const& path)
{
    TRY(expect_array(v, path));
    std::vector<Device> out;
    for (size_t i = 0; i < v.size(); ++i) {
        std::string p = at(path, i);
        TRY(expect_object(v[i], p));
        Device d;
        auto const* dpath = member(v[i], "path");
        auto const* type = member(v[i], "type");
        if (!dpath)
            return field_error(sub(p, "path"), "missing");
        if (!type)
            return field_error(sub(p, "type"), "missing");
        d.path = TRY(as_string(*dpath, sub(p, "path")));
        std::string t = TRY(as_string(*type, sub(p, "type")));
        if (t.size() != 1 || std::string_view("cbup").find(t[0]) == std::string_view::npos)
            return field_error(sub(p, "type"), "must be one of c, b, u, p");
        d.type = t[0];
        if (auto const* f = member(v[i], "major"))
            d.major = TRY(as_i64(*f, sub(p, "major")));
        if (auto const* f = member(v[i], "minor"))
            d.minor = TRY(as_i64(*f, sub(p, "minor")));
        if (auto const* f = member(v[i], "fileMode"))
            d.file_mode = TRY(as_u32(*f, sub(p, "fileMode")));
        if (auto const* f = member(v[i], "uid"))
            d.uid = TRY(as_u32(*f, sub(p, "uid")));
        if (auto const* f = member(v[i], "gid"))
            d.gid = TRY(as_u32(*f, sub(p, "gid")));
        out.push_back(std::move(d));
    }
    return out;
}

Result<LinuxConfig> parse_linux(Json const& v)
{
    TRY(expect_object(v, "linux"));
    LinuxConfig l;
    if (auto const* m = member(v, "namespaces"))
        l.namespaces = TRY(parse_namespaces(*m, "linux.namespaces"));
    if (auto const* m = member(v, "uidMappings"))
        l.uid_mappings = TRY(parse_mappings(*m, "linux.uidMappings"));
    if (auto const* m = member(v, "gidMappings"))
        l.gid_mappings = TRY(parse_mappings(*m, "linux.gidMappings"));
    if (auto const* m = member(v, "maskedPaths"))
        l.masked_paths = TRY(as_strings(*m, "linux.maskedPaths"));
    if (auto const* m = member(v, "readonlyPaths"))
        l.readonly_paths = TRY(as_strings(*m, "linux.readonlyPaths"));
    if (auto const* m = member(v, "seccomp")) {
        TRY(expect_object(*m, "linux.seccomp"));
        l.seccomp = *m;
    }
    if (auto const* m = member(v, "sysctl"))
        l.sysctl = TRY(as_string_map(*m, "linux.sysctl"));
    if (auto const* m = member(v, "devices"))
        l.devices = TRY(parse_devices(*m, "linux.devices"));
    if (auto const* m = member(v, "resources")) {
        TRY(expect_object(*m, "linux.resources"));
        l.resources = *m;
    }
    if (auto const* m = member(v, "rootfsPropagation"))
        l.rootfs_propagation = TRY(as_string(*m, "linux.rootfsPropagation"));
    if (auto const* m = member(v, "cgroupsPath"))
        l.cgroups_path = TRY(as_string(*m, "linux.cgroupsPath"));
    if (auto const* m = member(v, "personality")) {
        TRY(expect_object(*m, "linux.personality"));
        if (auto const* d = member(*m, "domain"))
            l.personality = TRY(as_string(*d, "linux.personality.domain"));
        if (l.personality != "LINUX" && l.personality != "LINUX32")
            return field_error("linux.personality.domain", "must be LINUX or LINUX32");
    }
    return l;
}

constexpr std::array<std::pair<NamespaceType, std::string_view>, 7> namespace_names { {
    { NamespaceType::Pid, "pid" }, { NamespaceType::Network, "network" }, { NamespaceType::Mount, "mount" },
    { NamespaceType::Ipc, "ipc" }, { NamespaceType::Uts, "uts" }, { NamespaceType::User, "user" },
    { NamespaceType::Cgroup, "cgroup" },
} };

constexpr std::array<std::string_view, 16> rlimit_names {
    "RLIMIT_AS", "RLIMIT_CORE", "RLIMIT_CPU", "RLIMIT_DATA", "RLIMIT_FSIZE", "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_NOFILE", "RLIMIT_NPROC",
    "RLIMIT_RSS", "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};

constexpr std::array<std::string_view, 9> propagation_names {
    "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", "runbindable",
};

} // namespace

std::string_view namespace_type_name(NamespaceType type)
{
    for (auto const& [t, name] : namespace_names) {
        if (t == type)
            return name;
    }
    return "?";
}

Result<NamespaceType> namespace_type_from_name(std::string_view name)
{
    for (auto const& [t, n] : namespace_names) {
        if (n == name)
            return t;
    }
    return Error::msg("unknown namespace type \"" + std::string(name) + "\" (expected pid, network, mount, ipc, uts, user or cgroup)");
}

Result<Spec> Spec::parse(Json const& json)
{
    TRY(expect_object(json, "(top level)"));
    Spec spec;
    if (auto const* m = member(json, "ociVersion"))
        spec.oci_version = TRY(as_string(*m, "ociVersion"));
    auto const* process = member(json, "process");
    if (!process)
        return field_error("process", "missing");
    spec.process = TRY(parse_process(*process));
    auto const* root = member(json, "root");
    if (!root)
        return field_error("root", "missing");
    TRY(expect_object(*root, "root"));
    if (auto const* m = member(*root, "path"))
        spec.root.path = TRY(as_string(*m, "root.path"));
    if (auto const* m = member(*root, "readonly"))
        spec.root.readonly = TRY(as_bool(*m, "root.readonly"));
    if (auto const* m = member(json, "hostname"))
        spec.hostname = TRY(as_string(*m, "hostname"));
    if (auto const* m = member(json, "mounts"))
        spec.mounts = TRY(parse_mounts(*m));
    if (auto const* m = member(json, "linux"))
        spec.linux_config = TRY(parse_linux(*m));
    if (auto const* m = member(json, "annotations"))
        spec.annotations = TRY(as_string_map(*m, "annotations"));
    TRY(spec.validate());
    return spec;
}

Result<Spec> Spec::parse(std::string_view text)
{
    Json json = TRY(json::parse(text, "config.json"));
    return parse(json);
}

namespace {

Json user_to_json(User const& u)
{
    Json j { { "uid", u.uid }, { "gid", u.gid } };
    if (u.umask)
        j["umask"] = *u.umask;
    if (!u.additional_gids.empty())
        j["additionalGids"] = u.additional_gids;
    return j;
}

Json process_to_json(Process const& p)
{
    Json j = Json::object();
    if (p.terminal)
        j["terminal"] = true;
    j["user"] = user_to_json(p.user);
    j["args"] = p.args;
    if (!p.env.empty())
        j["env"] = p.env;
    j["cwd"] = p.cwd;
    if (p.capabilities) {
        Json caps = Json::object();
        auto put = [&](char const* key, std::vector<std::string> const& set) {
            if (!set.empty())
                caps[key] = set;
        };
        put("bounding", p.capabilities->bounding);
        put("effective", p.capabilities->effective);
        put("permitted", p.capabilities->permitted);
        put("inheritable", p.capabilities->inheritable);
        put("ambient", p.capabilities->ambient);
        j["capabilities"] = caps;
    }
    if (!p.rlimits.empty()) {
        Json rl = Json::array();
        for (auto const& r : p.rlimits)
            rl.push_back({ { "type", r.type }, { "hard", r.hard }, { "soft", r.soft } });
        j["rlimits"] = rl;
    }
    if (p.no_new_privileges)
        j["noNewPrivileges"] = true;
    if (p.oom_score_adj)
        j["oomScoreAdj"] = *p.oom_score_adj;
    return j;
}

Json mappings_to_json(std::vector<IdMapping> const& maps)
{
    Json j = Json::array();
    for (auto const& m : maps)
        j.push_back({ { "containerID", m.container_id }, { "hostID", m.host_id }, { "size", m.size } });
    return j;
}

Json devices_to_json(std::vector<Device> const& devices)
{
    Json j = Json::array();
    for (auto const& d : devices) {
        Json e { { "path", d.path }, { "type", std::string(1, d.type) }, { "major", d.major }, { "minor", d.minor } };
        if (d.file_mode)
            e["fileMode"] = *d.file_mode;
        if (d.uid)
            e["uid"] = *d.uid;
        if (d.gid)
            e["gid"] = *d.gid;
        j.push_back(std::move(e));
    }
    return j;
}

Json linux_to_json(LinuxConfig const& l)
{
    Json j = Json::object();
    if (!l.namespaces.empty()) {
        Json ns = Json::array();
        for (auto const& n : l.namespaces) {
            Json e { { "type", namespace_type_name(n.type) } };
            if (!n.path.empty())
                e["path"] = n.path;
            ns.push_back(std::move(e));
        }
        j["namespaces"] = ns;
    }
    if (!l.uid_mappings.empty())
        j["uidMappings"] = mappings_to_json(l.uid_mappings);
    if (!l.gid_mappings.empty())
        j["gidMappings"] = mappings_to_json(l.gid_mappings);
    if (!l.masked_paths.empty())
        j["maskedPaths"] = l.masked_paths;
    if (!l.readonly_paths.empty())
        j["readonlyPaths"] = l.readonly_paths;
    if (!l.seccomp.is_null())
        j["seccomp"] = l.seccomp;
    if (!l.sysctl.empty())
        j["sysctl"] = l.sysctl;
    if (!l.devices.empty())
        j["devices"] = devices_to_json(l.devices);
    if (!l.resources.is_null())
        j["resources"] = l.resources;
    if (!l.rootfs_propagation.empty())
        j["rootfsPropagation"] = l.rootfs_propagation;
    if (!l.cgroups_path.empty())
        j["cgroupsPath"] = l.cgroups_path;
    if (!l.personality.empty())
        j["personality"] = { { "domain", l.personality } };
    return j;
}

} // namespace

Json Spec::to_json() const
{
    Json j = Json::object();
    j["ociVersion"] = oci_version;
    j["process"] = process_to_json(process);
    j["root"] = { { "path", root.path } };
    if (root.readonly)
        j["root"]["readonly"] = true;
    if (!hostname.empty())
        j["hostname"] = hostname;
    if (!mounts.empty()) {
        Json ms = Json::array();
        for (auto const& m : mounts) {
            Json e { { "destination", m.destination } };
            if (!m.type.empty())
                e["type"] = m.type;
            if (!m.source.empty())
                e["source"] = m.source;
            if (!m.options.empty())
                e["options"] = m.options;
            ms.push_back(std::move(e));
        }
        j["mounts"] = ms;
    }
    j["linux"] = linux_to_json(linux_config);
    if (!annotations.empty())
        j["annotations"] = annotations;
    return j;
}

Namespace const* Spec::find_namespace(NamespaceType type) const
{
    for (auto const& ns : linux_config.namespaces) {
        if (ns.type == type)
            return &ns;
    }
    return nullptr;
}

namespace {

bool is_absolute(std::string const& path) { return !path.empty() && path[0] == '/'; }

ErrorOr validate_paths(std::vector<std::string> const& paths, std::string const& field)
{
    for (size_t i = 0; i < paths.size(); ++i) {
        if (!is_absolute(paths[i]))
            return field_error(at(field, i), "\"" + paths[i] + "\" is not an absolute path");
    }
    return {};
}

ErrorOr validate_linux(Spec const& spec)
{
    auto const& l = spec.linux_config;
    for (size_t i = 0; i < l.namespaces.size(); ++i) {
        for (size_t k = 0; k < i; ++k) {
            if (l.namespaces[k].type == l.namespaces[i].type)
                return field_error(at("linux.namespaces", i), "namespace \"" + std::string(namespace_type_name(l.namespaces[i].type)) + "\" listed twice");
        }
    }
    bool new_user_ns = spec.has_namespace(NamespaceType::User) && spec.find_namespace(NamespaceType::User)->path.empty();
    if (!new_user_ns && (!l.uid_mappings.empty() || !l.gid_mappings.empty()))
        return field_error("linux.uidMappings", "id mappings need a new user namespace in linux.namespaces");
    if (new_user_ns && (l.uid_mappings.empty() || l.gid_mappings.empty()))
        return field_error("linux.uidMappings", "a new user namespace needs both uidMappings and gidMappings");
    TRY(validate_paths(l.masked_paths, "linux.maskedPaths"));
    TRY(validate_paths(l.readonly_paths, "linux.readonlyPaths"));
    for (size_t i = 0; i < l.devices.size(); ++i) {
        if (!is_absolute(l.devices[i].path) || l.devices[i].path.rfind("/dev/", 0) != 0)
            return field_error(at("linux.devices", i) + ".path", "\"" + l.devices[i].path + "\" must be an absolute path under /dev");
    }
    if (std::find(propagation_names.begin(), propagation_names.end(), l.rootfs_propagation) == propagation_names.end())
        return field_error("linux.rootfsPropagation", "unknown propagation \"" + l.rootfs_propagation + "\"");
    for (auto const& [key, value] : l.sysctl) {
        if (key.empty() || key.find('/') != std::string::npos || key.find("..") != std::string::npos)
            return field_error("linux.sysctl", "invalid key \"" + key + "\"");
    }
    return {};
}

} // namespace

ErrorOr Spec::validate() const
{
    if (process.args.empty())
        return field_error("process.args", "no command given (the list is empty)");
    if (!is_absolute(process.cwd))
        return field_error("process.cwd", "\"" + process.cwd + "\" is not an absolute path");
    for (size_t i = 0; i < process.env.size(); ++i) {
        if (process.env[i].find('=') == std::string::npos)
            return field_error(at("process.env", i), "\"" + process.env[i] + "\" is not KEY=value");
    }
    for (size_t i = 0; i < process.rlimits.size(); ++i) {
        auto const& r = process.rlimits[i];
        if (std::find(rlimit_names.begin(), rlimit_names.end(), r.type) == rlimit_names.end())
            return field_error(at("process.rlimits", i) + ".type", "unknown rlimit \"" + r.type + "\"");
        if (r.soft > r.hard)
            return field_error(at("process.rlimits", i), "soft limit above the hard limit for " + r.type);
    }
    if (root.path.empty())
        return field_error("root.path", "missing");
    if (!hostname.empty() && !has_namespace(NamespaceType::Uts))
        return field_error("hostname", "setting a hostname needs a uts namespace in linux.namespaces");
    for (size_t i = 0; i < mounts.size(); ++i) {
        if (!is_absolute(mounts[i].destination))
            return field_error(at("mounts", i) + ".destination", "\"" + mounts[i].destination + "\" is not an absolute path");
    }
    return validate_linux(*this);
}

std::vector<Mount> default_mounts()
{
    return {
        { "/proc", "proc", "proc", { "nosuid", "noexec", "nodev" } },
        { "/dev", "tmpfs", "tmpfs", { "nosuid", "strictatime", "mode=755", "size=65536k" } },
        { "/dev/pts", "devpts", "devpts", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" } },
        { "/dev/mqueue", "mqueue", "mqueue", { "nosuid", "noexec", "nodev" } },
        { "/sys", "sysfs", "sysfs", { "nosuid", "noexec", "nodev", "ro" } },
        { "/dev/shm", "tmpfs", "shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" } },
    };
}

std::vector<std::string> default_masked_paths()
{
    return {
        "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/fs/selinux",
        "/sys/dev/block", "/proc/interrupts",
    };
}

std::vector<std::string> default_readonly_paths()
{
    return { "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
}

std::vector<Namespace> default_namespaces()
{
    return {
        { NamespaceType::Pid, "" }, { NamespaceType::Network, "" }, { NamespaceType::Ipc, "" },
        { NamespaceType::Uts, "" }, { NamespaceType::Mount, "" }, { NamespaceType::Cgroup, "" },
    };
}

std::vector<Device> default_devices()
{
    auto dev = [](char const* path, int64_t major, int64_t minor) {
        return Device { path, 'c', major, minor, 0666u, 0u, 0u };
    };
    return { dev("/dev/null", 1, 3), dev("/dev/zero", 1, 5), dev("/dev/full", 1, 7),
        dev("/dev/random", 1, 8), dev("/dev/urandom", 1, 9), dev("/dev/tty", 5, 0) };
}

Spec default_spec()
{
    Spec spec;
    spec.process.args = { "sh" };
    spec.process.env = { default_path_env, "TERM=xterm" };
    spec.process.cwd = "/";
    auto caps = default_capabilities();
    spec.process.capabilities = CapabilityNames { caps, caps, caps, {}, {} };
    // Podman's defaults come from rlimits.cpp as OCI JSON; they always parse.
    spec.process.rlimits = parse_process_rlimits(default_rlimits(), "process.rlimits").value();
    spec.root.path = "rootfs";
    spec.mounts = default_mounts();
    spec.linux_config.namespaces = default_namespaces();
    spec.linux_config.masked_paths = default_masked_paths();
    spec.linux_config.readonly_paths = default_readonly_paths();
    spec.linux_config.seccomp = default_seccomp_spec(caps);
    return spec;
}

} // namespace berth::runtime
