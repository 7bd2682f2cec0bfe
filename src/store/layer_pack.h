// The other direction of layer_unpack.h: a container's changes become an OCI
// layer (a tar with whiteouts, gzip-compressed). The changes are either an
// overlay upper directory (kernel overlay or fuse-overlayfs), whose whiteouts
// (0/0 character devices, ".wh." files) and opaque directories (an
// overlay.opaque xattr, a ".wh..wh..opq" file) are turned into OCI's
// ".wh.NAME" and ".wh..wh..opq" entries, or (vfs) a complete root filesystem
// compared with the layers it was copied from. See layer_pack.cpp.
#pragma once

#include "base/error.h"
#include "image/digest.h"

#include <cstdint>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <utility>
#include <vector>

namespace berth::store {

/// Where a container's changes are.
struct ChangeSource {
    enum class Kind {
        OverlayUpper,  ///< `dir` is an overlay (or fuse-overlayfs) upper directory
        FullTree,      ///< `dir` is a whole root filesystem (vfs), diffed against lower_dirs
    };
    Kind kind = Kind::OverlayUpper;
    std::string dir;
    /// The image's layer diff directories, bottom to top, as extracted by the store (whiteouts
    /// as 0/0 devices, opaque xattrs). FullTree compares with them; OverlayUpper uses them only
    /// to tell an added path from a changed one.
    std::vector<std::string> lower_dirs;
};

/// One change, in the order a layer tar lists it: parents before children, and a directory's
/// deletions before its other entries (OCI image-spec layer.md asks whiteouts to come first).
struct LayerChange {
    enum class Kind { Added, Changed, Deleted };  ///< in `diff`'s order: A, C, D
    Kind kind = Kind::Added;
    std::string path;     ///< relative to the root, no leading "/": "etc/passwd"
    bool opaque = false;  ///< a directory whose lower contents are all hidden (rm -rf, then recreated)
};

/// The changes of `source`. Nothing is followed: every path is opened beneath `source.dir`
/// without symlinks, so a running container cannot redirect the walk.
Result<std::vector<LayerChange>> list_changes(ChangeSource const& source);

/// Owner ids as stored on disk -> the ids the layer records (the container's). Empty: kept as is.
using OwnerMap = std::function<std::pair<uid_t, gid_t>(uid_t, gid_t)>;

/// Where the compressed bytes go, in order.
using ByteSink = std::function<ErrorOr(char const*, size_t)>;

struct PackedLayer {
    image::Digest diff_id;       ///< sha256 of the uncompressed tar
    int64_t size = 0;            ///< uncompressed tar bytes
    image::Digest blob_digest;   ///< sha256 of the gzip stream written to the sink
    int64_t blob_size = 0;
    std::string media_type;      ///< application/vnd.oci.image.layer.v1.tar+gzip
};

/// Writes the changes of `source` to `out` as a gzip-compressed pax tar and computes both
/// digests in the same pass. Entries keep mode, owner (through `owners`), mtime (whole
/// seconds: ustar headers, a pax record only where a name or size needs one), xattrs other than overlay's own, symlink targets and device numbers; a
/// file with several names in the changes is stored once and then as hard links. Sockets
/// are skipped. Overlay metacopy or redirect xattrs (a copy-up whose data or name lives in a
/// lower layer) are an error rather than a layer that silently lacks them.
Result<PackedLayer> pack_changes(ChangeSource const& source, OwnerMap const& owners, ByteSink const& out);

/// An overlay whiteout: a character device 0/0.
bool is_whiteout(struct stat const& st);
/// Whether the directory `fd` (opened for reading) is marked opaque by an overlay xattr
/// (trusted.overlay.opaque, user.overlay.opaque or fuse-overlayfs's user.fuseoverlayfs.opaque).
bool has_opaque_xattr(int fd);

} // namespace berth::store
