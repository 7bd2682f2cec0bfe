// MountGuard: a lazy unmount on every path that did not release the mount.
// See mount_guard.h.
#include "base/mount_guard.h"

#include "base/log.h"

#include <cerrno>
#include <sys/mount.h>

namespace berth {

MountGuard& MountGuard::operator=(MountGuard&& other) noexcept
{
    if (this != &other) {
        MountGuard old(std::exchange(m_path, other.release()));
        (void)old;  // unmounted here
    }
    return *this;
}

MountGuard::~MountGuard()
{
    if (auto r = unmount(); !r)
        log::warn("{}", r.error().message);
}

ErrorOr MountGuard::unmount()
{
    if (m_path.empty())
        return {};
    std::string path = std::exchange(m_path, {});
    // MNT_DETACH: a process still inside (a container init that failed late)
    // must not keep the mount alive with EBUSY.
    if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
        return Error::from_errno("unmount " + path);
    return {};
}

} // namespace berth
