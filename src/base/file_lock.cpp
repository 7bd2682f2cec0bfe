#include "base/file_lock.h"

#include "base/sys.h"

#include <fcntl.h>
#include <sys/file.h>

namespace berth {

static Result<FileLock> lock(std::string const& path, LockMode mode, bool wait)
{
    UniqueFd fd = TRY(sys::open(path, O_RDWR | O_CREAT, 0600));
    int op = (mode == LockMode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
    while (::flock(fd.get(), op) < 0) {
        if (errno != EINTR)
            return Error::from_errno("lock " + path);
    }
    return FileLock::acquire_from_fd(std::move(fd));
}

Result<FileLock> FileLock::acquire(std::string const& path, LockMode mode) { return lock(path, mode, true); }
Result<FileLock> FileLock::try_acquire(std::string const& path, LockMode mode) { return lock(path, mode, false); }

} // namespace berth
