// Mounting the spec's mounts inside the container's rootfs without ever
// touching the host through a symlink.
//
// The hard part is the destination: a rootfs is untrusted, and a destination
// such as /mnt/x where the image made /mnt/x a symlink to /tmp/secret must
// land on <rootfs>/tmp/secret, never on the host's /tmp/secret. So every
// destination is resolved with openat2(RESOLVE_IN_ROOT) relative to the rootfs
// fd (absolute symlinks and ".." stay inside), missing components are created
// one at a time with mkdirat/mknodat relative to an already-resolved parent
// fd, and the mount goes onto /proc/self/fd/N of the opened target, so the path
// is never looked up a second time.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/spec.h"

#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// What a list of OCI mount options means to mount(2).
struct MountOptions {
    unsigned long flags = 0;          ///< MS_* for mount(2), without propagation flags
    unsigned long propagation = 0;    ///< MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE, with MS_REC for "r..."
    unsigned long long bind_attrs = 0;  ///< MOUNT_ATTR_* to set after a bind mount (ro, nosuid, nodev, noexec)
    bool bind = false;
    bool recursive = false;           ///< "rbind"
    bool copy_up = false;             ///< "tmpcopyup": a tmpfs starts with what the rootfs has at its destination
    std::string data;                 ///< options mount(2) does not know as flags ("mode=755,size=65536k")
};

/// Translates OCI/fstab-style options; a bind mount is one with type "bind" or
/// a "bind"/"rbind" option. "tmpcopyup" (and "notmpcopyup", which cancels it)
/// sets copy_up; the other Podman-only options (z, Z, U, O, copy, nocopy,
/// idmap) are ignored.
MountOptions parse_mount_options(std::vector<std::string> const& options, std::string_view type);

/// Opens `path` (a container path) with O_PATH inside the tree at `root_fd`,
/// resolving symlinks and ".." as if root_fd were "/".
Result<UniqueFd> open_in_root(int root_fd, std::string const& path);

enum class NodeKind { Directory, File };

/// Like open_in_root, but creates what is missing: directories along the
/// way and, as the last component, a directory or an empty file. A dangling
/// symlink on the way is followed inside the root and its target created.
Result<UniqueFd> ensure_in_root(int root_fd, std::string const& path, NodeKind kind);

/// Mounts one spec mount under the rootfs at `root_fd`. sysfs refused with
/// EPERM (rootless without a network namespace of our own) falls back to a
/// read-only rbind of the host's /sys, mqueue likewise to /dev/mqueue, and a
/// devpts refused for its gid= option (gid 5 unmapped) is retried without it.
ErrorOr mount_in_root(int root_fd, Mount const& mount);

/// Bind-mounts the object `source_fd` (any fd, also O_PATH) onto `target_fd`.
ErrorOr bind_fd(int source_fd, int target_fd, bool recursive, std::string const& what);

/// Makes the mount at `path` (resolved in `root_fd`) read-only, with its
/// submounts when `recursive`. Other mount flags are kept, so locked flags of a
/// rootless mount are not an obstacle.
ErrorOr make_readonly(int root_fd, std::string const& path, bool recursive);

} // namespace berth::runtime
