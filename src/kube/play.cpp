// A Kubernetes YAML file into the plan of `kube play` (see play.h).
#include "kube/play.h"

#include "base/yaml_load.h"

#include "base/json.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace berth::kube {

namespace {

/// Where in the file a node is: "FILE: KIND NAME" and the key path below it.
struct Where {
    std::string object;   ///< "pod.yaml: Pod web"
    std::string path;     ///< "spec.containers[0]"

    Where key(std::string const& k) const { return { object, path.empty() ? k : path + "." + k }; }
    Where index(size_t i) const { return { object, path + "[" + std::to_string(i) + "]" }; }
    Error error(std::string const& what) const { return Error { EINVAL, object + (path.empty() ? "" : ": " + path) + ": " + what }; }
};

std::string type_name(YAML::Node const& n)
{
    switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "null";
    }
}

ErrorOr expect(YAML::Node const& n, YAML::NodeType::value type, char const* what, Where const& w)
{
    if (n.Type() != type)
        return w.error(std::string("must be ") + what + ", not " + type_name(n));
    return {};
}

/// An optional string (""when absent).
Result<std::string> string_at(YAML::Node const& parent, std::string const& key, Where const& w, bool required = false)
{
    auto n = parent[key];
    if (!n || n.IsNull()) {
        if (required)
            return w.key(key).error("missing (required)");
        return std::string();
    }
    TRY(expect(n, YAML::NodeType::Scalar, "a string", w.key(key)));
    return n.Scalar();
}

Result<std::optional<int64_t>> int_at(YAML::Node const& parent, std::string const& key, Where const& w)
{
    auto n = parent[key];
    if (!n || n.IsNull())
        return std::optional<int64_t> {};
    TRY(expect(n, YAML::NodeType::Scalar, "an integer", w.key(key)));
    auto const& s = n.Scalar();
    size_t used = 0;
    int64_t v = 0;
    try {
        v = std::stoll(s, &used);
    } catch (std::exception const&) {
        used = 0;
    }
    if (used == 0 || used != s.size())
        return w.key(key).error("must be an integer, not \"" + s + "\"");
    return std::optional<int64_t>(v);
}

Result<bool> bool_at(YAML::Node const& parent, std::string const& key, Where const& w)
{
    auto n = parent[key];
    if (!n || n.IsNull())
        return false;
    TRY(expect(n, YAML::NodeType::Scalar, "a boolean", w.key(key)));
    auto const& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE")
        return true;
    if (s == "false" || s == "False" || s == "FALSE")
        return false;
    return w.key(key).error("must be true or false, not \"" + s + "\"");
}

/// The fields the Kubernetes API defines for an object (from its v1 schema):
/// any other key is a typo the API server would reject, so it is an error
/// here too. Fields berth has no use for (resources, tolerations ...) pass.
ErrorOr known_fields(YAML::Node const& n, std::set<std::string> const& fields, char const* object, Where const& w)
{
    if (!n.IsMap())
        return {};
    for (auto const& kv : n) {
        auto key = kv.first.as<std::string>();
        if (!fields.count(key))
            return w.key(key).error(std::string("unknown field of a ") + object);
    }
    return {};
}

std::set<std::string> const container_fields { "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle",
    "livenessProbe", "name", "ports", "readinessProbe", "resources", "securityContext", "startupProbe", "stdin", "stdinOnce",
    "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts", "workingDir" };
std::set<std::string> const pod_spec_fields { "activeDeadlineSeconds", "affinity", "automountServiceAccountToken",
    "containers", "dnsConfig", "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "hostAliases", "hostIPC",
    "hostNetwork", "hostPID", "hostname", "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead",
    "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "restartPolicy", "runtimeClassName",
    "schedulerName", "securityContext", "serviceAccount", "serviceAccountName", "setHostnameAsFQDN",
    "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints",
    "volumes" };
std::set<std::string> const volume_mount_fields { "mountPath", "mountPropagation", "name", "readOnly", "subPath", "subPathExpr" };
std::set<std::string> const port_fields { "containerPort", "hostIP", "hostPort", "name", "protocol" };
std::set<std::string> const env_fields { "name", "value", "valueFrom" };
std::set<std::string> const env_from_fields { "configMapRef", "prefix", "secretRef" };

/// A list (empty when absent); each element is passed with its Where.
template<typename F>
ErrorOr each(YAML::Node const& parent, std::string const& key, Where const& w, F&& f)
{
    auto n = parent[key];
    if (!n || n.IsNull())
        return {};
    TRY(expect(n, YAML::NodeType::Sequence, "a list", w.key(key)));
    for (size_t i = 0; i < n.size(); ++i)
        TRY(f(n[i], w.key(key).index(i)));
    return {};
}

