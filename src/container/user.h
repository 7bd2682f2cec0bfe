// --user / the image's USER resolved to ids against the container's own
// /etc/passwd and /etc/group. The hard part is safety: those files belong to
// the image, which may make them symlinks to host paths, so they are opened
// with openat2(RESOLVE_IN_ROOT) relative to the rootfs and a link can never
// lead out of it. Parsing is split from reading so it is unit-tested.
#pragma once

#include "base/error.h"
#include "container/spec_builder.h"

#include <string>
#include <vector>

namespace berth::container {

/// Resolves "user[:group]" (names or numbers; "" is root) given the texts of
/// /etc/passwd and /etc/group (either may be empty). A numeric uid missing
/// from passwd is fine (gid 0 unless given); an unknown name is an error.
/// Supplementary groups are those listing the user in /etc/group, plus `group_add`.
Result<ResolvedUser> resolve_user_from(std::string const& spec, std::string const& passwd, std::string const& group,
    std::vector<std::string> const& group_add);

/// Reads rootfs/etc/passwd and rootfs/etc/group without leaving the rootfs, then resolve_user_from().
Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string const& spec, std::vector<std::string> const& group_add);

/// Reads a file inside `root` (path relative to it), never following a link out of it. ENOENT if missing.
Result<std::string> read_in_root(std::string const& root, std::string const& path);

} // namespace berth::container
