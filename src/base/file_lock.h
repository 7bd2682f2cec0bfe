// FileLock: an flock(2) lock on a lock file, held for the object's lifetime.
// Used for per-layer, per-container and store-wide ordering between
// concurrent berth invocations (there is no daemon to serialise them).
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

#include <string>

namespace berth {

enum class LockMode { Shared, Exclusive };

class FileLock {
public:
    /// Creates the lock file if needed and blocks until the lock is held.
    static Result<FileLock> acquire(std::string const& path, LockMode mode = LockMode::Exclusive);
    /// Like acquire, but returns an EWOULDBLOCK error instead of waiting.
    static Result<FileLock> try_acquire(std::string const& path, LockMode mode = LockMode::Exclusive);
    /// Wraps an fd that already holds a lock.
    static FileLock acquire_from_fd(UniqueFd fd) { return FileLock(std::move(fd)); }
    FileLock(FileLock&&) noexcept = default;
    FileLock& operator=(FileLock&&) noexcept = default;

private:
    explicit FileLock(UniqueFd fd) : m_fd(std::move(fd)) {}
    UniqueFd m_fd; // closing the fd releases the lock
};

} // namespace berth