Result<std::vector<std::string>> strings_at(YAML::Node const& parent, std::string const& key, Where const& w)
{
    std::vector<std::string> out;
    TRY(each(parent, key, w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Scalar, "a string", at));
        out.push_back(n.Scalar());
        return {};
    }));
    return out;
}

/// A map of strings (ConfigMap data, labels); empty when absent.
Result<std::map<std::string, std::string>> string_map_at(YAML::Node const& parent, std::string const& key, Where const& w)
{
    std::map<std::string, std::string> out;
    auto n = parent[key];
    if (!n || n.IsNull())
        return out;
    TRY(expect(n, YAML::NodeType::Map, "a map", w.key(key)));
    for (auto const& kv : n) {
        auto k = kv.first.as<std::string>();
        TRY(expect(kv.second, YAML::NodeType::Scalar, "a string", w.key(key).key(k)));
        out[k] = kv.second.Scalar();
    }
    return out;
}

Result<std::string> base64_decode(std::string const& text, Where const& w)
{
    std::string out;
    int bits = 0;
    uint32_t acc = 0;
    for (char ch : text) {
        int v;
        if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
        else if (ch == '+') v = 62;
        else if (ch == '/') v = 63;
        else if (ch == '=' || ch == '\n' || ch == ' ') continue;
        else return w.error("is not base64");
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return out;
}

/// The ConfigMaps and Secrets of the file and of --configmap, by name.
struct DataObjects {
    std::map<std::string, std::map<std::string, std::string>> configmaps, secrets;
    std::map<std::string, std::map<std::string, std::string>> binary;  ///< ConfigMaps' binaryData, decoded
    bool lenient = false;  ///< kube down: a missing reference is no error
};

struct Document {
    YAML::Node node;
    std::string kind, name;
    Where where;
};

Result<std::vector<Document>> load_documents(std::string const& file, std::string const& text)
{
    auto loaded = load_yaml_documents(text);
    if (!loaded)
        return std::move(loaded.error()).with_context(file);
    auto nodes = loaded.release_value();
    std::vector<Document> out;
    size_t number = 0;
    for (auto const& n : nodes) {
        ++number;
        if (!n || n.IsNull())
            continue;
        Where top { file + ": document " + std::to_string(number), "" };
        TRY(expect(n, YAML::NodeType::Map, "a map (a Kubernetes object)", top));
        auto kind = TRY(string_at(n, "kind", top, true));
        auto meta = n["metadata"];
        if (meta)
            TRY(expect(meta, YAML::NodeType::Map, "a map", top.key("metadata")));
        auto name = meta ? TRY(string_at(meta, "name", top.key("metadata"))) : std::string();
        Where where { file + ": " + kind + (name.empty() ? " (document " + std::to_string(number) + ")" : " " + name), "" };
        out.push_back({ n, kind, name, where });
    }
    return out;
}

/// Kubernetes' rule for a ConfigMap's or Secret's key, which names a file in
/// its volume: [-._a-zA-Z0-9]+, not "." nor "..", so that no key reaches out of it.
ErrorOr check_keys(std::map<std::string, std::string> const& values, Where const& w)
{
    for (auto const& [key, value] : values) {
        bool ok = !key.empty() && key.size() <= 253 && key != "." && key.rfind("..", 0) != 0
            && std::all_of(key.begin(), key.end(), [](unsigned char ch) { return std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_'; });
        if (!ok)
            return w.key(key).error("is not a valid key: use letters, digits, '-', '_' and '.'");
    }
    return {};
}

ErrorOr read_data_object(Document const& d, DataObjects& data)
{
    if (d.name.empty())
        return d.where.key("metadata.name").error("missing (required)");
    for (char const* section : { "data", "stringData", "binaryData" })
        TRY(check_keys(TRY(string_map_at(d.node, section, d.where)), d.where.key(section)));
    auto values = TRY(string_map_at(d.node, "data", d.where));
    if (d.kind == "Secret") {
        for (auto& [k, v] : values)
            v = TRY(base64_decode(v, d.where.key("data").key(k)));
        for (auto const& [k, v] : TRY(string_map_at(d.node, "stringData", d.where)))
            values[k] = v;
        data.secrets[d.name] = std::move(values);
    } else {
        // binaryData becomes files of the ConfigMap's volume only: a variable cannot hold any byte.
        auto& binary = data.binary[d.name];
        for (auto const& [k, v] : TRY(string_map_at(d.node, "binaryData", d.where)))
            binary[k] = TRY(base64_decode(v, d.where.key("binaryData").key(k)));
        data.configmaps[d.name] = std::move(values);
    }
    return {};
}

/// A ConfigMap's or Secret's values by a reference's name, or nullptr (an error unless optional).
Result<std::map<std::string, std::string> const*> find_data(DataObjects const& data, bool secret, std::string const& name,
    bool optional, Where const& w)
{
    auto const& table = secret ? data.secrets : data.configmaps;
    if (auto it = table.find(name); it != table.end())
        return &it->second;
    if (optional || data.lenient)
        return static_cast<std::map<std::string, std::string> const*>(nullptr);
    return w.error(std::string(secret ? "Secret" : "ConfigMap") + " \"" + name + "\" not found (give it in the file" + (secret ? "" : " or with --configmap") + ")");
}

ErrorOr read_env(YAML::Node const& c, Where const& w, DataObjects const& data, container::CreateOptions& o)
{
    // envFrom first: env entries override them, as in Kubernetes.
    TRY(each(c, "envFrom", w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Map, "a map", at));
        TRY(known_fields(n, env_from_fields, "EnvFromSource", at));
        auto prefix = TRY(string_at(n, "prefix", at));
        for (auto [key, secret] : { std::pair { "configMapRef", false }, std::pair { "secretRef", true } }) {
            auto ref = n[key];
            if (!ref)
                continue;
            TRY(expect(ref, YAML::NodeType::Map, "a map", at.key(key)));
            auto name = TRY(string_at(ref, "name", at.key(key), true));
            auto values = TRY(find_data(data, secret, name, TRY(bool_at(ref, "optional", at.key(key))), at.key(key)));
            if (values)
                for (auto const& [k, v] : *values)
                    o.env.push_back(prefix + k + "=" + v);
        }
        return {};
    }));
    return each(c, "env", w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Map, "a map", at));
        TRY(known_fields(n, env_fields, "EnvVar", at));
        auto name = TRY(string_at(n, "name", at, true));
        auto from = n["valueFrom"];
        if (!from) {
            o.env.push_back(name + "=" + TRY(string_at(n, "value", at)));
            return {};
        }
        TRY(expect(from, YAML::NodeType::Map, "a map", at.key("valueFrom")));
        for (auto [key, secret] : { std::pair { "configMapKeyRef", false }, std::pair { "secretKeyRef", true } }) {
            auto ref = from[key];
            if (!ref)
                continue;
            auto rw = at.key("valueFrom").key(key);
            TRY(expect(ref, YAML::NodeType::Map, "a map", rw));
            auto ref_name = TRY(string_at(ref, "name", rw, true));
            auto ref_key = TRY(string_at(ref, "key", rw, true));
            bool optional = TRY(bool_at(ref, "optional", rw));
            auto values = TRY(find_data(data, secret, ref_name, optional, rw));
            if (!values)
                return {};
            auto it = values->find(ref_key);
            if (it == values->end()) {
                if (optional)
                    return {};
                return rw.key("key").error("\"" + ref_key + "\" is not a key of " + (secret ? "Secret " : "ConfigMap ") + ref_name);
            }
            o.env.push_back(name + "=" + it->second);
            return {};
        }
        return at.key("valueFrom").error("only configMapKeyRef and secretKeyRef are supported");
    });
}

