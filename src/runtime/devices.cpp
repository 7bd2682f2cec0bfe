// The container's /dev: device nodes, the standard symlinks and the console.
//
// As real root a node is made with mknod. In a user namespace mknod is
// refused (EPERM) and, like crun and Podman, the host's node is bind-mounted
// onto an empty file instead; that is why this runs before pivot_root, while
// the host's /dev is still reachable. Every path is resolved inside the rootfs,
// so an image whose /dev is a symlink to the host's /dev only gets its own
// <rootfs>/dev... written (and normally /dev is a fresh tmpfs anyway).
#include "runtime/init.h"

#include "runtime/devices.h"

#include "base/sys.h"
#include "runtime/kernel.h"
#include "runtime/mounts.h"
#include "runtime/sync.h"

#include <dirent.h>
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
    UniqueFd ptmx = TRY(sys::openat2(root_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS));
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

// ------------------------------------------------------------------ host devices

namespace {

bool valid_permissions(std::string const& p)
{
    return !p.empty() && p.size() <= 3 && p.find_first_not_of("rwm") == std::string::npos;
}

Result<HostDevice> host_device(std::string const& host, std::string const& inside, std::string const& permissions)
{
    struct stat st {};
    if (::stat(host.c_str(), &st) != 0)
        return Error::from_errno("device " + host);
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
        return Error { EINVAL, "device " + host + ": not a character or block device" };
    HostDevice d;
    d.host_path = host;
    d.permissions = permissions;
    d.device.path = inside;
    d.device.type = S_ISBLK(st.st_mode) ? 'b' : 'c';
    d.device.major = major(st.st_rdev);
    d.device.minor = minor(st.st_rdev);
    d.device.file_mode = st.st_mode & 07777;
    d.device.uid = 0;
    d.device.gid = 0;
    return d;
}

bool skipped_in_privileged(std::string const& path)
{
    for (char const* p : { "/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/console", "/dev/ptmx", "/dev/fd" }) {
        std::string prefix = p;
        if (path == prefix || path.rfind(prefix + "/", 0) == 0)
            return true;
    }
    for (auto const& d : default_devices())
        if (d.path == path)
            return true;
    return false;
}

void walk_devices(std::string const& dir, bool accessible_only, std::vector<HostDevice>& out, int depth)
{
    DIR* d = ::opendir(dir.c_str());
    if (!d || depth > 4) {
        if (d)
            ::closedir(d);
        return;
    }
    while (auto* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name == "." || name == "..")
            continue;
        std::string path = dir + "/" + name;
        if (skipped_in_privileged(path))
            continue;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk_devices(path, accessible_only, out, depth + 1);
        } else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            && (!accessible_only || ::access(path.c_str(), R_OK) == 0 || ::access(path.c_str(), W_OK) == 0)) {
            if (auto dev = host_device(path, path, "rwm"))
                out.push_back(std::move(*dev));
        }
    }
    ::closedir(d);
}

} // namespace

Result<HostDevice> resolve_device_flag(std::string const& flag)
{
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        auto colon = flag.find(':', start);
        parts.push_back(flag.substr(start, colon - start));
        if (colon == std::string::npos)
            break;
        start = colon + 1;
    }
    auto bad = [&](std::string const& why) {
        return Error { EINVAL, "invalid --device \"" + flag + "\": " + why + " (use HOST[:CONTAINER][:PERMISSIONS], e.g. /dev/fuse:/dev/fuse:rwm)" };
    };
    if (parts.size() > 3 || parts[0].empty() || parts[0][0] != '/')
        return bad("the host device must be an absolute path");
    std::string host = parts[0], inside = host, permissions = "rwm";
    if (parts.size() == 2 && valid_permissions(parts[1]))
        permissions = parts[1];
    else if (parts.size() >= 2)
        inside = parts[1];
    if (parts.size() == 3) {
        if (!valid_permissions(parts[2]))
            return bad("permissions are a combination of r, w and m");
        permissions = parts[2];
    }
    auto device = TRY(host_device(host, inside, permissions));
    if (inside.empty() || inside[0] != '/')
        return bad("the container path must be absolute");
    if (inside.rfind("/dev/", 0) != 0)
        return bad("the container path must be under /dev");
    return device;
}

std::vector<HostDevice> privileged_devices(bool accessible_only)
{
    std::vector<HostDevice> out;
    walk_devices("/dev", accessible_only, out, 0);
    return out;
}

} // namespace berth::runtime
