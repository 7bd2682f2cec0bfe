// resolve_network(), prepare_network() and network_helper_plan(): see
// network_setup.h.
#include "engine/containers/network_setup.h"

#include "base/command.h"
#include "engine/containers/lifecycle.h"
#include "engine/networks/networks.h"
#include "network/isolation.h"
#include "network/netavark.h"
#include "network/rootless_netns.h"
#include "network/teardown.h"
#include "container/network_store.h"
#include "base/fs.h"
#include "base/log.h"
#include "network/host_address.h"
#include "network/slirp4netns.h"

#include <algorithm>
#include <map>
#include <unistd.h>

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

/// User-defined networks: each one found (by name or id) and named by its
/// name; --network-alias on every network, --ip/--ip6/--mac-address on the
/// only one; static addresses inside the network's subnets.
ErrorOr resolve_networks(Context& ctx, NetworkMode& mode, container::CreateOptions& o)
{
    if (mode.networks.size() > 1 && (!o.ip.empty() || !o.ip6.empty() || !o.mac_address.empty()))
        return Error { EINVAL, "--ip, --ip6 and --mac-address can only be set with a single network: use --network NAME:ip=IP instead" };
    for (auto& n : mode.networks) {
        auto network = TRY(find_network(ctx, n.network));
        n.network = network.name;
        n.aliases.insert(n.aliases.end(), o.network_aliases.begin(), o.network_aliases.end());
        for (auto const* ip : { &o.ip, &o.ip6 })
            if (!ip->empty())
                n.ips.push_back(*ip);
        if (!o.mac_address.empty()) {
            TRY(network::check_mac_address(o.mac_address));
            n.mac = o.mac_address;
        }
        for (auto const& ip : n.ips) {
            auto address = TRY_CTX(network::IpAddress::parse(ip), "--ip");
            TRY(network::check_static_address(network, address));
        }
    }
    o.network_aliases.clear();
    o.ip.clear();
    o.ip6.clear();
    o.mac_address.clear();
    return {};
}

} // namespace

std::string default_rootless_network_cmd(Context& ctx)
{
    auto in = default_inputs(ctx);
    in.rootless = true;
    auto mode = network::default_mode(in);
    return mode && mode->user_mode() ? mode->name() : "";
}

