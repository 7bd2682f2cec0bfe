// The engine's side of a container's network (the network module does the
// work, network/): at create, the mode resolved and checked against the
// store and the host; at start, what the container's files and berth-launch
// need. The subtle part is the default: it depends on who runs berth
// (rootless or root), on containers.conf and on what is installed, and it is
// resolved once, at create, so that inspect shows the mode the container
// really has and a later change of the host does not change it.
#pragma once

#include "base/error.h"
#include "container/options.h"
#include "engine/containers/containers.h"
#include "engine/context.h"
#include "image/config.h"
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
};
/// container:ID's must run; options.network becomes ns:/proc/PID/ns/net then.
Result<NetworkStart> prepare_network(Context& ctx, container::CreateOptions& options);

/// The helper berth-launch attaches (network/helper.h) for a container's options.
Result<network::HelperPlan> network_helper_plan(Context& ctx, container::CreateOptions const& options);

} // namespace berth::engine
