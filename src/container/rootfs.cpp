// Storage drivers: overlay mount, fuse-overlayfs, vfs copy. The hard parts are
// the fallback (native overlay is refused with EPERM in an old kernel's user
// namespace and EINVAL for unsupported options) and vfs's whiteouts, which
// must be applied in layer order: a whiteout in layer N deletes what layers
// below N put there, and an opaque directory empties the lower one first.
// Layers are named by their short links (store/layer_links.h), relative to the
// layers directory: the overlay mount and fuse-overlayfs run on a thread whose
// own working directory is there (from_layers_dir), which keeps ~130 layers
// within the kernel's one page of options instead of ~40 absolute paths.
#include "container/rootfs.h"

#include "base/command.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "rootless/idmap.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <sched.h>
#include <system_error>
#include <thread>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace berth::container {

std::string driver_name(Driver driver)
{
    switch (driver) {
    case Driver::Overlay:
        return "overlay";
    case Driver::FuseOverlayfs:
        return "fuse-overlayfs";
    case Driver::Vfs:
        return "vfs";
    }
    return "vfs";
}

Result<Driver> parse_driver(std::string const& name)
{
    if (name == "overlay" || name == "overlay2")
        return Driver::Overlay;
    if (name == "fuse-overlayfs")
        return Driver::FuseOverlayfs;
    if (name == "vfs")
        return Driver::Vfs;
    return Error { EINVAL, "storage driver \"" + name + "\": unknown (use overlay, fuse-overlayfs or vfs)" };
}

Result<std::string> recorded_driver(store::Layout const& layout)
{
    auto text = fs::read_file(layout.storage_driver_file());
    if (!text)
    {
        if (text.error().code == ENOENT)
            return std::string();
        return std::move(text).error();
    }
    std::string name = *text;
    while (!name.empty() && (name.back() == '\n' || name.back() == ' '))
        name.pop_back();
    return name;
}

Result<std::string> configured_driver(store::Layout const& layout, std::string const& override_name)
{
    if (!override_name.empty()) {
        TRY(parse_driver(override_name));
        return override_name;
    }
    return recorded_driver(layout);
}

/// A container directory as the mount sees it: relative to the layers
/// directory when the mount is made from there, so that the length of the
/// options does not depend on where the store is.
static std::string mount_path(RootfsRequest const& r, char const* name)
{
    std::string path = fs::join(r.container_dir, name);
    if (r.layers_dir.empty())
        return path;
    return std::filesystem::path(path).lexically_relative(r.layers_dir).string();
}

std::string overlay_options(RootfsRequest const& r)
{
    std::string lower;
    for (auto it = r.lower_dirs.rbegin(); it != r.lower_dirs.rend(); ++it)
        lower += (lower.empty() ? "" : ":") + *it;
    if (lower.empty())
        lower = mount_path(r, "empty");
    std::string options = "lowerdir=" + lower + ",upperdir=" + mount_path(r, "upper")
        + ",workdir=" + mount_path(r, "work");
    if (r.rootless)
        options += ",userxattr";
    return options;
}

bool is_mount_point(std::string const& path)
{
    struct stat self {}, parent {};
    if (::lstat(path.c_str(), &self) != 0 || ::lstat((path + "/..").c_str(), &parent) != 0)
        return false;
    if (self.st_dev != parent.st_dev)
        return true;
    // An overlay on the same filesystem still has its own device; a bind mount may not.
    auto info = fs::read_file("/proc/self/mountinfo");
    return info && info->find(" " + path + " ") != std::string::npos;
}

static ErrorOr prepare_dirs(RootfsRequest const& r)
{
    for (char const* d : { "upper", "work", "merged" })
        TRY(fs::mkdir_p(fs::join(r.container_dir, d), 0755));
    // The lower layer of an image without layers (overlay_options): every new
    // directory costs, and much more on a filesystem busy with deletions.
    if (r.lower_dirs.empty())
        TRY(fs::mkdir_p(fs::join(r.container_dir, "empty"), 0755));
    // The root of the container is the upper dir's root: world-readable like "/".
    ::chmod(fs::join(r.container_dir, "upper").c_str(), 0755);
    return {};
}

