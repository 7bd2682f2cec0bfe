// The container's user: Podman's --user forms resolved against the image's
// own /etc/passwd and /etc/group, into process.user.
//
// The hard part is that those files belong to an untrusted rootfs: an image
// whose /etc/passwd is a symlink to /etc/shadow on the host must not make berth
// read the host's file. They are opened with openat2(RESOLVE_IN_ROOT) relative
// to the rootfs, so every symlink resolves inside it, and only regular files
// are read (a FIFO would block, a device could be anything).
#pragma once

#include "base/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> additional_gids;  ///< groups listing the user in /etc/group, then --group-add
    std::string name;                       ///< empty for a uid without a passwd entry
    std::string home = "/";                 ///< from passwd; "/" without an entry (as runc)
};

/// Resolves "", "name", "uid", "name:group", "uid:gid" (any mix) inside the
/// rootfs at `rootfs` (a host path). A numeric uid needs no passwd entry (its
/// gid is then 0); a name must have one. `group_add` holds names or numbers.
/// Errors use Podman's wording: `unable to find user foo: no matching entries
/// in passwd file`.
Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string_view user,
    std::vector<std::string> const& group_add = {});

/// The passwd/group line parsers, for tests: "name:x:1000:1000:gecos:/home/name:/bin/sh".
struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
};
struct GroupEntry {
    std::string name;
    uint32_t gid = 0;
    std::vector<std::string> members;
};
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::vector<GroupEntry> parse_group(std::string_view text);

} // namespace berth::runtime
