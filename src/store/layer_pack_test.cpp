// Layer packing: overlay whiteouts and opaque directories become OCI's
// ".wh." entries, a vfs tree is diffed against its layers, owners go through
// the id map, and a packed layer extracts back to the same tree.
#include "base/fs.h"
#include "base/sys.h"
#include "store/layer_pack.h"
#include "store/layer_unpack.h"
#include "store/test_tar.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <map>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

using namespace berth;
using namespace berth::store;
using namespace berth::store::test;

namespace {

void write(std::string const& path, std::string const& text)
{
    REQUIRE(fs::mkdir_p(path.substr(0, path.rfind('/'))).has_value());
    REQUIRE(fs::write_file_replace(path, text).has_value());
}

/// Files below `root`: {relative path, content} each.
void write_files(std::string const& root, std::vector<std::pair<std::string, std::string>> const& files)
{
    for (auto const& [path, text] : files)
        write(root + "/" + path, text);
}

/// An overlay whiteout, or false where this process may not make one.
bool make_whiteout(std::string const& path) { return ::mknod(path.c_str(), S_IFCHR, makedev(0, 0)) == 0; }

/// Marks a directory opaque the way the kernel overlay does (trusted.* as root, else user.*).
bool mark_opaque(std::string const& dir)
{
    return ::lsetxattr(dir.c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0
        || ::lsetxattr(dir.c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
}

std::string describe(std::vector<LayerChange> const& changes)
{
    std::string out;
    for (auto const& c : changes)
        out += std::string(1, "ACD"[static_cast<int>(c.kind)]) + " " + c.path + (c.opaque ? " (opaque)" : "") + "\n";
    return out;
}

struct TarItem {
    std::string type;  // "file", "dir", "link", "hardlink"
    std::string data;  // content, link target
    unsigned mode = 0;
    int64_t uid = 0, gid = 0;
};

/// Entries of a gzip'd tar, by name (libarchive reads it back).
std::map<std::string, TarItem> read_layer(std::string const& blob)
{
    std::map<std::string, TarItem> out;
    archive::Reader reader = archive::new_reader();
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_tar(reader.get());
    REQUIRE(archive_read_open_memory(reader.get(), blob.data(), blob.size()) == ARCHIVE_OK);
    struct archive_entry* e = nullptr;
    while (archive_read_next_header(reader.get(), &e) == ARCHIVE_OK) {
        TarItem item;
        item.mode = archive_entry_perm(e);
        item.uid = archive_entry_uid(e);
        item.gid = archive_entry_gid(e);
        if (archive_entry_hardlink(e)) {
            item.type = "hardlink";
            item.data = archive_entry_hardlink(e);
        } else if (archive_entry_filetype(e) == AE_IFDIR) {
            item.type = "dir";
        } else if (archive_entry_filetype(e) == AE_IFLNK) {
            item.type = "link";
            item.data = archive_entry_symlink(e);
        } else {
            item.type = "file";
            std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
            archive_read_data(reader.get(), data.data(), data.size());
            item.data = data;
        }
        out[archive_entry_pathname(e)] = item;
    }
    return out;
}

struct Packed {
    PackedLayer layer;
    std::string blob;
};

Packed pack(ChangeSource const& source, OwnerMap const& owners = {})
{
    Packed p;
    auto packed = pack_changes(source, owners, [&](char const* data, size_t n) -> ErrorOr {
        p.blob.append(data, n);
        return {};
    });
    REQUIRE_MESSAGE(packed.has_value(), (packed ? "" : packed.error().message));
    p.layer = *packed;
    return p;
}

} // namespace

TEST_CASE("an overlay upper directory: whiteouts first, opaque directories, added and changed")
{
    TempDir tmp = TempDir::create("/tmp", "berth-pack-test-").release_value();
    std::string lower = tmp.path() + "/lower", upper = tmp.path() + "/upper";
    write_files(lower, { { "etc/passwd", "root\n" }, { "etc/group", "root\n" }, { "data/old/inner", "old\n" } });
    write_files(upper, { { "etc/passwd", "root\nuser\n" }, { "new.txt", "new\n" }, { "data/old/fresh", "fresh\n" } });
    bool devices = make_whiteout(upper + "/etc/group");
    if (!devices) // fuse-overlayfs's form where mknod is refused
        write(upper + "/etc/.wh.group", "");
    bool xattr = mark_opaque(upper + "/data/old");
    if (!xattr) // fuse-overlayfs's marker file
        write(upper + "/data/old/.wh..wh..opq", "");

    ChangeSource source { ChangeSource::Kind::OverlayUpper, upper, { lower } };
    auto changes = list_changes(source);
    REQUIRE(changes.has_value());
    CHECK(describe(*changes) == "C data\nC data/old (opaque)\nA data/old/fresh\nC etc\nD etc/group\nC etc/passwd\nA new.txt\n");

    Packed p = pack(source);
    auto tar = read_layer(p.blob);
    CHECK(tar.count("etc/.wh.group") == 1);
    CHECK(tar["etc/.wh.group"].type == "file");
    CHECK(tar.count("etc/group") == 0);
    CHECK(tar.count("data/old/.wh..wh..opq") == 1);
    CHECK(tar["etc/passwd"].data == "root\nuser\n");
    CHECK(tar["new.txt"].data == "new\n");
    CHECK(p.layer.blob_digest == image::Digest::sha256_of(p.blob));
    CHECK(p.layer.blob_size == static_cast<int64_t>(p.blob.size()));
    CHECK(p.layer.media_type == "application/vnd.oci.image.layer.v1.tar+gzip");
}

TEST_CASE("the diff id is the sha256 of the uncompressed tar, and it extracts back to the changes")
{
    TempDir tmp = TempDir::create("/tmp", "berth-pack-test-").release_value();
    std::string upper = tmp.path() + "/upper", out = tmp.path() + "/out";
    write(upper + "/bin/tool", "#!/bin/sh\n");
    REQUIRE(::chmod((upper + "/bin/tool").c_str(), 04755) == 0);
    REQUIRE(::link((upper + "/bin/tool").c_str(), (upper + "/bin/alias").c_str()) == 0);
    REQUIRE(::symlink("tool", (upper + "/bin/short").c_str()) == 0);
    bool devices = make_whiteout(upper + "/gone");
    struct timespec times[2] = { { 1600000000, 123456789 }, { 1600000000, 123456789 } };
    REQUIRE(::utimensat(AT_FDCWD, (upper + "/bin/tool").c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);

    Packed p = pack({ ChangeSource::Kind::OverlayUpper, upper, {} });
    auto tar = read_layer(p.blob);
    CHECK(tar["bin/alias"].type == "file");    // sorted first: the data goes with the first name
    CHECK(tar["bin/tool"].type == "hardlink");
    CHECK(tar["bin/tool"].data == "bin/alias");
    CHECK(tar["bin/short"].type == "link");
    CHECK(tar["bin/short"].data == "tool");
    CHECK(tar["bin/alias"].mode == 04755);

    // The diff id names exactly the uncompressed stream (what layer_unpack hashes).
    std::string blob_path = tmp.path() + "/blob";
    REQUIRE(fs::write_file_replace(blob_path, p.blob).has_value());
    REQUIRE(fs::mkdir_p(out).has_value());
    auto unpacked = unpack_layer(blob_path, out, ::geteuid() == 0 ? Whiteouts::Root : Whiteouts::Rootless);
    REQUIRE_MESSAGE(unpacked.has_value(), (unpacked ? "" : unpacked.error().message));
    CHECK(unpacked->diff_id == p.layer.diff_id);
    CHECK(unpacked->size == p.layer.size);
    CHECK(fs::read_file(out + "/bin/tool").value_or("") == "#!/bin/sh\n");
    struct stat a {}, b {};
    REQUIRE(::lstat((out + "/bin/tool").c_str(), &a) == 0);
    REQUIRE(::lstat((out + "/bin/alias").c_str(), &b) == 0);
    CHECK(a.st_ino == b.st_ino);
    CHECK(a.st_mtim.tv_sec == 1600000000);
    CHECK(a.st_mtim.tv_nsec == 0);  // whole seconds, as ustar headers hold them
    if (devices) {
        struct stat w {};
        REQUIRE(::lstat((out + "/gone").c_str(), &w) == 0);
        CHECK(is_whiteout(w));
    }
}

TEST_CASE("owners are mapped back to the container's ids")
{
    TempDir tmp = TempDir::create("/tmp", "berth-pack-test-").release_value();
    std::string upper = tmp.path() + "/upper";
    write(upper + "/f", "x");
    struct stat st {};
    REQUIRE(::lstat((upper + "/f").c_str(), &st) == 0);
    // As a private user namespace would: container id = on-disk id - 1000 (tests run as anyone).
    OwnerMap shift = [](uid_t u, gid_t g) { return std::pair<uid_t, gid_t> { u + 1000, g + 2000 }; };
    auto tar = read_layer(pack({ ChangeSource::Kind::OverlayUpper, upper, {} }, shift).blob);
    CHECK(tar["f"].uid == st.st_uid + 1000);
    CHECK(tar["f"].gid == st.st_gid + 2000);
    auto kept = read_layer(pack({ ChangeSource::Kind::OverlayUpper, upper, {} }).blob);
    CHECK(kept["f"].uid == st.st_uid);
}

TEST_CASE("a full tree (vfs) is diffed against the union of its layers")
{
    TempDir tmp = TempDir::create("/tmp", "berth-pack-test-").release_value();
    std::string l1 = tmp.path() + "/l1", l2 = tmp.path() + "/l2", tree = tmp.path() + "/tree";
    write_files(l1, { { "keep", "keep\n" }, { "edit", "v1\n" }, { "rm", "rm\n" }, { "hidden/x", "x\n" } });
    write(l2 + "/second", "2\n");
    bool devices = make_whiteout(l2 + "/hidden");
    // The tree: the union copied with metadata (as the vfs driver does), then changed.
    for (auto const& name : std::vector<std::string> { "keep", "edit", "rm" })
        write(tree + "/" + name, fs::read_file(l1 + "/" + name).value());
    write(tree + "/second", "2\n");
    if (!devices)
        write(tree + "/hidden/x", "x\n");
    for (auto const& [from, name] : std::vector<std::pair<std::string, std::string>> { { l1, "keep" }, { l1, "edit" }, { l1, "rm" }, { l2, "second" }, { l1, "." } }) {
        struct stat st {};
        REQUIRE(::lstat((from + "/" + name).c_str(), &st) == 0);
        struct timespec times[2] = { st.st_atim, st.st_mtim };
        REQUIRE(::utimensat(AT_FDCWD, (tree + "/" + name).c_str(), times, AT_SYMLINK_NOFOLLOW) == 0);
    }
    write(tree + "/edit", "v2, longer\n");
    REQUIRE(::unlink((tree + "/rm").c_str()) == 0);
    write(tree + "/added", "new\n");
    auto changes = list_changes({ ChangeSource::Kind::FullTree, tree, { l1, l2 } });
    REQUIRE(changes.has_value());
    // The root's mtime changed with the deletion; keep and second are untouched; hidden stays hidden.
    std::string got = describe(*changes);
    CHECK(got.find("D rm\n") != std::string::npos);
    CHECK(got.find("A added\n") != std::string::npos);
    CHECK(got.find("C edit\n") != std::string::npos);
    CHECK(got.find("keep") == std::string::npos);
    CHECK(got.find("second") == std::string::npos);
    CHECK(got.find("hidden") == std::string::npos);
    CHECK(got.find("D rm") < got.find("A added"));  // deletions first
}

TEST_CASE("Store::create_layer_from_changes stores the blob and a usable layer")
{
    TestStore ts(::geteuid() != 0);
    TempDir tmp = TempDir::create("/tmp", "berth-pack-test-").release_value();
    write(tmp.path() + "/upper/hello", "hi\n");
    auto layer = ts.store->create_layer_from_changes({ ChangeSource::Kind::OverlayUpper, tmp.path() + "/upper", {} });
    REQUIRE_MESSAGE(layer.has_value(), (layer ? "" : layer.error().message));
    CHECK(ts.store->blobs().has(layer->blob_digest));
    CHECK(ts.store->layers().has(layer->diff_id));
    CHECK(fs::read_file(ts.store->layers().diff_path(layer->diff_id) + "/hello").value_or("") == "hi\n");
    // The same changes again: the same layer, extracted once.
    auto again = ts.store->create_layer_from_changes({ ChangeSource::Kind::OverlayUpper, tmp.path() + "/upper", {} });
    REQUIRE(again.has_value());
    CHECK(again->diff_id == layer->diff_id);
    CHECK(ts.store->layers().extractions() == 1);
}
