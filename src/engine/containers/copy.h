// Files in and out of a container: `cp` (both directions, tar streams with
// "-"), `export` (a tar of the rootfs), `diff` (changes in the writable
// layer) and `mount`/`unmount` (the rootfs at a host path).
//
// The hard part is that the container's tree is untrusted: a symlink in it
// may point anywhere, "/etc/shadow" included. Every path inside the container
// is resolved with openat2(RESOLVE_IN_ROOT) against the container's root (the
// running init's /proc/PID/root, which also shows its volumes, or the mounted
// rootfs of a stopped container), and the walk below that point opens each
// entry relative to its parent's fd with O_NOFOLLOW, so no link is followed
// out of the container in either direction.
//
// What Podman does, berth does: a source path in a container has the
// symlinks of its last component followed inside it (the target is copied,
// under its own name); a stopped container's volumes and bind mounts are
// bound on its rootfs for the copy; owners go through the container's user
// namespace (--userns=keep-id): files copied in belong to its user, a tar
// written out belongs to that user's ids outside, files copied out to the
// caller; a tar stream's missing parent directories are created.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <string>
#include <vector>

namespace berth::engine {

struct CopyOptions {
    bool archive = true;       ///< -a (Podman's default): files copied into a container belong to its user; false keeps the source's uid/gid
    bool follow_link = false;  ///< -L: follow a symlink given as a host source (a container's is always followed, as in Podman)
    bool overwrite = false;    ///< --overwrite: a directory may replace a non-directory and vice versa
    bool pause = false;        ///< --pause: a running container is paused while files are copied into or out of it
};

/// `cp SRC DEST` where at least one side is "CONTAINER:PATH" (both: a copy
/// from one container to another, or within one) and a host side of "-" is a
/// tar stream on stdin (to the container) or stdout (from it). Files copied
/// out to the host belong to the user running berth, as in Podman.
ErrorOr copy(Context& ctx, std::string const& source, std::string const& dest, CopyOptions const& options);

/// A tar of the directory `dir` (its contents: "sub/", "sub/f", "t") written
/// to `out_fd`, as `volume export` writes it; nothing below dir is followed.
ErrorOr write_directory_tar(std::string const& dir, int out_fd);
/// Extracts the tar stream `in_fd` into the directory `dir`, owners kept,
/// merging with what is there (`volume import`); no entry leads out of dir.
ErrorOr extract_tar_into(int in_fd, std::string const& dir);

/// A tar of the container's rootfs written to `fd`.
ErrorOr export_container(Context& ctx, std::string const& name_or_id, int fd);

/// One line of `diff`: kind 'A', 'C' or 'D' and the path inside the container.
struct Change {
    char kind = 'C';
    std::string path;
};
/// Changes of the container's writable layer against its image, sorted by path.
Result<std::vector<Change>> diff_container(Context& ctx, std::string const& name_or_id);

/// Mounts the rootfs (if it is not mounted) and returns the host path of it.
Result<std::string> mount_container(Context& ctx, std::string const& name_or_id);
/// Unmounts the rootfs of a container that is not running; returns its id.
Result<std::string> unmount_container(Context& ctx, std::string const& name_or_id);
/// {id, merged path} of every container whose rootfs is mounted.
Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Context& ctx);

} // namespace berth::engine
