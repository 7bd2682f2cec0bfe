// Layer extraction: one pass over a layer blob that decompresses it, hashes
// the uncompressed tar stream (the diff id) and writes every entry under the
// layer root.
//
// Two libarchive readers are chained. The first, with every decompression
// filter and the "raw" format, turns the blob into the uncompressed byte
// stream. The second reads tar from a callback that takes the first one's
// decompressed blocks in place (no copy) and feeds each to SHA-256 on the way,
// so the hash covers exactly the bytes the tar reader consumed. After the last entry the rest of the stream (tar
// end blocks and padding) is drained through the same hasher.
//
// The hard part is confinement. A layer is hostile input: names with "..",
// absolute names, symlinks pointing at /etc followed by entries written
// "through" them, hard links to host files. Every parent directory is opened
// with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to the layer
// root, so symlinks (absolute or relative) resolve as if the root were "/";
// the final component is then created with an *at() call that does not
// follow it (mkdirat, openat O_EXCL|O_NOFOLLOW, symlinkat, linkat without
// AT_SYMLINK_FOLLOW, mknodat). ".." components are resolved lexically first
// and a name that climbs above the root fails the layer.
//
// Directory modes and times are applied after all entries, since creating
// children changes a directory's mtime and a 0555 directory would block them.
#include "store/layer_unpack.h"

#include "base/log.h"
#include "base/sys.h"
#include "archive/handle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <memory>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace berth::store {

