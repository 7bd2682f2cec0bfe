// tree_copy.h: readdir on a dup of the directory fd, *at() calls for every
// entry, O_NOFOLLOW everywhere; owners and modes are set after the contents,
// so that a read-only directory is filled before it becomes read-only.
#include "base/tree_copy.h"

#include "base/sys.h"
#include "base/unique_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace berth::fs {

Result<std::vector<std::string>> names_at(int dirfd, std::string const& what)
{
    int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0)
        return Error::from_errno("dup");
    DIR* dir = ::fdopendir(dup);
    if (!dir) {
        ::close(dup);
        return Error::from_errno("opendir " + what);
    }
    ::rewinddir(dir);
    std::vector<std::string> names;
    while (struct dirent* ent = ::readdir(dir))
        if (std::string_view(ent->d_name) != "." && std::string_view(ent->d_name) != "..")
            names.emplace_back(ent->d_name);
    ::closedir(dir);
    return names;
}

namespace {

ErrorOr copy_file_contents(int in, int out, std::string const& what)
{
    char buf[65536];
    while (size_t n = TRY_CTX(sys::read(in, buf, sizeof buf), "copy " + what))
        TRY_CTX(sys::write_all(out, buf, n), "copy " + what);
    return {};
}

ErrorOr copy_children(int from_dir, int to_dir, std::string const& what, int depth)
{
    if (depth > 256)
        return Error { ELOOP, "copy " + what + ": nested too deep" };
    for (auto const& name : TRY(names_at(from_dir, what))) {
        std::string path = what + "/" + name;
        struct stat st {};
        if (::fstatat(from_dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            return Error::from_errno("stat " + path);
        mode_t perm = st.st_mode & 07777;
        if (S_ISDIR(st.st_mode)) {
            if (::mkdirat(to_dir, name.c_str(), 0700) < 0 && errno != EEXIST)
                return Error::from_errno("mkdir " + path);
            int in = ::openat(from_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (in < 0)
                return Error::from_errno("open " + path);
            UniqueFd in_fd(in);
            int out = ::openat(to_dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (out < 0)
                return Error::from_errno("open " + path);
            UniqueFd out_fd(out);
            TRY(copy_children(in, out, path, depth + 1));
            (void)::fchown(out, st.st_uid, st.st_gid);
            (void)::fchmod(out, perm);
        } else if (S_ISREG(st.st_mode)) {
            int in = ::openat(from_dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
            if (in < 0)
                return Error::from_errno("open " + path);
            UniqueFd in_fd(in);
            int out = ::openat(to_dir, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
            if (out < 0)
                return Error::from_errno("create " + path);
            UniqueFd out_fd(out);
            TRY(copy_file_contents(in, out, path));
            (void)::fchown(out, st.st_uid, st.st_gid);
            (void)::fchmod(out, perm);
        } else if (S_ISLNK(st.st_mode)) {
            std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
            ssize_t n = ::readlinkat(from_dir, name.c_str(), target.data(), target.size());
            if (n < 0)
                return Error::from_errno("readlink " + path);
            target.resize(static_cast<size_t>(n));
            if (::symlinkat(target.c_str(), to_dir, name.c_str()) < 0 && errno != EEXIST)
                return Error::from_errno("symlink " + path);
            (void)::fchownat(to_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        } else if (::mknodat(to_dir, name.c_str(), st.st_mode, st.st_rdev) == 0) {
            (void)::fchownat(to_dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        }
    }
    return {};
}

} // namespace

ErrorOr copy_tree_at(int from_dir, int to_dir, std::string const& what)
{
    TRY(copy_children(from_dir, to_dir, what, 0));
    struct stat st {};
    if (::fstat(from_dir, &st) == 0) {
        (void)::fchown(to_dir, st.st_uid, st.st_gid);
        (void)::fchmod(to_dir, st.st_mode & 07777);
    }
    return {};
}

} // namespace berth::fs
