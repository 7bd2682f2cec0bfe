// The local driver's `volume create -o` options, as Podman takes them:
// type=, device= and o= describe a filesystem (tmpfs, a bind of a host
// directory, a block device) mounted on the volume's _data directory while a
// container uses it; uid=/gid= own the volume's directory; nocopy skips the
// copy-up of the image's content. Pure: parsing and checks only; the mount
// itself is engine/volumes/volumes.cpp's.
#pragma once

#include "base/error.h"

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

namespace berth::container {

struct VolumeMountOptions {
    std::string type;             ///< mount(2) type: "tmpfs", "ext4", ...; "bind" for a bind mount
    std::string device;           ///< mount(2) source (a host path for a bind)
    bool bind = false;            ///< type=bind, or a "bind"/"rbind" in o=
    bool recursive = false;       ///< "rbind"
    unsigned long flags = 0;      ///< MS_* from o= (ro, nosuid, nodev, noexec, ...)
    std::string data;             ///< the rest of o= for the filesystem ("size=1m,mode=0700")
    std::optional<uid_t> uid;     ///< uid=: owner of the volume's directory
    std::optional<gid_t> gid;     ///< gid=
    bool nocopy = false;          ///< no copy-up of the image's content

    /// True when the volume is a mount of its own, not just a directory.
    bool mounts() const { return !type.empty() || !device.empty(); }
};

/// Parses a volume's options (keys case-insensitive, as Podman): type,
/// device, o, uid, gid, copy, nocopy. An unknown key is Podman's "invalid
/// mount option X for driver 'local'"; a type without a device (other than
/// tmpfs), a device without a type, a bind without a device, or a size= quota
/// outside tmpfs are errors that say what to add.
Result<VolumeMountOptions> parse_volume_options(std::map<std::string, std::string> const& options);

} // namespace berth::container
