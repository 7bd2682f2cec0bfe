// The one validation of a container spec (container::CreateOptions), run by
// create_container before anything is pulled or written, so that every
// front-end that builds a spec (run/create today; compose, kube play, build
// next) gets the same checks, messages and exit status (125). Each rule that
// has a subject of its own lives in the module that owns it (ports, cgroups,
// user namespaces, devices, healthchecks, logs, restart policies); this file
// runs them in order and holds the rules that tie flags together.
#include "engine/containers.h"
#include "engine/healthcheck.h"

#include "container/ports.h"
#include "container/spec_builder.h"
#include "rootless/idmap.h"
#include "runtime/cgroups.h"
#include "runtime/devices.h"

#include <algorithm>
#include <set>

namespace berth::engine {

namespace {

/// The network mode, defaulted: pasta when ports are published (as rootless
/// Podman: they need a user-mode network), else none.
ErrorOr check_network(container::CreateOptions& o, Warn const& warn)
{
    if (o.network.empty())
        o.network = o.publish.empty() ? "none" : "pasta";
    if (o.network != "none" && o.network != "host" && o.network != "pasta")
        return Error { EINVAL, "network mode \"" + o.network + "\": only none, host and pasta are supported so far" };
    TRY(container::parse_publish_list(o.publish));
    if (!o.publish.empty() && (o.network == "host" || o.network == "none")) {
        // As Podman: a warning, and the container runs without them.
        if (warn)
            warn("Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use");
        o.publish.clear();
    }
    return {};
}

/// Two mounts on one destination: Podman refuses them, as the second would hide the first.
ErrorOr check_mount_destinations(container::CreateOptions const& o)
{
    std::set<std::string> seen;
    for (auto const& m : TRY(container::mount_requests(o))) {
        std::string dest = m.destination;
        while (dest.size() > 1 && dest.back() == '/')
            dest.pop_back();
        if (!seen.insert(dest).second)
            return Error { EINVAL, dest + ": duplicate mount destination" };
    }
    return {};
}

ErrorOr check_group_add(container::CreateOptions const& o)
{
    bool keep = std::find(o.group_add.begin(), o.group_add.end(), "keep-groups") != o.group_add.end();
    if (keep && o.group_add.size() > 1)
        return Error { EINVAL, "the '--group-add keep-groups' option is not allowed with any other --group-add option" };
    return {};
}

/// Checks the resource flags and --cgroups; `warn`s once when no delegated
/// cgroup v2 hierarchy can honour them: the container still runs, without limits.
ErrorOr check_resources(container::CreateOptions const& o, Warn const& warn)
{
    TRY(container::resources_from_options(o));
    if (o.cgroups != "disabled" && o.cgroups != "enabled" && o.cgroups != "no-conmon" && o.cgroups != "split")
        return Error { EINVAL, "invalid --cgroups \"" + o.cgroups + "\": use enabled, disabled, no-conmon or split" };
    auto flags = container::resource_flags(o);
    if (flags.empty() || o.cgroups == "disabled")
        return {};
    auto cgroups = runtime::cgroups::probe(o.cgroup_parent);
    if (cgroups.available)
        return {};
    std::string names;
    for (auto const& f : flags)
        names += (names.empty() ? "" : ", ") + f;
    if (warn)
        warn(names + " cannot be honoured: " + cgroups.reason + "; running without resource limits");
    return {};
}

ErrorOr check_pull_policy(std::string const& policy)
{
    if (policy != "missing" && policy != "always" && policy != "never" && policy != "newer")
        return Error { EINVAL, "invalid --pull \"" + policy + "\": use always, missing, never or newer" };
    return {};
}

/// --restart, and its conflict with --rm.
ErrorOr check_restart(container::CreateOptions const& o)
{
    auto policy = TRY(parse_restart_policy(o.restart));
    if (o.remove && policy.kind != RestartPolicy::Kind::No)
        return Error { EINVAL, "the --rm option conflicts with --restart (other than \"no\"): use one of them" };
    return {};
}

} // namespace

Result<container::CreateOptions> validate_container_spec(container::CreateOptions spec, Warn const& warn)
{
    TRY(check_network(spec, warn));
    TRY(check_resources(spec, warn));
    TRY(rootless::validate_userns_flags({ spec.userns, spec.uidmap, spec.gidmap }));
    for (auto const& d : spec.devices)
        TRY(runtime::resolve_device_flag(d));
    TRY(resolve_healthcheck(spec, Json()));
    TRY(parse_health_on_failure(spec.health_on_failure));
    TRY(resolve_startup_healthcheck(spec, true));
    TRY(check_mount_destinations(spec));
    TRY(check_group_add(spec));
    TRY(check_restart(spec));
    TRY(log_settings(spec, "/"));
    TRY(check_pull_policy(spec.pull));
    return spec;
}

} // namespace berth::engine