/// securityContext of a container (or the pod's, passed first).
ErrorOr read_security(YAML::Node const& sc, Where const& w, container::CreateOptions& o)
{
    if (!sc)
        return {};
    TRY(expect(sc, YAML::NodeType::Map, "a map", w));
    if (TRY(bool_at(sc, "privileged", w)))
        o.privileged = true;
    if (TRY(bool_at(sc, "readOnlyRootFilesystem", w)))
        o.read_only = true;
    auto user = TRY(int_at(sc, "runAsUser", w));
    auto group = TRY(int_at(sc, "runAsGroup", w));
    if (user)
        o.user = std::to_string(*user) + (group ? ":" + std::to_string(*group) : "");
    else if (group)
        o.user = (o.user.empty() ? "0" : o.user.substr(0, o.user.find(':'))) + ":" + std::to_string(*group);
    if (auto caps = sc["capabilities"]) {
        TRY(expect(caps, YAML::NodeType::Map, "a map", w.key("capabilities")));
        auto add = TRY(strings_at(caps, "add", w.key("capabilities")));
        auto drop = TRY(strings_at(caps, "drop", w.key("capabilities")));
        o.cap_add.insert(o.cap_add.end(), add.begin(), add.end());
        o.cap_drop.insert(o.cap_drop.end(), drop.begin(), drop.end());
    }
    return {};
}

/// A probe's port: a number, or the name of one of the container's ports.
Result<int64_t> probe_port(YAML::Node const& action, YAML::Node const& c, Where const& w)
{
    auto n = action["port"];
    if (!n || n.IsNull())
        return w.key("port").error("missing (required)");
    TRY(expect(n, YAML::NodeType::Scalar, "a port number or name", w.key("port")));
    if (!n.Scalar().empty() && std::isdigit(static_cast<unsigned char>(n.Scalar()[0]))) {
        auto port = *TRY(int_at(action, "port", w));
        if (port < 1 || port > 65535)
            return w.key("port").error("must be between 1 and 65535, not " + std::to_string(port));
        return port;
    }
    if (auto ports = c["ports"]; ports && ports.IsSequence())
        for (auto const& p : ports)
            if (p.IsMap() && p["name"] && p["name"].IsScalar() && p["name"].Scalar() == n.Scalar())
                if (auto port = TRY(int_at(p, "containerPort", w.key("port"))))
                    return *port;
    return w.key("port").error("no port named \"" + n.Scalar() + "\" in the container's ports");
}

