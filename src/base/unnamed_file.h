// UnnamedFile: a file that gets its name only once it is complete, so that a
// kill -9 while it is written leaves nothing behind. It is made with O_TMPFILE
// (an inode with no directory entry, freed by the kernel when the last fd
// closes); publish() links it to a temporary name and renames that over the
// target, since linkat cannot replace an existing file. Only the instant
// between linkat and rename can leave a "<target>.tmp-PID-N" behind.
// Filesystems without O_TMPFILE get a named temporary file from the start,
// removed by the destructor unless published.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

#include <string>
#include <sys/types.h>

namespace berth {

class UnnamedFile {
public:
    /// A new, empty file in `dir`, writable through fd(). `hint` names the
    /// fallback temporary file ("." + hint + ".tmp-XXXXXX").
    static Result<UnnamedFile> create(std::string const& dir, std::string const& hint, mode_t mode);
    UnnamedFile(UnnamedFile&& other) noexcept;
    UnnamedFile& operator=(UnnamedFile&&) = delete;
    ~UnnamedFile();

    int fd() const { return m_fd.get(); }
    /// Gives the file the name `path` (in the directory it was created in), replacing what is there.
    ErrorOr publish(std::string const& path);

private:
    UnnamedFile(UniqueFd fd, std::string temp_name) : m_fd(std::move(fd)), m_temp_name(std::move(temp_name)) {}
    UniqueFd m_fd;
    std::string m_temp_name;  ///< the fallback's name, "" for an O_TMPFILE file
};

} // namespace berth
