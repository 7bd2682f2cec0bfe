// FileLock: flock(2) on a lock file, with the re-check that makes removing
// lock files safe. A holder may unlink its lock file as the last step of its
// critical section (a removed container or layer needs no lock file any more).
// A process that opened the old file before the unlink and was waiting on it
// then gets a lock on an inode no longer at the path, while a newcomer creates
// a fresh file there: two holders. So after flock succeeds, a taker checks
// that the path still names the inode it locked, and starts over if not (the
// re-check WriterMarks and BlobStore make for their own flock'd files).
#include "base/file_lock.h"

#include "base/sys.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth {

// True when `path` still names the file open as `fd`.
static bool still_at_path(int fd, std::string const& path)
{
    struct stat by_fd {}, by_name {};
    return ::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_name) == 0 && by_fd.st_ino == by_name.st_ino
        && by_fd.st_dev == by_name.st_dev;
}

static Result<FileLock> lock(std::string const& path, LockMode mode, bool wait, bool create = true)
{
    int op = (mode == LockMode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    for (int attempt = 0; attempt < 1000; ++attempt) {
        UniqueFd fd = TRY(sys::open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600));
        while (::flock(fd.get(), op) < 0) {
            if (errno != EINTR)
                return Error::from_errno("lock " + path);
        }
        if (still_at_path(fd.get(), path))
            return FileLock::acquire_from_fd(std::move(fd), path);
        // Its holder removed it while we waited: lock whatever is at the path now.
    }
    return Error::msg("lock " + path + ": the lock file keeps being removed");
}

Result<FileLock> FileLock::acquire(std::string const& path, LockMode mode) { return lock(path, mode, true); }
Result<FileLock> FileLock::try_acquire(std::string const& path, LockMode mode) { return lock(path, mode, false); }
Result<FileLock> FileLock::try_acquire_existing(std::string const& path) { return lock(path, LockMode::Exclusive, false, false); }

void FileLock::remove_file()
{
    // Once only: a second unlink could hit a new taker's file.
    if (m_fd.valid() && !m_path.empty())
        ::unlink(m_path.c_str());
    m_path.clear();
}

} // namespace berth
