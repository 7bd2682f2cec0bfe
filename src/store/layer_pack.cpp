// Layer packing: a container's changes -> tar -> gzip -> sink, in one pass.
//
// Two writers of src/archive are chained, the mirror image of layer_unpack.cpp's
// two readers. The tar writer's sink feeds SHA-256 (the diff id) and hands the
// bytes on to a gzip compressor, whose sink feeds the blob's SHA-256 and the
// caller's sink (the blob store's writer). Nothing is spooled.
//
// Finding the changes is the subtle part. An overlay upper directory holds
// exactly the changed entries, with deletions as 0/0 character devices (or
// ".wh.NAME" files from a fuse-overlayfs that could not mknod) and opaque
// directories marked by an xattr (or a ".wh..wh..opq" file). A vfs rootfs is
// a full copy: it is compared entry by entry with the union of the image's
// layers (copy_layer keeps owners, modes and times), so an entry counts as
// changed when its type, mode, owner, size, mtime, device or link target
// differs, and a name the union has but the tree lacks is a deletion.
//
// The source tree may belong to a running container that keeps writing: every
// path is opened beneath the root with RESOLVE_NO_SYMLINKS, so a symlink
// swapped in cannot lead the walk (or the data read) out of the tree.
#include "store/layer_pack.h"
#include "store/layer_stamp.h"

#include "archive/streams.h"
#include "base/log.h"
#include "base/sys.h"
#include "image/manifest.h"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <map>
#include <optional>
#include <set>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace berth::store {

