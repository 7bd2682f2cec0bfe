// Container removal: see removal.h.
#include "container/removal.h"

#include "base/fs.h"
#include "container/rootfs.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::container {

namespace {

/// Deletes every entry of `trash` (a dir of our own), ignoring errors: another
/// deleter may be at the same entry.
void empty_trash(std::string const& trash)
{
    auto names = fs::list_dir(trash);
    if (names)
        for (auto const& name : *names)
            (void)fs::remove_tree(fs::join(trash, name));
}

/// Removes `dir` out of the caller's way: renamed (atomic, same filesystem)
/// into <parent>/.trash, then deleted there by a detached child, which also
/// deletes what an interrupted earlier deletion left. Where the rename or the
/// fork fails, deletes it here.
ErrorOr remove_tree_detached(std::string const& dir)
{
    if (!fs::exists(dir))
        return {};
    std::string trash = fs::join(dir.substr(0, dir.find_last_of('/')), ".trash");
    std::string moved = fs::join(trash, dir.substr(dir.find_last_of('/') + 1) + "-" + std::to_string(::getpid()));
    if ((::mkdir(trash.c_str(), 0700) != 0 && errno != EEXIST) || ::rename(dir.c_str(), moved.c_str()) != 0)
        return fs::remove_tree(dir);
    pid_t pid = ::fork();
    if (pid < 0)
        return fs::remove_tree(moved);
    if (pid == 0) {
        // Locks and the database are the parent's: hold none of them open.
        ::close_range(3, ~0U, 0);
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd)
            ::dup2(null, fd);
        ::setsid();
        empty_trash(trash);
        ::_exit(0);
    }
    return {};
}

} // namespace

ErrorOr remove_container(ContainerStore& containers, std::string const& id)
{
    auto const& layout = containers.layout();
    std::string bundle = layout.bundle_dir(id);
    TRY(unmount_rootfs(bundle));
    TRY(remove_tree_detached(bundle));
    (void)fs::remove_tree(layout.container_run_dir(id));
    auto removed = containers.remove(id);
    if (!removed && removed.error().code != ENOENT)
        return removed;
    // Last: the caller holds this lock, and takers re-check that the file they locked is still
    // the one at the path (base/file_lock.cpp), so removing it under them is safe.
    ::unlink(layout.container_lock(id).c_str());
    return {};
}

} // namespace berth::container