/// A probe's host and path go into a shell command in single quotes: refuse
/// what could leave them.
Result<std::string> probe_word(YAML::Node const& action, char const* key, std::string fallback, Where const& w)
{
    auto v = TRY(string_at(action, key, w));
    if (v.empty())
        return fallback;
    for (unsigned char ch : v)
        if (ch == '\'' || ch < 0x21 || ch == 0x7f)
            return w.key(key).error("\"" + v + "\" is not valid here: no quotes, blanks or control characters");
    return v;
}

/// The healthcheck command of a probe's action: exec as it is; httpGet and
/// tcpSocket as the commands Podman writes for them (curl, nc), with busybox's
/// wget after curl so that an image without curl can still be probed.
Result<std::string> probe_command(YAML::Node const& probe, YAML::Node const& c, Where const& pw)
{
    if (auto exec = probe["exec"]) {
        TRY(expect(exec, YAML::NodeType::Map, "a map", pw.key("exec")));
        auto command = TRY(strings_at(exec, "command", pw.key("exec")));
        if (command.empty())
            return pw.key("exec.command").error("missing (required)");
        Json words = Json::array({ "CMD" });
        for (auto const& word : command)
            words.push_back(word);
        return json::dump(words);
    }
    if (auto http = probe["httpGet"]) {
        auto hw = pw.key("httpGet");
        TRY(expect(http, YAML::NodeType::Map, "a map", hw));
        auto port = TRY(probe_port(http, c, hw));
        auto host = TRY(probe_word(http, "host", "localhost", hw));
        auto path = TRY(probe_word(http, "path", "/", hw));
        if (path[0] != '/')
            path = "/" + path;
        auto scheme = TRY(string_at(http, "scheme", hw));
        if (scheme != "" && scheme != "HTTP" && scheme != "HTTPS")
            return hw.key("scheme").error("\"" + scheme + "\" is not a scheme: use HTTP or HTTPS");
        auto url = "'" + std::string(scheme == "HTTPS" ? "https" : "http") + "://" + host + ":" + std::to_string(port) + path + "'";
        return json::dump(Json::array({ "CMD-SHELL", "curl -f -s -o /dev/null " + url + " || wget -q -O /dev/null " + url + " || exit 1" }));
    }
    if (auto tcp = probe["tcpSocket"]) {
        auto tw = pw.key("tcpSocket");
        TRY(expect(tcp, YAML::NodeType::Map, "a map", tw));
        auto port = TRY(probe_port(tcp, c, tw));
        auto host = TRY(probe_word(tcp, "host", "localhost", tw));
        return json::dump(Json::array({ "CMD-SHELL", "nc -z -v '" + host + "' " + std::to_string(port) + " || exit 1" }));
    }
    return pw.error("no action: give exec, httpGet or tcpSocket");
}

/// livenessProbe -> the healthcheck.
ErrorOr read_probe(YAML::Node const& c, Where const& w, container::CreateOptions& o)
{
    auto probe = c["livenessProbe"];
    if (!probe)
        return {};
    auto pw = w.key("livenessProbe");
    TRY(expect(probe, YAML::NodeType::Map, "a map", pw));
    o.healthcheck_cmd = TRY(probe_command(probe, c, pw));
    auto seconds = [&](char const* key, std::string& out) -> ErrorOr {
        if (auto v = TRY(int_at(probe, key, pw)))
            out = std::to_string(*v) + "s";
        return {};
    };
    TRY(seconds("periodSeconds", o.healthcheck_interval));
    TRY(seconds("timeoutSeconds", o.healthcheck_timeout));
    TRY(seconds("initialDelaySeconds", o.healthcheck_start_period));
    if (auto v = TRY(int_at(probe, "failureThreshold", pw)))
        o.healthcheck_retries = static_cast<int>(*v);
    return {};
}

/// What a pod volume is, for the mounts of its containers.
struct PodVolume {
    enum class Kind { Named, HostPath, EmptyDir, Memory, Data } kind = Kind::Named;
    std::string source;   ///< the named volume or the host path
};

