// `pod clone`: a new pod made from the options an existing one was created
// with (pods.cpp keeps them in the pod's row), with its own infra container
// and a copy of each member, as Podman 4.3 does: the pod is NAME-clone unless
// named, the infra and each member are their original's name plus "-clone"
// (then "-clone1", "-clone2", ... when that is taken, by an earlier clone).
//
// The hard part is the members' stored options: they are the options after
// the create resolved them, so they point at the original pod and its infra
// (container:<infra> namespace modes) and hold --env-file's lines rather than
// the file; those are turned back into what a create of the clone expects.
#include "engine/pods/pods.h"

#include "engine/containers/clone.h"
#include "engine/containers/containers.h"

namespace berth::engine {

using container::ContainerRecord;
using container::PodRecord;

namespace {

std::vector<std::string> strings_of(Json const& config, char const* key)
{
    std::vector<std::string> out;
    if (auto it = config.find(key); it != config.end() && it->is_array())
        for (auto const& v : *it)
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

Result<bool> pod_name_taken(Context& ctx, std::string const& name)
{
    auto found = find_pod(ctx, name);
    if (!found && found.error().code == ENOENT)
        return false;
    return TRY(std::move(found)).name == name;
}

/// The options `pod` was created with, for a clone named `name` (empty: a
/// free NAME-clone) whose infra is named after `infra_name`.
Result<PodCreateOptions> pod_clone_create_options(Context& ctx, PodRecord const& pod, std::string const& name, std::string const& infra_name)
{
    auto const& c = pod.config;
    PodCreateOptions o;
    o.name = name.empty() ? TRY(clone_name(pod.name, [&](auto const& n) { return pod_name_taken(ctx, n); })) : name;
    o.infra = !pod.infra_id.empty();
    if (o.infra) {
        std::string share;
        for (auto const& ns : pod.shared)
            share += (share.empty() ? "" : ",") + ns;
        o.share = share;
        o.infra_name = TRY(clone_name(infra_name, [&](auto const& n) { return container_name_taken(ctx, n); }));
    }
    o.publish = strings_of(c, "publish");
    if (auto it = c.find("network"); it != c.end() && it->is_string())
        o.network = it->get<std::string>();
    o.hostname = pod.hostname;
    for (auto const& [key, value] : pod.labels.items())
        o.labels.push_back(key + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
    o.add_hosts = strings_of(c, "add_hosts");
    o.dns = strings_of(c, "dns");
    o.create_command = strings_of(c, "create_command");
    o.exit_policy = c.value("exit_policy", "continue");
    return o;
}

/// A copy of `member` in pod `to`, named NAME-clone (or NAME-cloneN).
ErrorOr clone_member(Context& ctx, ContainerRecord const& member, PodRecord const& from, PodRecord const& to, Warn const& warn)
{
    auto o = TRY(clone_create_options(ctx, member, ""));
    o.pod = to.id;
    leave_pod_infra(o, from.infra_id);
    TRY_CTX(create_container(ctx, o, {}, "", warn), "clone container " + member.name);
    return {};
}

} // namespace

Result<PodRecord> clone_pod(Context& ctx, PodRecord const& pod, PodCloneOptions const& options, Warn const& warn)
{
    auto report = TRY(pod_report(ctx, pod));
    std::string infra_name;
    for (auto const& c : report.containers)
        if (c.id == pod.infra_id)
            infra_name = c.name;
    auto clone = TRY(create_pod(ctx, TRY(pod_clone_create_options(ctx, pod, options.name, infra_name)), warn));
    // Oldest first, so that the copies keep the originals' order.
    for (auto it = report.containers.rbegin(); it != report.containers.rend(); ++it) {
        if (it->id == pod.infra_id)
            continue;
        if (auto cloned = clone_member(ctx, *it, pod, clone, warn); !cloned) {
            (void)remove_pod(ctx, clone, true, 0);
            return std::move(cloned).error();
        }
    }
    if (options.destroy)
        TRY_CTX(remove_pod(ctx, pod, true, std::nullopt), "--destroy");
    if (options.start)
        TRY(start_pod(ctx, clone));
    return clone;
}

} // namespace berth::engine
