// Kubernetes objects for containers, pods and volumes (see generate.h).
#include "kube/generate.h"

#include "container/spec_builder.h"
#include "format/yaml.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace berth::kube {

namespace {

/// The capabilities a Kubernetes container runtime (CRI-O, containerd, Docker)
/// gives by default: securityContext.capabilities is relative to these.
std::vector<std::string> const& kubernetes_default_capabilities()
{
    static std::vector<std::string> const caps { "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
        "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE" };
    return caps;
}

bool contains(std::vector<std::string> const& list, std::string const& item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

Json string_array(std::vector<std::string> const& words)
{
    Json out = Json::array();
    for (auto const& w : words)
        out.push_back(w);
    return out;
}

/// "KEY=VALUE" -> KEY.
std::string env_key(std::string const& entry)
{
    return entry.substr(0, entry.find('='));
}

/// command and args, as Podman splits them: the entrypoint is the command and
/// CMD its args; both left out when they are the image's own, the command
/// alone when only the arguments differ.
void set_command(Json& c, ContainerInput const& in)
{
    auto const& o = in.options;
    auto entry = o.entrypoint ? container::entrypoint_words(*o.entrypoint) : in.image.entrypoint;
    auto cmd = !o.command.empty() ? o.command : (o.entrypoint ? std::vector<std::string> {} : in.image.cmd);
    if (entry == in.image.entrypoint && cmd == in.image.cmd)
        return;
    if (!entry.empty() && entry == in.image.entrypoint) {
        c["args"] = string_array(cmd);
        return;
    }
    if (entry.empty()) {
        if (!cmd.empty())
            c["command"] = string_array(cmd);
        return;
    }
    c["command"] = string_array(entry);
    if (!cmd.empty())
        c["args"] = string_array(cmd);
}

/// The variables --env-file and -e set (the last of a name wins) that the image does not already have with that value.
Json env_list(ContainerInput const& in)
{
    Json out = Json::array();
    std::set<std::string> seen;
    auto given = in.options.env_files;  // KEY=VALUE lines once created
    given.insert(given.end(), in.options.env.begin(), in.options.env.end());
    for (auto it = given.rbegin(); it != given.rend(); ++it) {
        auto eq = it->find('=');
        if (eq == std::string::npos || !seen.insert(env_key(*it)).second || contains(in.image.env, *it))
            continue;
        out.insert(out.begin(), Json { { "name", it->substr(0, eq) }, { "value", it->substr(eq + 1) } });
    }
    return out;
}

Json port_list(std::vector<network::PortMapping> const& ports)
{
    Json out = Json::array();
    for (auto const& p : ports) {
        Json port { { "containerPort", p.container_port } };
        if (p.host_port)
            port["hostPort"] = p.host_port;
        if (!p.host_ip.empty() && p.host_ip != "0.0.0.0")
            port["hostIP"] = p.host_ip;
        if (p.protocol == "udp")
            port["protocol"] = "UDP";
        out.push_back(std::move(port));
    }
    return out;
}

/// securityContext: privileged, or the capabilities relative to Kubernetes'
/// defaults; a read-only root; a numeric --user as runAsUser[/runAsGroup].
Json security_context(ContainerInput const& in)
{
    auto const& o = in.options;
    Json sc = Json::object();
    if (o.privileged) {
        sc["privileged"] = true;
    } else {
        auto defaults = o.default_capabilities.empty() ? container::podman_default_capabilities() : o.default_capabilities;
        auto caps = container::resolve_capabilities(defaults, o);
        if (caps) {
            Json add = Json::array(), drop = Json::array();
            for (auto const& cap : *caps)
                if (!contains(kubernetes_default_capabilities(), cap))
                    add.push_back(cap);
            // The ones the user dropped first, then the rest of the defaults it lacks, as Podman orders them.
            std::vector<std::string> dropped;
            for (auto const& cap : kubernetes_default_capabilities())
                if (!contains(*caps, cap))
                    dropped.push_back(cap);
            std::stable_partition(dropped.begin(), dropped.end(), [&](std::string const& cap) {
                return std::any_of(o.cap_drop.begin(), o.cap_drop.end(), [&](std::string const& d) {
                    std::string up = d;
                    std::transform(up.begin(), up.end(), up.begin(), [](unsigned char ch) { return std::toupper(ch); });
                    return up == cap || "CAP_" + up == cap;
                });
            });
            drop = string_array(dropped);
            if (!add.empty())
                sc["capabilities"]["add"] = add;
            if (!drop.empty())
                sc["capabilities"]["drop"] = drop;
        }
    }
    if (o.read_only)
        sc["readOnlyRootFilesystem"] = true;
    auto numeric = [](std::string const& s) {
        return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isdigit(ch); });
    };
    auto colon = o.user.find(':');
    auto user = o.user.substr(0, colon);
    auto group = colon == std::string::npos ? "" : o.user.substr(colon + 1);
    if (numeric(user))
        sc["runAsUser"] = std::stoll(user);
    if (numeric(group))
        sc["runAsGroup"] = std::stoll(group);
    return sc;
}

