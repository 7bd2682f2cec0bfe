// The storage driver: a container's root filesystem made from its image's
// layers (data_dir/layers/<hex>/diff, bottom to top) plus a private writable
// layer in data_dir/containers/<id>/{upper,work}, mounted at .../merged.
//
// Three drivers, tried in this order the first time and then recorded in
// data_dir/storage-driver so every later container uses the same one:
//  - overlay: the kernel's overlayfs, in the user's user+mount namespace when
//    rootless (kernel 5.11+), with "userxattr" because the layer store writes
//    user.overlay.opaque there (trusted.overlay.opaque as root);
//  - fuse-overlayfs: the FUSE implementation, where the kernel refuses
//    (EPERM/EINVAL);
//  - vfs: a full copy of the layers with whiteouts applied, always possible.
// --storage-driver overrides the recorded choice.
//
// Layers are given by their short links (l/<26 chars>, store/layer_links.h),
// relative to data_dir/layers, and the mount is made from there: ~130 layers
// fit in the one page mount(2) takes (absolute paths: ~40). Past that, the
// native overlay is mounted with the new mount API, one fsconfig "lowerdir+"
// per layer (kernel 6.8+; overlay itself stops at 500); fuse-overlayfs, which
// takes its options on the command line, has no page limit.
//
// A container with a user namespace of its own (--userns=keep-id, --uidmap)
// sees the layers' owners through its mapping, so the image's root files would
// look owned by someone else (keep-id: by the user). Such a container always
// gets fuse-overlayfs with uidmapping=/gidmapping=, which shows each file with
// the id that maps back to its stored owner, as Podman does rootless. The
// alternative, idmapped mounts (mount_setattr MOUNT_ATTR_IDMAP on each layer
// under a kernel overlay), needs CAP_SYS_ADMIN over the layers' filesystem,
// i.e. real root: rootless it is refused (EPERM) on this 6.x kernel as on any,
// so one mechanism for both keeps root and rootless alike. The container
// records "fuse-overlayfs" as its driver; the store's recorded default is
// not touched. The mount lives in the
// user's mount namespace (or the host's as root) and so outlives the berth
// invocation that made it: `rm` (or the monitor on --rm) unmounts it.
#pragma once

#include "base/error.h"
#include "rootless/subid.h"
#include "store/layout.h"

#include <string>
#include <vector>

namespace berth::container {

enum class Driver { Overlay, FuseOverlayfs, Vfs };

/// "overlay", "fuse-overlayfs", "vfs".
std::string driver_name(Driver driver);
/// Parses a driver name ("overlay2" is accepted for overlay).
Result<Driver> parse_driver(std::string const& name);

struct RootfsRequest {
    std::vector<std::string> lower_dirs;   ///< layer diff directories, bottom to top
    /// When set, lower_dirs are relative to it (the short links l/<name> of
    /// store/layer_links.h) and the mount is made from it, so that ~130
    /// layers fit in the kernel's one page of overlay options.
    std::string layers_dir;
    std::string container_dir;             ///< data_dir/containers/<id>
    bool rootless = false;                 ///< overlay: userxattr
    /// A private user namespace's mappings (container id -> berth's id); non-empty forces fuse-overlayfs.
    std::vector<rootless::IdMapping> uid_mappings, gid_mappings;
    /// Native overlay only: mount with `volatile` (no sync of the upper
    /// filesystem at unmount, ~10 ms), for containers removed at exit (--rm)
    /// whose upper dir is thrown away anyway, as Podman does.
    bool volatile_upper = false;
    /// fuse-overlayfs: the program (storage.conf mount_program, --storage-opt); "" finds it in PATH.
    std::string mount_program;
};

/// The recorded driver of a store (layout.storage_driver_file()), if any.
Result<std::string> recorded_driver(store::Layout const& layout);
/// Which driver to use: `override_name` if given, else the recorded one, else
/// empty (probe on first mount).
Result<std::string> configured_driver(store::Layout const& layout, std::string const& override_name);

/// Mounts (or copies, for vfs) the rootfs at container_dir/merged. `driver`
/// empty: tries overlay, fuse-overlayfs, vfs and records the first that
/// works in the store of `layout`. Returns the driver used.
Result<Driver> mount_rootfs(RootfsRequest const& request, std::string const& driver, store::Layout const& layout);
/// Unmounts container_dir/merged (a no-op when not mounted).
ErrorOr unmount_rootfs(std::string const& container_dir);
/// The overlay mount options: lowerdir (top first), upperdir, workdir[, userxattr].
std::string overlay_options(RootfsRequest const& request);
/// True when `path` is a mount point (its device differs from its parent's, or it is listed in mountinfo).
bool is_mount_point(std::string const& path);

/// Copies a tree (vfs driver), applying overlay whiteouts: a 0:0 character
/// device removes the entry below it, an opaque directory hides the lower one.
ErrorOr copy_layer(std::string const& from, std::string const& to);

} // namespace berth::container