namespace {

// ---- Stage 1: the decompressed stream, hashed as stage 2 consumes it ----

struct Source {
    struct archive* raw = nullptr;
    image::Sha256 hasher;
    int64_t size = 0;
    std::optional<Error> error;
    bool eof = false;
};

// Hands stage 1's decompressed blocks to the tar reader in place (no copy): each stays
// valid until the next call, which is all libarchive's read callback contract asks.
la_ssize_t pull_decompressed(struct archive* tar, void* data, void const** out)
{
    auto& src = *static_cast<Source*>(data);
    static char const none = 0;
    *out = &none;
    if (src.eof)
        return 0;
    void const* block = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int r = ARCHIVE_OK;
    do // an empty block would read as the end of the stream
        r = archive_read_data_block(src.raw, &block, &n, &offset);
    while (n == 0 && (r == ARCHIVE_OK || r == ARCHIVE_WARN));
    if (r == ARCHIVE_EOF) {
        src.eof = true;
        return 0;
    }
    if ((r != ARCHIVE_OK && r != ARCHIVE_WARN) || offset != src.size) {
        src.error = Error::msg("decompress: "
            + (r != ARCHIVE_OK && r != ARCHIVE_WARN ? archive::message(src.raw) : std::string("out-of-order data block")));
        if (tar)
            archive_set_error(tar, EIO, "%s", src.error->message.c_str());
        return ARCHIVE_FATAL;
    }
    src.hasher.update(block, n);
    src.size += static_cast<int64_t>(n);
    *out = block;
    return static_cast<la_ssize_t>(n);
}

/// Hashes whatever the tar reader did not consume (end-of-archive blocks, record padding).
ErrorOr drain(Source& src)
{
    void const* ignored = nullptr;
    for (;;) {
        la_ssize_t n = pull_decompressed(nullptr, &src, &ignored);
        if (n == 0)
            return {};
        if (n < 0)
            return *src.error;
    }
}

Error read_error(struct archive* tar, Source const& src, std::string_view what)
{
    if (src.error)
        return *src.error;
    return Error::msg(std::string(what) + ": " + archive::message(tar));
}

// ---- Confined file-system operations ----

Result<UniqueFd> open_in_root(int root, std::string const& path, uint64_t flags)
{
    return sys::openat2(root, path, static_cast<int>(flags), RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

std::string join_parts(std::vector<std::string> const& parts, size_t count)
{
    std::string out;
    for (size_t i = 0; i < count; ++i) {
        if (i)
            out += '/';
        out += parts[i];
    }
    return out.empty() ? "." : out;
}

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

/// rm -rf of dirfd/name without following symlinks.
ErrorOr remove_tree_at(int dirfd, std::string const& name)
{
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT)
        return {};
    if (errno != EISDIR && errno != EPERM)
        return Error::from_errno("remove " + quoted(name));
    UniqueFd dir(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir.valid())
        return Error::from_errno("open " + quoted(name));
    int listing = ::dup(dir.get());
    DIR* d = listing >= 0 ? ::fdopendir(listing) : nullptr;
    if (!d) {
        if (listing >= 0)
            ::close(listing);
        return Error::from_errno("list " + quoted(name));
    }
    ErrorOr result;
    while (struct dirent* ent = ::readdir(d)) {
        std::string child = ent->d_name;
        if (child == "." || child == "..")
            continue;
        result = remove_tree_at(dir.get(), child);
        if (!result)
            break;
    }
    ::closedir(d);
    TRY(std::move(result));
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
        return Error::from_errno("remove directory " + quoted(name));
    return {};
}

// ---- Entry metadata ----

struct Metadata {
    uid_t uid = 0;
    gid_t gid = 0;
    mode_t mode = 0;
    std::vector<std::pair<std::string, std::string>> xattrs;
    struct timespec times[2] {}; // atime, mtime
};

Metadata metadata_of(struct archive_entry* e)
{
    Metadata m;
    m.uid = static_cast<uid_t>(archive_entry_uid(e));
    m.gid = static_cast<gid_t>(archive_entry_gid(e));
    m.mode = archive_entry_perm(e) & 07777;
    if (archive_entry_mtime_is_set(e))
        m.times[1] = { archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
    else
        m.times[1] = { 0, UTIME_OMIT };
    if (archive_entry_atime_is_set(e))
        m.times[0] = { archive_entry_atime(e), archive_entry_atime_nsec(e) };
    else
        m.times[0] = m.times[1];
    archive_entry_xattr_reset(e);
    char const* key = nullptr;
    void const* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK)
        m.xattrs.emplace_back(key, std::string(static_cast<char const*>(value), size));
    return m;
}

/// Explains a failed chown; EINVAL means the id has no mapping in our user namespace.
Error chown_error(std::string_view name, Metadata const& m, int code, int fd, int dirfd, std::string const& base)
{
    if (code != EINVAL)
        return Error::from_errno("chown " + quoted(name), code);
    // Find out which of the two ids is unmapped: retry with the uid alone.
    int rc = fd >= 0 ? ::fchown(fd, m.uid, static_cast<gid_t>(-1))
                     : ::fchownat(dirfd, base.c_str(), m.uid, static_cast<gid_t>(-1), AT_SYMLINK_NOFOLLOW);
    if (rc < 0 && errno == EINVAL)
        return Error { EINVAL, "file " + quoted(name) + " is owned by uid " + std::to_string(m.uid)
                + ", which is not mapped in the user namespace: add a larger range to /etc/subuid" };
    return Error { EINVAL, "file " + quoted(name) + " is owned by gid " + std::to_string(m.gid)
            + ", which is not mapped in the user namespace: add a larger range to /etc/subgid" };
}

/// Decides whether a failed setxattr is fatal. Overlay/trusted attributes need privileges a
/// rootless user lacks, and some file systems have no user.* namespace: those are skipped.
ErrorOr xattr_result(std::string_view name, std::string const& key, int code)
{
    bool unsupported = code == ENOTSUP || code == EOPNOTSUPP;
    bool skippable = (key.starts_with("trusted.") && (code == EPERM || unsupported))
        || (key.starts_with("user.") && (unsupported || code == EPERM)) || key == "security.selinux";
    if (skippable) {
        log::debug("layer entry {}: ignoring xattr {}: {}", name, key, std::strerror(code));
        return {};
    }
    return Error::from_errno("set xattr " + key + " on " + quoted(name), code);
}

/// Owner, mode, xattrs, times through an open fd (regular files and directories).
ErrorOr apply_by_fd(int fd, std::string_view name, Metadata const& m)
{
    if (::fchown(fd, m.uid, m.gid) < 0)
        return chown_error(name, m, errno, fd, -1, {});
    // After chown: chown clears the setuid/setgid bits.
    if (::fchmod(fd, m.mode) < 0)
        return Error::from_errno("chmod " + quoted(name));
    for (auto const& [key, value] : m.xattrs) {
        if (::fsetxattr(fd, key.c_str(), value.data(), value.size(), 0) < 0)
            TRY(xattr_result(name, key, errno));
    }
    if (::futimens(fd, m.times) < 0)
        return Error::from_errno("set times of " + quoted(name));
    return {};
}

/// The same for nodes that cannot be opened for writing (symlinks, devices, FIFOs).
ErrorOr apply_by_name(int dirfd, std::string const& base, std::string_view name, Metadata const& m, bool is_symlink)
{
    if (::fchownat(dirfd, base.c_str(), m.uid, m.gid, AT_SYMLINK_NOFOLLOW) < 0)
        return chown_error(name, m, errno, -1, dirfd, base);
    if (!is_symlink && ::fchmodat(dirfd, base.c_str(), m.mode, 0) < 0)
        return Error::from_errno("chmod " + quoted(name));
    // No *xattrat() before Linux 6.13: go through the O_PATH parent's /proc entry.
    std::string proc_path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + base;
    for (auto const& [key, value] : m.xattrs) {
        if (::lsetxattr(proc_path.c_str(), key.c_str(), value.data(), value.size(), 0) < 0)
            TRY(xattr_result(name, key, errno));
    }
    if (::utimensat(dirfd, base.c_str(), m.times, AT_SYMLINK_NOFOLLOW) < 0)
        return Error::from_errno("set times of " + quoted(name));
    return {};
}

ErrorOr write_data(struct archive* tar, Source const& src, int fd, std::string_view name)
{
    void const* buf = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
        int r = archive_read_data_block(tar, &buf, &size, &offset);
        if (r == ARCHIVE_EOF)
            return {};
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return read_error(tar, src, "read " + quoted(name));
        auto const* p = static_cast<char const*>(buf);
        while (size > 0) { // pwrite at the block's offset: sparse entries leave holes
            ssize_t n = ::pwrite(fd, p, size, offset);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return Error::from_errno("write " + quoted(name));
            p += n;
            size -= static_cast<size_t>(n);
            offset += n;
        }
    }
}

// ---- The extractor: one tar entry at a time ----

class Extractor {
public:
    Extractor(int root, Whiteouts whiteouts, Source const& src) : m_root(root), m_whiteouts(whiteouts), m_src(src) {}