/// A volume's name from a host path: "/srv/www" -> "srv-www-host-0".
std::string host_path_volume_name(std::string const& path, size_t index)
{
    auto base = kube_name(path);
    if (base.empty())
        base = "root";
    base = base.substr(0, 50);
    while (!base.empty() && base.back() == '-')
        base.pop_back();
    return base + "-host-" + std::to_string(index);
}

/// Pod-wide volumes, collected while the containers' mounts are turned into volumeMounts.
struct PodVolumes {
    Json list = Json::array();
    std::map<std::string, std::string> by_key;  ///< "bind:/path", "volume:name" -> the volume's name in the pod
    size_t host_paths = 0, empty_dirs = 0;
};

/// The pod volume a mount uses, added on first use.
std::string pod_volume(PodVolumes& vols, container::MountRequest const& m, PodInput const& pod)
{
    using T = container::MountRequest::Type;
    std::string key = m.type == T::Bind ? "bind:" + m.source : m.type == T::Volume && !m.source.empty() ? "volume:" + m.source : "";
    if (!key.empty())
        if (auto it = vols.by_key.find(key); it != vols.by_key.end())
            return it->second;
    Json v;
    if (m.type == T::Bind) {
        v["name"] = host_path_volume_name(m.source, vols.host_paths++);
        auto type = pod.host_path_types.find(m.source);
        v["hostPath"] = Json { { "path", m.source }, { "type", type == pod.host_path_types.end() ? "Directory" : type->second } };
    } else if (m.type == T::Volume && pod.empty_dirs.count(m.source)) {
        auto prefix = pod.name + "-";
        v["name"] = kube_name(m.source.rfind(prefix, 0) == 0 ? m.source.substr(prefix.size()) : m.source);
        v["emptyDir"] = Json::object();
    } else if (m.type == T::Volume && !m.source.empty()) {
        v["name"] = kube_name(m.source) + "-pvc";
        v["persistentVolumeClaim"] = Json { { "claimName", m.source } };
    } else {
        // An anonymous volume lives as long as the container: an emptyDir; tmpfs in memory.
        v["name"] = (m.type == T::Tmpfs ? "tmpfs-" : "anonymous-") + std::to_string(vols.empty_dirs++);
        v["emptyDir"] = m.type == T::Tmpfs ? Json { { "medium", "Memory" } } : Json::object();
    }
    std::string name = v["name"];
    vols.list.push_back(std::move(v));
    if (!key.empty())
        vols.by_key[key] = name;
    return name;
}

std::string bool_annotation(bool b)
{
    return b ? "TRUE" : "FALSE";
}

