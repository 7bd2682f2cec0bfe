// Resource limits: OCI process.rlimits, Podman's defaults and --ulimit parsing.
//
// The subtle part is the unprivileged case: raising a hard limit needs
// CAP_SYS_RESOURCE in the user namespace's owner, and RLIMIT_NOFILE may never
// exceed fs.nr_open, even for root. Podman clamps rather than fails there, and
// so does apply_rlimits().
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// RLIM_INFINITY as the OCI spec spells it (uint64 max).
inline constexpr uint64_t k_rlimit_infinity = ~uint64_t(0);

/// One parsed rlimit: the RLIMIT_* number and its soft and hard values.
struct Rlimit {
    int resource = 0;
    uint64_t soft = 0;
    uint64_t hard = 0;
};

/// "RLIMIT_NOFILE" or "nofile" (case-insensitive) -> RLIMIT_NOFILE; unknown -> error naming it.
Result<int> rlimit_from_name(std::string_view name);
/// RLIMIT_NOFILE -> "RLIMIT_NOFILE".
std::string rlimit_name(int resource);
/// Parses OCI process.rlimits ([{type, hard, soft}]; null means none). Call before clone.
Result<std::vector<Rlimit>> parse_rlimits(Json const& process_rlimits);
/// Applies parsed limits with setrlimit. When raising a hard limit is refused (EPERM), the
/// limit is clamped to what is allowed (the current hard limit, or fs.nr_open for
/// RLIMIT_NOFILE) and the container starts anyway (log::debug). Does not throw.
ErrorOr apply_rlimits(std::span<Rlimit const> limits);
/// parse_rlimits() then apply_rlimits().
ErrorOr apply_rlimits(Json const& process_rlimits);
/// Podman's defaults (RLIMIT_NOFILE 1048576, RLIMIT_NPROC 4194304, soft = hard), each
/// clamped to this process's current hard limit, as OCI process.rlimits.
Json default_rlimits();
/// Parses --ulimit "nofile=1024:2048", "nproc=512", "core=-1" (-1 is unlimited) into one
/// OCI rlimit object {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 2048}.
Result<Json> parse_ulimit(std::string_view text);

} // namespace berth::runtime
