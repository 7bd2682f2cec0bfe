// The "host" section of `berth info`: rootless or not, the id mappings, the
// kernel, the cgroup layout and the helper programs berth relies on. The one
// slow part is asking helpers for their versions (`X --version`), which runs
// each with a short timeout so a broken helper cannot stall `berth info`.
#pragma once

#include "base/json.h"
#include "rootless/paths.h"

#include <map>
#include <string>
#include <vector>

namespace berth::rootless {

/// {"rootless", "uidmap", "gidmap", "kernel", "os", "arch", "hostname",
///  "distribution", "cgroupVersion", "helpers": {"newuidmap": path,
///  "newgidmap": path, "fuse-overlayfs": {"path", "version"}, "slirp4netns",
///  "pasta", "runc"}}. Missing helpers are absent. Outside the namespace a
/// rootless user's maps are the ones enter() would install.
/// Also Podman's fields: "idMappings" {"uidmap", "gidmap"} (empty for root, as
/// Podman), "cpus", "memTotal", "memFree", "swapTotal", "swapFree" (bytes),
/// "uptime" and "cpuUtilization". cgroupVersion is Podman's "v1" or "v2":
/// a hybrid host is "v1", since /sys/fs/cgroup is not a cgroup2 mount.
Json host_info(Paths const& paths);

/// "v2" when `mount_point` is a cgroup2 file system, "hybrid" when it is a
/// tmpfs with a unified/ directory (v1 controllers plus a v2 hierarchy),
/// else "v1".
std::string cgroup_version(std::string const& mount_point = "/sys/fs/cgroup");

/// Uptime as Podman prints it: "3h 49m 17.00s (Approximately 0.12 days)",
/// the days only from one hour up.
std::string uptime_text(double seconds);
/// {"userPercent", "systemPercent", "idlePercent"} since boot from the "cpu"
/// line of /proc/stat, rounded to hundredths as Podman does (user, system
/// and idle columns only).
Json cpu_utilization(std::string const& proc_stat);
/// {"memTotal", "memFree", "swapTotal", "swapFree"} in bytes from /proc/meminfo text.
Json memory_info(std::string const& meminfo);

/// The package that owns each path, named as Podman names it: dpkg's
/// "runc_1.1.5+ds1-1_amd64" or rpm's "runc-1.1.5-1.fc38.x86_64"; "Unknown"
/// where no package does. Asks the package manager once for all paths.
std::map<std::string, std::string> owning_packages(std::vector<std::string> const& paths);
/// What `path --version` prints, trailing line breaks trimmed; "" when it fails.
std::string version_output(std::string const& path);

/// Picks the version line from a helper's `--version` output: the first line
/// that starts with the helper's name, else the first non-empty line.
std::string version_line(std::string const& program, std::string const& out, std::string const& err);

/// Go's GOARCH spelling of a uname machine ("x86_64" -> "amd64").
std::string go_arch(std::string const& machine);

} // namespace berth::rootless