    ErrorOr entry(struct archive* tar, struct archive_entry* e);
    /// Applies the deferred directory metadata.
    ErrorOr finish();

private:
    struct DeferredDir {
        std::string path;
        std::string name;
        Metadata meta;
    };

    Result<UniqueFd> open_dir(std::vector<std::string> const& parts, size_t count, std::string_view name,
        bool create, uint64_t flags = O_PATH | O_DIRECTORY);
    Result<bool> make_room(int dirfd, std::string const& base, bool want_dir, std::string_view name);
    ErrorOr whiteout(std::vector<std::string> const& parts, std::string_view name);
    ErrorOr hard_link(std::vector<std::string> const& parts, std::string_view name, char const* target);
    ErrorOr regular_file(struct archive* tar, int dirfd, std::string const& base, std::string_view name,
        Metadata const& m, int64_t size);
    ErrorOr device(int dirfd, std::string const& base, std::string_view name, struct archive_entry* e, Metadata const& m);

    int m_root;
    Whiteouts m_whiteouts;
    Source const& m_src;
    std::vector<DeferredDir> m_dirs;
};

Error escape_error(std::string_view name) { return Error::msg("entry " + quoted(name) + " escapes the layer root"); }

/// Opens parts[0..count) as a directory inside the root, creating missing components (0755).
Result<UniqueFd> Extractor::open_dir(std::vector<std::string> const& parts, size_t count, std::string_view name,
    bool create, uint64_t flags)
{
    std::string path = join_parts(parts, count);
    auto opened = open_in_root(m_root, path, flags);
    if (opened)
        return opened;
    if (opened.error().code != ENOENT || !create)
        return Error::from_errno("entry " + quoted(name) + ": open parent directory " + quoted(path), opened.error().code);
    // Walk down, creating what is missing. Each prefix is resolved from the root again, so a
    // symlinked component leads to the directory it names inside the root.
    auto root = open_in_root(m_root, ".", O_PATH | O_DIRECTORY);
    UniqueFd current = root ? root.release_value() : UniqueFd();
    for (size_t i = 0; i < count; ++i) {
        std::string prefix = join_parts(parts, i + 1);
        auto next = open_in_root(m_root, prefix, O_PATH | O_DIRECTORY);
        if (!next && next.error().code == ENOENT) {
            if (::mkdirat(current.get(), parts[i].c_str(), 0755) == 0)
                ::fchmodat(current.get(), parts[i].c_str(), 0755, 0); // not subject to the umask
            next = open_in_root(m_root, prefix, O_PATH | O_DIRECTORY);
        }
        if (!next)
            return Error::from_errno("entry " + quoted(name) + ": create parent directory " + quoted(prefix), next.error().code);
        current = next.release_value();
    }
    if (flags == (O_PATH | O_DIRECTORY))
        return current;
    opened = open_in_root(m_root, path, flags);
    if (!opened)
        return Error::from_errno("entry " + quoted(name) + ": open parent directory " + quoted(path), opened.error().code);
    return opened;
}

/// Clears the way for a new entry named `base` in dirfd. Returns true when an existing
/// directory should be kept (a directory entry over a directory merges, as tar does).
Result<bool> Extractor::make_room(int dirfd, std::string const& base, bool want_dir, std::string_view name)
{
    struct stat st {};
    if (::fstatat(dirfd, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT)
            return false;
        return Error::from_errno("entry " + quoted(name) + ": stat");
    }
    if (S_ISDIR(st.st_mode)) {
        if (want_dir)
            return true;
        TRY_CTX(remove_tree_at(dirfd, base), "entry " + quoted(name) + ": replace directory");
        return false;
    }
    if (::unlinkat(dirfd, base.c_str(), 0) < 0 && errno != ENOENT)
        return Error::from_errno("entry " + quoted(name) + ": replace existing file");
    return false;
}

ErrorOr Extractor::entry(struct archive* tar, struct archive_entry* e)
{
    char const* raw_name = archive_entry_pathname(e);
    if (!raw_name)
        return Error::msg("tar entry without a name");
    std::string name = raw_name;
    auto parts = normalize_entry_path(name);
    if (!parts)
        return escape_error(name);
    if (!parts->empty() && parts->back().starts_with(".wh."))
        return whiteout(*parts, name);
    if (char const* target = archive_entry_hardlink(e))
        return hard_link(*parts, name, target);

    Metadata meta = metadata_of(e);
    auto type = archive_entry_filetype(e);
    if (parts->empty()) { // "./": the layer root itself
        if (type != AE_IFDIR)
            return Error::msg("entry " + quoted(name) + " would replace the layer root with a non-directory");
        m_dirs.push_back({ ".", name, std::move(meta) });
        return {};
    }
    std::string const& base = parts->back();
    UniqueFd parent = TRY(open_dir(*parts, parts->size() - 1, name, true));
    bool keep_dir = TRY(make_room(parent.get(), base, type == AE_IFDIR, name));
    std::string_view n = name;
    switch (type) {
    case AE_IFDIR:
        if (!keep_dir && ::mkdirat(parent.get(), base.c_str(), 0700) < 0)
            return Error::from_errno("entry " + quoted(n) + ": mkdir");
        m_dirs.push_back({ join_parts(*parts, parts->size()), name, std::move(meta) });
        return {};
    case AE_IFREG:
        return regular_file(tar, parent.get(), base, n, meta, archive_entry_size_is_set(e) ? archive_entry_size(e) : -1);
    case AE_IFLNK: {
        char const* target = archive_entry_symlink(e);
        if (!target)
            return Error::msg("entry " + quoted(n) + ": symlink without a target");
        // The target is stored as text and only resolved inside the container's root.
        if (::symlinkat(target, parent.get(), base.c_str()) < 0)
            return Error::from_errno("entry " + quoted(n) + ": symlink");
        return apply_by_name(parent.get(), base, n, meta, true);
    }
    case AE_IFCHR:
    case AE_IFBLK:
        return device(parent.get(), base, n, e, meta);
    case AE_IFIFO:
        if (::mkfifoat(parent.get(), base.c_str(), 0600) < 0)
            return Error::from_errno("entry " + quoted(n) + ": mkfifo");
        return apply_by_name(parent.get(), base, n, meta, false);
    default:
        log::debug("layer entry {}: skipping unsupported file type {:o}", name, static_cast<unsigned>(type));
        return {};
    }
}

ErrorOr Extractor::regular_file(struct archive* tar, int dirfd, std::string const& base, std::string_view name,
    Metadata const& m, int64_t size)
{
    int raw = ::openat(dirfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw < 0)
        return Error::from_errno("entry " + quoted(name) + ": create");
    UniqueFd fd(raw);
    TRY(write_data(tar, m_src, fd.get(), name));
    // A sparse entry may end in a hole that no data block reached.
    if (size >= 0 && ::ftruncate(fd.get(), size) < 0)
        return Error::from_errno("entry " + quoted(name) + ": truncate");
    return apply_by_fd(fd.get(), name, m);
}

ErrorOr Extractor::device(int dirfd, std::string const& base, std::string_view name, struct archive_entry* e,
    Metadata const& m)
{
    mode_t kind = archive_entry_filetype(e) == AE_IFCHR ? S_IFCHR : S_IFBLK;
    if (::mknodat(dirfd, base.c_str(), kind | 0600, archive_entry_rdev(e)) == 0)
        return apply_by_name(dirfd, base, name, m, false);
    if (errno != EPERM)
        return Error::from_errno("entry " + quoted(name) + ": mknod");
    // Rootless: a user namespace may not create devices. Containers get their /dev from the
    // runtime anyway, so an empty file keeps the path without granting anything.
    log::debug("layer entry {}: cannot create a device node here, creating an empty file", name);
    int raw = ::openat(dirfd, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw < 0)
        return Error::from_errno("entry " + quoted(name) + ": create");
    UniqueFd fd(raw);
    return apply_by_fd(fd.get(), name, m);
}

ErrorOr Extractor::whiteout(std::vector<std::string> const& parts, std::string_view name)
{
    std::string const& base = parts.back();
    if (base == ".wh..wh..opq") {
        // Opaque directory: hides everything below it in lower layers.
        UniqueFd dir = TRY(open_dir(parts, parts.size() - 1, name, true, O_RDONLY | O_DIRECTORY));
        char const* key = m_whiteouts == Whiteouts::Rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
        if (::fsetxattr(dir.get(), key, "y", 1, 0) < 0)
            return Error::from_errno("entry " + quoted(name) + ": mark directory opaque (" + key + ")");
        return {};
    }
    if (base.starts_with(".wh..wh.") || base.size() == 4) {
        log::debug("layer entry {}: ignoring aufs metadata", name);
        return {};
    }
    std::string target = base.substr(4);
    UniqueFd parent = TRY(open_dir(parts, parts.size() - 1, name, true));
    TRY(make_room(parent.get(), target, false, name));
    // Overlay's whiteout: a 0/0 character device (allowed in a user namespace since Linux 5.8).
    if (::mknodat(parent.get(), target.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
        return Error::from_errno("entry " + quoted(name) + ": create whiteout");
    return {};
}

ErrorOr Extractor::hard_link(std::vector<std::string> const& parts, std::string_view name, char const* target_name)
{
    auto target = normalize_entry_path(target_name);
    if (!target || target->empty())
        return Error::msg("entry " + quoted(name) + " escapes the layer root (hard link to " + quoted(target_name) + ")");
    if (parts.empty())
        return Error::msg("entry " + quoted(name) + " would replace the layer root with a hard link");
    if (*target == parts)
        return {};
    std::string const& base = parts.back();
    std::string const& target_base = target->back();
    UniqueFd target_dir = TRY(open_dir(*target, target->size() - 1, name, false));
    UniqueFd parent = TRY(open_dir(parts, parts.size() - 1, name, true));
    struct stat to {}, from {};
    if (::fstatat(target_dir.get(), target_base.c_str(), &to, AT_SYMLINK_NOFOLLOW) < 0)
        return Error::from_errno("entry " + quoted(name) + ": hard link target " + quoted(target_name));
    if (::fstatat(parent.get(), base.c_str(), &from, AT_SYMLINK_NOFOLLOW) == 0 && from.st_ino == to.st_ino
        && from.st_dev == to.st_dev)
        return {}; // already the same file
    TRY(make_room(parent.get(), base, false, name));
    if (::linkat(target_dir.get(), target_base.c_str(), parent.get(), base.c_str(), 0) < 0)
        return Error::from_errno("entry " + quoted(name) + ": hard link to " + quoted(target_name));
    return {};
}

ErrorOr Extractor::finish()
{
    for (auto const& dir : m_dirs) {
        auto opened = open_in_root(m_root, dir.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (!opened) {
            // Replaced or removed by a later entry: its metadata no longer applies.
            int code = opened.error().code;
            if (code == ENOENT || code == ENOTDIR || code == ELOOP)
                continue;
            return Error::from_errno("entry " + quoted(dir.name) + ": open", code);
        }
        UniqueFd fd = opened.release_value();
        TRY(apply_by_fd(fd.get(), dir.name, dir.meta));
    }
    return {};
}

} // namespace

std::optional<std::vector<std::string>> normalize_entry_path(std::string_view name)
{
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= name.size()) {
        size_t slash = name.find('/', pos);
        if (slash == std::string_view::npos)
            slash = name.size();
        std::string_view part = name.substr(pos, slash - pos);
        pos = slash + 1;
        if (part.empty() || part == ".")
            continue;
        if (part == "..") {
            if (parts.empty())
                return std::nullopt;
            parts.pop_back();
            continue;
        }
        parts.emplace_back(part);
    }
    return parts;
}

Result<UnpackResult> unpack_layer(std::string const& blob_path, std::string const& root_dir, Whiteouts whiteouts)
{
    UniqueFd blob = TRY(sys::open(blob_path, O_RDONLY));
    return unpack_layer_fd(blob.get(), blob_path, root_dir, whiteouts);
}

Result<UnpackResult> unpack_layer_fd(int blob_fd, std::string const& blob_path, std::string const& root_dir, Whiteouts whiteouts)
{
    return unpack_layer_stream(fd_chunk_reader(blob_fd), blob_path, root_dir, whiteouts);
}

ChunkReader fd_chunk_reader(int fd)
{
    auto buffer = std::make_shared<std::vector<char>>(256 * 1024);
    return [fd, buffer]() -> Result<std::string_view> {
        for (;;) {
            ssize_t n = ::read(fd, buffer->data(), buffer->size());
            if (n >= 0)
                return std::string_view(buffer->data(), static_cast<size_t>(n));
            if (errno != EINTR)
                return Error::from_errno("read");
        }
    };
}

namespace {

struct CompressedSource {
    ChunkReader const* read = nullptr;
    std::optional<Error> error;
};

la_ssize_t pull_compressed(struct archive* raw, void* data, void const** out)
{
    auto& src = *static_cast<CompressedSource*>(data);
    auto piece = (*src.read)();
    if (!piece) {
        src.error = std::move(piece).error();
        archive_set_error(raw, EIO, "%s", src.error->message.c_str());
        return ARCHIVE_FATAL;
    }
    *out = piece->data();
    return static_cast<la_ssize_t>(piece->size());
}

} // namespace

Result<UnpackResult> unpack_layer_stream(ChunkReader const& read, std::string const& blob_path, std::string const& root_dir,
    Whiteouts whiteouts)
{
    UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY));

