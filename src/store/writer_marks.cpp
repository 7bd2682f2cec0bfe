// WriterMarks: one flock'd marker file per writing process under
// data_dir/writers/. See writer_marks.h for the protocol.
#include "store/writer_marks.h"

#include "base/fs.h"
#include "base/log.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::store {

ErrorOr WriterMarks::mark()
{
    std::lock_guard lock(m_mutex);
    if (m_fd.valid())
        return {};
    for (int attempt = 0; attempt < 10; ++attempt) {
        std::string tmpl = m_dir + "/" + std::to_string(::getpid()) + "-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        int raw = ::mkostemp(buf.data(), O_CLOEXEC);
        if (raw < 0 && errno == ENOENT) {
            TRY_CTX(fs::mkdir_p(m_dir, 0700), "create " + m_dir);
            raw = ::mkostemp(buf.data(), O_CLOEXEC);
        }
        if (raw < 0)
            return Error::from_errno("create writer marker in " + m_dir);
        UniqueFd fd(raw);
        std::string path(buf.data());
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0) {
            if (errno != EWOULDBLOCK)
                return Error::from_errno("lock " + path);
            continue; // a concurrent open() took it for stale and will remove it
        }
        struct stat by_fd {}, by_name {};
        if (::fstat(fd.get(), &by_fd) == 0 && ::stat(path.c_str(), &by_name) == 0 && by_fd.st_ino == by_name.st_ino
            && by_fd.st_dev == by_name.st_dev) {
            // Durable before the first leftover can be: a crash after this point is repaired.
            TRY_CTX(fs::fsync_dir(m_dir), "create writer marker " + path);
            m_path = std::move(path);
            m_fd = std::move(fd);
            return {};
        }
        log::debug("writer marker {} was removed by a concurrent open, retrying", path);
    }
    return Error::msg("create writer marker in " + m_dir + ": the file keeps disappearing");
}

void WriterMarks::clear()
{
    std::lock_guard lock(m_mutex);
    if (!m_fd.valid())
        return;
    ::unlink(m_path.c_str());
    m_fd.reset();
    m_path.clear();
}

Result<bool> WriterMarks::collect_stale()
{
    struct stat st {};
    if (::stat(m_dir.c_str(), &st) < 0) {
        if (errno != ENOENT)
            return Error::from_errno("stat " + m_dir);
        TRY_CTX(fs::mkdir_p(m_dir, 0700), "create " + m_dir);
        return true;
    }
    for (auto const& name : TRY(fs::list_dir(m_dir))) {
        std::string path = m_dir + "/" + name;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (!fd.valid())
            continue; // removed meanwhile
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0)
            continue; // its writer is alive
        log::debug("store: writer marker {} was left by a killed process", path);
        m_stale.push_back(Stale { std::move(path), std::move(fd) });
    }
    return !m_stale.empty();
}

void WriterMarks::drop_stale()
{
    for (auto const& stale : m_stale)
        ::unlink(stale.path.c_str());
    m_stale.clear();
}

} // namespace berth::store
