// cp, export, diff, mount/unmount (see copy.h for the safety rule).
//
// A copy is a walk feeding a sink: the walk produces entries (relative path,
// stat, link target, a reader for the data) from a tree opened by fd or from
// a tar stream; the sink writes them below a directory fd (host or container)
// or into a tar stream. Both ends create and open every entry relative to its
// parent's fd with O_NOFOLLOW/O_EXCL and resolve subpaths with
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, so a symlink, even one swapped in by a
// running container meanwhile, is never followed by the copy. Modes, owners
// and times are set through the fd of the created object, never by path.
#include "engine/containers/copy.h"

#include "archive/streams.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/process_stat.h"
#include "base/sys.h"
#include "container/container_store.h"
#include "container/rootfs.h"
#include "container/spec_builder.h"
#include "container/volume_options.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"
#include "engine/volumes/volumes.h"
#include "rootless/idmap.h"
#include "runtime/kernel.h"
#include "runtime/mounts.h"
#include "runtime/spec.h"
#include "store/layer_pack.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <linux/openat2.h>
#include <optional>
#include <sys/mount.h>
#include <sys/stat.h>
#include <tuple>
#include <utility>
#include <unistd.h>

namespace berth::engine {

namespace {

namespace kernel = runtime::kernel;
constexpr unsigned long long beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

// ------------------------------------------------------------------ rootfs

/// Mounts container_dir/merged when it is not; true when this call mounted it.
Result<bool> ensure_mounted(Context& ctx, container::ContainerRecord& rec)
{
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    std::string merged = fs::join(dir, "merged");
    if (container::is_mount_point(merged) || (rec.driver == "vfs" && fs::is_dir(merged)))
        return false;
    if (!ctx.store)
        return Error::msg("mount " + rec.name + ": the store is closed");
    auto image = TRY(ctx.store->get_image(rec.image_id));
    if (!image)
        return Error { ENOENT, "container " + rec.name + ": its image " + rec.image_id.substr(0, 12) + " is gone" };
    container::RootfsRequest req;
    req.layers_dir = ctx.store->layers().layers_dir();
    for (auto const& layer : image->layers)
        req.lower_dirs.push_back(TRY(ctx.store->layers().mount_link(layer.diff_id)));
    req.container_dir = dir;
    req.rootless = ctx.paths.rootless;
    req.mount_program = ctx.settings.mount_program;
    std::string driver = !rec.driver.empty() ? rec.driver : TRY(container::configured_driver(ctx.paths.layout(), ""));
    TRY_CTX(container::mount_rootfs(req, driver, ctx.paths.layout()), "mount the rootfs of " + rec.name);
    return true;
}

using rootless::IdMapping;

/// The container's root for a copy: /proc/PID/root while it runs (volumes
/// included), else its rootfs with its volumes and bind mounts bound on it,
/// mounted for as long as the object lives.
struct ContainerRoot {
    UniqueFd fd;
    std::string name;
    std::string dir;
    uid_t uid = 0;  ///< the container process's user (owner of files copied in), a container id
    gid_t gid = 0;
    std::vector<IdMapping> uid_map, gid_map;  ///< the container's own user namespace (empty: it has none)
    std::vector<std::string> binds;           ///< volumes and bind mounts bound for the copy, unmounted with it
    bool unmount = false;
    std::optional<FileLock> lock;
    ContainerRoot() = default;
    /// A moved-from root unmounts nothing.
    ContainerRoot(ContainerRoot&& other) noexcept
        : fd(std::move(other.fd)), name(std::move(other.name)), dir(std::move(other.dir)), uid(other.uid), gid(other.gid),
          uid_map(std::move(other.uid_map)), gid_map(std::move(other.gid_map)), binds(std::exchange(other.binds, {})),
          unmount(std::exchange(other.unmount, false)), lock(std::move(other.lock))
    {
    }
    ~ContainerRoot()
    {
        for (auto it = binds.rbegin(); it != binds.rend(); ++it)
            if (::umount2(it->c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
                log::warn("cp: unmount {}: {}", *it, std::strerror(errno));
        if (unmount)
            (void)container::unmount_rootfs(dir);
    }
    /// Ids of berth's namespace for the container's `uid`/`gid` (itself when unmapped).
    std::pair<uid_t, gid_t> outside(uid_t u, gid_t g) const
    {
        return { rootless::outside_id(uid_map, u).value_or(u), rootless::outside_id(gid_map, g).value_or(g) };
    }
};

/// The container's user and user namespace: the user of its last start
/// (config.json), else keep-id's or root; the mappings of --userns/--uidmap.
ErrorOr load_container_user(Context& ctx, container::ContainerRecord const& rec, ContainerRoot& root)
{
    auto options = TRY(container::CreateOptions::from_json(rec.config));
    // Mappings that cannot be had now (no subordinate ids any more) cannot have been used: none.
    auto maps = rootless::current_container_id_maps({ options.userns, options.uidmap, options.gidmap }, ctx.paths)
                    .value_or(rootless::ContainerIdMaps {});
    if (maps.private_userns)
        root.uid_map = maps.uid, root.gid_map = maps.gid;
    unsigned u = 0, g = 0;
    if (std::sscanf(maps.default_user.c_str(), "%u:%u", &u, &g) == 2)
        root.uid = u, root.gid = g;
    if (auto text = fs::read_file(fs::join(root.dir, "config.json"))) {
        if (auto spec = runtime::Spec::parse(std::string_view(*text))) {
            root.uid = spec->process.user.uid;
            root.gid = spec->process.user.gid;
        }
    }
    return {};
}

/// Where a volume's files are while no container runs: its _data, the
/// device of a bind-type volume; a filesystem volume (tmpfs) that is not
/// mounted has none ("").
Result<std::string> volume_source(Context& ctx, container::ContainerRecord const& rec, container::MountRequest const& m)
{
    std::string name = m.source;
    if (name.empty() && rec.config.contains("anonymous_volumes"))
        name = rec.config["anonymous_volumes"].value(m.destination, "");
    auto vs = TRY(open_volume_store(ctx));
    auto volume = TRY(vs.get(name));
    if (!volume)
        return Error { ENOENT, "no volume with name \"" + name + "\" found: no such volume" };
    auto o = TRY(container::parse_volume_options(volume->options));
    if (o.bind)
        return o.device;
    if (o.mounts() && !container::is_mount_point(volume->mountpoint))
        return std::string();
    return volume->mountpoint;
}

/// A stopped container's volumes and bind mounts, bound on its mounted rootfs
/// as Podman mounts them for a copy (a running one's are in /proc/PID/root).
ErrorOr bind_volumes(Context& ctx, container::ContainerRecord const& rec, ContainerRoot& root)
{
    auto options = TRY(container::CreateOptions::from_json(rec.config));
    for (auto const& m : TRY(container::mount_requests(options))) {
        using Type = container::MountRequest::Type;
        std::string source = m.type == Type::Bind ? m.source : m.type == Type::Volume ? TRY(volume_source(ctx, rec, m)) : "";
        if (source.empty())
            continue;
        UniqueFd src = TRY_CTX(sys::open(source, O_PATH), "cp: mount " + m.destination + " of " + rec.name);
        struct stat st {};
        if (::fstat(src.get(), &st) < 0)
            return Error::from_errno("stat " + source);
        auto kind = S_ISDIR(st.st_mode) ? runtime::NodeKind::Directory : runtime::NodeKind::File;
        UniqueFd target = TRY(runtime::ensure_in_root(root.fd.get(), m.destination, kind));
        std::string at = TRY(kernel::readlinkat(AT_FDCWD, kernel::fd_path(target.get())));
        TRY(runtime::bind_fd(src.get(), target.get(), true, "cp: mount " + m.destination));
        root.binds.push_back(at);
        if (m.read_only)
            TRY(runtime::make_readonly(root.fd.get(), m.destination, true));
    }
    return {};
}

Result<ContainerRoot> open_root(Context& ctx, std::string const& name_or_id, bool rootfs_only)
{
    ContainerRoot root;
    auto rec = TRY(find_container(ctx, name_or_id));
    root.name = rec.name;
    root.dir = ctx.paths.layout().bundle_dir(rec.id);
    TRY(load_container_user(ctx, rec, root));
    if (!rootfs_only && rec.state == container::State::Running && process_alive(rec.pid)) {
        if (auto fd = sys::open("/proc/" + std::to_string(rec.pid) + "/root", O_PATH | O_DIRECTORY))
            return root.fd = std::move(*fd), std::move(root);
    }
    // A running container's rootfs is mounted and stays so; a stopped one is
    // mounted under its lock, so a concurrent start or rm waits for the copy.
    bool running = rec.state == container::State::Running && process_alive(rec.pid);
    if (!running) {
        auto cs = TRY(container_records(ctx));
        root.lock = TRY(cs.lock(rec.id));
        rec = TRY(find_container(ctx, rec.id));
        running = rec.state == container::State::Running && process_alive(rec.pid);
    }
    root.unmount = TRY(ensure_mounted(ctx, rec)) && !running;
    root.fd = TRY(sys::open(fs::join(root.dir, "merged"), O_PATH | O_DIRECTORY));
    if (!rootfs_only && !running)
        TRY(bind_volumes(ctx, rec, root));
    return root;
}

Error not_found(ContainerRoot const& root, std::string const& path)
{
    return Error { ENOENT, "\"" + path + "\" could not be found on container " + root.name + ": no such file or directory" };
}

/// `path` inside the container, every component resolved within its root.
Result<UniqueFd> resolve_in(ContainerRoot const& root, std::string const& path, bool follow)
{
    int flags = O_PATH | (follow ? 0 : O_NOFOLLOW);
    auto fd = sys::openat2(root.fd.get(), path.empty() ? "/" : path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    if (!fd && (fd.error().code == ENOENT || fd.error().code == ENOTDIR))
        return not_found(root, path);
    return fd;
}

std::string dir_name(std::string path);

/// A source path in the container with the symlinks of its last component
/// followed, as Podman resolves a cp source: "/link" to "/data/file" copies
/// the file, under its own name. A path ending in "/." is left alone (it
/// names a directory's contents), as are trailing slashes (dropped).
Result<std::string> resolve_source(ContainerRoot const& root, std::string path)
{
    if (path == "." || path.ends_with("/."))
        return path;
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    std::string const given = path;
    for (int hop = 0; hop < 40; ++hop) {
        auto found = resolve_in(root, path, false);
        if (!found && found.error().code == ENOENT)
            return not_found(root, given);  // the path as given, as Podman names it
        UniqueFd fd = TRY(std::move(found));
        struct stat st {};
        if (::fstat(fd.get(), &st) < 0)
            return Error::from_errno("stat " + path);
        if (!S_ISLNK(st.st_mode))
            return path;
        std::string target = TRY(kernel::readlinkat(fd.get(), ""));
        std::string dir = dir_name(path);
        path = target.starts_with("/") ? target : (dir == "/" ? "" : dir) + "/" + target;
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
    }
    return Error { ELOOP, "\"" + path + "\" in container " + root.name + ": too many levels of symbolic links" };
}

// ------------------------------------------------------------------ entries and sinks

struct Entry {
    std::string rel;
    struct stat st {};
    std::string link;
    std::function<Result<size_t>(char*, size_t)> read;  ///< regular files
};

class Sink {
public:
    virtual ~Sink() = default;
    virtual ErrorOr put(Entry const& entry) = 0;
    virtual ErrorOr finish() { return {}; }
};

std::pair<std::string, std::string> split_rel(std::string const& rel)
{
    auto slash = rel.rfind('/');
    if (slash == std::string::npos)
        return { "", rel };
    return { rel.substr(0, slash), rel.substr(slash + 1) };
}

/// Who the files an FsSink writes belong to.
struct Owners {
    enum class Kind { Keep, Force, None } kind = Kind::Keep;
    uid_t uid = 0;  ///< Force: these, ids of berth's namespace
    gid_t gid = 0;
    /// Keep: the entries' ids are ids of this user namespace (a source
    /// container's own; empty: container ids already, as in a tar stream)...
    std::vector<IdMapping> source_uid_map, source_gid_map;
    /// ...and become ids of the destination container's (empty: none).
    std::vector<IdMapping> uid_map, gid_map;
};

/// Writes entries below a directory fd.
class FsSink final : public Sink {
public:
    enum class Overwrite { No, Yes };
    FsSink(int base, Owners owners, Overwrite overwrite = Overwrite::No)
        : m_base(base), m_owners(std::move(owners)), m_overwrite(overwrite) {}

    ErrorOr put(Entry const& e) override
    {
        auto [dir, name] = split_rel(e.rel);
        UniqueFd parent_holder;
        int parent = m_base;
        if (!dir.empty()) {
            parent_holder = TRY(open_parent(dir));
            parent = parent_holder.get();
        }
        TRY(clear(parent, name, e));
        mode_t type = e.st.st_mode & S_IFMT;
        if (type == S_IFDIR)
            return put_dir(parent, name, e);
        if (type == S_IFREG)
            return put_file(parent, name, e);
        if (type == S_IFLNK) {
            TRY(kernel::symlinkat(e.link, parent, name));
            return chown_at(parent, name, e);
        }
        if (type == S_IFSOCK)
            return {};
        TRY(kernel::mknodat(parent, name, e.st.st_mode, e.st.st_rdev));
        return chown_at(parent, name, e);
    }

private:
    /// The directory `dir` below the base; the parts a tar stream named no
    /// entry for are created (0755, the container's root or user), as Podman does.
    Result<UniqueFd> open_parent(std::string const& dir)
    {
        auto fd = sys::openat2(m_base, dir, O_PATH | O_DIRECTORY, beneath);
        if (fd || fd.error().code != ENOENT)
            return fd;
        UniqueFd current;
        std::string rel;
        for (size_t i = 0; i <= dir.size();) {
            size_t j = std::min(dir.find('/', i), dir.size());
            std::string part = dir.substr(i, j - i);
            i = j + 1;
            rel += (rel.empty() ? "" : "/") + part;
            int at = current.valid() ? current.get() : m_base;
            struct stat st {};
            if (::fstatat(at, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
                Entry made;
                made.rel = rel;
                made.st.st_mode = S_IFDIR | 0755;
                made.st.st_atim.tv_nsec = made.st.st_mtim.tv_nsec = UTIME_NOW;
                TRY(put_dir(at, part, made));
            }
            current = TRY(sys::openat2(at, part, O_PATH | O_DIRECTORY, beneath));
        }
        return current;
    }

    /// Removes what is in the way; a directory stays for a directory (merge).
    /// A directory and a non-directory replace each other only with --overwrite.
    ErrorOr clear(int parent, std::string const& name, Entry const& e)
    {
        struct stat st {};
        if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            return {};
        bool old_dir = S_ISDIR(st.st_mode), new_dir = S_ISDIR(e.st.st_mode);
        if (old_dir && new_dir)
            return {};
        if (old_dir != new_dir && m_overwrite == Overwrite::No)
            return Error { old_dir ? EISDIR : ENOTDIR, "cannot overwrite " + std::string(old_dir ? "directory" : "non-directory") + " \"" + e.rel
                    + "\" with a " + (old_dir ? "non-directory" : "directory") + ": use --overwrite to replace it" };
        if (old_dir)  // removed below the parent's fd, never following a link (fs::remove_tree)
            return fs::remove_tree(kernel::fd_path(parent) + "/" + name);
        if (::unlinkat(parent, name.c_str(), 0) < 0)
            return Error::from_errno("replace " + e.rel);
        return {};
    }

    std::pair<uid_t, gid_t> owner(Entry const& e) const
    {
        auto const& o = m_owners;
        if (o.kind == Owners::Kind::Force)
            return { o.uid, o.gid };
        uid_t u = rootless::inside_id(o.source_uid_map, e.st.st_uid).value_or(e.st.st_uid);
        gid_t g = rootless::inside_id(o.source_gid_map, e.st.st_gid).value_or(e.st.st_gid);
        return { rootless::outside_id(o.uid_map, u).value_or(u), rootless::outside_id(o.gid_map, g).value_or(g) };
    }

    ErrorOr chown_at(int parent, std::string const& name, Entry const& e)
    {
        if (m_owners.kind == Owners::Kind::None)
            return {};
        auto [u, g] = owner(e);
        if (::fchownat(parent, name.c_str(), u, g, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM && errno != EINVAL)
            return Error::from_errno("chown " + e.rel);
        return {};
    }

    ErrorOr finish_fd(int fd, Entry const& e)
    {
        if (m_owners.kind != Owners::Kind::None) {
            auto [u, g] = owner(e);
            if (::fchown(fd, u, g) < 0 && errno != EPERM && errno != EINVAL)
                return Error::from_errno("chown " + e.rel);
        }
        if (::fchmod(fd, e.st.st_mode & 07777) < 0)
            return Error::from_errno("chmod " + e.rel);
        struct timespec times[2] = { e.st.st_atim, e.st.st_mtim };
        ::futimens(fd, times);
        return {};
    }

    ErrorOr put_dir(int parent, std::string const& name, Entry const& e)
    {
        if (::mkdirat(parent, name.c_str(), 0700) < 0 && errno != EEXIST)
            return Error::from_errno("mkdir " + e.rel);
        UniqueFd fd = TRY(sys::openat2(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, beneath));
        return finish_fd(fd.get(), e);
    }

    ErrorOr put_file(int parent, std::string const& name, Entry const& e)
    {
        int raw = ::openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (raw < 0)
            return Error::from_errno("create " + e.rel);
        UniqueFd fd(raw);
        char buf[65536];
        for (;;) {
            size_t n = TRY(e.read(buf, sizeof buf));
            if (n == 0)
                break;
            for (size_t off = 0; off < n;) {
                ssize_t w = ::write(fd.get(), buf + off, n - off);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w < 0)
                    return Error::from_errno("write " + e.rel);
                off += static_cast<size_t>(w);
            }
        }
        return finish_fd(fd.get(), e);
    }

    int m_base;
    Owners m_owners;
    Overwrite m_overwrite;
};

/// Writes entries as a tar stream (PAX) to an fd, every entry owned by
/// `owner` when it is given (as Podman writes a container's files out: the
/// ids of the container's user, mapped out of its user namespace).
class TarSink final : public Sink {
public:
    explicit TarSink(int fd, std::optional<std::pair<uid_t, gid_t>> owner = std::nullopt)
        : m_tar(archive::TarWriter::to_fd(fd)), m_owner(owner) {}

    ErrorOr put(Entry const& e) override
    {
        if (!m_tar)
            return Error(m_tar.error()).with_context("write tar");
        if (S_ISSOCK(e.st.st_mode))
            return {};
        archive::Entry ae = archive::new_entry();
        archive_entry_copy_stat(ae.get(), &e.st);
        if (m_owner) {
            archive_entry_set_uid(ae.get(), m_owner->first);
            archive_entry_set_gid(ae.get(), m_owner->second);
        }
        archive_entry_set_pathname(ae.get(), e.rel.c_str());
        if (S_ISLNK(e.st.st_mode))
            archive_entry_set_symlink(ae.get(), e.link.c_str());
        if (!S_ISREG(e.st.st_mode))
            archive_entry_set_size(ae.get(), 0);
        TRY(m_tar->header(ae.get(), e.rel));
        if (S_ISREG(e.st.st_mode)) {
            char buf[65536];
            int64_t left = e.st.st_size;
            for (;;) {
                size_t n = TRY(e.read(buf, sizeof buf));
                if (n == 0)
                    break;
                n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n), left));
                TRY(m_tar->data(buf, n, e.rel));
                left -= static_cast<int64_t>(n);
            }
        }
        return {};
    }
    ErrorOr finish() override
    {
        if (!m_tar)
            return Error(m_tar.error()).with_context("write tar");
        return m_tar->finish();
    }

private:
    Result<archive::TarWriter> m_tar;
    std::optional<std::pair<uid_t, gid_t>> m_owner;
};

// ------------------------------------------------------------------ sources

Result<size_t> read_fd(int fd, char* buf, size_t size, std::string const& what)
{
    for (;;) {
        ssize_t n = ::read(fd, buf, size);
        if (n >= 0)
            return static_cast<size_t>(n);
        if (errno != EINTR)
            return Error::from_errno("read " + what);
    }
}

ErrorOr walk(int fd, std::string const& rel, Sink& sink, bool self);

/// Every entry of the directory `fd` (an O_PATH fd) as rel/NAME.
ErrorOr walk_children(int fd, std::string const& rel, Sink& sink)
{
    int dfd = ::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return Error::from_errno("open directory " + (rel.empty() ? std::string("/") : rel));
    DIR* d = ::fdopendir(dfd);
    if (!d) {
        ::close(dfd);
        return Error::from_errno("read directory " + rel);
    }
    std::vector<std::string> names;
    while (auto* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..")
            names.push_back(n);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (auto const& n : names) {
        int child = ::openat(fd, n.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0)
            return Error::from_errno("open " + rel + "/" + n);
        UniqueFd holder(child);
        TRY(walk(child, rel.empty() ? n : rel + "/" + n, sink, true));
    }
    return {};
}

/// The entry `fd` (O_PATH) as `rel`, then its children; `self` false: children only.
ErrorOr walk(int fd, std::string const& rel, Sink& sink, bool self)
{
    Entry e;
    e.rel = rel;
    if (::fstat(fd, &e.st) < 0)
        return Error::from_errno("stat " + rel);
    if (!self)
        return S_ISDIR(e.st.st_mode) ? walk_children(fd, rel, sink) : Error { ENOTDIR, rel + ": not a directory" };
    UniqueFd data;
    if (S_ISLNK(e.st.st_mode)) {
        e.link = TRY(kernel::readlinkat(fd, ""));
    } else if (S_ISREG(e.st.st_mode)) {
        data = TRY(sys::open(kernel::fd_path(fd), O_RDONLY));
        int raw = data.get();
        e.read = [raw, rel](char* buf, size_t size) { return read_fd(raw, buf, size, rel); };
    }
    TRY(sink.put(e));
    if (S_ISDIR(e.st.st_mode))
        TRY(walk_children(fd, rel, sink));
    return {};
}

/// A tar stream from `fd`, each entry below `base` in the sink.
ErrorOr walk_tar(int fd, Sink& sink)
{
    archive::Reader reader = TRY(archive::open_tar(fd, "read tar"));
    struct archive* ar = reader.get();
    archive_entry* ae = nullptr;
    for (;;) {
        int rc = archive_read_next_header(ar, &ae);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN)
            return Error::msg("read tar: " + archive::message(ar));
        std::string path = archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "";
        std::vector<std::string> parts;
        for (size_t i = 0; i <= path.size();) {
            size_t j = path.find('/', i);
            if (j == std::string::npos)
                j = path.size();
            std::string part = path.substr(i, j - i);
            i = j + 1;
            if (part == "..")
                return Error { EINVAL, "tar entry \"" + path + "\" leads out of the destination" };
            if (!part.empty() && part != ".")
                parts.push_back(part);
        }
        if (parts.empty())
            continue;
        if (archive_entry_hardlink(ae)) {
            log::warn("cp: hard link {} in the tar stream is skipped", path);
            continue;
        }
        Entry e;
        for (auto const& p : parts)
            e.rel += (e.rel.empty() ? "" : "/") + p;
        e.st = *archive_entry_stat(ae);
        if (archive_entry_symlink(ae))
            e.link = archive_entry_symlink(ae);
        e.read = [ar](char* buf, size_t size) -> Result<size_t> {
            la_ssize_t n = archive_read_data(ar, buf, size);
            if (n < 0)
                return Error::msg("read tar data: " + archive::message(ar));
            return static_cast<size_t>(n);
        };
        TRY(sink.put(e));
    }
    return {};
}

// ------------------------------------------------------------------ cp

struct Location {
    std::string container;  ///< empty: the host
    std::string path;
};

Location parse_location(std::string const& arg)
{
    auto colon = arg.find(':');
    if (colon == std::string::npos || colon == 0 || arg[0] == '/' || arg[0] == '.')
        return { "", arg };
    return { arg.substr(0, colon), arg.substr(colon + 1) };
}

std::string base_name(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string dir_name(std::string path)
{
    while (path.size() > 1 && path.back() == '/')
        path.pop_back();
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

bool contents_only(std::string const& path)
{
    return path == "." || path.ends_with("/.") || path == "/" ;
}

/// Where the source goes: a directory fd and the name of the top entry
/// ("" for "copy the contents"). `open_dir(path)` opens a directory of the
/// destination side, `probe(path)` stats a destination path (following links).
struct Placement {
    UniqueFd dir;
    std::string name;
};

template<typename OpenDir, typename Probe>
Result<Placement> place(std::string const& dest, std::string const& src_path, bool src_is_dir, OpenDir open_dir, Probe probe)
{
    Placement t;
    std::optional<struct stat> st = probe(dest);
    if (st && S_ISDIR(st->st_mode)) {
        t.dir = TRY(open_dir(dest));
        t.name = contents_only(src_path) ? "" : base_name(src_path);
        return t;
    }
    if (st && src_is_dir)
        return Error { ENOTDIR, "cannot copy directory \"" + src_path + "\" to file \"" + dest + "\"" };
    if (!st && dest.ends_with("/") && !src_is_dir)
        return Error { ENOENT, "destination directory \"" + dest + "\" does not exist" };
    t.dir = TRY(open_dir(dir_name(dest)));
    t.name = base_name(dest);
    return t;
}

/// Files copied into `root`: with -a (the default) they belong to the
/// container's user, else they keep their ids; either way as ids of the
/// container's user namespace, mapped out of it (--userns=keep-id).
Owners owners_into(ContainerRoot const& root, CopyOptions const& o)
{
    Owners owners;
    if (o.archive) {
        owners.kind = Owners::Kind::Force;
        std::tie(owners.uid, owners.gid) = root.outside(root.uid, root.gid);
    }
    owners.uid_map = root.uid_map;
    owners.gid_map = root.gid_map;
    return owners;
}
FsSink::Overwrite overwrite_of(CopyOptions const& o) { return o.overwrite ? FsSink::Overwrite::Yes : FsSink::Overwrite::No; }

ErrorOr copy_tree(int src_fd, Placement const& target, Sink& sink)
{
    TRY(walk(src_fd, target.name, sink, !target.name.empty()));
    return sink.finish();
}

ErrorOr copy_out(Context& ctx, Location const& from, std::string const& dest, CopyOptions const& o)
{
    auto root = TRY(open_root(ctx, from.container, false));
    std::string path = TRY(resolve_source(root, from.path));
    UniqueFd src = TRY(resolve_in(root, path, false));
    struct stat st {};
    ::fstat(src.get(), &st);
    if (dest == "-") {
        TarSink sink(STDOUT_FILENO, root.outside(root.uid, root.gid));
        std::string name = contents_only(path) ? "" : base_name(path);
        if (name == "/")
            name = "";
        return copy_tree(src.get(), Placement { {}, name }, sink);
    }
    auto open_dir = [](std::string const& p) { return sys::open(p, O_PATH | O_DIRECTORY); };
    auto probe = [](std::string const& p) -> std::optional<struct stat> {
        struct stat s {};
        return ::stat(p.c_str(), &s) == 0 ? std::optional(s) : std::nullopt;
    };
    auto target = TRY(place(dest, path, S_ISDIR(st.st_mode), open_dir, probe));
    // On the host the files belong to whoever runs berth, -a or not (Podman's rule).
    FsSink sink(target.dir.get(), Owners { .kind = Owners::Kind::None }, overwrite_of(o));
    return copy_tree(src.get(), target, sink);
}

/// Copies the tree at `src` into the container at `root` (`dest` inside it),
/// the files owned as `owners` says.
ErrorOr copy_into_root(ContainerRoot const& root, int src, std::string const& source_path, std::string const& dest_path,
    Owners owners, CopyOptions const& o)
{
    struct stat st {};
    ::fstat(src, &st);
    auto open_dir = [&](std::string const& p) -> Result<UniqueFd> {
        UniqueFd fd = TRY(resolve_in(root, p, true));
        struct stat s {};
        if (::fstat(fd.get(), &s) < 0 || !S_ISDIR(s.st_mode))
            return Error { ENOTDIR, "\"" + p + "\" in container " + root.name + " is not a directory" };
        return fd;
    };
    auto probe = [&](std::string const& p) -> std::optional<struct stat> {
        auto fd = resolve_in(root, p, true);
        struct stat s {};
        if (!fd || ::fstat(fd->get(), &s) < 0)
            return std::nullopt;
        return s;
    };
    std::string dest = dest_path.empty() ? "/" : dest_path;
    auto target = TRY(place(dest, source_path, S_ISDIR(st.st_mode), open_dir, probe));
    FsSink sink(target.dir.get(), std::move(owners), overwrite_of(o));
    return copy_tree(src, target, sink);
}

ErrorOr copy_in(Context& ctx, std::string const& source, Location const& to, CopyOptions const& o)
{
    auto root = TRY(open_root(ctx, to.container, false));
    if (source == "-") {
        UniqueFd dir = TRY(resolve_in(root, to.path, true));
        struct stat st {};
        if (::fstat(dir.get(), &st) < 0 || !S_ISDIR(st.st_mode))
            return Error { ENOTDIR, "destination \"" + to.path + "\" in container " + root.name + " must be a directory for a tar stream" };
        FsSink sink(dir.get(), owners_into(root, o), overwrite_of(o));
        TRY(walk_tar(STDIN_FILENO, sink));
        return sink.finish();
    }
    UniqueFd src = TRY_CTX(sys::open(source, O_PATH | (o.follow_link ? 0 : O_NOFOLLOW)), "cp");
    return copy_into_root(root, src.get(), source, to.path, owners_into(root, o), o);
}

/// CONTAINER:PATH to CONTAINER:PATH; one root when both name the same container
/// (a stopped one's lock is taken once).
ErrorOr copy_between(Context& ctx, Location const& from, Location const& to, CopyOptions const& o)
{
    auto source_root = TRY(open_root(ctx, from.container, false));
    std::optional<ContainerRoot> other;
    if (TRY(find_container(ctx, from.container)).id != TRY(find_container(ctx, to.container)).id)
        other.emplace(TRY(open_root(ctx, to.container, false)));
    ContainerRoot const& dest_root = other ? *other : source_root;
    std::string path = TRY(resolve_source(source_root, from.path));
    UniqueFd src = TRY(resolve_in(source_root, path, false));
    Owners owners = owners_into(dest_root, o);
    owners.source_uid_map = source_root.uid_map;
    owners.source_gid_map = source_root.gid_map;
    return copy_into_root(dest_root, src.get(), path, to.path, std::move(owners), o);
}

} // namespace

namespace {

/// --pause: the running containers named are paused for the copy and unpaused
/// after it, whatever its outcome.
class PausedForCopy {
public:
    ErrorOr pause(Context& ctx, std::string const& name)
    {
        auto rec = TRY(find_container(ctx, name));
        if (rec.state != container::State::Running)
            return {};
        for (auto const& paused : m_paused)
            if (paused.id == rec.id)
                return {};
        TRY(pause_container(ctx, rec));
        m_paused.push_back(std::move(rec));
        m_ctx = &ctx;
        return {};
    }
    ~PausedForCopy()
    {
        for (auto const& paused : m_paused) {
            // The record as pause left it (state paused), not as it was before.
            auto rec = find_container(*m_ctx, paused.id);
            auto r = rec ? unpause_container(*m_ctx, *rec) : ErrorOr(rec.error());
            if (!r)
                log::warn("cp: unpause container {}: {}", paused.name, r.error().message);
        }
    }

private:
    Context* m_ctx = nullptr;
    std::vector<container::ContainerRecord> m_paused;
};

} // namespace

ErrorOr copy(Context& ctx, std::string const& source, std::string const& dest, CopyOptions const& options)
{
    Location from = parse_location(source), to = parse_location(dest);
    if (from.container.empty() && to.container.empty())
        return Error { EINVAL, "invalid arguments " + source + ", " + dest + ": one of them must be CONTAINER:PATH" };
    PausedForCopy paused;
    for (auto const* side : { &from, &to })
        if (options.pause && !side->container.empty())
            TRY(paused.pause(ctx, side->container));
    if (!from.container.empty() && !to.container.empty())
        return copy_between(ctx, from, to, options);
    if (!from.container.empty())
        return copy_out(ctx, from, dest, options);
    return copy_in(ctx, source, to, options);
}

ErrorOr write_directory_tar(std::string const& dir, int out_fd)
{
    UniqueFd root = TRY(sys::open(dir, O_PATH | O_DIRECTORY));
    TarSink sink(out_fd);
    return copy_tree(root.get(), Placement { {}, "" }, sink);
}

ErrorOr extract_tar_into(int in_fd, std::string const& dir)
{
    UniqueFd root = TRY(sys::open(dir, O_PATH | O_DIRECTORY));
    FsSink sink(root.get(), Owners {});
    TRY(walk_tar(in_fd, sink));
    return sink.finish();
}

ErrorOr export_container(Context& ctx, std::string const& name_or_id, int fd)
{
    auto root = TRY(open_root(ctx, name_or_id, true));
    TarSink sink(fd);
    return copy_tree(root.fd.get(), Placement { {}, "" }, sink);
}

Result<std::vector<Change>> diff_container(Context& ctx, std::string const& name_or_id)
{
    auto rec = TRY(find_container(ctx, name_or_id));
    std::string upper = fs::join(ctx.paths.layout().bundle_dir(rec.id), "upper");
    if (rec.driver == "vfs")
        return Error { ENOTSUP, "diff of container " + rec.name + ": the vfs storage driver keeps no separate writable layer" };
    std::vector<Change> out;
    if (!fs::is_dir(upper))
        return out;
    // The same reading of the upper directory that commit packs into a layer.
    store::ChangeSource source { store::ChangeSource::Kind::OverlayUpper, upper, {} };
    if (auto image = TRY(ctx.store->get_image(rec.image_id)))
        for (auto const& layer : image->layers)
            source.lower_dirs.push_back(ctx.store->layers().diff_path(layer.diff_id));
    for (auto const& change : TRY(store::list_changes(source)))
        out.push_back({ "ACD"[static_cast<int>(change.kind)], "/" + change.path });
    std::sort(out.begin(), out.end(), [](Change const& a, Change const& b) { return a.path < b.path; });
    return out;
}

Result<std::string> mount_container(Context& ctx, std::string const& name_or_id)
{
    auto rec = TRY(find_container(ctx, name_or_id));
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(rec.id));
    rec = TRY(find_container(ctx, rec.id));
    TRY(ensure_mounted(ctx, rec));
    return fs::join(ctx.paths.layout().bundle_dir(rec.id), "merged");
}

Result<std::string> unmount_container(Context& ctx, std::string const& name_or_id)
{
    auto rec = TRY(find_container(ctx, name_or_id));
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(rec.id));
    rec = TRY(find_container(ctx, rec.id));
    // A running container keeps its rootfs; Podman only drops its own mount count.
    if (rec.state != container::State::Running)
        TRY(container::unmount_rootfs(ctx.paths.layout().bundle_dir(rec.id)));
    return rec.id;
}

Result<std::vector<std::pair<std::string, std::string>>> mounted_containers(Context& ctx)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (auto const& rec : TRY(list_containers(ctx))) {
        std::string merged = fs::join(ctx.paths.layout().bundle_dir(rec.id), "merged");
        if (container::is_mount_point(merged))
            out.emplace_back(rec.id, merged);
    }
    return out;
}

} // namespace berth::engine