namespace {

constexpr unsigned long long beneath = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";

std::string child_path(std::string const& rel, std::string const& name) { return rel.empty() ? name : rel + "/" + name; }

std::string parent_of(std::string const& rel)
{
    auto slash = rel.rfind('/');
    return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

std::string base_of(std::string const& rel)
{
    auto slash = rel.rfind('/');
    return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

/// A directory tree read through one root fd, never following a symlink.
class Tree {
public:
    static Result<Tree> open(std::string const& dir)
    {
        Tree t;
        t.m_root = TRY(sys::open(dir, O_PATH | O_DIRECTORY));
        return t;
    }
    /// `rel` itself (a symlink stays a symlink); "" is the root.
    Result<UniqueFd> open_path(std::string const& rel) const
    {
        return sys::openat2(m_root.get(), rel.empty() ? "." : rel, O_PATH | O_NOFOLLOW, beneath);
    }
    Result<UniqueFd> open_for_reading(std::string const& rel, int extra) const
    {
        return sys::openat2(m_root.get(), rel.empty() ? "." : rel, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | extra, beneath);
    }
    Result<struct stat> stat(std::string const& rel) const { return sys::fstat(TRY(open_path(rel)).get()); }
    /// The names in directory `rel`, sorted.
    Result<std::vector<std::string>> names(std::string const& rel) const
    {
        UniqueFd fd = TRY(open_for_reading(rel, O_DIRECTORY));
        DIR* d = ::fdopendir(fd.get());
        if (!d)
            return Error::from_errno("list " + rel);
        (void)fd.release();
        std::vector<std::string> out;
        while (auto* de = ::readdir(d)) {
            std::string n = de->d_name;
            if (n != "." && n != "..")
                out.push_back(std::move(n));
        }
        ::closedir(d);
        std::sort(out.begin(), out.end());
        return out;
    }
    Result<std::string> link_target(std::string const& rel) const
    {
        UniqueFd fd = TRY(open_path(rel));
        char buf[4096];
        ssize_t n = ::readlinkat(fd.get(), "", buf, sizeof buf);
        if (n < 0)
            return Error::from_errno("readlink " + rel);
        return std::string(buf, static_cast<size_t>(n));
    }
    /// Opaque by xattr or by a ".wh..wh..opq" file inside.
    bool opaque(std::string const& rel) const
    {
        auto fd = open_for_reading(rel, O_DIRECTORY);
        if (!fd)
            return false;
        struct stat st {};
        return has_opaque_xattr(fd->get()) || ::fstatat(fd->get(), opaque_marker.data(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    }

private:
    UniqueFd m_root;
};

// ---- the image's layers, as one union ----

/// The store's extracted layers seen as overlay would show them. They are the
/// store's own trees, so plain paths are fine here.
class LowerUnion {
public:
    explicit LowerUnion(std::vector<std::string> const& bottom_to_top) : m_layers(bottom_to_top.rbegin(), bottom_to_top.rend()) {}

    /// The entry at `rel` in the topmost layer that has it, unless a layer above hides it.
    std::optional<std::pair<std::string, struct stat>> find(std::string const& rel) const
    {
        for (auto const& layer : m_layers) {
            std::string path = layer + "/" + rel;
            struct stat st {};
            if (::lstat(path.c_str(), &st) == 0)
                return is_whiteout(st) ? std::nullopt : std::optional(std::pair { path, st });
            if (hides_below(layer, rel))
                return std::nullopt;
        }
        return std::nullopt;
    }
    /// The names below directory `rel` in the union.
    std::vector<std::string> names(std::string const& rel) const
    {
        std::set<std::string> candidates;
        for (auto const& layer : m_layers)
            for (auto const& n : list(layer + "/" + rel))
                candidates.insert(n);
        std::vector<std::string> out;
        for (auto const& n : candidates)
            if (find(child_path(rel, n)))
                out.push_back(n);
        return out;
    }

private:
    /// Whether `layer` ends the search for `rel`: an ancestor there is a whiteout, a
    /// non-directory or an opaque directory.
    static bool hides_below(std::string const& layer, std::string const& rel)
    {
        for (std::string dir = parent_of(rel);; dir = parent_of(dir)) {
            if (!dir.empty()) {
                std::string path = layer + "/" + dir;
                struct stat st {};
                if (::lstat(path.c_str(), &st) == 0) {
                    if (!S_ISDIR(st.st_mode))
                        return true;
                    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                    if (fd.valid() && has_opaque_xattr(fd.get()))
                        return true;
                }
            }
            if (dir.empty())
                return false;
        }
    }
    static std::vector<std::string> list(std::string const& dir)
    {
        std::vector<std::string> out;
        if (DIR* d = ::opendir(dir.c_str())) {
            while (auto* de = ::readdir(d))
                if (std::string_view(de->d_name) != "." && std::string_view(de->d_name) != "..")
                    out.emplace_back(de->d_name);
            ::closedir(d);
        }
        return out;
    }

    std::vector<std::string> m_layers;  // top to bottom
};

// ---- finding the changes ----

bool same_entry(Tree const& tree, std::string const& rel, struct stat const& a, std::string const& lower_path, struct stat const& b)
{
    if ((a.st_mode & S_IFMT) != (b.st_mode & S_IFMT) || (a.st_mode & 07777) != (b.st_mode & 07777) || a.st_uid != b.st_uid
        || a.st_gid != b.st_gid || a.st_mtim.tv_sec != b.st_mtim.tv_sec || a.st_mtim.tv_nsec != b.st_mtim.tv_nsec)
        return false;
    if (S_ISREG(a.st_mode))
        return a.st_size == b.st_size;
    if (S_ISCHR(a.st_mode) || S_ISBLK(a.st_mode))
        return a.st_rdev == b.st_rdev;
    if (S_ISLNK(a.st_mode)) {
        auto target = tree.link_target(rel);
        auto lower = sys::readlink(lower_path);
        return target && lower && *target == *lower;
    }
    return true;
}

class ChangeFinder {
public:
    ChangeFinder(Tree const& tree, ChangeSource const& source) : m_tree(tree), m_source(source), m_lowers(source.lower_dirs) {}

    ErrorOr walk(std::string const& rel)
    {
        return m_source.kind == ChangeSource::Kind::OverlayUpper ? walk_upper(rel) : walk_full(rel);
    }
    std::vector<LayerChange> take() { return std::move(m_out); }

private:
    LayerChange::Kind added_or_changed(std::string const& rel) const
    {
        return m_lowers.find(rel) ? LayerChange::Kind::Changed : LayerChange::Kind::Added;
    }

    ErrorOr walk_upper(std::string const& rel)
    {
        auto names = TRY(m_tree.names(rel));
        std::vector<std::pair<std::string, struct stat>> kept;
        // Deletions first: overlay's 0/0 devices and fuse-overlayfs's ".wh." files.
        for (auto const& name : names) {
            std::string path = child_path(rel, name);
            struct stat st = TRY(m_tree.stat(path));
            if (name == opaque_marker)
                continue;
            if (name.starts_with(whiteout_prefix))
                m_out.push_back({ LayerChange::Kind::Deleted, child_path(rel, name.substr(whiteout_prefix.size())), false });
            else if (is_whiteout(st))
                m_out.push_back({ LayerChange::Kind::Deleted, path, false });
            else
                kept.emplace_back(path, st);
        }
        for (auto const& [path, st] : kept) {
            if (S_ISSOCK(st.st_mode))
                continue;
            bool dir = S_ISDIR(st.st_mode);
            m_out.push_back({ added_or_changed(path), path, dir && m_tree.opaque(path) });
            if (dir)
                TRY(walk_upper(path));
        }
        return {};
    }

    ErrorOr walk_full(std::string const& rel)
    {
        auto names = TRY(m_tree.names(rel));
        for (auto const& gone : m_lowers.names(rel))
            if (!std::binary_search(names.begin(), names.end(), gone))
                m_out.push_back({ LayerChange::Kind::Deleted, child_path(rel, gone), false });
        for (auto const& name : names) {
            std::string path = child_path(rel, name);
            struct stat st = TRY(m_tree.stat(path));
            if (S_ISSOCK(st.st_mode))
                continue;
            auto lower = m_lowers.find(path);
            if (!lower)
                m_out.push_back({ LayerChange::Kind::Added, path, false });
            else if (!same_entry(m_tree, path, st, lower->first, lower->second))
                m_out.push_back({ LayerChange::Kind::Changed, path, false });
            if (S_ISDIR(st.st_mode))
                TRY(walk_full(path));
        }
        return {};
    }

    Tree const& m_tree;
    ChangeSource const& m_source;
    LowerUnion m_lowers;
    std::vector<LayerChange> m_out;
};

// ---- writing: tar -> sha256 -> gzip -> sha256 -> sink ----

class LayerWriter {
public:
    LayerWriter(ByteSink const& out) : m_out(out) {}

    ErrorOr open()
    {
        m_gzip = TRY(archive::Compressor::open(archive::Compression::Gzip, -1, m_to_blob));
        m_tar = TRY(archive::TarWriter::to_sink(m_to_gzip, archive::TarWriter::Padding::None));
        return {};
    }

    /// One entry; `data_fd` holds a regular file's content (-1 otherwise).
    ErrorOr entry(struct archive_entry* e, int data_fd, std::string const& name)
    {
        TRY(m_tar->header(e, name));
        if (data_fd < 0)
            return {};
        int64_t left = archive_entry_size(e);
        std::vector<char> buf(256 * 1024);
        while (left > 0) {
            size_t n = TRY(sys::read(data_fd, buf.data(), static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buf.size())))));
            if (n == 0) // shrank while we read (a running container): pad to the size in the header
                n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(buf.size()))), std::fill_n(buf.data(), n, 0);
            TRY(m_tar->data(buf.data(), n, name));
            left -= static_cast<int64_t>(n);
        }
        return {};
    }