/// Runs `fn` where relative paths resolve in r.layers_dir (if set): on a
/// thread of its own that unshares its fs context (CLONE_FS) and chdirs
/// there, so no other thread's working directory moves. A process forked by
/// `fn` (fuse-overlayfs) starts in that directory too. ~50 us.
static ErrorOr from_layers_dir(RootfsRequest const& r, std::function<ErrorOr()> const& fn)
{
    if (r.layers_dir.empty())
        return fn();
    ErrorOr result;
    auto body = [&] {
        if (::unshare(CLONE_FS) != 0)
            result = Error::from_errno("mount from " + r.layers_dir + ": unshare(CLONE_FS)");
        else if (::chdir(r.layers_dir.c_str()) != 0)
            result = Error::from_errno("mount from " + r.layers_dir + ": chdir");
        else
            result = fn();
    };
    try {
        std::thread(body).join();
    } catch (std::system_error const& e) {
        return Error { e.code().value(), "mount from " + r.layers_dir + ": start a thread: " + e.what() };
    }
    return result;
}

/// Why the options do not fit, and how many layers would.
static std::string too_many_layers(RootfsRequest const& r, size_t options_size)
{
    size_t page = static_cast<size_t>(::getpagesize());
    size_t lower_bytes = 0;
    for (auto const& dir : r.lower_dirs)
        lower_bytes += dir.size() + 1;
    size_t per_layer = std::max<size_t>(1, lower_bytes / std::max<size_t>(1, r.lower_dirs.size()));
    size_t fixed = options_size - std::min(options_size, lower_bytes);
    size_t most = (page - 1 - std::min(page - 1, fixed)) / per_layer;
    return std::to_string(r.lower_dirs.size()) + " layers make " + std::to_string(options_size)
        + " bytes of mount options, more than the kernel takes (" + std::to_string(page) + "; about "
        + std::to_string(most) + " layers fit): use --storage-driver fuse-overlayfs";
}

