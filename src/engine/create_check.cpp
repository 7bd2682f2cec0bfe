// The checks of the create/run flags that need no store, run by the CLI
// before it opens one so that a bad flag fails at once (see containers.h).
// Each rule lives in the module that owns its subject (ports, cgroups, user
// namespaces, devices, healthchecks); this file only runs them in order.
#include "engine/containers.h"
#include "engine/healthcheck.h"

#include "container/ports.h"
#include "container/spec_builder.h"
#include "rootless/idmap.h"
#include "runtime/cgroups.h"
#include "runtime/devices.h"

namespace berth::engine {

namespace {

/// Checks the resource flags and --cgroups; `warn`s once when no delegated
/// cgroup v2 hierarchy can honour them: the container still runs, without limits.
ErrorOr check_resources(container::CreateOptions const& o, std::function<void(std::string const&)> const& warn)
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

} // namespace

ErrorOr check_create_options(container::CreateOptions const& o, std::function<void(std::string const&)> const& warn)
{
    TRY(container::parse_publish_list(o.publish));
    TRY(check_resources(o, warn));
    TRY(rootless::validate_userns_flags({ o.userns, o.uidmap, o.gidmap }));
    for (auto const& d : o.devices)
        TRY(runtime::resolve_device_flag(d));
    TRY(resolve_healthcheck(o, Json()));
    TRY(parse_health_on_failure(o.health_on_failure));
    TRY(resolve_startup_healthcheck(o, true));
    return {};
}

} // namespace berth::engine
