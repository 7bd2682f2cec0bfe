// Subordinate id ranges from /etc/subuid and /etc/subgid, and the id mappings
// berth installs from them: 0 -> the user, 1.. -> the ranges back to back, as
// Podman does. The files are hand-edited, so parsing is forgiving: comments,
// blank lines and malformed lines are skipped (with a debug log), never fatal.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::rootless {

/// One line of a uid_map/gid_map: `size` ids starting at `container_id`
/// inside the namespace are `host_id`.. outside. A subordinate range is
/// reported with container_id 0 and host_id = its start.
struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
    bool operator==(IdMapping const&) const = default;
};

/// The ranges of `file` ("name:start:count" or "uid:start:count" per line)
/// that belong to `user` (by name) or `uid` (by number), in file order.
/// A missing file is no ranges, not an error.
Result<std::vector<IdMapping>> subordinate_ranges(std::string const& file, std::string const& user, uid_t uid);
/// The same, parsing file content already read.
std::vector<IdMapping> parse_subordinate_ranges(std::string const& text, std::string const& user, uid_t uid);

/// The mapping berth installs: {0 -> uid, 1}, then every range placed at
/// container ids 1, 1+count0, ... until the ranges or the id space run out
/// (the kernel's limit of 340 lines is respected).
std::vector<IdMapping> build_mappings(uid_t uid, std::vector<IdMapping> const& ranges);

/// "0 1000 1 1 100000 65536": the arguments newuidmap/newgidmap take after the pid.
std::vector<std::string> mapping_arguments(std::vector<IdMapping> const& mappings);

} // namespace berth::rootless
