// File-system helpers. remove_tree walks with openat/unlinkat relative to the
// parent directory fd and never follows a symlink, so a hostile tree cannot
// redirect the removal outside itself.
#include "base/fs.h"

#include "base/sys.h"
#include "base/tree_copy.h"
#include "base/unique_fd.h"
#include "base/unnamed_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

namespace berth::fs {

Result<std::string> read_file(std::string const& path)
{
    UniqueFd fd = TRY(sys::open(path, O_RDONLY));
    return TRY_CTX(sys::read_all(fd.get()), "read " + path);
}

namespace {

ErrorOr write_and_rename(std::string const& path, std::string_view data, mode_t mode, bool durable)
{
    auto slash = path.find_last_of('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    auto file = TRY_CTX(UnnamedFile::create(dir, base, mode), "write " + path);
    auto written = sys::write_all(file.fd(), data);
    if (written && durable)
        written = sys::fsync(file.fd());
    if (!written)
        return std::move(written).error().with_context("write " + path);
    return file.publish(path);
}

} // namespace

ErrorOr write_file_atomic(std::string const& path, std::string_view data, mode_t mode)
{
    return write_and_rename(path, data, mode, true);
}

ErrorOr write_file_replace(std::string const& path, std::string_view data, mode_t mode)
{
    return write_and_rename(path, data, mode, false);
}

ErrorOr mkdir_p(std::string const& path, mode_t mode)
{
    // Mostly the directory is there already: one stat, not a mkdir per component.
    if (path.empty() || is_dir(path))
        return {};
    std::string cur;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty() || cur == "/")
            continue;
        if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST)
            return Error::from_errno("mkdir " + cur);
    }
    if (!is_dir(path))
        return Error { ENOTDIR, "mkdir " + path + ": exists and is not a directory" };
    return {};
}

static ErrorOr remove_children(int dirfd, std::string const& what)
{
    for (auto const& name : TRY(names_at(dirfd, what))) {
        if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT)
            continue;
        if (errno != EISDIR && errno != EPERM)
            return Error::from_errno("unlink " + what + "/" + name);
        int child = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0)
            return Error::from_errno("open " + what + "/" + name);
        UniqueFd child_fd(child);
        // A directory may lack write or search permission (an image layer can ship 0555).
        ::fchmod(child, 0700);
        TRY(remove_children(child, what + "/" + name));
        if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
            return Error::from_errno("rmdir " + what + "/" + name);
    }
    return {};
}

ErrorOr remove_tree(std::string const& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0)
        return errno == ENOENT ? ErrorOr {} : Error::from_errno("lstat " + path);
    if (!S_ISDIR(st.st_mode))
        return sys::unlink(path);
    ::chmod(path.c_str(), 0700);
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    TRY(remove_children(fd.get(), path));
    if (::rmdir(path.c_str()) < 0 && errno != ENOENT)
        return Error::from_errno("rmdir " + path);
    return {};
}

Result<std::vector<std::string>> list_dir(std::string const& path)
{
    DIR* dir = ::opendir(path.c_str());
    if (!dir)
        return Error::from_errno("open " + path);
    std::vector<std::string> names;
    while (struct dirent* ent = ::readdir(dir)) {
        std::string name = ent->d_name;
        if (name != "." && name != "..")
            names.push_back(std::move(name));
    }
    ::closedir(dir);
    return names;
}

bool exists(std::string const& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

bool is_dir(std::string const& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string join(std::string_view a, std::string_view b)
{
    std::string out(a);
    while (!out.empty() && out.back() == '/' && out.size() > 1)
        out.pop_back();
    while (!b.empty() && b.front() == '/')
        b.remove_prefix(1);
    if (out.empty())
        return std::string(b);
    if (out.back() != '/')
        out += '/';
    out += b;
    return out;
}

ErrorOr fsync_dir(std::string const& path)
{
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_DIRECTORY));
    return sys::fsync(fd.get());
}

} // namespace berth::fs
