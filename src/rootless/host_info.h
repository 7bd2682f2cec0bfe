// The "host" section of `berth info`: rootless or not, the id mappings, the
// kernel, the cgroup layout and the helper programs berth relies on. The one
// slow part is asking helpers for their versions (`X --version`), which runs
// each with a short timeout so a broken helper cannot stall `berth info`.
#pragma once

#include "base/json.h"
#include "rootless/paths.h"

#include <string>

namespace berth::rootless {

/// {"rootless", "uidmap", "gidmap", "kernel", "os", "arch", "hostname",
///  "distribution", "cgroupVersion", "helpers": {"newuidmap": path,
///  "newgidmap": path, "fuse-overlayfs": {"path", "version"}, "slirp4netns",
///  "pasta", "runc"}}. Missing helpers are absent. Outside the namespace a
/// rootless user's maps are the ones enter() would install.
Json host_info(Paths const& paths);

/// "v2" when `mount_point` is a cgroup2 file system, "hybrid" when it is a
/// tmpfs with a unified/ directory (v1 controllers plus a v2 hierarchy),
/// else "v1".
std::string cgroup_version(std::string const& mount_point = "/sys/fs/cgroup");

/// Picks the version line from a helper's `--version` output: the first line
/// that starts with the helper's name, else the first non-empty line.
std::string version_line(std::string const& program, std::string const& out, std::string const& err);

/// Go's GOARCH spelling of a uname machine ("x86_64" -> "amd64").
std::string go_arch(std::string const& machine);

} // namespace berth::rootless
