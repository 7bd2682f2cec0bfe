// The container's /dev: device nodes, the standard symlinks and the console.
//
// As real root a node is made with mknod. In a user namespace mknod is
// refused (EPERM) and, like crun and Podman, the host's node is bind-mounted
// onto an empty file instead; that is why this runs before pivot_root, while
// the host's /dev is still reachable. Every path is resolved inside the rootfs,
// so an image whose /dev is a symlink to the host's /dev only gets its own
// <rootfs>/dev... written (and normally /dev is a fresh tmpfs anyway).
#include "runtime/init.h"

#include "runtime/kernel.h"
#include "runtime/mounts.h"
#include "runtime/sync.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

constexpr std::pair<char const*, char const*> dev_symlinks[] = {
    { "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" }, { "/dev/stdout", "/proc/self/fd/1" },
    { "/dev/stderr", "/proc/self/fd/2" }, { "/dev/ptmx", "pts/ptmx" },
};

std::pair<std::string, std::string> split_parent(std::string const& path)
{
    size_t slash = path.rfind('/');
    return { slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1) };
}

mode_t node_type(char type)
{
    switch (type) {
    case 'b': return S_IFBLK;
    case 'p': return S_IFIFO;
    default: return S_IFCHR;
    }
}

/// The rootless way: bind the host's node at the same path onto an empty file.
ErrorOr bind_host_device(int root_fd, Device const& device)
{
    int host = ::open(device.path.c_str(), O_PATH | O_CLOEXEC);
    if (host < 0)
        return Error::from_errno("device " + device.path + ": open the host's node to bind it");
    UniqueFd host_fd(host);
    UniqueFd target = TRY(ensure_in_root(root_fd, device.path, NodeKind::File));
    return bind_fd(host_fd.get(), target.get(), false, "device " + device.path);
}

ErrorOr create_device(int root_fd, Device const& device)
{
    auto [dir, name] = split_parent(device.path);
    UniqueFd parent = TRY(ensure_in_root(root_fd, dir, NodeKind::Directory));
    mode_t mode = node_type(device.type) | (device.file_mode.value_or(0666) & 07777);
    dev_t number = makedev(static_cast<unsigned>(device.major), static_cast<unsigned>(device.minor));
    auto made = kernel::mknodat(parent.get(), name, mode, number);
    if (!made && made.error().code == EEXIST) {
        // The image shipped a file there (a non-tmpfs /dev): replace it.
        if (::unlinkat(parent.get(), name.c_str(), 0) < 0)
            return Error::from_errno("device " + device.path + ": remove the existing file");
        made = kernel::mknodat(parent.get(), name, mode, number);
    }
    if (!made && made.error().code == EPERM)
        return bind_host_device(root_fd, device);
    if (!made)
        return std::move(made).error().with_context("device " + device.path);
    TRY_CTX(kernel::fchownat(parent.get(), name, device.uid.value_or(0), device.gid.value_or(0), AT_SYMLINK_NOFOLLOW),
        "device " + device.path);
    return {};
}

bool has_fresh_dev(Spec const& spec)
{
    for (auto const& mount : spec.mounts) {
        if ((mount.destination == "/dev" || mount.destination == "/dev/") && mount.type != "bind")
            return true;
    }
    return false;
}

ErrorOr create_symlinks(int root_fd)
{
    UniqueFd dev = TRY(open_in_root(root_fd, "/dev"));
    for (auto const& [path, target] : dev_symlinks) {
        auto made = kernel::symlinkat(target, dev.get(), split_parent(path).second);
        if (!made && made.error().code != EEXIST)
            return std::move(made).error();
    }
    return {};
}

/// The pty slave was opened in the caller's mount namespace; a bind mount
/// refuses a source from another namespace (EINVAL), so the slave is opened
/// again by its path in our copy of that namespace and checked to be the same
/// device.
ErrorOr bind_console(int root_fd, int console_fd)
{
    std::string slave_path = TRY_CTX(kernel::readlinkat(AT_FDCWD, kernel::fd_path(console_fd)), "/dev/console");
    int reopened = ::open(slave_path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (reopened < 0)
        return Error::from_errno("/dev/console: open the terminal " + slave_path);
    UniqueFd slave(reopened);
    struct stat expected {}, actual {};
    if (::fstat(console_fd, &expected) < 0 || ::fstat(slave.get(), &actual) < 0 || !S_ISCHR(actual.st_mode)
        || expected.st_rdev != actual.st_rdev)
        return Error::msg("/dev/console: " + slave_path + " is not the terminal given to the container");
    UniqueFd target = TRY(ensure_in_root(root_fd, "/dev/console", NodeKind::File));
    return bind_fd(slave.get(), target.get(), false, "/dev/console");
}

} // namespace

Result<UniqueFd> open_container_terminal(int root_fd, int sync_fd, uid_t uid)
{
    UniqueFd ptmx = TRY(kernel::openat2(root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS));
    int unlock = 0;
    if (::ioctl(ptmx.get(), TIOCSPTLCK, &unlock) < 0)
        return Error::from_errno("unlock the container's pty");
    // TIOCGPTPEER opens the slave through the master, never through a path.
    int slave_fd = ::ioctl(ptmx.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave_fd < 0)
        return Error::from_errno("open the container's pty slave");
    UniqueFd slave(slave_fd);
    // The slave belongs to the process's user, as with crun; tty stays its group.
    if (::fchown(slave.get(), uid, static_cast<gid_t>(-1)) < 0 && errno != EINVAL)
        return Error::from_errno("chown the container's pty");
    UniqueFd console = TRY(ensure_in_root(root_fd, "/dev/console", NodeKind::File));
    TRY(bind_fd(slave.get(), console.get(), false, "/dev/console"));
    TRY(send_fd(sync_fd, ptmx.get()));
    return slave;
}

ErrorOr create_devices(int root_fd, Spec const& spec, int console_fd)
{
    std::vector<Device> devices;
    bool fresh = has_fresh_dev(spec);
    if (fresh)
        devices = default_devices();
    for (auto const& device : spec.linux_config.devices) {
        std::erase_if(devices, [&](Device const& d) { return d.path == device.path; });
        devices.push_back(device);
    }
    for (auto const& device : devices)
        TRY(create_device(root_fd, device));
    if (fresh)
        TRY(create_symlinks(root_fd));
    if (console_fd >= 0)
        TRY(bind_console(root_fd, console_fd));
    return {};
}

} // namespace berth::runtime
