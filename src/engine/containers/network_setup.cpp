// resolve_network(), prepare_network() and network_helper_plan(): see
// network_setup.h.
#include "engine/containers/network_setup.h"

#include "base/command.h"
#include "engine/containers/lifecycle.h"
#include "network/host_address.h"
#include "network/slirp4netns.h"

namespace berth::engine {

using network::NetworkMode;

namespace {

/// The mode for "" and "private": containers.conf, then what is installed (mode.h).
Result<NetworkMode> default_network(Context& ctx, container::CreateOptions const& o)
{
    network::DefaultInputs in;
    in.rootless = ctx.paths.rootless;
    in.publishes = !o.publish.empty();
    in.external_runtime = !o.runtime.empty();
    in.conf_netns = ctx.settings.containers.netns.value_or("");
    in.conf_rootless_cmd = ctx.settings.containers.default_rootless_network_cmd.value_or("");
    in.have_pasta = find_program("pasta").has_value();
    in.have_slirp4netns = find_program("slirp4netns").has_value();
    return network::default_mode(in);
}

} // namespace

ErrorOr resolve_network(Context& ctx, container::CreateOptions& o, Warn const& warn)
{
    auto mode = TRY(network::parse_network_mode(o.network));
    if (mode.kind == NetworkMode::Kind::Default)
        mode = TRY(default_network(ctx, o));
    if (mode.kind == NetworkMode::Kind::Container) {
        // As Podman keeps it: a rename does not lose it.
        auto rec = TRY_CTX(find_container(ctx, mode.value), "looking up container to share network namespace with");
        mode.value = rec.id;
    }
    if (mode.user_mode() && !o.runtime.empty())
        return Error { ENOTSUP, "--network " + mode.name() + ": not supported with --runtime yet: use berth's own runtime or --network none or host" };
    if (!o.publish.empty() && !mode.user_mode()) {
        // As Podman: a warning, and the container runs without them.
        if (warn)
            warn(network::discarded_ports_warning);
        o.publish.clear();
    }
    o.network = mode.text();
    return {};
}

Result<NetworkStart> prepare_network(Context& ctx, container::CreateOptions& o)
{
    NetworkStart out;
    out.mode = TRY(network::parse_network_mode(o.network));
    switch (out.mode.kind) {
    case NetworkMode::Kind::Container: {
        auto rec = TRY_CTX(find_container(ctx, out.mode.value), "--network");
        if (!is_active(rec.state) || rec.pid <= 0)
            return Error { EINVAL, "cannot get namespace path unless container " + rec.id + " is running: container is stopped" };
        o.network = "ns:/proc/" + std::to_string(rec.pid) + "/ns/net";
        out.etc_from = container_bundle_dir(ctx, rec.id);
        break;
    }
    case NetworkMode::Kind::Slirp4netns:
        out.container_address = TRY(network::slirp4netns_guest_address(out.mode.options));
        // slirp4netns answers DNS at .3 of its network and forwards it to the host's resolver.
        out.dns = out.container_address.substr(0, out.container_address.rfind('.')) + ".3";
        break;
    default:
        break;
    }
    out.host_address = network::host_internal_address(out.mode);
    return out;
}

Result<network::HelperPlan> network_helper_plan(Context& ctx, container::CreateOptions const& o)
{
    (void)ctx;
    return network::plan_helper(TRY(network::parse_network_mode(o.network)), TRY(network::parse_publish_list(o.publish)));
}

} // namespace berth::engine