Result<std::map<std::string, PodVolume>> read_volumes(YAML::Node const& spec, Where const& w, DataObjects const& data,
    PlayPlan& plan, PlayPod& pod)
{
    std::map<std::string, PodVolume> out;
    auto add_volume = [&](PlayVolume v) {
        auto it = std::find_if(plan.volumes.begin(), plan.volumes.end(), [&](PlayVolume const& p) { return p.name == v.name; });
        if (it == plan.volumes.end())
            plan.volumes.push_back(std::move(v));
    };
    TRY(each(spec, "volumes", w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Map, "a map", at));
        auto name = TRY(string_at(n, "name", at, true));
        PodVolume v;
        if (auto claim = n["persistentVolumeClaim"]) {
            v.source = TRY(string_at(claim, "claimName", at.key("persistentVolumeClaim"), true));
            add_volume({ v.source, {} });
        } else if (auto host = n["hostPath"]) {
            v.kind = PodVolume::Kind::HostPath;
            v.source = TRY(string_at(host, "path", at.key("hostPath"), true));
            if (v.source.empty() || v.source[0] != '/')
                return at.key("hostPath.path").error("must be an absolute path, not \"" + v.source + "\"");
            auto type = TRY(string_at(host, "type", at.key("hostPath")));
            static std::set<std::string> const types { "", "Directory", "DirectoryOrCreate", "File", "FileOrCreate" };
            if (!types.count(type))
                return at.key("hostPath.type").error("\"" + type + "\" is not supported: use Directory, DirectoryOrCreate, File or FileOrCreate");
            pod.host_paths.push_back({ v.source, type, at.key("hostPath").object + ": " + at.key("hostPath").path });
        } else if (auto empty = n["emptyDir"]) {
            v.kind = PodVolume::Kind::EmptyDir;
            if (empty.IsMap() && TRY(string_at(empty, "medium", at.key("emptyDir"))) == "Memory")
                v.kind = PodVolume::Kind::Memory;
            else {
                // One volume of the pod's, shared by its containers, gone with the pod.
                v.source = empty_dir_volume(pod.name, name);
                pod.pod_volumes.push_back({ v.source, {} });
            }
        } else if (n["configMap"] || n["secret"]) {
            bool secret = !n["configMap"];
            auto key = secret ? "secret" : "configMap";
            auto ref = n[key];
            auto rw = at.key(key);
            TRY(expect(ref, YAML::NodeType::Map, "a map", rw));
            auto ref_name = TRY(string_at(ref, secret ? "secretName" : "name", rw, true));
            auto values = TRY(find_data(data, secret, ref_name, TRY(bool_at(ref, "optional", rw)), rw));
            // The pod's own copy, read-only as in Kubernetes: its files are the object's, not the containers'.
            PlayVolume pv { empty_dir_volume(pod.name, name), {} };
            std::map<std::string, std::string> all;
            if (values)
                all = *values;
            if (auto it = data.binary.find(ref_name); !secret && it != data.binary.end())
                all.insert(it->second.begin(), it->second.end());
            bool items = false;
            TRY(each(ref, "items", rw, [&](YAML::Node const& item, Where const& iw) -> ErrorOr {
                items = true;
                auto k = TRY(string_at(item, "key", iw, true));
                auto path = TRY(string_at(item, "path", iw, true));
                if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos)
                    return iw.key("path").error("must be a relative path without \"..\"");
                auto it = all.find(k);
                if (it == all.end())
                    return iw.key("key").error("\"" + k + "\" is not a key of " + ref_name);
                pv.files[path] = it->second;
                return {};
            }));
            if (!items)
                pv.files = all;
            v.kind = PodVolume::Kind::Data;
            v.source = pv.name;
            pod.pod_volumes.push_back(std::move(pv));
        } else {
            return at.error("unsupported volume type: use persistentVolumeClaim, hostPath, emptyDir, configMap or secret");
        }
        if (!out.emplace(name, v).second)
            return at.key("name").error("\"" + name + "\" is given twice");
        return {};
    }));
    return out;
}

ErrorOr read_mounts(YAML::Node const& c, Where const& w, std::map<std::string, PodVolume> const& volumes,
    container::CreateOptions& o)
{
    return each(c, "volumeMounts", w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Map, "a map", at));
        TRY(known_fields(n, volume_mount_fields, "VolumeMount", at));
        auto name = TRY(string_at(n, "name", at, true));
        auto path = TRY(string_at(n, "mountPath", at, true));
        if (path.empty() || path[0] != '/')
            return at.key("mountPath").error("must be an absolute path, not \"" + path + "\"");
        bool ro = TRY(bool_at(n, "readOnly", at));
        auto it = volumes.find(name);
        if (it == volumes.end())
            return at.key("name").error("no volume \"" + name + "\" in the pod's spec.volumes");
        auto v = it->second;
        using K = PodVolume::Kind;
        // A part of a host path is a host path; named volumes have no sub-mounts in berth.
        if (auto sub = TRY(string_at(n, "subPath", at)); !sub.empty()) {
            if (v.kind != K::HostPath)
                return at.key("subPath").error("is only supported on hostPath volumes");
            if (sub[0] == '/' || ("/" + sub + "/").find("/../") != std::string::npos)
                return at.key("subPath").error("must be a relative path without \"..\"");
            v.source += (v.source.back() == '/' ? "" : "/") + sub;
        }
        switch (v.kind) {
        case K::Memory: o.tmpfs.push_back(path); break;
        // FIXME: a tmpfs per container: the pod's containers do not share a Memory emptyDir.
        case K::Data: o.volumes.push_back(v.source + ":" + path + ":ro"); break;
        case K::EmptyDir:
        case K::Named:
        case K::HostPath: o.volumes.push_back(v.source + ":" + path + (ro ? ":ro" : "")); break;
        }
        return {};
    });
}

