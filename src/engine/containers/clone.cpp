// `container clone`: the stored options of the original, with the clone's
// flags over them, through the same create_container as `create` (so the
// same checks), then --destroy and --run.
#include "engine/containers/clone.h"

#include "engine/containers/lifecycle.h"
#include "engine/pods/pods.h"

namespace berth::engine {

using container::ContainerRecord;

Result<std::string> clone_name(std::string const& base, std::function<Result<bool>(std::string const&)> const& taken)
{
    for (int n = 0; n < 1000; ++n) {
        std::string name = base + "-clone" + (n == 0 ? "" : std::to_string(n));
        if (!TRY(taken(name)))
            return name;
    }
    return Error { EEXIST, "no free name for a clone of " + base + ": give one with --name" };
}

Result<bool> container_name_taken(Context& ctx, std::string const& name)
{
    auto cs = TRY(container_records(ctx));
    return cs.name_in_use(name);
}

Result<container::CreateOptions> clone_create_options(Context& ctx, ContainerRecord const& original, std::string const& name)
{
    auto o = TRY(container::CreateOptions::from_json(original.config));
    o.name = name.empty() ? TRY(clone_name(original.name, [&](auto const& n) { return container_name_taken(ctx, n); })) : name;
    o.cidfile.clear();
    o.replace = false;
    o.restart = std::string(container::restart_policy_name(original.restart.kind));
    if (original.restart.max_retries > 0)
        o.restart.append(":").append(std::to_string(original.restart.max_retries));
    // The create read --env-file already: its lines come before -e's.
    o.env.insert(o.env.begin(), o.env_files.begin(), o.env_files.end());
    o.env_files.clear();
    return o;
}

void leave_pod_infra(container::CreateOptions& o, std::string const& infra_id)
{
    std::string const infra = "container:" + infra_id;
    if (o.network == infra)
        o.network.clear();
    for (auto const& ns : container::namespace_flags())
        if (o.*ns.field == infra)
            (o.*ns.field).clear();
}

Result<ContainerRecord> clone_container(Context& ctx, ContainerRecord const& original, ContainerCloneOptions const& options,
    Warn const& warn)
{
    if (options.force && !options.destroy)
        return Error { EINVAL, "cannot set --force without --destroy" };
    auto o = TRY(clone_create_options(ctx, original, options.name));
    if (!options.image.empty())
        o.image = options.image;
    // What the original's pod shares points at its infra container; the
    // create's join of the pod (this one or --pod's) points it anew.
    if (!o.pod.empty())
        leave_pod_infra(o, TRY_CTX(find_pod(ctx, o.pod), "the pod of " + original.name).infra_id);
    if (options.pod)
        o.pod = *options.pod;
    if (options.memory)
        o.memory = *options.memory;
    if (options.memory_swap)
        o.memory_swap = *options.memory_swap;
    if (options.cpus)
        o.cpus = *options.cpus;
    if (options.cpu_shares)
        o.cpu_shares = *options.cpu_shares;
    auto copy = TRY(create_container(ctx, o, {}, "", warn));
    if (options.destroy) {
        RemoveOptions ro;
        ro.force = options.force;
        std::vector<std::string> removed;
        TRY_CTX(remove_with_dependents(ctx, original, ro, false, removed),
            "--destroy (the clone " + copy.name + " was made)");
    }
    if (options.run) {
        StartOptions so;
        so.attach = false;
        TRY_CTX(start_container(ctx, copy.id, so), "--run (the clone " + copy.name + " was made)");
    }
    return copy;
}

} // namespace berth::engine
