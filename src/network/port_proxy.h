// Published ports of a rootless container on a user-defined network. Its
// address lives in the per-user network namespace (rootless_netns.h), which
// the host cannot route to, and netavark forwards ports only inside that
// namespace. So a small proxy, a child of the container's monitor, listens
// on the host's ports and relays each TCP connection to the container's
// address and port, connecting from inside the namespace (a socket keeps
// the network namespace it was made in: the listeners are made before the
// proxy joins the namespace, the outgoing sockets after). It dies with the
// monitor (PR_SET_PDEATHSIG) and is stopped at the container's exit like
// pasta (teardown.h stop_helper: its pid is network.pid). The client's
// address is not preserved. UDP is relayed per client address, with an idle
// timeout (udp_flows.h).
#pragma once

#include "base/error.h"
#include "network/ports.h"

#include <string>
#include <vector>

namespace berth::network {

/// Starts the proxy for `ports` (TCP and UDP) to `container_ip` in the network
/// namespace at `netns`; returns once every listener is bound (a port in use
/// is an Error naming it), with the proxy's pid in run_dir/network.pid.
/// With an empty `netns` it only holds the ports (as root, where netavark's
/// rules forward them before they reach a socket): Podman's conmon holds
/// them too (TCP and UDP), so that another container or program cannot take them.
ErrorOr start_port_proxy(std::vector<PortMapping> const& ports, std::string const& container_ip, std::string const& netns,
    std::string const& run_dir);

/// start_port_proxy without the pid file: the proxy's pid, for a caller that
/// records it beside its own helper's (slirp4netns port_handler=rootlesskit).
Result<pid_t> spawn_port_proxy(std::vector<PortMapping> const& ports, std::string const& container_ip, std::string const& netns);

} // namespace berth::network