/// The new mount API with one "lowerdir+" per layer (kernel 6.8+), for an
/// image whose options do not fit in a page even with short links: the only
/// limit left is overlay's own (500 layers). Relative paths resolve against
/// the calling thread's directory, as with mount(2).
static ErrorOr mount_overlay_per_layer(RootfsRequest const& r, std::string const& merged, bool with_volatile)
{
    UniqueFd fs_fd(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (!fs_fd)
        return Error::from_errno("fsopen overlay");
    auto set = [&](char const* key, std::string const& value) -> ErrorOr {
        if (::fsconfig(fs_fd.get(), value.empty() ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, key,
                value.empty() ? nullptr : value.c_str(), 0) != 0)
            return Error::from_errno(std::string("overlay option ") + key + (value.empty() ? "" : "=" + value));
        return {};
    };
    for (auto it = r.lower_dirs.rbegin(); it != r.lower_dirs.rend(); ++it)
        TRY(set("lowerdir+", *it));
    TRY(set("upperdir", mount_path(r, "upper")));
    TRY(set("workdir", mount_path(r, "work")));
    if (r.rootless)
        TRY(set("userxattr", ""));
    if (with_volatile)
        TRY(set("volatile", ""));
    if (::fsconfig(fs_fd.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
        return Error::from_errno("overlay of " + std::to_string(r.lower_dirs.size()) + " layers at " + merged);
    UniqueFd mnt(::fsmount(fs_fd.get(), FSMOUNT_CLOEXEC, 0));
    if (!mnt)
        return Error::from_errno("fsmount overlay at " + merged);
    if (::move_mount(mnt.get(), "", AT_FDCWD, merged.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return Error::from_errno("move_mount overlay to " + merged);
    return {};
}

static ErrorOr mount_overlay(RootfsRequest const& r)
{
    std::string options = overlay_options(r);
    std::string merged = fs::join(r.container_dir, "merged");
    bool fits = options.size() < static_cast<size_t>(::getpagesize());
    auto mount_once = [&](bool with_volatile) -> ErrorOr {
        if (!fits)
            return mount_overlay_per_layer(r, merged, with_volatile);
        std::string all = with_volatile ? options + ",volatile" : options;
        if (::mount("overlay", merged.c_str(), "overlay", 0, all.c_str()) != 0)
            return Error::from_errno("mount overlay at " + merged);
        return {};
    };
    auto mounted = from_layers_dir(r, [&]() -> ErrorOr {
        if (r.volatile_upper) {
            // A previous volatile mount leaves work/work/incompat/volatile, which
            // makes the kernel refuse the next mount; this upper is disposable.
            (void)fs::remove_tree(fs::join(r.container_dir, "work/work/incompat"));
            auto done = mount_once(true);
            if (done)
                return {};
            log::debug("overlay volatile mount at {}: {}; mounting without", merged, done.error().message);
        }
        return mount_once(false);
    });
    // "lowerdir+" is unknown before 6.8 (EINVAL): say what would work instead.
    if (!mounted && !fits && mounted.error().code == EINVAL)
        return Error { E2BIG, "overlay mount " + merged + ": " + too_many_layers(r, options.size()) + " ("
                + mounted.error().message + ")" };
    return mounted;
}

static ErrorOr mount_fuse_overlayfs(RootfsRequest const& r)
{
    auto program = r.mount_program.empty() ? find_program("fuse-overlayfs") : std::optional<std::string>(r.mount_program);
    if (!program)
        return Error { ENOENT, "fuse-overlayfs: not found in PATH (install the fuse-overlayfs package)" };
    if (::access("/dev/fuse", R_OK | W_OK) != 0)
        return Error::from_errno("fuse-overlayfs: /dev/fuse");
    RootfsRequest plain = r;
    plain.rootless = false;
    std::string merged = fs::join(r.container_dir, "merged");
    std::string options = overlay_options(plain);
    if (!r.uid_mappings.empty() || !r.gid_mappings.empty()) {
        // Shown through the container's own user namespace: the mapped ids,
        // and allow_other, since its users are not the mounting user.
        options += ",allow_other,uidmapping=" + rootless::fuse_mapping_value(r.uid_mappings)
            + ",gidmapping=" + rootless::fuse_mapping_value(r.gid_mappings);
    }
    // fuse-overlayfs resolves relative layer paths against its working directory at start.
    return from_layers_dir(r, [&]() -> ErrorOr {
        auto result = TRY(run_command({ *program, "-o", options, merged }, std::chrono::seconds(30)));
        if (result.exit_code != 0)
            return Error { EIO, "fuse-overlayfs at " + merged + ": " + first_line(result.err + result.out) };
        return {};
    });
}

/// A container with its own user namespace resolves the path to its rootfs as
/// its root, which is not the owner of berth's 0700 directories (and, unless
/// the mapping includes it, gets no CAP_DAC_OVERRIDE over them). As
/// containers/storage does, berth's directories on the way get search
/// permission for others (0711: traversal by name, no listing); a directory
/// above data_dir that lacks it is reported rather than changed.
static ErrorOr make_rootfs_reachable(std::string const& container_dir, std::string const& data_dir)
{
    std::string dir = container_dir;
    bool ours = true;
    while (!dir.empty() && dir != "/") {
        struct stat st = TRY(sys::stat(dir));
        if (!(st.st_mode & S_IXOTH)) {
            if (!ours)
                return Error { EACCES, "a container with its own user namespace cannot reach its rootfs: " + dir
                        + " is not searchable by others (chmod o+x it, or use --root under a searchable directory)" };
            if (::chmod(dir.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0)
                return Error::from_errno("chmod o+x " + dir);
        }
        if (dir == data_dir)
            ours = false;
        dir = dir.substr(0, dir.rfind('/'));
    }
    return {};
}

static ErrorOr copy_rootfs(RootfsRequest const& r)
{
    std::string merged = fs::join(r.container_dir, "merged");
    for (auto const& lower : r.lower_dirs) {
        std::string from = r.layers_dir.empty() ? lower : fs::join(r.layers_dir, lower);
        TRY_CTX(copy_layer(from, merged), "vfs copy of " + from);
    }
    return {};
}

static ErrorOr mount_with(Driver driver, RootfsRequest const& r)
{
    switch (driver) {
    case Driver::Overlay:
        return mount_overlay(r);
    case Driver::FuseOverlayfs:
        return mount_fuse_overlayfs(r);
    case Driver::Vfs:
        return copy_rootfs(r);
    }
    return {};
}

Result<Driver> mount_rootfs(RootfsRequest const& r, std::string const& driver, store::Layout const& layout)
{
    TRY(prepare_dirs(r));
    if (!r.uid_mappings.empty() || !r.gid_mappings.empty()) {
        // Where berth's own id (the owner of its directories) is mapped, the
        // container's root may override permissions on them already.
        bool owner_mapped = std::any_of(r.uid_mappings.begin(), r.uid_mappings.end(),
            [](auto const& m) { return m.host_id == 0; });
        if (!owner_mapped)
            TRY(make_rootfs_reachable(r.container_dir, layout.data_dir()));
        TRY_CTX(mount_fuse_overlayfs(r), "storage driver fuse-overlayfs (needed for a container with its own user namespace)");
        return Driver::FuseOverlayfs;
    }
    if (!driver.empty()) {
        Driver chosen = TRY(parse_driver(driver));
        TRY_CTX(mount_with(chosen, r), "storage driver " + driver_name(chosen));
        return chosen;
    }
    // First container in this store: probe, then record the driver that worked.
    // An image with more layers than the options hold says nothing of the driver: not recorded.
    Error last = Error::msg("no storage driver");
    bool record = true;
    for (Driver d : { Driver::Overlay, Driver::FuseOverlayfs, Driver::Vfs }) {
        auto mounted = mount_with(d, r);
        if (mounted) {
            auto recorded = record ? fs::write_file_atomic(layout.storage_driver_file(), driver_name(d) + "\n") : ErrorOr();
            if (!recorded)
                log::warn("record storage driver: {}", recorded.error().message);
            return d;
        }
        log::debug("storage driver {} unusable: {}", driver_name(d), mounted.error().message);
        record = record && mounted.error().code != E2BIG;
        last = std::move(mounted).error();
    }
    return std::move(last).with_context("mount rootfs");
}

ErrorOr unmount_rootfs(std::string const& container_dir)
{
    std::string merged = fs::join(container_dir, "merged");
    if (!fs::exists(merged))
        return {};
    for (int i = 0; i < 8 && ::umount2(merged.c_str(), MNT_DETACH) == 0; ++i) { }
    if (errno != EINVAL && errno != ENOENT)
        return Error::from_errno("unmount " + merged);
    return {};
}

// ------------------------------------------------------------------ vfs copy

static bool is_whiteout(struct stat const& st)
{
    return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

static bool is_opaque(std::string const& dir)
{
    char value[4] = {};
    for (char const* name : { "trusted.overlay.opaque", "user.overlay.opaque" }) {
        ssize_t n = ::lgetxattr(dir.c_str(), name, value, sizeof value);
        if (n == 1 && value[0] == 'y')
            return true;
    }
    return false;
}

/// The fallback when copy_file_range refuses (across filesystem types).
static ErrorOr copy_by_reading(int in, int out, std::string const& from)
{
    char buf[65536];
    for (;;) {
        auto n = TRY_CTX(sys::read(in, buf, sizeof buf), "copy " + from);
        if (n == 0)
            return {};
        TRY(sys::write_all(out, buf, n));
    }
}

static ErrorOr copy_file(std::string const& from, std::string const& to, struct stat const& st)
{
    UniqueFd in = TRY(sys::open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    ::unlink(to.c_str());
    UniqueFd out = TRY(sys::open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 07777));
    off_t left = st.st_size;
    while (left > 0) {
        ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, static_cast<size_t>(left), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
            return copy_by_reading(in.get(), out.get(), from);
        if (n < 0)
            return Error::from_errno("copy " + from);
        if (n == 0)
            break;
        left -= n;
    }
    return {};
}

static void copy_metadata(std::string const& to, struct stat const& st)
{
    (void)::lchown(to.c_str(), st.st_uid, st.st_gid);
    if (!S_ISLNK(st.st_mode))
        (void)::chmod(to.c_str(), st.st_mode & 07777);
    struct timespec times[2] = { st.st_atim, st.st_mtim };
    (void)::utimensat(AT_FDCWD, to.c_str(), times, AT_SYMLINK_NOFOLLOW);
}

static ErrorOr copy_entry(std::string const& from, std::string const& to, struct stat const& st)
{
    if (is_whiteout(st))
        return fs::remove_tree(to);
    struct stat existing {};
    bool exists = ::lstat(to.c_str(), &existing) == 0;
    if (S_ISDIR(st.st_mode)) {
        if (exists && (!S_ISDIR(existing.st_mode) || is_opaque(from)))
            TRY(fs::remove_tree(to));
        if (!exists || !S_ISDIR(existing.st_mode) || is_opaque(from))
            TRY(sys::mkdir(to, 0700));
        TRY(copy_layer(from, to));
    } else {
        if (exists)
            TRY(fs::remove_tree(to));
        if (S_ISREG(st.st_mode)) {
            TRY(copy_file(from, to, st));
        } else if (S_ISLNK(st.st_mode)) {
            auto target = TRY(sys::readlink(from));
            if (::symlink(target.c_str(), to.c_str()) != 0)
                return Error::from_errno("symlink " + to);
        } else if (::mknod(to.c_str(), st.st_mode, st.st_rdev) != 0) {
            log::debug("vfs: skip special file {}: {}", from, std::strerror(errno));
            return {};
        }
    }
    copy_metadata(to, st);
    return {};
}

ErrorOr copy_layer(std::string const& from, std::string const& to)
{
    TRY(fs::mkdir_p(to, 0755));
    for (auto const& name : TRY(fs::list_dir(from))) {
        std::string src = fs::join(from, name), dst = fs::join(to, name);
        struct stat st = TRY(sys::lstat(src));
        TRY(copy_entry(src, dst, st));
    }
    return {};
}

} // namespace berth::container
