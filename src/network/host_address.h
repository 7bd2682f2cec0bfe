// The address /etc/hosts gives host.containers.internal: one that reaches
// the host from a container without opening the host's loopback. As Podman:
// the host's first non-loopback IPv4 address (else IPv6). pasta copies the
// address of the host's default-route interface into the container, where
// it names the container itself, so in pasta mode that interface's addresses
// are passed over. Bridges and tun/tap devices are passed over in every mode:
// podman0 and the user networks' bridges come and go with their containers.
// Connections to the chosen address leave through the helper as connections
// of the host to itself: services bound to that address or to every address
// answer; those bound to 127.0.0.1 do not.
#pragma once

#include "network/mode.h"
#include "network/network_config.h"

#include <string>

namespace berth::network {

/// host.containers.internal's address for a container in `mode` (resolved);
/// "" where there is none (none, host, another's namespace, or no address).
std::string host_internal_address(NetworkMode const& mode);

/// The interface of the host's IPv4 default route, from /proc/net/route; "" if none.
std::string default_route_interface();

/// The subnets and names of the interfaces of the network namespace berth
/// runs in (getifaddrs), which a new network's subnet and bridge must not take.
/// Loopback is left out. A failure of getifaddrs gives none.
void add_host_interfaces(TakenResources& taken);

} // namespace berth::network