Json container_object(ContainerInput const& in, PodInput const& pod, PodVolumes& vols, Json& annotations)
{
    auto const& o = in.options;
    // kube play names a member POD-NAME: generate gives it back its own name, so a round trip keeps the names.
    auto name = kube_name(in.record.name);
    auto prefix = kube_name(pod.name) + "-";
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0)
        name = name.substr(prefix.size());
    Json c { { "name", name }, { "image", in.record.image_name.empty() ? o.image : in.record.image_name } };
    set_command(c, in);
    if (auto env = env_list(in); !env.empty())
        c["env"] = env;
    if (!in.ports.empty())
        c["ports"] = port_list(in.ports);
    if (auto sc = security_context(in); !sc.empty())
        c["securityContext"] = sc;
    if (!o.workdir.empty() && o.workdir != in.image.working_dir)
        c["workingDir"] = o.workdir;
    if (in.probe) {
        Json probe { { "exec", Json { { "command", string_array(in.probe->command) } } } };
        auto set = [&](char const* key, int64_t value) {
            if (value > 0)
                probe[key] = value;
        };
        set("periodSeconds", in.probe->period_seconds);
        set("timeoutSeconds", in.probe->timeout_seconds);
        set("initialDelaySeconds", in.probe->initial_delay_seconds);
        set("failureThreshold", in.probe->failure_threshold);
        c["livenessProbe"] = probe;
    }
    if (o.tty)
        c["tty"] = true;
    if (o.interactive)
        c["stdin"] = true;
    Json mounts = Json::array();
    if (auto requests = container::mount_requests(o); requests)
        for (auto const& m : *requests) {
            Json vm { { "name", pod_volume(vols, m, pod) }, { "mountPath", m.destination } };
            if (m.read_only)
                vm["readOnly"] = true;
            mounts.push_back(std::move(vm));
        }
    if (!mounts.empty())
        c["volumeMounts"] = mounts;
    annotations["io.kubernetes.cri-o.TTY/" + name] = o.tty ? "true" : "false";
    annotations["io.podman.annotations.autoremove/" + name] = bool_annotation(o.remove);
    annotations["io.podman.annotations.init/" + name] = bool_annotation(o.init);
    annotations["io.podman.annotations.privileged/" + name] = bool_annotation(o.privileged);
    annotations["io.podman.annotations.publish-all/" + name] = bool_annotation(o.publish_all);
    return c;
}

/// restartPolicy from the first container that has a --restart policy.
std::string restart_policy(PodInput const& pod)
{
    using K = container::RestartPolicy::Kind;
    for (auto const& c : pod.containers)
        switch (c.record.restart.kind) {
        case K::Always:
        case K::UnlessStopped: return "Always";
        case K::OnFailure: return "OnFailure";
        case K::No: return "Never";
        case K::Unset: break;
        }
    return "";
}

Json pod_spec(PodInput const& pod, Json& annotations)
{
    PodVolumes vols;
    Json containers = Json::array();
    for (auto const& c : pod.containers)
        containers.push_back(container_object(c, pod, vols, annotations));
    Json spec { { "containers", containers }, { "automountServiceAccountToken", false }, { "enableServiceLinks", false } };
    if (!pod.hostname.empty())
        spec["hostname"] = pod.hostname;
    if (pod.host_network || std::any_of(pod.containers.begin(), pod.containers.end(),
            [](ContainerInput const& c) { return c.options.network == "host"; }))
        spec["hostNetwork"] = true;
    // --stop-timeout as the grace period (the longest member's), unless all have the default 10 s.
    int grace = 10;
    for (auto const& c : pod.containers)
        if (c.options.stop_timeout != 10)
            grace = grace == 10 ? c.options.stop_timeout : std::max(grace, c.options.stop_timeout);
    if (grace != 10)
        spec["terminationGracePeriodSeconds"] = grace;
    if (auto policy = restart_policy(pod); !policy.empty())
        spec["restartPolicy"] = policy;
    if (!vols.list.empty())
        spec["volumes"] = vols.list;
    return spec;
}

Json metadata(std::string const& name, GenerateOptions const& options)
{
    return Json { { "name", name }, { "creationTimestamp", options.created }, { "labels", Json { { "app", name } } } };
}

} // namespace

Result<GenerateOptions::Type> parse_type(std::string const& text)
{
    if (text == "pod")
        return GenerateOptions::Type::Pod;
    if (text == "deployment")
        return GenerateOptions::Type::Deployment;
    if (text == "daemonset")
        return GenerateOptions::Type::DaemonSet;
    if (text == "job")
        return GenerateOptions::Type::Job;
    return Error { EINVAL, "invalid type \"" + text + "\": use pod, deployment, daemonset or job" };
}

