// TempDir: a directory that removes its tree on destruction unless keep() is
// called (SerenityOS LibCore/TempFile.h).
#pragma once

#include "base/error.h"

#include <string>

namespace berth {

class TempDir {
public:
    /// Creates a fresh directory "<parent>/<prefix>XXXXXX" (mode 0700).
    static Result<TempDir> create(std::string const& parent, std::string const& prefix = "tmp-");
    TempDir(TempDir&& other) noexcept : m_path(std::move(other.m_path)), m_keep(other.m_keep) { other.m_keep = true; }
    TempDir& operator=(TempDir&&) = delete;
    TempDir(TempDir const&) = delete;
    ~TempDir();

    std::string const& path() const { return m_path; }
    /// Leaves the directory in place (it was renamed or handed on).
    void keep() { m_keep = true; }

private:
    explicit TempDir(std::string path) : m_path(std::move(path)) {}
    std::string m_path;
    bool m_keep = false;
};

} // namespace berth