Result<NetworkMode> default_publishing_mode(Context& ctx)
{
    auto in = default_inputs(ctx);
    in.publishes = true;
    return network::default_mode(in);
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
    if (mode.kind == NetworkMode::Kind::Bridge)
        TRY(resolve_networks(ctx, mode, o));
    else if (!o.network_aliases.empty() || !o.ip.empty() || !o.ip6.empty() || !o.mac_address.empty())
        return Error { EINVAL, "--network-alias, --ip, --ip6 and --mac-address need a user-defined network (--network NAME)" };
    if ((mode.user_mode() || mode.kind == NetworkMode::Kind::Bridge) && !o.runtime.empty())
        return Error { ENOTSUP, "--network " + mode.name() + ": not supported with --runtime yet: use berth's own runtime or --network none or host" };
    if ((!o.publish.empty() || o.publish_all) && !mode.publishes()) {
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

/// The addresses of one container on `network`: its static ones, and one
/// free address of each subnet it has none in.
uint64_t address_start(Context& ctx, network::NetworkConfig const& network)
{
    if (ctx.paths.rootless || network.name != network::default_network_name)
        return 0;
    uint64_t hash = 14695981039346656037ull;  // FNV-1a of the store's path
    for (unsigned char ch : ctx.paths.data_dir)
        hash = (hash ^ ch) * 1099511628211ull;
    return hash;
}

Result<std::vector<std::string>> choose_addresses(network::NetworkConfig const& network, container::ContainerNetwork const& row,
    std::vector<std::string> const& used_text, uint64_t start)
{
    std::vector<network::IpAddress> used;
    for (auto const& u : used_text)
        if (auto a = network::IpAddress::parse(u))
            used.push_back(*a);
    std::vector<std::string> out;
    for (auto const& subnet : network.subnets) {
        std::optional<network::IpAddress> chosen;
        for (auto const& text : row.static_ips) {
            auto a = TRY(network::IpAddress::parse(text));
            if (!subnet.subnet.contains(a))
                continue;
            if (std::find(used.begin(), used.end(), a) != used.end())
                return Error { EADDRINUSE, "IPAM error: requested ip address " + text + " is already allocated to another container on network " + network.name };
            chosen = a;
        }
        if (!chosen)
            chosen = TRY(network::allocate_address(subnet, used, start));
        out.push_back(chosen->text());
    }
    return out;
}

namespace {

std::string gateway_of(network::NetworkConfig const& network)
{
    for (auto const& s : network.subnets)
        if (s.gateway && !s.gateway->v6)
            return s.gateway->text();
    return "";
}

/// Leases the container's addresses and writes netavark's options.
ErrorOr prepare_bridge(Context& ctx, std::string const& id, std::string const& name, container::CreateOptions const& o, NetworkStart& out)
{
    auto ns = TRY(container::NetworkStore::open(ctx.store->database()));
    std::map<std::string, network::NetworkConfig> networks;
    for (auto const& row : TRY(ns.of_container(id)))
        networks.emplace(row.network, TRY(find_network(ctx, row.network)));
    if (networks.empty())
        return Error { ENOENT, "container " + name + " is on no network: recreate it with --network" };
    auto ports = TRY(network::parse_publish_list(o.publish));
    // Rootless, netavark's forwarding stays inside the per-user namespace:
    // berth's port proxy publishes on the host instead (port_proxy.h).
    // As root the proxy only holds the ports (netavark's rules forward them).
    std::vector<std::string> proxied = o.publish;
    if (ctx.paths.rootless)
        ports.clear();
    auto rows = TRY(ns.lease(id, [&](container::ContainerNetwork const& row, std::vector<std::string> const& used) {
        auto const& network = networks.at(row.network);
        return choose_addresses(network, row, used, address_start(ctx, network));
    }));
    std::vector<network::Attachment> attachments;
    for (auto const& row : rows) {
        network::Attachment a;
        a.network = row.network;
        a.interface_name = row.interface_name;
        a.aliases = row.aliases;
        a.aliases.push_back(id.substr(0, 12));
        for (auto const& ip : row.ips)
            a.addresses.push_back(TRY(network::IpAddress::parse(ip)));
        a.mac = row.static_mac;
        attachments.push_back(std::move(a));
        auto const& net = networks.at(row.network);
        if (out.container_address.empty())
            for (auto const& ip : row.ips)
                if (ip.find(':') == std::string::npos) {
                    out.container_address = ip;
                    break;
                }
        if (out.dns.empty() && net.dns_enabled)
            out.dns = gateway_of(net);
        if (out.host_address.empty() && !ctx.paths.rootless)
            out.host_address = gateway_of(net);
    }
    auto const& layout = ctx.paths.layout();
    std::string run_dir = layout.container_run_dir(id);
    TRY(fs::mkdir_p(run_dir, 0700));
    out.bridge = TRY(bridge_plan(ctx));
    out.bridge.options_file = fs::join(run_dir, "netavark.json");
    out.bridge.proxy_ports = proxied;
    out.bridge.proxy_target = out.container_address;
    auto options = network::netavark_options(id, name, attachments, networks, ports);
    out.bridge.isolate = network::isolated_bridges(options);
    TRY(fs::write_file_replace(out.bridge.options_file, json::dump(options)));
    return {};
}

} // namespace

Result<network::BridgePlan> bridge_plan(Context& ctx)
{
    network::BridgePlan plan;
    plan.netavark = TRY(network::find_netavark());
    plan.aardvark = TRY(network::find_aardvark());
    plan.config_dir = ctx.paths.layout().netavark_config_dir();
    plan.rootless = ctx.paths.rootless;
    plan.iptables = find_program("iptables").value_or("");
    if (ctx.paths.rootless) {
        auto const& pasta = ctx.settings.options.network_cmd_path;
        plan.enter_netns = TRY(network::ensure_rootless_netns(ctx.paths.layout().run_root(), pasta.empty() ? "pasta" : pasta));
    }
    return plan;
}

ErrorOr record_networks(Context& ctx, std::string const& id, container::CreateOptions const& o)
{
    auto mode = TRY(network::parse_network_mode(o.network));
    if (mode.kind != NetworkMode::Kind::Bridge)
        return {};
    std::vector<container::ContainerNetwork> rows;
    for (auto const& n : mode.networks) {
        container::ContainerNetwork row;
        row.network = n.network;
        row.aliases = n.aliases;
        row.static_ips = n.ips;
        row.static_mac = n.mac;
        rows.push_back(std::move(row));
    }
    auto ns = TRY(container::NetworkStore::open(ctx.store->database()));
    return ns.attach(id, rows);
}

Json inspect_networks(Context& ctx, std::string const& id)
{
    Json out = Json::object();
    auto ns = container::NetworkStore::open(ctx.store->database());
    if (!ns)
        return out;
    auto rows = ns->of_container(id);
    if (!rows)
        return out;
    std::map<std::string, network::AttachmentStatus> status;
    if (auto text = network::read_bridge_status(ctx.paths.layout().container_run_dir(id)); !text.empty())
        if (auto parsed = network::parse_netavark_status(text))
            status = std::move(*parsed);
    for (auto const& row : *rows) {
        auto network = find_network(ctx, row.network);
        // As Podman: the short id is a name on every network too.
        auto aliases = row.aliases;
        aliases.push_back(id.substr(0, 12));
        Json entry {
            { "EndpointID", "" }, { "Gateway", "" }, { "IPAddress", "" }, { "IPPrefixLen", 0 }, { "IPv6Gateway", "" },
            { "GlobalIPv6Address", "" }, { "GlobalIPv6PrefixLen", 0 }, { "MacAddress", "" },
            { "NetworkID", network ? network->id : row.network }, { "DriverOpts", nullptr }, { "IPAMConfig", nullptr },
            { "Links", nullptr }, { "Aliases", aliases },
        };
        if (auto it = status.find(row.network); it != status.end()) {
            entry["MacAddress"] = it->second.mac;
            for (auto const& [ipnet, gateway] : it->second.addresses) {
                auto slash = ipnet.find('/');
                std::string ip = ipnet.substr(0, slash);
                int prefix = slash == std::string::npos ? 0 : std::atoi(ipnet.c_str() + slash + 1);
                bool v6 = ip.find(':') != std::string::npos;
                entry[v6 ? "GlobalIPv6Address" : "IPAddress"] = ip;
                entry[v6 ? "GlobalIPv6PrefixLen" : "IPPrefixLen"] = prefix;
                entry[v6 ? "IPv6Gateway" : "Gateway"] = gateway;
            }
        }
        out[row.network] = std::move(entry);
    }
    return out;
}

void release_networks(Context& ctx, std::string const& id)
{
    std::string run_dir = ctx.paths.layout().container_run_dir(id);
    network::teardown_bridge_at(run_dir.c_str());
    ::unlink(fs::join(run_dir, "netavark-status.json").c_str());
    auto ns = container::NetworkStore::open(ctx.store->database());
    if (ns) {
        if (auto r = ns->release(id); !r)
            log::warn("container {}: give up its network addresses: {}", id, r.error().message);
    }
}

Result<NetworkStart> prepare_network(Context& ctx, std::string const& id, std::string const& name, container::CreateOptions& o)
{
    NetworkStart out;
    out.mode = TRY(network::parse_network_mode(o.network));
    switch (out.mode.kind) {
    case NetworkMode::Kind::Bridge:
        TRY(prepare_bridge(ctx, id, name, o, out));
        return out;
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