std::string kube_name(std::string const& name)
{
    std::string out;
    for (unsigned char ch : name) {
        if (ch == '_')
            continue;
        ch = static_cast<unsigned char>(std::tolower(ch));
        out += std::isalnum(ch) || ch == '-' ? static_cast<char>(ch) : '-';
    }
    auto first = out.find_first_not_of('-');
    out = first == std::string::npos ? "" : out.substr(first);
    if (out.size() > 63)
        out.resize(63);
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

Json pod_object(PodInput const& pod, GenerateOptions const& options)
{
    auto name = kube_name(pod.name);
    Json annotations = Json::object();
    Json spec = pod_spec(pod, annotations);
    Json meta = metadata(name, options);
    if (options.type == GenerateOptions::Type::Pod) {
        meta["annotations"] = annotations;
        return Json { { "apiVersion", "v1" }, { "kind", "Pod" }, { "metadata", meta }, { "spec", spec } };
    }
    using T = GenerateOptions::Type;
    // A Deployment's and a DaemonSet's pods must restart always, the only policy
    // they allow; a Job's must not: Never unless the containers restart on failure.
    if (options.type == T::Job) {
        if (spec.value("restartPolicy", "") != "OnFailure")
            spec["restartPolicy"] = "Never";
    } else {
        spec.erase("restartPolicy");
    }
    Json tmpl { { "metadata", Json { { "labels", Json { { "app", name } } }, { "annotations", annotations } } }, { "spec", spec } };
    auto kind = options.type == T::Deployment ? "Deployment" : options.type == T::DaemonSet ? "DaemonSet" : "Job";
    std::string suffix = options.type == T::Deployment ? "-deployment" : options.type == T::DaemonSet ? "-daemonset" : "-job";
    Json dmeta = metadata(name + suffix, options);
    dmeta["labels"]["app"] = name;
    Json workload { { "template", tmpl } };
    if (options.type != T::Job)
        workload["selector"] = Json { { "matchLabels", Json { { "app", name } } } };
    if (options.type == T::Deployment)
        workload["replicas"] = options.replicas;
    return Json { { "apiVersion", options.type == T::Job ? "batch/v1" : "apps/v1" }, { "kind", kind }, { "metadata", dmeta },
        { "spec", workload } };
}

Json service_object(PodInput const& pod, GenerateOptions const& options)
{
    auto name = kube_name(pod.name);
    Json ports = Json::array();
    std::set<std::string> names;
    for (auto const& c : pod.containers)
        for (auto const& p : c.ports) {
            // Podman names a port by its number; a UDP twin of a TCP port needs a name of its own.
            std::string port_name = std::to_string(p.container_port) + (p.protocol == "udp" ? "-udp" : "");
            if (!names.insert(port_name).second)
                continue;
            // NodePorts lie in 30000-32767; derived from the name so that the output is a function of the input.
            uint32_t hash = 2166136261u;  // FNV-1a: the same on every platform
            for (unsigned char ch : name + "/" + port_name)
                hash = (hash ^ ch) * 16777619u;
            Json port { { "name", port_name }, { "port", p.container_port }, { "targetPort", p.container_port },
                { "nodePort", 30000 + static_cast<int>(hash % 2768) } };
            if (p.protocol == "udp")
                port["protocol"] = "UDP";
            ports.push_back(std::move(port));
        }
    if (ports.empty())
        return nullptr;
    return Json { { "apiVersion", "v1" }, { "kind", "Service" }, { "metadata", metadata(name, options) },
        { "spec", Json { { "ports", ports }, { "selector", Json { { "app", name } } }, { "type", "NodePort" } } } };
}

Json volume_claim_object(container::VolumeRecord const& volume, GenerateOptions const& options)
{
    Json meta { { "name", volume.name }, { "creationTimestamp", options.created },
        { "annotations", Json { { "volume.podman.io/driver", volume.driver } } } };
    for (auto const& [key, value] : volume.labels)
        meta["labels"][key] = value;
    return Json { { "apiVersion", "v1" }, { "kind", "PersistentVolumeClaim" }, { "metadata", meta },
        { "spec", Json { { "accessModes", Json::array({ "ReadWriteOnce" }) },
                      { "resources", Json { { "requests", Json { { "storage", "1Gi" } } } } } } } };
}

std::string generate_yaml(std::vector<PodInput> const& pods, std::vector<container::VolumeRecord> const& volumes,
    GenerateOptions const& options)
{
    std::string out = "# Save the output of this file and use kubectl create -f to import\n"
                      "# it into Kubernetes.\n"
                      "#\n"
                      "# Created with "
        + options.version + "\n";
    auto document = [&](Json const& object) { out += "---\n" + format::to_yaml(object); };
    for (auto const& pod : pods) {
        if (options.service)
            if (auto service = service_object(pod, options); !service.is_null())
                document(service);
        document(pod_object(pod, options));
    }
    for (auto const& volume : volumes)
        document(volume_claim_object(volume, options));
    return out;
}

} // namespace berth::kube
