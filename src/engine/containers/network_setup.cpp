// resolve_network(), prepare_network() and network_helper_plan(): see
// network_setup.h.
#include "engine/containers/network_setup.h"

#include "base/command.h"
#include "engine/containers/lifecycle.h"
#include "network/host_address.h"
#include "network/slirp4netns.h"

#include <algorithm>

namespace berth::engine {

using network::NetworkMode;

namespace {

network::DefaultInputs default_inputs(Context& ctx)
{
    network::DefaultInputs in;
    in.rootless = ctx.paths.rootless;
    in.conf_netns = ctx.settings.containers.netns.value_or("");
    in.conf_rootless_cmd = ctx.settings.containers.default_rootless_network_cmd.value_or("");
    in.have_pasta = find_program("pasta").has_value();
    in.have_slirp4netns = find_program("slirp4netns").has_value();
    return in;
}

/// The mode for "" and "private": containers.conf, then what is installed (mode.h).
Result<NetworkMode> default_network(Context& ctx, container::CreateOptions const& o)
{
    auto in = default_inputs(ctx);
    in.publishes = !o.publish.empty() || o.publish_all;
    in.external_runtime = !o.runtime.empty();
    return network::default_mode(in);
}

} // namespace

std::string default_rootless_network_cmd(Context& ctx)
{
    auto in = default_inputs(ctx);
    in.rootless = true;
    auto mode = network::default_mode(in);
    return mode && mode->user_mode() ? mode->name() : "";
}

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
    if ((!o.publish.empty() || o.publish_all) && !mode.user_mode()) {
        // As Podman: a warning, and the container runs without them.
        if (warn)
            warn(network::discarded_ports_warning);
        o.publish.clear();
        o.publish_all = false;
    }
    o.network = mode.text();
    return {};
}

ErrorOr assign_host_ports(container::CreateOptions& o, image::ImageConfig const& image)
{
    auto ports = TRY(network::parse_publish_list(o.publish));
    if (o.publish_all) {
        // The image's EXPOSE (one that does not parse, such as sctp, is not published) and --expose.
        std::vector<network::PortMapping> exposed;
        for (auto const& e : image.exposed_ports)
            if (auto m = network::parse_exposed(e))
                exposed.push_back(*m);
        for (auto const& e : o.expose)
            exposed.push_back(TRY(network::parse_exposed(e)));
        for (auto const& e : exposed) {
            bool published = std::any_of(ports.begin(), ports.end(),
                [&](auto const& p) { return p.container_port == e.container_port && p.protocol == e.protocol; });
            if (!published)
                ports.push_back(e);
        }
    }
    TRY(network::choose_host_ports(ports));
    o.publish.clear();
    for (auto const& m : ports)
        o.publish.push_back(network::publish_text(m));
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