    // Stage 1: decompression detected by content, "raw" format: yields the uncompressed bytes.
    // OCI layers are gzip, zstd or uncompressed (support_filters: never an external program).
    // The compressed pieces are read in place (no copy) from the reader.
    archive::Reader raw = archive::new_reader();
    archive::support_filters(raw.get());
    archive_read_support_format_raw(raw.get());
    CompressedSource compressed { &read, {} };
    if (archive_read_open(raw.get(), &compressed, nullptr, pull_compressed, nullptr) != ARCHIVE_OK)
        return compressed.error ? *compressed.error : Error::msg("read " + blob_path + ": " + archive::message(raw.get()));
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(raw.get(), &e);
    if (r == ARCHIVE_EOF)
        return Error::msg("read " + blob_path + ": the layer blob is empty");
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return compressed.error ? *compressed.error : Error::msg("read " + blob_path + ": " + archive::message(raw.get()));

    // Stage 2: tar (ustar, pax, GNU) read from stage 1 through the hasher.
    Source src;
    src.raw = raw.get();
    archive::Reader tar = archive::new_reader();
    archive_read_support_format_tar(tar.get());
    if (archive_read_open(tar.get(), &src, nullptr, pull_decompressed, nullptr) != ARCHIVE_OK)
        return read_error(tar.get(), src, "read tar");

    Extractor extractor(root.get(), whiteouts, src);
    for (;;) {
        r = archive_read_next_header(tar.get(), &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r == ARCHIVE_WARN)
            log::debug("layer {}: {}", blob_path, archive::message(tar.get()));
        else if (r != ARCHIVE_OK)
            return read_error(tar.get(), src, "read tar");
        TRY(extractor.entry(tar.get(), e));
    }
    TRY(extractor.finish());
    TRY(drain(src));
    return UnpackResult { src.hasher.finish(), src.size };
}

} // namespace berth::store