    Result<PackedLayer> finish()
    {
        TRY(m_tar->finish());
        TRY(m_gzip->finish());
        return PackedLayer { m_diff.finish(), m_size, m_blob.finish(), m_blob_size, image::media_type::oci_layer_gzip };
    }

private:
    ByteSink const& m_out;
    // tar -> diff id -> gzip -> blob digest -> m_out
    ByteSink m_to_gzip = [this](char const* buf, size_t n) -> ErrorOr {
        m_diff.update(buf, n);
        m_size += static_cast<int64_t>(n);
        return m_gzip->write(buf, n);
    };
    ByteSink m_to_blob = [this](char const* buf, size_t n) -> ErrorOr {
        m_blob.update(buf, n);
        m_blob_size += static_cast<int64_t>(n);
        return m_out(buf, n);
    };
    std::optional<archive::Compressor> m_gzip;
    std::optional<archive::TarWriter> m_tar;
    image::Sha256 m_diff, m_blob;
    int64_t m_size = 0, m_blob_size = 0;
};

bool overlay_private(std::string_view key)
{
    return key.starts_with("trusted.overlay.") || key.starts_with("user.overlay.") || key.starts_with("user.fuseoverlayfs.")
        || key == "security.selinux";
}

/// The xattrs a layer keeps; an error for overlay's metacopy/redirect, whose data is elsewhere.
ErrorOr add_xattrs(struct archive_entry* e, int fd, std::string const& rel)
{
    char names[65536];
    ssize_t len = ::flistxattr(fd, names, sizeof names);
    if (len < 0)
        return errno == ENOTSUP ? ErrorOr {} : Error::from_errno("list xattrs of \"" + rel + "\"");
    for (char const* p = names; p < names + len; p += std::strlen(p) + 1) {
        std::string_view key = p;
        if (key.ends_with(".overlay.metacopy") || key.ends_with(".overlay.redirect"))
            return Error { ENOTSUP, "\"" + rel + "\" is an overlay " + std::string(key.substr(key.rfind('.') + 1))
                    + " copy-up, which berth cannot put in a layer: mount without metacopy and redirect_dir" };
        if (overlay_private(key))
            continue;
        char value[65536];
        ssize_t n = ::fgetxattr(fd, p, value, sizeof value);
        if (n < 0)
            return Error::from_errno("read xattr " + std::string(key) + " of \"" + rel + "\"");
        archive_entry_xattr_add_entry(e, p, value, static_cast<size_t>(n));
    }
    return {};
}

