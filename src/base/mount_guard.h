// MountGuard: the one owner of a mount point while the step that made it may
// still fail, as TempDir owns a directory. Unless release()d it is detached
// (umount2 MNT_DETACH) when the guard goes out of scope, so that a start that
// fails after mounting the container's rootfs leaves no mount behind.
//
// The hard part is that a mount outlives every process: it belongs to a mount
// namespace (rootless: berth's user+mount namespace, shared by every later
// berth), not to the process that made it. So a failed step must undo it
// explicitly; nothing else will.
#pragma once

#include "base/error.h"

#include <string>
#include <utility>

namespace berth {

class MountGuard {
public:
    MountGuard() = default;
    /// Owns the mount at `path`, made by the caller a moment ago.
    explicit MountGuard(std::string path) : m_path(std::move(path)) {}
    MountGuard(MountGuard&& other) noexcept : m_path(std::exchange(other.m_path, {})) {}
    MountGuard& operator=(MountGuard&& other) noexcept;
    MountGuard(MountGuard const&) = delete;
    MountGuard& operator=(MountGuard const&) = delete;
    /// Unmounts what is still owned; a failure is logged, not thrown.
    ~MountGuard();

    std::string const& path() const { return m_path; }
    bool owns() const { return !m_path.empty(); }
    /// The mount stays: someone else (the container's record) owns it now.
    std::string release() { return std::exchange(m_path, {}); }
    /// Unmounts now (MNT_DETACH); a path that is no mount point (EINVAL) is no error.
    ErrorOr unmount();

private:
    std::string m_path;
};

} // namespace berth
