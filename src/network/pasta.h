// Wiring a container's network namespace to the host with pasta (passt's
// user-mode network), as rootless Podman does, and the parts every helper
// shares (helper_process.cpp). The hard part is reaching the namespace: pasta
// drops its capabilities first, after which it may neither read /proc/PID/ns
// of a process with more capabilities nor, as root, keep running as uid 0
// unless told (--runas 0). So the namespaces are bind mounted on files in the
// container's run dir for pasta to open, and unmounted again once pasta has
// joined them.
#pragma once

#include "base/error.h"
#include "network/helper.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::network {

/// pasta's options for a plan: the defaults, the user's options after
/// "pasta:", and the forwarding options of `ports`.
std::vector<std::string> pasta_args(std::vector<std::string> const& user_options, std::vector<PortMapping> const& ports);

/// Whether the user's options forward host ports of `protocol` ("tcp" or
/// "udp") themselves: -t/--tcp-ports or -u/--udp-ports (pasta:-t,8080).
bool pasta_forwards_own_ports(std::vector<std::string> const& user_options, std::string_view protocol);

/// Starts pasta in the foreground as a child of this process on the network
/// namespace of `init_pid` and returns once pasta has configured the
/// namespace and bound the published ports (it writes network.pid then).
ErrorOr start_pasta(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns);

} // namespace berth::network