/// An empty regular file (a whiteout or the opaque marker) named `name`, stamped with `like`'s time.
ErrorOr write_marker(LayerWriter& w, std::string const& name, struct stat const& like, std::optional<int64_t> mtime)
{
    archive::Entry e = archive::new_entry();
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0);
    archive_entry_set_size(e.get(), 0);
    if (mtime)
        archive_entry_set_mtime(e.get(), *mtime, 0);
    else
        archive_entry_set_mtime(e.get(), like.st_mtim.tv_sec, like.st_mtim.tv_nsec);
    return w.entry(e.get(), -1, name);
}

class Packer {
public:
    Packer(Tree const& tree, OwnerMap const& owners, LayerWriter& w, std::optional<int64_t> mtime)
        : m_tree(tree), m_owners(owners), m_w(w), m_mtime(mtime) {}

    ErrorOr put(LayerChange const& change)
    {
        std::string const& rel = change.path;
        if (change.kind == LayerChange::Kind::Deleted) {
            std::string parent = parent_of(rel);
            struct stat pst = TRY(m_tree.stat(parent));
            return write_marker(m_w, child_path(parent, std::string(whiteout_prefix) + base_of(rel)), pst, m_mtime);
        }
        UniqueFd path_fd = TRY(m_tree.open_path(rel));
        struct stat st = TRY(sys::fstat(path_fd.get()));
        archive::Entry e = archive::new_entry();
        archive_entry_copy_stat(e.get(), &st);
        archive_entry_set_pathname(e.get(), rel.c_str());
        if (m_mtime) {  // and no access or change time, which a pax header may carry
            archive_entry_set_mtime(e.get(), *m_mtime, 0);
            archive_entry_unset_atime(e.get());
            archive_entry_unset_ctime(e.get());
        }
        if (m_owners) {
            auto [uid, gid] = m_owners(st.st_uid, st.st_gid);
            archive_entry_set_uid(e.get(), uid);
            archive_entry_set_gid(e.get(), gid);
        }
        UniqueFd data;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
            auto [it, first] = m_links.try_emplace({ st.st_dev, st.st_ino }, rel);
            if (!first) {
                archive_entry_set_hardlink(e.get(), it->second.c_str());
                archive_entry_set_size(e.get(), 0);
                return m_w.entry(e.get(), -1, rel);
            }
        }
        if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
            data = TRY(m_tree.open_for_reading(rel, S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
            TRY(add_xattrs(e.get(), data.get(), rel));
        }
        if (S_ISLNK(st.st_mode))
            archive_entry_set_symlink(e.get(), TRY(m_tree.link_target(rel)).c_str());
        if (!S_ISREG(st.st_mode))
            archive_entry_set_size(e.get(), 0);
        TRY(m_w.entry(e.get(), S_ISREG(st.st_mode) ? data.get() : -1, rel));
        if (change.opaque)
            TRY(write_marker(m_w, rel + "/" + std::string(opaque_marker), st, m_mtime));
        return {};
    }

private:
    Tree const& m_tree;
    OwnerMap const& m_owners;
    LayerWriter& m_w;
    std::optional<int64_t> m_mtime;
    std::map<std::pair<dev_t, ino_t>, std::string> m_links;
};

} // namespace

bool is_whiteout(struct stat const& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0); }

bool has_opaque_xattr(int fd)
{
    for (char const* key : { "trusted.overlay.opaque", "user.overlay.opaque", "user.fuseoverlayfs.opaque" }) {
        char value[4] = {};
        if (::fgetxattr(fd, key, value, sizeof value) == 1 && value[0] == 'y')
            return true;
    }
    return false;
}

Result<std::vector<LayerChange>> list_changes(ChangeSource const& source)
{
    Tree tree = TRY_CTX(Tree::open(source.dir), "changes in " + source.dir);
    ChangeFinder finder(tree, source);
    TRY_CTX(finder.walk(""), "changes in " + source.dir);
    return finder.take();
}

Result<PackedLayer> pack_changes(ChangeSource const& source, OwnerMap const& owners, ByteSink const& out)
{
    return pack_changes_at(source, owners, out, std::nullopt);
}

Result<PackedLayer> pack_changes_at(ChangeSource const& source, OwnerMap const& owners, ByteSink const& out, std::optional<int64_t> mtime)
{
    std::string what = "layer from " + source.dir;
    Tree tree = TRY_CTX(Tree::open(source.dir), what);
    ChangeFinder finder(tree, source);
    TRY_CTX(finder.walk(""), what);
    LayerWriter writer(out);
    TRY_CTX(writer.open(), what);
    Packer packer(tree, owners, writer, mtime);
    for (auto const& change : finder.take())
        TRY_CTX(packer.put(change), what);
    auto packed = TRY_CTX(writer.finish(), what);
    log::debug("packed {}: {} bytes, {} compressed", source.dir, packed.size, packed.blob_size);
    return packed;
}

} // namespace berth::store
