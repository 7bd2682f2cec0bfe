// The container's mount namespace, built by the init in this order:
//
//   1. "/" becomes rslave (rprivate when asked), so nothing we mount or
//      unmount propagates back to the host;
//   2. the rootfs is bind-mounted onto itself: pivot_root needs a mount point;
//   3. the spec's mounts, each resolved inside the rootfs (mounts.cpp);
//   4. /dev: devices, symlinks, console (devices.cpp) - still before the
//      pivot, because rootless device nodes are binds of the host's nodes;
//   5. pivot_root(".", ".") then umount2(".", MNT_DETACH): the old root is
//      stacked on the new one and detached, with no put_old directory needed
//      in the image (the trick runc and crun use); then the pty, when the
//      init opens it itself in the container's /dev/pts;
//   6. hostname and sysctls, before /proc/sys becomes read-only;
//   7. masked paths (/dev/null on files, an empty read-only tmpfs on
//      directories) and read-only paths (a bind of itself, made read-only);
//   8. the root read-only when asked, and its final propagation.
#include "runtime/init.h"

#include "base/sys.h"
#include "runtime/kernel.h"
#include "runtime/mounts.h"

#include <algorithm>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

unsigned long propagation_flags(std::string const& name)
{
    if (name == "private") return MS_PRIVATE;
    if (name == "rprivate") return MS_PRIVATE | MS_REC;
    if (name == "slave") return MS_SLAVE;
    if (name == "rslave") return MS_SLAVE | MS_REC;
    if (name == "shared") return MS_SHARED;
    if (name == "rshared") return MS_SHARED | MS_REC;
    if (name == "unbindable") return MS_UNBINDABLE;
    if (name == "runbindable") return MS_UNBINDABLE | MS_REC;
    return 0;
}

/// Steps 1 and 2: returns the rootfs mount, opened.
Result<UniqueFd> prepare_root(InitPlan const& plan)
{
    auto const& prop = plan.spec->linux_config.rootfs_propagation;
    unsigned long initial = (prop == "private" || prop == "rprivate") ? MS_PRIVATE : MS_SLAVE;
    TRY(kernel::mount(nullptr, "/", nullptr, MS_REC | initial, nullptr, "/ (make it a slave of the host)"));
    TRY(kernel::mount(plan.rootfs.c_str(), plan.rootfs, nullptr, MS_BIND | MS_REC, nullptr, "rootfs " + plan.rootfs));
    return sys::openat2(AT_FDCWD, plan.rootfs, O_PATH | O_DIRECTORY, 0);
}

/// Step 5.
ErrorOr pivot(int root_fd)
{
    if (::fchdir(root_fd) < 0)
        return Error::from_errno("chdir to the rootfs");
    TRY(kernel::pivot_root(".", "."));
    TRY(kernel::umount2(".", MNT_DETACH));
    return kernel::chdir("/");
}

/// Step 6: sysctls as /proc/sys files ("net.ipv4.ip_forward" -> net/ipv4/ip_forward).
ErrorOr apply_sysctls(Spec const& spec)
{
    for (auto const& [key, value] : spec.linux_config.sysctl) {
        std::string path = "/proc/sys/" + key;
        for (size_t i = std::string("/proc/sys/").size(); i < path.size(); ++i) {
            if (path[i] == '.')
                path[i] = '/';
        }
        TRY_CTX(kernel::write_file(path, value), "sysctl " + key);
    }
    return {};
}

/// Step 7, masked paths. A path that does not exist needs no mask.
ErrorOr mask_paths(int root_fd, std::vector<std::string> const& paths)
{
    UniqueFd null_device;
    for (auto const& path : paths) {
        auto target = open_in_root(root_fd, path);
        if (!target && target.error().code == ENOENT)
            continue;
        if (!target)
            return std::move(target).error().with_context("mask " + path);
        struct stat st = TRY_CTX(sys::fstat(target->get()), "mask " + path);
        if (S_ISDIR(st.st_mode)) {
            TRY(kernel::mount("tmpfs", kernel::fd_path(target->get()), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=0k", "mask " + path));
            continue;
        }
        if (!null_device.valid())
            null_device = TRY_CTX(open_in_root(root_fd, "/dev/null"), "mask " + path);
        TRY(bind_fd(null_device.get(), target->get(), false, "mask " + path));
    }
    return {};
}

/// Step 7, read-only paths.
ErrorOr make_paths_readonly(int root_fd, std::vector<std::string> const& paths)
{
    for (auto const& path : paths) {
        auto target = open_in_root(root_fd, path);
        if (!target && target.error().code == ENOENT)
            continue;
        if (!target)
            return std::move(target).error().with_context("read-only path " + path);
        TRY(bind_fd(target->get(), target->get(), true, "read-only path " + path));
        TRY(make_readonly(root_fd, path, true));
    }
    return {};
}

} // namespace

ErrorOr setup_rootfs(InitPlan& plan)
{
    Spec const& spec = *plan.spec;
    UniqueFd root = TRY(prepare_root(plan));
    for (auto const& mount : spec.mounts)
        TRY(mount_in_root(root.get(), mount));
    TRY(create_devices(root.get(), spec, spec.process.terminal ? plan.stdio.pty_slave : -1));
    TRY(pivot(root.get()));
    root = TRY(sys::openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0));
    if (spec.process.terminal && plan.stdio.pty_slave < 0)
        plan.stdio.pty_slave = TRY(open_container_terminal(root.get(), plan.sync_fd, spec.process.user.uid)).release();

    if (!spec.hostname.empty())
        TRY(kernel::sethostname(spec.hostname));
    // A network namespace of the container's own has loopback only, and down:
    // --network none, and a pod's infra whose members talk over 127.0.0.1.
    bool own_network = std::any_of(spec.linux_config.namespaces.begin(), spec.linux_config.namespaces.end(),
        [](Namespace const& ns) { return ns.type == NamespaceType::Network && ns.path.empty(); });
    if (own_network)
        TRY(kernel::loopback_up());
    TRY(apply_sysctls(spec));
    TRY(mask_paths(root.get(), spec.linux_config.masked_paths));
    TRY(make_paths_readonly(root.get(), spec.linux_config.readonly_paths));
    if (spec.root.readonly)
        TRY(make_readonly(root.get(), "/", false));
    if (unsigned long prop = propagation_flags(spec.linux_config.rootfs_propagation))
        TRY(kernel::mount(nullptr, "/", nullptr, prop, nullptr, "/ (rootfsPropagation)"));
    return {};
}

} // namespace berth::runtime
