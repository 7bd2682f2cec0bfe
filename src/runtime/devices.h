// Host devices for a container (--device, --privileged): the flag's grammar
// and the host's nodes, resolved before the spec is written. The nodes
// themselves are made in the init by devices.cpp (mknod as root, a bind of
// the host's node where mknod is refused).
#pragma once

#include "base/error.h"
#include "runtime/spec.h"

#include <string>
#include <vector>

namespace berth::runtime {

/// One device the container gets.
struct HostDevice {
    std::string host_path;      ///< the node on the host
    Device device;              ///< path inside the container, type, major, minor, mode
    std::string permissions;    ///< "rwm" or a subset (cgroup access)
};

/// --device HOST[:CONTAINER][:PERMS] (Podman's grammar): the host node is
/// stat'ed (symlinks followed) and must be a character or block device.
Result<HostDevice> resolve_device_flag(std::string const& flag);

/// --privileged: every character and block device under the host's /dev,
/// except what the container's own /dev provides (pts, shm, mqueue, console,
/// ptmx, the standard set). `accessible_only`: only nodes this process may
/// open for reading or writing (rootless: binding others gives nothing).
std::vector<HostDevice> privileged_devices(bool accessible_only);

} // namespace berth::runtime