/// A Kubernetes enum value as berth's word: `table` pairs them ("" is the default).
Result<std::string> translate(std::string const& value, std::vector<std::pair<std::string, std::string>> const& table,
    char const* what, char const* choices, Where const& w)
{
    for (auto const& [kube, berth] : table)
        if (kube == value)
            return berth;
    return w.error("\"" + value + "\" is not a " + what + ": use " + choices);
}

/// Kubernetes' restartPolicy as --restart (Always when unset, as in Kubernetes).
Result<std::string> restart_of(std::string const& policy, Where const& w)
{
    return translate(policy, { { "", "always" }, { "Always", "always" }, { "OnFailure", "on-failure" }, { "Never", "no" } },
        "restart policy", "Always, OnFailure or Never", w);
}

Result<std::string> pull_of(std::string const& policy, Where const& w)
{
    return translate(policy, { { "", "missing" }, { "IfNotPresent", "missing" }, { "Always", "always" }, { "Never", "never" } },
        "pull policy", "Always, IfNotPresent or Never", w);
}

Result<container::CreateOptions> read_container(YAML::Node const& c, Where const& w, PlayPod& pod, YAML::Node const& spec,
    Where const& sw, DataObjects const& data, std::map<std::string, PodVolume> const& volumes, std::string const& restart)
{
    TRY(expect(c, YAML::NodeType::Map, "a map", w));
    TRY(known_fields(c, container_fields, "Container", w));
    container::CreateOptions o;
    auto name = TRY(string_at(c, "name", w, true));
    o.name = pod.name + "-" + name;
    o.image = TRY(string_at(c, "image", w, true));
    if (o.image.empty())
        return w.key("image").error("missing (required)");
    o.pull = TRY(pull_of(TRY(string_at(c, "imagePullPolicy", w)), w.key("imagePullPolicy")));
    auto command = TRY(strings_at(c, "command", w));
    auto args = TRY(strings_at(c, "args", w));
    if (!command.empty()) {
        Json words = Json::array();
        for (auto const& word : command)
            words.push_back(word);
        o.entrypoint = json::dump(words);  // replaces invalid UTF-8 rather than throwing
    }
    o.command = args;
    TRY(read_env(c, w, data, o));
    o.workdir = TRY(string_at(c, "workingDir", w));
    TRY(read_security(spec["securityContext"], sw.key("securityContext"), o));
    TRY(read_security(c["securityContext"], w.key("securityContext"), o));
    TRY(read_probe(c, w, o));
    TRY(read_mounts(c, w, volumes, o));
    o.tty = TRY(bool_at(c, "tty", w));
    o.interactive = TRY(bool_at(c, "stdin", w));
    o.restart = restart;
    o.detach = true;
    TRY(each(c, "ports", w, [&](YAML::Node const& n, Where const& at) -> ErrorOr {
        TRY(expect(n, YAML::NodeType::Map, "a map", at));
        TRY(known_fields(n, port_fields, "ContainerPort", at));
        auto port = TRY(int_at(n, "containerPort", at));
        if (!port)
            return at.key("containerPort").error("missing (required)");
        if (*port < 1 || *port > 65535)
            return at.key("containerPort").error("must be a port number (1-65535)");
        auto host = TRY(int_at(n, "hostPort", at)).value_or(0);
        if (host < 0 || host > 65535)
            return at.key("hostPort").error("must be a port number (1-65535)");
        auto proto = TRY(string_at(n, "protocol", at));
        if (!proto.empty() && proto != "TCP" && proto != "UDP")
            return at.key("protocol").error("\"" + proto + "\" is not supported: use TCP or UDP");
        auto ip = TRY(string_at(n, "hostIP", at));
        if (host == 0)
            return {};  // not published, as in Podman without --publish
        std::string spec_text = (ip.empty() ? "" : (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":")
            + std::to_string(host) + ":" + std::to_string(*port) + (proto == "UDP" ? "/udp" : "/tcp");
        pod.publish.push_back(spec_text);
        return {};
    }));
    return o;
}

/// A pod spec (of a Pod, or of a workload's template) into `pod`. A Job's
/// pod never restarts always: Kubernetes requires Never or OnFailure there,
/// and an unset policy means Never.
ErrorOr read_pod_spec(YAML::Node const& spec, Where const& sw, DataObjects const& data, PlayPlan& plan, PlayPod& pod,
    std::string const& kind)
{
    TRY(expect(spec, YAML::NodeType::Map, "a map", sw));
    TRY(known_fields(spec, pod_spec_fields, "PodSpec", sw));
    if (auto init = spec["initContainers"]; init && !(init.IsSequence() && init.size() == 0))
        return sw.key("initContainers").error("init containers are not supported");
    auto volumes = TRY(read_volumes(spec, sw, data, plan, pod));
    auto policy = TRY(string_at(spec, "restartPolicy", sw));
    if (kind == "Job") {
        if (policy == "Always")
            return sw.key("restartPolicy").error("\"Always\" is not allowed in a Job: use Never or OnFailure");
        if (policy.empty())
            policy = "Never";
    }
    auto restart = TRY(restart_of(policy, sw.key("restartPolicy")));
    if (TRY(bool_at(spec, "hostNetwork", sw)))
        pod.network = "host";
    if (auto hostname = TRY(string_at(spec, "hostname", sw)); !hostname.empty())
        pod.hostname = hostname;
    auto containers = spec["containers"];
    if (!containers || containers.IsNull() || (containers.IsSequence() && containers.size() == 0))
        return sw.key("containers").error("missing (required): a pod needs at least one container");
    std::set<std::string> names;
    TRY(each(spec, "containers", sw, [&](YAML::Node const& c, Where const& at) -> ErrorOr {
        auto o = TRY(read_container(c, at, pod, spec, sw, data, volumes, restart));
        if (!names.insert(o.name).second)
            return at.key("name").error("\"" + o.name.substr(pod.name.size() + 1) + "\" is given twice");
        pod.containers.push_back(std::move(o));
        return {};
    }));
    // The time a stop waits before SIGKILL.
    if (auto grace = TRY(int_at(spec, "terminationGracePeriodSeconds", sw))) {
        if (*grace < 0)
            return sw.key("terminationGracePeriodSeconds").error("must not be negative");
        for (auto& o : pod.containers)
            o.stop_timeout = static_cast<int>(*grace);
    }
    return {};
}

/// The pod's annotations (the file's, then --annotation's over them), as
/// Podman's: on each of its containers; the per-container ones kube generate
/// writes (--init and -t come back); the auto-update policy and authfile as
/// the labels berth auto-update reads.
ErrorOr read_annotations(YAML::Node const& meta, Where const& w, std::map<std::string, std::string> const& extra, PlayPod& pod)
{
    std::map<std::string, std::string> annotations;
    if (meta)
        annotations = TRY(string_map_at(meta, "annotations", w.key("metadata")));
    for (auto const& [key, value] : extra)
        annotations[key] = value;
    for (auto& o : pod.containers) {
        auto name = o.name.substr(pod.name.size() + 1);
        auto value = [&](std::string const& key) {
            auto it = annotations.find(key + "/" + name);
            return it == annotations.end() ? std::string() : it->second;
        };
        if (value("io.podman.annotations.init") == "TRUE")
            o.init = true;
        if (value("io.kubernetes.cri-o.TTY") == "true")
            o.tty = true;
        for (std::string key : { auto_update_key, auto_update_authfile_key }) {
            auto pod_wide = annotations.find(key);
            auto own = value(key);
            if (!own.empty())
                o.labels.push_back(key + "=" + own);
            else if (pod_wide != annotations.end())
                o.labels.push_back(key + "=" + pod_wide->second);
        }
        for (auto const& [key, v] : annotations)
            o.annotations.push_back(key + "=" + v);
    }
    return {};
}

Result<std::vector<std::string>> labels_of(YAML::Node const& meta, Where const& w)
{
    std::vector<std::string> out;
    if (meta)
        for (auto const& [k, v] : TRY(string_map_at(meta, "labels", w.key("metadata"))))
            out.push_back(k + "=" + v);
    return out;
}

ErrorOr read_workload(Document const& d, PlayInput const& input, DataObjects const& data, PlayPlan& plan)
{
    if (d.name.empty())
        return d.where.key("metadata.name").error("missing (required)");
    auto spec = d.node["spec"];
    if (!spec)
        return d.where.key("spec").error("missing (required)");
    auto make_pod = [&](std::string const& name, YAML::Node const& pod_spec, Where const& sw, YAML::Node const& meta) -> ErrorOr {
        PlayPod pod;
        pod.name = name;
        pod.hostname = name;
        pod.network = input.network;
        pod.labels = TRY(labels_of(meta, d.where));
        TRY(read_pod_spec(pod_spec, sw, data, plan, pod, d.kind));
        TRY(read_annotations(meta, d.where, input.annotations, pod));
        pod.publish.insert(pod.publish.end(), input.publish.begin(), input.publish.end());
        // On the host's network a container's port is the host's already: nothing to publish.
        if (pod.network == "host")
            pod.publish.clear();
        plan.pods.push_back(std::move(pod));
        return {};
    };
    if (d.kind == "Pod")
        return make_pod(d.name, spec, d.where.key("spec"), d.node["metadata"]);
    // Deployment: one pod per replica, NAME-pod-N (Podman 4.3). DaemonSet
    // (one node: one pod) and Job (its parallelism is not followed: one run
    // of its pod): NAME-pod (Podman 5).
    TRY(expect(spec, YAML::NodeType::Map, "a map", d.where.key("spec")));
    int64_t replicas = 1;
    if (d.kind == "Deployment")
        replicas = TRY(int_at(spec, "replicas", d.where.key("spec"))).value_or(1);
    if (replicas < 0)
        return d.where.key("spec.replicas").error("must not be negative");
    auto tmpl = spec["template"];
    if (!tmpl)
        return d.where.key("spec.template").error("missing (required)");
    TRY(expect(tmpl, YAML::NodeType::Map, "a map", d.where.key("spec.template")));
    if (!tmpl["spec"])
        return d.where.key("spec.template.spec").error("missing (required)");
    if (d.kind != "Deployment")
        return make_pod(d.name + "-pod", tmpl["spec"], d.where.key("spec.template.spec"), tmpl["metadata"]);
    for (int64_t i = 0; i < replicas; ++i)
        TRY(make_pod(d.name + "-pod-" + std::to_string(i), tmpl["spec"], d.where.key("spec.template.spec"), tmpl["metadata"]));
    return {};
}

bool is_workload(std::string const& kind)
{
    return kind == "Pod" || kind == "Deployment" || kind == "DaemonSet" || kind == "Job";
}

ErrorOr check_kind(Document const& d)
{
    static std::set<std::string> const known { "Pod", "Deployment", "DaemonSet", "Job", "ConfigMap", "Secret", "PersistentVolumeClaim", "Service" };
    if (!known.count(d.kind))
        return d.where.key("kind").error("\"" + d.kind
            + "\" is not supported: use Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim or Service");
    return {};
}

} // namespace

