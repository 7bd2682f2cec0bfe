// The engine's side of a container's network (the network module does the
// work, network/): at create, the mode resolved and checked against the
// store and the host; at start, what the container's files and berth-launch
// need. The subtle part is the default: it depends on who runs berth
// (rootless or root), on containers.conf and on what is installed, and it is
// resolved once, at create, so that inspect shows the mode the container
// really has and a later change of the host does not change it.
#pragma once

#include "base/error.h"
#include "container/network_store.h"
#include "container/options.h"
#include "engine/containers/containers.h"
#include "engine/context.h"
#include "image/config.h"
#include "network/bridge.h"
#include "network/helper.h"
#include "network/mode.h"

#include <string>

namespace berth::engine {

/// At create, after validation: the default mode (network/mode.h
/// default_mode) resolved; container:NAME kept as container:ID; published
/// ports dropped with a warning in a mode without a helper, as Podman.
ErrorOr resolve_network(Context& ctx, container::CreateOptions& options, Warn const& warn);

/// The helper a rootless container gets by default ("pasta", "slirp4netns"),
/// as default_mode resolves it for this store's containers.conf and host; ""
/// when none is installed or containers.conf's netns says otherwise. For info.
std::string default_rootless_network_cmd(Context& ctx);

/// The mode a container of this store gets with -p and no --network
/// (default_mode for this user, containers.conf and host). For info.
Result<network::NetworkMode> default_publishing_mode(Context& ctx);

/// At create, once the image is known: -P's ports (the image's EXPOSE and
/// --expose) added, and a free host port chosen for every port without one;
/// options.publish then holds one "IP:HOSTPORT:PORT/PROTO" per port.
ErrorOr assign_host_ports(container::CreateOptions& options, image::ImageConfig const& image);

/// At start: what the network needs beyond the spec.
struct NetworkStart {
    network::NetworkMode mode;     ///< as created (container:ID for another's namespace)
    std::string etc_from;          ///< container:ID: the bundle whose hosts and resolv.conf it shares
    std::string host_address;      ///< host.containers.internal; "" for none
    std::string container_address; ///< the container's address in /etc/hosts; "" for 127.0.1.1
    std::string dns;               ///< the helper's DNS forwarder, first in resolv.conf; "" for none
    network::BridgePlan bridge;    ///< user-defined networks: netavark's setup for berth-launch
};
/// container:ID's must run; options.network becomes ns:/proc/PID/ns/net then.
/// User-defined networks: the container's addresses leased (released by
/// release_networks, also when the start fails later) and netavark's
/// options written to its run directory.
Result<NetworkStart> prepare_network(Context& ctx, std::string const& id, std::string const& name, container::CreateOptions& options);

/// netavark, aardvark-dns and where they run (rootless: the per-user
/// network namespace, made if needed); options_file left empty.
Result<network::BridgePlan> bridge_plan(Context& ctx);

/// The addresses a container gets on `network`: its static ones, else one
/// free address per subnet that none of `used` holds, looked for from the
/// `start`th address of the subnet on (address_start).
Result<std::vector<std::string>> choose_addresses(network::NetworkConfig const& network, container::ContainerNetwork const& row,
    std::vector<std::string> const& used, uint64_t start);

/// Where the search for a free address on `network` starts. As root the
/// default network's bridge, podman0, is the host's, shared by every store
/// (and by Podman's), each leasing on its own: there the search starts at
/// an offset that the store's path picks, so that two stores rarely meet.
/// Elsewhere, as Podman, at the first address.
uint64_t address_start(Context& ctx, network::NetworkConfig const& network);

/// inspect's NetworkSettings.Networks of a container on user-defined networks
/// (its addresses while it runs, as netavark reported them); an empty object
/// for other modes.
Json inspect_networks(Context& ctx, std::string const& id);

/// At create: the user-defined networks of `options` recorded for container `id`.
ErrorOr record_networks(Context& ctx, std::string const& id, container::CreateOptions const& options);

/// When container `id` has stopped: netavark's teardown if its monitor did
/// not run it (killed), and its addresses given up.
void release_networks(Context& ctx, std::string const& id);

/// The helper berth-launch attaches (network/helper.h) for a container's options.
Result<network::HelperPlan> network_helper_plan(Context& ctx, container::CreateOptions const& options);

} // namespace berth::engine
