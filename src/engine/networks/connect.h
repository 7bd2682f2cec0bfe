// network connect and disconnect: a container joins or leaves a
// user-defined network, at once when it runs. The record (container_networks)
// is the truth for the next start; a running container also gets (or loses)
// the interface now, through netavark on its bound network namespace (the
// one setup_bridge keeps for the teardown, network/bridge.h), and its
// netavark options file is rewritten so that the teardown at its exit
// undoes exactly what is set up.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <string>
#include <vector>

namespace berth::engine {

struct ConnectOptions {
    std::vector<std::string> aliases;  ///< --alias
    std::string ip, ip6;               ///< --ip, --ip6
    std::string mac;                   ///< --mac-address
};

/// Puts the container on the network. The container must be on user-defined
/// networks already (its mode is not none, host, pasta...); EEXIST when it
/// is on this one.
ErrorOr connect_network(Context& ctx, std::string const& network, std::string const& container, ConnectOptions const& options);

/// Takes the container off the network; ENOENT when it is not on it. Its
/// last network cannot be taken away while it runs.
ErrorOr disconnect_network(Context& ctx, std::string const& network, std::string const& container);

} // namespace berth::engine
