// UnnamedFile: see unnamed_file.h. The fallback matters on filesystems that
// refuse O_TMPFILE (EOPNOTSUPP; EISDIR or EINVAL from kernels or filesystems
// that do not know the flag), such as some FUSE and network filesystems.
#include "base/unnamed_file.h"

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace berth {

// O_TMPFILE and O_CREAT apply the umask to the mode; mkostemp does not.
static mode_t current_umask()
{
    mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

/// A random number for a temporary name. getrandom(2), not std::random_device:
/// constructing one runs cpuid, a trap to the hypervisor in a VM (~30 us here
/// per file written, seven files per `run`).
static uint64_t random_number()
{
    static uint64_t fallback = 0;
    uint64_t n = 0;
    if (::getrandom(&n, sizeof n, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof n))
        n = ++fallback;  // the name also carries the pid, and linkat refuses to replace
    return n;
}

Result<UnnamedFile> UnnamedFile::create(std::string const& dir, std::string const& hint, mode_t mode)
{
    int raw = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
    if (raw >= 0)
        return UnnamedFile(UniqueFd(raw), {});
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return Error::from_errno("create a file in " + dir);
    std::string tmpl = dir + "/." + hint + ".tmp-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    raw = ::mkostemp(buf.data(), O_CLOEXEC);
    if (raw < 0)
        return Error::from_errno("create a file in " + dir);
    UniqueFd fd(raw);
    if (::fchmod(fd.get(), mode & ~current_umask()) < 0) {
        int err = errno;
        ::unlink(buf.data());
        return Error::from_errno("chmod " + std::string(buf.data()), err);
    }
    return UnnamedFile(std::move(fd), buf.data());
}

UnnamedFile::UnnamedFile(UnnamedFile&& other) noexcept
    : m_fd(std::move(other.m_fd))
    , m_temp_name(std::exchange(other.m_temp_name, {}))
{
}

UnnamedFile::~UnnamedFile()
{
    if (!m_temp_name.empty())
        ::unlink(m_temp_name.c_str());
}

ErrorOr UnnamedFile::publish(std::string const& path)
{
    if (m_temp_name.empty()) {
        std::string name = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random_number());
        std::string self = "/proc/self/fd/" + std::to_string(m_fd.get());
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) < 0)
            return Error::from_errno("create " + path);
        m_temp_name = name;
    }
    if (::rename(m_temp_name.c_str(), path.c_str()) < 0)
        return Error::from_errno("rename " + m_temp_name + " to " + path);
    m_temp_name.clear();
    return {};
}

} // namespace berth
