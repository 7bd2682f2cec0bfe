// Resource control through cgroup v2 (DESIGN.md "cgroups"): the flags
// (--memory, --memory-swap, --cpus, --cpu-shares, --pids-limit) parsed into
// OCI linux.resources, translated into cgroup v2 files (memory.max,
// memory.swap.max, cpu.max, cpu.weight, pids.max), and a per-container cgroup
// that the container process is moved into before it runs.
//
// The hard part is deciding whether resource control is possible at all. It
// is only where a cgroup v2 hierarchy is delegated to us: the unified mount
// exists, the parent we create the container's cgroup in is writable, and the
// controllers are enabled in that parent's cgroup.subtree_control. On a v1 or
// v1/v2 hybrid host (the v2 hierarchy has no memory/cpu/pids controllers
// there), berth runs without limits: probe() says why, the CLI warns once,
// and nothing here ever fails a run for it.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "runtime/spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace berth::runtime::cgroups {

/// The resources berth sets; absent fields are left alone.
struct Resources {
    std::optional<int64_t> memory;       ///< bytes; -1 unlimited
    std::optional<int64_t> memory_swap;  ///< memory + swap in bytes (OCI/Docker meaning); -1 unlimited
    std::optional<int64_t> cpu_quota;    ///< microseconds per period
    uint64_t cpu_period = 100000;
    std::optional<uint64_t> cpu_shares;  ///< cgroup v1 scale (2..262144, default 1024)
    std::optional<int64_t> pids;         ///< 0 or -1: unlimited
    bool empty() const { return !memory && !memory_swap && !cpu_quota && !cpu_shares && !pids; }
    bool operator==(Resources const&) const = default;
};

/// "512m", "1g", "1.5G", "1024", "100k", "2tb" -> bytes (Docker's RAMInBytes units, powers of 1024).
Result<int64_t> parse_size(std::string_view text);
/// --memory-swap: a size, or -1 for unlimited.
Result<int64_t> parse_swap(std::string_view text);
/// --cpus "1.5" -> quota 150000 for a period of 100000 (0 cpus: no quota).
Result<int64_t> parse_cpus(std::string_view text, uint64_t period = 100000);

/// cpu.max: "150000 100000", or "max 100000" without a quota.
std::string cpu_max(std::optional<int64_t> quota, uint64_t period);
/// cgroup v1 shares (2..262144) to cgroup v2 cpu.weight (1..10000), as crun and runc convert.
uint64_t shares_to_weight(uint64_t shares);

/// OCI linux.resources {"memory":{"limit","swap"},"cpu":{"quota","period","shares"},"pids":{"limit"}}.
Json to_oci(Resources const& resources);
/// The reverse; unknown members are ignored, wrong types name the field.
Result<Resources> from_oci(Json const& resources);

/// The cgroup v2 files to write, in order: {"memory.max", "536870912"}, ...
std::vector<std::pair<std::string, std::string>> v2_files(Resources const& resources);
/// The controllers those files need ("memory", "cpu", "pids").
std::vector<std::string> controllers_needed(Resources const& resources);

/// Whether cgroup v2 resource control works for this process, and where.
struct Availability {
    bool available = false;
    std::string reason;       ///< why not, for warnings and `berth info`
    std::string mount;        ///< the cgroup2 mount point, e.g. /sys/fs/cgroup
    std::string own;          ///< this process's v2 cgroup ("/user.slice/..."), relative to the mount
    bool hybrid = false;      ///< cgroup v1 controllers mounted next to the v2 hierarchy
};

/// Reads /proc/self/mountinfo and /proc/self/cgroup; `parent` is the cgroup
/// (relative to the mount, "" for the parent of our own) that containers go
/// under. Available when it is writable and enables memory, cpu and pids.
Availability probe(std::string const& parent = "");

/// For `berth info`: {"version": "v2"|"v1/v2 hybrid"|"v1", "resourceControl": bool, "reason": "...",
/// "controllers": [...] (enabled for containers' cgroups; empty without resource control)}.
Json info();

/// Parses mountinfo text: the cgroup2 mount point ("" if none) and whether v1 hierarchies are mounted.
std::pair<std::string, bool> find_cgroup2_mount(std::string_view mountinfo);
/// The "0::/path" line of /proc/self/cgroup ("" if none).
std::string v2_path_from_proc(std::string_view proc_cgroup);
/// The cgroup v2 directory of process `pid` when it is a container's own
/// ("berth-*", made by berth's runtime); nullopt otherwise.
std::optional<std::string> container_cgroup_dir(int64_t pid);

/// Creates the container's cgroup (`path` absolute on the host, made by
/// cgroup_dir()), writes the limits, and moves `pid` into it. Removes stale
/// empty "berth-*" siblings left by earlier containers first.
ErrorOr enter(std::string const& path, Resources const& resources, pid_t pid);
/// <mount>/<parent, or the parent of our own cgroup>: where containers go.
std::string parent_dir(Availability const& availability, std::string const& parent);
/// parent_dir()/berth-<name>.
std::string cgroup_dir(Availability const& availability, std::string const& parent, std::string const& name);
/// Writes the limits into an existing cgroup directory (unit-tested on a plain directory).
ErrorOr write_limits(int dir_fd, Resources const& resources);

/// Runtime, after clone and before the container runs: puts `pid` in the
/// cgroup named by linux.cgroupsPath with linux.resources applied. Does
/// nothing when the spec asks for neither, or when probe() finds no delegated
/// v2 hierarchy (the CLI has warned); fails only when the hierarchy is there
/// and refuses the limits.
ErrorOr place(Spec const& spec, pid_t pid);

} // namespace berth::runtime::cgroups
