// The container's user: Podman's --user forms (and the image's USER) resolved
// to ids against the container's own /etc/passwd and /etc/group, for run,
// create and exec alike.
//
// The hard part is safety: those files belong to the image, which may make
// them symlinks to host paths (an /etc/passwd pointing at the host's
// /etc/shadow), FIFOs that would block a reader, or devices. They are opened
// with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to the
// rootfs, so every link resolves inside it; non-blocking and without a
// controlling terminal; only a regular file is read, and at most
// max_account_file_size bytes of it. Parsing is split from reading so that it
// is unit-tested and fuzzed (tests/fuzz/passwd.cpp).
#pragma once

#include "base/error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace berth::container {

/// The process identity, resolved against the rootfs.
struct ResolvedUser {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> additional_gids;  ///< groups listing the user in /etc/group (without an explicit group), then --group-add
    std::string name;                    ///< empty for a uid without a passwd entry
    std::string home = "/";              ///< from passwd; "/" without an entry (as runc), for HOME when the image sets none
};

/// One line of /etc/passwd: "name:x:1000:1000:gecos:/home/name:/bin/sh".
struct PasswdEntry {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
};
/// One line of /etc/group: "name:x:10:member1,member2".
struct GroupEntry {
    std::string name;
    gid_t gid = 0;
    std::vector<std::string> members;
};

/// Lines with a name and numeric ids (name:pw:uid:gid[:gecos:home:shell] and
/// name:pw:gid[:members]); comments, blank and malformed lines (a non-numeric
/// or out-of-range id) are skipped, as libc does.
std::vector<PasswdEntry> parse_passwd(std::string_view text);
std::vector<GroupEntry> parse_group(std::string_view text);

/// Resolves "user[:group]" ("", "name", "uid", "name:group", "uid:gid", any
/// mix; "" is root) given the texts of /etc/passwd and /etc/group (either may
/// be empty). A numeric uid missing from passwd is fine (gid 0 unless given);
/// an unknown name is an error with Podman's wording (`unable to find user foo:
/// no matching entries in passwd file`). Without an explicit group the
/// supplementary groups are those listing the user in /etc/group (its primary
/// group left out), as runc's; then `group_add` (names or numbers;
/// "keep-groups" is not a group and is skipped).
Result<ResolvedUser> resolve_user_from(std::string_view spec, std::string_view passwd, std::string_view group,
    std::vector<std::string> const& group_add);

/// Reads rootfs/etc/passwd and rootfs/etc/group with read_in_root() (a missing
/// or non-regular file counts as empty), then resolve_user_from().
Result<ResolvedUser> resolve_user(std::string const& rootfs, std::string_view spec, std::vector<std::string> const& group_add = {});

/// The largest account file read (an image's /etc/passwd or /etc/group): a
/// bigger one is an error rather than a read of whatever size the image chose.
inline constexpr size_t max_account_file_size = 16 << 20;

/// Reads a regular file inside `root` (`path` relative to it), never following
/// a link out of it. Errors: ENOENT when missing, EINVAL when not a regular
/// file (never opened for blocking, never read), EFBIG above max_account_file_size.
Result<std::string> read_in_root(std::string const& root, std::string const& path);

} // namespace berth::container
