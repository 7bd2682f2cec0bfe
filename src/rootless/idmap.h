// The user namespace of one container (--userns, --uidmap, --gidmap), as id
// mappings from the container's ids to the ids of the namespace berth runs in:
// the host for root, the user's own namespace (0 = the user, 1.. = the
// subordinate ranges) when rootless.
//
// Without these flags a rootless container shares the user's namespace (its
// root is the user) and root's container shares the host's (no user
// namespace). With them the runtime creates a nested namespace and writes
// these mappings. The hard part is keep-id: the user's own uid U must be U
// inside, so U -> 0 (the user), 0..U-1 -> 1..U and U+1.. -> U+1.., using each
// intermediate id exactly once. Everything here but current_container_id_maps
// is pure and unit-tested in idmap_test.cpp.
#pragma once

#include "base/error.h"
#include "rootless/paths.h"
#include "rootless/subid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::rootless {

/// What a container's user namespace looks like.
struct ContainerIdMaps {
    bool private_userns = false;     ///< the container gets a user namespace of its own
    std::vector<IdMapping> uid;      ///< container id -> id in berth's namespace
    std::vector<IdMapping> gid;
    std::string default_user;        ///< keep-id: "UID:GID" to run as unless --user says otherwise
};

/// The flags as given to create/run.
struct UsernsFlags {
    std::string userns;                 ///< "", "host", "keep-id[:uid=N,gid=N]", "nomap", "auto[:size=N]" (turned into --uidmap at create)
    std::vector<std::string> uidmap;    ///< CONTAINER:HOST:SIZE each
    std::vector<std::string> gidmap;
};

/// Parses --uidmap/--gidmap values ("0:100:1000", several allowed).
Result<std::vector<IdMapping>> parse_id_map_flags(std::vector<std::string> const& flags, std::string const& flag_name);
/// Syntax check of the flags alone (for `create`, before anything runs).
ErrorOr validate_userns_flags(UsernsFlags const& flags);
/// --userns=auto[:size=N]: the number of ids (default 1024).
Result<uint32_t> auto_userns_size(std::string const& mode);
/// The lowest start of `size` consecutive host ids inside one of `available`
/// (host_id/size of each) that overlaps none of `used`; ENOSPC when none is left.
Result<uint32_t> pick_auto_range(std::vector<IdMapping> const& available, std::vector<IdMapping> const& used, uint32_t size);
/// The keep-id mapping: `inside` -> 0, 0..inside-1 -> 1..inside, the rest of
/// `count` ids (berth's namespace holds ids 0..count-1) -> themselves.
std::vector<IdMapping> keep_id_mappings(uint32_t inside, uint32_t count);
/// The id that container id `id` is outside, in berth's namespace: itself
/// without a mapping (no private user namespace); nullopt when unmapped.
std::optional<uint32_t> outside_id(std::vector<IdMapping> const& map, uint32_t id);
/// The other way: the container id that id `id` of berth's namespace is.
std::optional<uint32_t> inside_id(std::vector<IdMapping> const& map, uint32_t id);
/// The ids a mapping file covers: max(container_id + size).
uint64_t mapped_id_count(std::vector<IdMapping> const& map);

/// The mappings for `flags`. `rootless`: berth runs in the user's namespace
/// holding ids 0..uid_count-1 / 0..gid_count-1, and the user is `uid`/`gid`
/// on the host.
Result<ContainerIdMaps> container_id_maps(UsernsFlags const& flags, bool rootless, uid_t uid, gid_t gid,
    uint64_t uid_count, uint64_t gid_count);
/// container_id_maps() with the counts read from /proc/self/uid_map and gid_map.
Result<ContainerIdMaps> current_container_id_maps(UsernsFlags const& flags, Paths const& paths);

/// fuse-overlayfs's "uidmapping=" value: "C:H:S:C:H:S...".
std::string fuse_mapping_value(std::vector<IdMapping> const& map);

} // namespace berth::rootless
