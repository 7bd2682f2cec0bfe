// Wiring a container's network namespace to the host with slirp4netns, as
// Podman does with --network slirp4netns: a tap device in the namespace,
// configured (--configure) with 10.0.2.100/24, gateway 10.0.2.2 and DNS
// 10.0.2.3; published ports through its API socket (add_hostfwd), which is
// Podman's port_handler=slirp4netns. The host's loopback is closed
// (--disable-host-loopback) unless allow_host_loopback=true.
#pragma once

#include "base/error.h"
#include "network/helper.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::network {

/// slirp4netns's options for a plan from the mode's KEY=VALUE options (checked by parse_slirp4netns_options).
Result<std::vector<std::string>> slirp4netns_args(std::vector<std::string> const& options);

/// The container's address in slirp4netns's network: .100 of the CIDR (10.0.2.100 by default).
Result<std::string> slirp4netns_guest_address(std::vector<std::string> const& options);

/// Starts slirp4netns as a child of this process on the network namespace of
/// `init_pid`, waits until it has configured the namespace (--ready-fd), adds
/// the plan's port forwards through its API socket and writes network.pid.
ErrorOr start_slirp4netns(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns);

} // namespace berth::network
