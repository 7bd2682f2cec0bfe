// Wiring a container's network namespace to the host with pasta (passt's
// user-mode network), as rootless Podman does. The hard part is reaching the
// namespace: pasta drops its capabilities first, after which it may neither
// read /proc/PID/ns of a process with more capabilities nor, as root, keep
// running as uid 0 unless told (--runas 0). So the namespaces are bind mounted
// on files in the container's run dir for pasta to open, and unmounted again
// once pasta has joined them.
#pragma once

#include "base/error.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::monitor {

/// Starts pasta in the foreground as a child of this process (which becomes
/// berth-monitor) on the network namespace of `init_pid`, with `args`
/// (--config-net, port options...), and returns once pasta has configured the
/// namespace and bound the published ports. pasta gets SIGTERM when this
/// process dies. `own_userns`: the namespace belongs to the init's own user
/// namespace, which pasta must join too.
ErrorOr start_pasta(std::vector<std::string> const& args, std::string const& run_dir, pid_t init_pid, bool own_userns);

} // namespace berth::monitor
