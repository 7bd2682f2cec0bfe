// Spec mounts under the rootfs, destinations resolved inside it (see mounts.h).
// Attribute changes after a bind use mount_setattr(2) (Linux 5.12) instead of
// a MS_REMOUNT, because a remount must repeat every locked flag of the source
// mount in a user namespace and mount_setattr only sets what it is told.
#include "runtime/mounts.h"

#include "base/sys.h"
#include "base/tree_copy.h"
#include "runtime/kernel.h"

#include <algorithm>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>

namespace berth::runtime {

namespace {

constexpr unsigned long long resolve_in_root = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
constexpr int max_symlinks = 40;

struct FlagOption {
    std::string_view name;
    bool clear;
    unsigned long flag;
    unsigned long long attr;  ///< the mount_setattr equivalent, for bind mounts
};

constexpr FlagOption flag_options[] = {
    { "ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY }, { "rw", true, MS_RDONLY, MOUNT_ATTR_RDONLY },
    { "nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID }, { "suid", true, MS_NOSUID, MOUNT_ATTR_NOSUID },
    { "nodev", false, MS_NODEV, MOUNT_ATTR_NODEV }, { "dev", true, MS_NODEV, MOUNT_ATTR_NODEV },
    { "noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC }, { "exec", true, MS_NOEXEC, MOUNT_ATTR_NOEXEC },
    { "sync", false, MS_SYNCHRONOUS, 0 }, { "async", true, MS_SYNCHRONOUS, 0 },
    { "dirsync", false, MS_DIRSYNC, 0 }, { "mand", false, MS_MANDLOCK, 0 }, { "nomand", true, MS_MANDLOCK, 0 },
    { "atime", true, MS_NOATIME, 0 }, { "noatime", false, MS_NOATIME, 0 },
    { "diratime", true, MS_NODIRATIME, 0 }, { "nodiratime", false, MS_NODIRATIME, 0 },
    { "relatime", false, MS_RELATIME, 0 }, { "norelatime", true, MS_RELATIME, 0 },
    { "strictatime", false, MS_STRICTATIME, 0 }, { "nostrictatime", true, MS_STRICTATIME, 0 },
    { "remount", false, MS_REMOUNT, 0 },
};

constexpr std::pair<std::string_view, unsigned long> propagation_options[] = {
    { "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC }, { "shared", MS_SHARED },
    { "rshared", MS_SHARED | MS_REC }, { "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
    { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

constexpr std::string_view ignored_options[] = { "z", "Z", "U", "O", "copy", "nocopy", "idmap" };

std::vector<std::string> split_path(std::string const& path)
{
    std::vector<std::string> parts;
    size_t i = 0;
    while (i < path.size()) {
        size_t j = path.find('/', i);
        if (j == std::string::npos)
            j = path.size();
        std::string part = path.substr(i, j - i);
        if (!part.empty() && part != ".")
            parts.push_back(std::move(part));
        i = j + 1;
    }
    return parts;
}

std::string join_parts(std::vector<std::string> const& parts, size_t from)
{
    std::string out;
    for (size_t i = from; i < parts.size(); ++i)
        out += "/" + parts[i];
    return out;
}

/// One pass of ensure_in_root over `path`: the opened target, or (through
/// `redirect`) the path to try instead because a dangling symlink was found.
Result<UniqueFd> ensure_pass(int root_fd, std::string const& path, NodeKind kind, std::string& redirect)
{
    auto parts = split_path(path);
    UniqueFd parent = TRY(open_in_root(root_fd, "/"));
    std::string prefix;
    for (size_t i = 0; i < parts.size(); ++i) {
        std::string current = prefix + "/" + parts[i];
        auto opened = open_in_root(root_fd, current);
        if (!opened && opened.error().code != ENOENT)
            return std::move(opened).error();
        if (!opened) {
            // Missing: either a dangling symlink (follow it, inside the root) or nothing.
            auto link = kernel::readlinkat(parent.get(), parts[i]);
            if (link) {
                std::string base = link.value().starts_with("/") ? "" : prefix;
                redirect = base + "/" + link.value() + join_parts(parts, i + 1);
                return Error::from_errno("resolve " + current, EAGAIN);
            }
            bool last = i + 1 == parts.size();
            auto made = (last && kind == NodeKind::File) ? kernel::mknodat(parent.get(), parts[i], S_IFREG | 0644, 0)
                                                          : kernel::mkdirat(parent.get(), parts[i], 0755);
            if (!made && made.error().code != EEXIST)
                return std::move(made).error();
            opened = open_in_root(root_fd, current);
            if (!opened)
                return std::move(opened).error();
        }
        parent = std::move(opened.value());
        prefix = current;
    }
    return parent;
}

/// Opens a host path for use as a bind source.
Result<UniqueFd> open_source(std::string const& path)
{
    int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0)
        return Error::from_errno("bind source " + path);
    return UniqueFd(fd);
}

ErrorOr apply_propagation(int root_fd, std::string const& destination, unsigned long propagation)
{
    if (!propagation)
        return {};
    UniqueFd target = TRY(open_in_root(root_fd, destination));
    return kernel::mount(nullptr, kernel::fd_path(target.get()), nullptr, propagation, nullptr, destination + " (propagation)");
}

/// A bind mount: the host source onto the destination, then its attributes.
ErrorOr bind_mount(int root_fd, Mount const& m, MountOptions const& options)
{
    UniqueFd source = TRY(open_source(m.source));
    struct stat st = TRY_CTX(sys::fstat(source.get()), "bind source " + m.source);
    NodeKind kind = S_ISDIR(st.st_mode) ? NodeKind::Directory : NodeKind::File;
    UniqueFd target = TRY(ensure_in_root(root_fd, m.destination, kind));
    TRY(bind_fd(source.get(), target.get(), options.recursive, m.destination));
    if (options.bind_attrs) {
        UniqueFd mounted = TRY(open_in_root(root_fd, m.destination));
        TRY(kernel::mount_setattr(mounted.get(), options.recursive, options.bind_attrs, 0, m.destination));
    }
    return apply_propagation(root_fd, m.destination, options.propagation);
}

/// The rootless stand-in for a filesystem we may not mount: a bind of the
/// host's own instance, read-only when the spec asked for that.
ErrorOr bind_host_instead(int root_fd, Mount const& m, MountOptions const& options, std::string const& host_path)
{
    Mount bind { m.destination, "bind", host_path, {} };
    MountOptions bind_options;
    bind_options.bind = true;
    bind_options.recursive = true;
    bind_options.bind_attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC
        | ((options.flags & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0);
    bind_options.propagation = options.propagation;
    return bind_mount(root_fd, bind, bind_options);
}

std::string without_option(std::string const& data, std::string_view prefix)
{
    std::string out;
    size_t i = 0;
    while (i <= data.size()) {
        size_t j = data.find(',', i);
        if (j == std::string::npos)
            j = data.size();
        std::string part = data.substr(i, j - i);
        if (!part.empty() && !part.starts_with(prefix))
            out += (out.empty() ? "" : ",") + part;
        i = j + 1;
    }
    return out;
}

/// A filesystem mount (proc, tmpfs, sysfs, devpts, mqueue, ...), with the
/// rootless fallbacks.
ErrorOr filesystem_mount(int root_fd, Mount const& m, MountOptions const& options)
{
    UniqueFd target = TRY(ensure_in_root(root_fd, m.destination, NodeKind::Directory));
    std::string at = kernel::fd_path(target.get());
    // tmpcopyup: the directory the tmpfs will hide, open before it is hidden.
    UniqueFd hidden;
    if (options.copy_up && m.type == "tmpfs")
        hidden = TRY_CTX(sys::openat(target.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "tmpcopyup " + m.destination);
    char const* source = m.source.empty() ? m.type.c_str() : m.source.c_str();
    auto mounted = kernel::mount(source, at, m.type.c_str(), options.flags, options.data.empty() ? nullptr : options.data.c_str(), m.destination);
    if (!mounted && mounted.error().code == EPERM && m.type == "sysfs")
        return bind_host_instead(root_fd, m, options, "/sys");
    if (!mounted && mounted.error().code == EPERM && m.type == "mqueue")
        return bind_host_instead(root_fd, m, options, "/dev/mqueue");
    if (!mounted && mounted.error().code == EINVAL && m.type == "devpts" && options.data.find("gid=") != std::string::npos) {
        // gid=5 (tty) is not mapped in a single-id user namespace; crun retries the same way.
        std::string data = without_option(options.data, "gid=");
        mounted = kernel::mount(source, at, m.type.c_str(), options.flags, data.c_str(), m.destination);
    }
    if (!mounted)
        return std::move(mounted).error();
    if (hidden.valid()) {
        UniqueFd top = TRY_CTX(sys::openat2(root_fd, m.destination, O_RDONLY | O_DIRECTORY | O_CLOEXEC, resolve_in_root),
            "tmpcopyup " + m.destination);
        TRY(fs::copy_tree_at(hidden.get(), top.get(), "tmpcopyup " + m.destination));
    }
    return apply_propagation(root_fd, m.destination, options.propagation);
}

} // namespace

MountOptions parse_mount_options(std::vector<std::string> const& options, std::string_view type)
{
    MountOptions out;
    out.bind = type == "bind";
    for (auto const& option : options) {
        if (option == "bind" || option == "rbind") {
            out.bind = true;
            out.recursive = out.recursive || option == "rbind";
            continue;
        }
        auto flag = std::find_if(std::begin(flag_options), std::end(flag_options), [&](auto const& f) { return f.name == option; });
        if (flag != std::end(flag_options)) {
            out.flags = flag->clear ? (out.flags & ~flag->flag) : (out.flags | flag->flag);
            out.bind_attrs = flag->clear ? (out.bind_attrs & ~flag->attr) : (out.bind_attrs | flag->attr);
            continue;
        }
        auto prop = std::find_if(std::begin(propagation_options), std::end(propagation_options), [&](auto const& p) { return p.first == option; });
        if (prop != std::end(propagation_options)) {
            out.propagation = prop->second;
            continue;
        }
        if (option == "tmpcopyup" || option == "notmpcopyup") {
            out.copy_up = option == "tmpcopyup";
            continue;
        }
        if (std::find(std::begin(ignored_options), std::end(ignored_options), option) != std::end(ignored_options))
            continue;
        out.data += (out.data.empty() ? "" : ",") + option;
    }
    return out;
}

Result<UniqueFd> open_in_root(int root_fd, std::string const& path)
{
    return sys::openat2(root_fd, path, O_PATH, resolve_in_root);
}

Result<UniqueFd> ensure_in_root(int root_fd, std::string const& path, NodeKind kind)
{
    std::string pending = path;
    for (int hop = 0; hop <= max_symlinks; ++hop) {
        std::string redirect;
        auto result = ensure_pass(root_fd, pending, kind, redirect);
        if (result || redirect.empty())
            return result;
        pending = std::move(redirect);
    }
    return Error::from_errno("resolve " + path, ELOOP);
}

ErrorOr bind_fd(int source_fd, int target_fd, bool recursive, std::string const& what)
{
    return kernel::mount(kernel::fd_path(source_fd).c_str(), kernel::fd_path(target_fd), nullptr,
        MS_BIND | (recursive ? MS_REC : 0), nullptr, what);
}

ErrorOr make_readonly(int root_fd, std::string const& path, bool recursive)
{
    UniqueFd target = TRY(open_in_root(root_fd, path));
    return kernel::mount_setattr(target.get(), recursive, MOUNT_ATTR_RDONLY, 0, path + " read-only");
}

ErrorOr mount_in_root(int root_fd, Mount const& mount)
{
    MountOptions options = parse_mount_options(mount.options, mount.type);
    if (options.bind)
        return bind_mount(root_fd, mount, options);
    if (mount.type.empty())
        return Error::msg("mount " + mount.destination + ": no type given");
    return filesystem_mount(root_fd, mount, options);
}

} // namespace berth::runtime
