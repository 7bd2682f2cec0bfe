// FileLock: an flock(2) lock on a lock file, held for the object's lifetime.
// Used for per-layer, per-container and store-wide ordering between
// concurrent berth invocations (there is no daemon to serialise them).
// A lock file may be removed by its holder (remove_file) once what it guards
// is gone; takers re-check after locking, so that is never a race.
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
    /// Like try_acquire, but never creates the file: ENOENT when there is none
    /// (for judging a lock file found on disk, which its holder may just have removed).
    static Result<FileLock> try_acquire_existing(std::string const& path);
    /// Wraps an fd that already holds a lock (on `path`, if remove_file() is to work).
    static FileLock acquire_from_fd(UniqueFd fd, std::string path = {}) { return FileLock(std::move(fd), std::move(path)); }
    /// Unlinks the lock file while the lock is held. Call it as the last step of the critical
    /// section: from then on a new taker locks a new file, so this lock excludes nobody.
    void remove_file();
    /// The fd that holds the lock. A forked child that keeps it open holds the
    /// lock with us (flock belongs to the open file), until both have closed it.
    int fd() const { return m_fd.get(); }
    FileLock(FileLock&&) noexcept = default;
    FileLock& operator=(FileLock&&) noexcept = default;

private:
    FileLock(UniqueFd fd, std::string path) : m_fd(std::move(fd)), m_path(std::move(path)) {}
    UniqueFd m_fd; // closing the fd releases the lock
    std::string m_path;
};

} // namespace berth