std::string empty_dir_volume(std::string const& pod, std::string const& volume)
{
    return pod + "-" + volume;
}

namespace {

Result<PlayPlan> make_plan(PlayInput const& input, bool lenient)
{
    auto docs = TRY(load_documents(input.file, input.text));
    DataObjects data;
    data.lenient = lenient;
    // The --configmap files first: the file's own objects of the same name win.
    for (auto const& [file, text] : input.configmaps)
        for (auto const& d : TRY(load_documents(file, text))) {
            if (d.kind != "ConfigMap")
                return d.where.key("kind").error("must be ConfigMap in a --configmap file");
            TRY(read_data_object(d, data));
        }
    for (auto const& d : docs) {
        TRY(check_kind(d));
        if (d.kind == "ConfigMap" || d.kind == "Secret")
            TRY(read_data_object(d, data));
    }
    PlayPlan plan;
    for (auto const& d : docs) {
        if (d.kind == "PersistentVolumeClaim") {
            if (d.name.empty())
                return d.where.key("metadata.name").error("missing (required)");
            if (std::none_of(plan.volumes.begin(), plan.volumes.end(), [&](PlayVolume const& v) { return v.name == d.name; }))
                plan.volumes.push_back({ d.name, {} });
        } else if (is_workload(d.kind)) {
            TRY(read_workload(d, input, data, plan));
        }
    }
    if (plan.pods.empty() && plan.volumes.empty())
        return Error { EINVAL, input.file + ": no Pod, Deployment, DaemonSet, Job or PersistentVolumeClaim in the file" };
    std::set<std::string> names;
    for (auto const& pod : plan.pods)
        if (!names.insert(pod.name).second)
            return Error { EINVAL, input.file + ": pod \"" + pod.name + "\" is made twice" };
    return plan;
}

} // namespace

namespace {

/// make_plan with whatever yaml-cpp still throws (a subscript of a scalar
/// where a map was checked for too loosely) as an Error: the one wrapper.
Result<PlayPlan> make_plan_caught(PlayInput const& input, bool lenient)
{
    try {
        return make_plan(input, lenient);
    } catch (YAML::Exception const& e) {
        return Error { EINVAL, input.file + ": " + yaml_exception_message(e) };
    }
}

} // namespace

Result<PlayPlan> plan_play(PlayInput const& input)
{
    return make_plan_caught(input, false);
}

Result<std::vector<std::string>> pod_names(PlayInput const& input)
{
    auto p = TRY(make_plan_caught(input, true));
    std::vector<std::string> out;
    for (auto const& pod : p.pods)
        out.push_back(pod.name);
    return out;
}

} // namespace berth::kube
