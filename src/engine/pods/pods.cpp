// Pods: create with the infra container, the pod's lifecycle over its
// members, and a container's joining at create. See pods.h for the order
// rules; the rows and the pure rules are in container/pod_store.h.
#include "engine/pods/pods.h"

#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/timestamp.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"
#include "network/mode.h"

#include <algorithm>
#include <ctime>
#include <regex>
#include <set>

namespace berth::engine {

using container::ContainerRecord;
using container::PodRecord;
using container::PodStore;

namespace {

Result<PodStore> pod_records(Context& ctx)
{
    return PodStore::open(ctx.store->database(), ctx.paths.layout());
}

/// "KEY=VALUE" list -> {"KEY": "VALUE"}.
Json label_object(std::vector<std::string> const& labels)
{
    Json out = Json::object();
    for (auto const& l : labels) {
        auto eq = l.find('=');
        out[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    return out;
}

/// A generated pod name that no pod has.
Result<std::string> free_pod_name(PodStore& ps)
{
    for (int attempt = 0;; ++attempt) {
        auto name = container::generate_name(attempt);
        auto found = ps.find(name);
        if (!found && found.error().code == ENOENT)
            return name;
        if (attempt > 50)
            return Error { EEXIST, "no free pod name found: give one with --name" };
    }
}

/// The infra container's spec: the pause image, the pod's network, ports, names and DNS.
container::CreateOptions infra_spec(PodCreateOptions const& o, PodRecord const& pod, std::string const& image)
{
    container::CreateOptions spec;
    spec.image = image;
    spec.name = o.infra_name.empty() ? pod.id.substr(0, 12) + "-infra" : o.infra_name;
    spec.pull = "never";
    spec.network = o.network;
    spec.publish = o.publish;
    spec.hostname = pod.hostname.empty() ? pod.name : pod.hostname;  // as Podman 4: the pod's name
    spec.add_hosts = o.add_hosts;
    spec.dns = o.dns;
    spec.volumes = o.volumes;
    spec.create_command = o.create_command;
    spec.conmon_pidfile = o.infra_conmon_pidfile;
    spec.detach = true;
    return spec;
}

/// The containers of a pod in the order a stop takes them: members, then the infra.
std::vector<ContainerRecord> stop_order(PodReport const& r)
{
    std::vector<ContainerRecord> out;
    for (auto const& c : r.containers)
        if (c.id != r.pod.infra_id)
            out.push_back(c);
    for (auto const& c : r.containers)
        if (c.id == r.pod.infra_id)
            out.push_back(c);
    return out;
}

/// The other pods that name the same service container as `pod`, and whether any of them runs.
struct ServiceContainerUse {
    std::string id;          ///< the service container; "" when the pod has none
    bool others = false;     ///< another pod names it
    bool others_run = false; ///< one of those has an active container
};
Result<ServiceContainerUse> service_container_use(Context& ctx, PodRecord const& pod)
{
    ServiceContainerUse use { pod.config.value("service_container", ""), false, false };
    if (use.id.empty())
        return use;
    auto cs = TRY(container_records(ctx));
    for (auto const& other : TRY(TRY(pod_records(ctx)).list())) {
        if (other.id == pod.id || other.config.value("service_container", "") != use.id)
            continue;
        use.others = true;
        for (auto c : TRY(cs.list_pod(other.id))) {
            refresh_container(ctx, c);
            use.others_run = use.others_run || is_active(c.state);
        }
    }
    return use;
}

} // namespace

Result<PodRecord> create_pod(Context& ctx, PodCreateOptions const& o, Warn const& warn)
{
    if (o.replace && !o.name.empty()) {
        auto old = find_pod(ctx, o.name);
        if (old && old->name == o.name)
            TRY_CTX(remove_pod(ctx, *old, true, std::nullopt), "--replace");
    }
    auto ps = TRY(pod_records(ctx));
    PodRecord pod;
    pod.id = container::generate_id();
    pod.name = o.name.empty() ? TRY(free_pod_name(ps)) : o.name;
    pod.created = static_cast<int64_t>(std::time(nullptr));
    pod.labels = label_object(o.labels);
    pod.hostname = o.hostname;
    if (o.infra)
        pod.shared = TRY(container::parse_pod_share(o.share.value_or("+"), container::default_pod_share()));
    else if (o.share && !o.share->empty() && *o.share != "none")
        return Error { EINVAL, "cannot set shared namespaces without an infra container" };
    if (o.exit_policy != "continue" && o.exit_policy != "stop")
        return Error { EINVAL, "invalid pod exit policy: \"" + o.exit_policy + "\" (use continue or stop)" };
    if (!o.infra && (!o.publish.empty() || !o.network.empty()))
        return Error { EINVAL, "you must have an infra container to publish port bindings or set a network" };
    pod.config = Json {
        { "infra", o.infra }, { "infra_name", o.infra_name }, { "publish", o.publish }, { "network", o.network },
        { "add_hosts", o.add_hosts }, { "dns", o.dns }, { "volumes", o.volumes }, { "create_command", o.create_command },
        { "exit_policy", o.exit_policy },
    };
    if (!o.service_container.empty())
        pod.config["service_container"] = o.service_container;
    bool shares_net = std::find(pod.shared.begin(), pod.shared.end(), "net") != pod.shared.end();
    if (o.infra && !shares_net && (!o.publish.empty() || !o.network.empty()))
        return Error { EINVAL, "cannot set ports or a network for a pod that does not share its network namespace" };
    std::string image = o.infra ? TRY(ensure_pause_image(ctx)) : "";
    TRY(ps.insert(pod));
    auto write_id_file = [&]() -> ErrorOr {
        if (!o.pod_id_file.empty())
            TRY_CTX(fs::write_file_atomic(o.pod_id_file, pod.id), "--pod-id-file");
        return {};
    };
    if (!o.infra) {
        TRY(write_id_file());
        return pod;
    }
    ArmedScopeGuard drop_pod([&] { (void)ps.remove(pod.id); });
    auto spec = infra_spec(o, pod, image);
    auto infra = TRY_CTX(create_infra_container(ctx, spec, pod.id, warn), "create the infra container of pod " + pod.name);
    TRY(ps.set_infra(pod.id, infra.id));
    pod.infra_id = infra.id;
    drop_pod.disarm();
    TRY(write_id_file());
    return pod;
}

Result<PodRecord> find_pod(Context& ctx, std::string const& name_or_id)
{
    auto ps = TRY(pod_records(ctx));
    return ps.find(name_or_id);
}

Result<PodReport> pod_report(Context& ctx, PodRecord const& pod)
{
    auto cs = TRY(container_records(ctx));
    PodReport r { pod, TRY(cs.list_pod(pod.id)), "" };
    std::vector<container::State> states;
    for (auto& c : r.containers) {
        refresh_container(ctx, c);
        states.push_back(c.state);
    }
    r.status = container::pod_status(states);
    return r;
}

Result<std::vector<PodReport>> list_pods(Context& ctx)
{
    auto ps = TRY(pod_records(ctx));
    std::vector<PodReport> out;
    for (auto const& pod : TRY(ps.list()))
        out.push_back(TRY(pod_report(ctx, pod)));
    return out;
}

Json inspect_pod(PodReport const& r)
{
    Json containers = Json::array();
    for (auto const& c : r.containers)
        containers.push_back(Json { { "Id", c.id }, { "Name", c.name }, { "State", status_name(c) } });
    auto const& config = r.pod.config;
    Json doc {
        { "Id", r.pod.id },
        { "Name", r.pod.name },
        { "Created", timestamp::rfc3339(r.pod.created) },
        { "CreateCommand", config.value("create_command", Json::array()) },
        { "ExitPolicy", config.value("exit_policy", "continue") },
        { "State", r.status },
        { "Hostname", r.pod.hostname },
        { "Labels", r.pod.labels },
        { "CreateCgroup", false },
        { "CreateInfra", !r.pod.infra_id.empty() },
        { "InfraContainerID", r.pod.infra_id },
        { "SharedNamespaces", r.pod.shared },
        { "NumContainers", r.containers.size() },
        { "Containers", containers },
    };
    if (!r.pod.infra_id.empty())
        doc["InfraConfig"] = Json {
            { "PortBindings", config.value("publish", Json::array()) },
            { "HostNetwork", config.value("network", "") == "host" },
            { "DNSServer", config.value("dns", Json::array()) },
            { "HostAdd", config.value("add_hosts", Json::array()) },
            { "Networks", Json::array() },
        };
    if (r.pod.labels.empty())
        doc.erase("Labels");
    return doc;
}

Result<std::vector<PodFilter>> parse_pod_filters(std::vector<std::string> const& raw)
{
    static std::set<std::string> const known { "id", "name", "label", "status" };
    std::vector<PodFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        if (eq == std::string::npos)
            return Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" };
        PodFilter filter { f.substr(0, eq), f.substr(eq + 1) };
        if (!known.count(filter.key))
            return Error { EINVAL, filter.key + " is an invalid filter: valid pod filters are id, name, label, status" };
        out.push_back(std::move(filter));
    }
    return out;
}

bool pod_matches(PodReport const& r, std::vector<PodFilter> const& filters)
{
    // Filters of one key: any matches; of different keys: all match (as ps).
    std::map<std::string, bool> by_key;
    for (auto const& f : filters) {
        bool ok = false;
        if (f.key == "id")
            ok = r.pod.id.rfind(f.value, 0) == 0;
        else if (f.key == "name") {
            try {
                ok = std::regex_search(r.pod.name, std::regex(f.value));
            } catch (std::regex_error const&) {
                ok = r.pod.name == f.value;
            }
        } else if (f.key == "status") {
            std::string status = r.status;
            std::transform(status.begin(), status.end(), status.begin(), [](unsigned char c) { return std::tolower(c); });
            ok = status == f.value;
        } else if (f.key == "label") {
            auto eq = f.value.find('=');
            auto key = f.value.substr(0, eq);
            ok = r.pod.labels.contains(key) && (eq == std::string::npos || r.pod.labels[key] == f.value.substr(eq + 1));
        }
        by_key[f.key] = by_key[f.key] || ok;
    }
    return std::all_of(by_key.begin(), by_key.end(), [](auto const& kv) { return kv.second; });
}

ErrorOr start_pod(Context& ctx, PodRecord const& pod)
{
    auto r = TRY(pod_report(ctx, pod));
    StartOptions detached;
    detached.attach = false;
    // The infra first: the members join its namespaces.
    auto order = stop_order(r);
    std::reverse(order.begin(), order.end());
    for (auto const& c : order)
        if (!is_active(c.state))
            TRY_CTX(start_container(ctx, c.id, detached), "start pod " + pod.name);
    return {};
}

ErrorOr stop_pod(Context& ctx, PodRecord const& pod, std::optional<int> timeout)
{
    auto r = TRY(pod_report(ctx, pod));
    auto order = stop_order(r);
    // Every member's stop signal first, so that their stops overlap; the infra last.
    for (auto const& c : order)
        if (c.id != pod.infra_id)
            (void)begin_stop(ctx, c, timeout);
    for (auto const& c : order)
        TRY_CTX(stop_container(ctx, c, timeout), "stop pod " + pod.name);
    // kube play --service-container: it stops with the last of its pods.
    auto use = TRY(service_container_use(ctx, pod));
    if (use.id.empty() || use.others_run)
        return {};
    auto service = find_container(ctx, use.id);
    if (service && is_active(service->state))
        TRY_CTX(stop_container(ctx, *service, timeout), "stop the service container of pod " + pod.name);
    return {};
}

ErrorOr apply_pod_exit_policy(Context& ctx, container::ContainerRecord const& exited)
{
    if (exited.pod_id.empty())
        return {};
    auto pod = TRY(pod_records(ctx)).find(exited.pod_id);
    if (!pod)
        return {};  // removed meanwhile
    if (pod->infra_id == exited.id || pod->config.value("exit_policy", "continue") != "stop")
        return {};
    auto r = TRY(pod_report(ctx, *pod));
    for (auto const& c : r.containers)
        if (c.id != pod->infra_id && c.id != exited.id && is_active(c.state))
            return {};
    return stop_pod(ctx, *pod, std::nullopt);
}

ErrorOr kill_pod(Context& ctx, PodRecord const& pod, int sig)
{
    auto r = TRY(pod_report(ctx, pod));
    bool any = false;
    for (auto const& c : stop_order(r))
        if (c.state == container::State::Running) {
            TRY(kill_container(ctx, c, sig));
            any = true;
        }
    if (!any)
        return Error { EINVAL, "no containers in pod " + pod.id + " are running: container state improper" };
    return {};
}

ErrorOr pause_pod(Context& ctx, PodRecord const& pod, bool pause)
{
    auto r = TRY(pod_report(ctx, pod));
    for (auto const& c : stop_order(r)) {
        if (pause && c.state == container::State::Running)
            TRY(pause_container(ctx, c));
        else if (!pause && c.state == container::State::Paused)
            TRY(unpause_container(ctx, c));
    }
    return {};
}

ErrorOr remove_pod(Context& ctx, PodRecord const& pod, bool force, std::optional<int> timeout)
{
    auto ps = TRY(pod_records(ctx));
    auto lock = TRY(ps.lock(pod.id));
    auto r = TRY(pod_report(ctx, pod));
    if (!force)
        for (auto const& c : r.containers)
            if (is_active(c.state))
                return Error { EBUSY, "removing container " + c.id + " from pod " + pod.id + ": cannot remove container "
                        + c.id + " as it is running - running or paused containers cannot be removed without force: "
                        "container state improper" };
    if (force)
        TRY(stop_pod(ctx, pod, timeout));
    RemoveOptions ro;
    ro.force = force;
    ro.timeout = timeout;
    ro.with_pod = true;
    for (auto const& c : stop_order(r))
        TRY_CTX(remove_container(ctx, c, ro), "remove pod " + pod.name);
    auto use = TRY(service_container_use(ctx, pod));
    TRY(ps.remove(pod.id));
    // kube play --service-container: it goes with the last of its pods.
    if (!use.id.empty() && !use.others)
        if (auto service = find_container(ctx, use.id))
            TRY_CTX(remove_container(ctx, *service, RemoveOptions { true, false, timeout, false }),
                "remove the service container of pod " + pod.name);
    return {};
}

Result<std::vector<std::string>> prune_pods(Context& ctx)
{
    std::vector<std::string> removed;
    for (auto const& r : TRY(list_pods(ctx))) {
        bool active = std::any_of(r.containers.begin(), r.containers.end(), [](auto const& c) { return is_active(c.state); });
        if (active)
            continue;
        TRY(remove_pod(ctx, r.pod, false, std::nullopt));
        removed.push_back(r.pod.id);
    }
    return removed;
}

namespace {

/// The pod's -v volumes go first in a member's, as Podman's members mount
/// the infra container's volumes (one at a destination the member mounts
/// too is an error, as Podman's).
void add_pod_volumes(PodRecord const& pod, std::vector<std::string>& volumes)
{
    auto it = pod.config.find("volumes");
    if (it == pod.config.end() || !it->is_array())
        return;
    std::vector<std::string> out;
    for (auto const& v : *it)
        if (v.is_string())
            out.push_back(v.get<std::string>());
    volumes.insert(volumes.begin(), out.begin(), out.end());
}

} // namespace

// FIXME: a member's create does not take the pod's lock, so a `pod rm -f`
// racing it may leave a member whose pod is gone (its start then fails with
// "no pod with name or ID"); Podman locks the pod for the whole create.
ErrorOr join_pod(Context& ctx, container::CreateOptions& o, Warn const& warn)
{
    if (o.pod.empty())
        return {};
    PodRecord pod;
    if (o.pod.starts_with("new:")) {
        PodCreateOptions po;
        po.name = o.pod.substr(4);
        pod = TRY(create_pod(ctx, po, warn));
    } else {
        pod = TRY(find_pod(ctx, o.pod));
    }
    o.pod = pod.id;
    auto shares = [&](char const* ns) { return std::find(pod.shared.begin(), pod.shared.end(), ns) != pod.shared.end(); };
    if (shares("net")) {
        if (!o.publish.empty() || o.publish_all)
            return Error { EINVAL, "invalid config provided: published or exposed ports must be defined when the pod is created: "
                                   "network cannot be configured when it is shared with a pod" };
        auto mode = TRY(network::parse_network_mode(o.network));
        if (mode.kind != network::NetworkMode::Kind::Default)
            return Error { EINVAL, "invalid config provided: networks must be defined when the pod is created: "
                                   "network cannot be configured when it is shared with a pod" };
        o.network = "container:" + pod.infra_id;
    }
    for (auto const& ns : container::namespace_flags()) {
        if (shares(ns.type) && (o.*ns.field).empty())
            o.*ns.field = "container:" + pod.infra_id;
    }
    if (shares("uts"))
        o.hostname.clear();  // the pod's, through the shared UTS namespace
    add_pod_volumes(pod, o.volumes);
    return {};
}

ErrorOr start_pod_infra(Context& ctx, ContainerRecord const& member)
{
    if (member.pod_id.empty())
        return {};
    auto ps = TRY(pod_records(ctx));
    auto pod = TRY(ps.find(member.pod_id));
    if (pod.infra_id.empty() || pod.infra_id == member.id)
        return {};
    auto infra = TRY(find_container(ctx, pod.infra_id));
    if (is_active(infra.state))
        return {};
    StartOptions detached;
    detached.attach = false;
    auto started = start_container(ctx, infra.id, detached);
    // EBUSY: another member's start started it meanwhile.
    if (!started && started.error().code != EBUSY)
        return std::move(started).error().with_context("start the infra container of pod " + pod.name);
    return {};
}

Result<std::optional<PodRecord>> pod_of_infra(Context& ctx, ContainerRecord const& rec)
{
    if (rec.pod_id.empty())
        return std::optional<PodRecord> {};
    auto ps = TRY(pod_records(ctx));
    return ps.infra_of(rec.id);
}

Result<std::map<std::string, PodRecord>> pods_by_id(Context& ctx)
{
    auto ps = TRY(pod_records(ctx));
    std::map<std::string, PodRecord> out;
    for (auto& p : TRY(ps.list()))
        out[p.id] = std::move(p);
    return out;
}

} // namespace berth::engine
