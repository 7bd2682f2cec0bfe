// The processes of a running container as `top` and `stats` see them, read
// from /proc (and from the container's own cgroup v2 files when it has one):
// ps-style descriptors for `top`, CPU/memory/pids samples for `stats`.
//
// The hard part is naming things from inside the container: PIDs are shown
// as the container sees them (the last NSpid field), users through the
// container's /etc/passwd, and CPU percentages need two samples (stats) or
// the process's age (top, like ps(1)).
#pragma once

#include "base/error.h"
#include "container/container_store.h"

#include <cstdint>
#include <string>
#include <vector>

namespace berth::engine {

/// `top`: the header and one row per process for descriptors like "user,pid,args"
/// (or separate words); the default is Podman's user,pid,ppid,pcpu,etime,tty,time,args.
Result<std::vector<std::vector<std::string>>> top_table(container::ContainerRecord const& rec, std::vector<std::string> const& descriptors);

struct StatsSample {
    int64_t when_ns = 0;       ///< CLOCK_MONOTONIC
    int64_t cpu_ns = 0;        ///< total CPU time of the container's processes
    int64_t system_ns = 0;     ///< total CPU time of the host (for CPU %)
    int64_t memory = 0;        ///< bytes (cgroup memory.current, else summed RSS)
    int64_t memory_limit = 0;  ///< bytes (cgroup memory.max, else the host's RAM)
    int64_t pids = 0;
    int64_t block_read = 0, block_write = 0;  ///< bytes, from /proc/PID/io when readable
};
/// One sample of a running container.
Result<StatsSample> sample_stats(container::ContainerRecord const& rec);
/// One sample of each container, in order, from one scan of /proc.
std::vector<Result<StatsSample>> sample_stats(std::vector<container::ContainerRecord const*> const& records);

} // namespace berth::engine
