// Test support (unit tests only): builds layer tars in memory with
// libarchive's writer, compresses them, and opens a throw-away store.
#pragma once

#include "base/temp_dir.h"
#include "image/digest.h"
#include "archive/streams.h"
#include "store/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace berth::store::test {

struct TarEntry {
    enum class Type { File, Dir, Symlink, Hardlink, CharDevice, Fifo };
    std::string name;
    Type type = Type::File;
    std::string data;          ///< file content
    std::string link;          ///< symlink or hard link target
    unsigned mode = 0644;
    int64_t uid = ::geteuid(), gid = ::getegid(); ///< ours, so tests also run unprivileged
    dev_t rdev = 0;
    int64_t mtime = 1700000000;
    std::vector<std::pair<std::string, std::string>> xattrs;
};

inline TarEntry file(std::string name, std::string data, unsigned mode = 0644)
{
    return TarEntry { std::move(name), TarEntry::Type::File, std::move(data), {}, mode };
}
inline TarEntry dir(std::string name, unsigned mode = 0755) { return TarEntry { std::move(name), TarEntry::Type::Dir, {}, {}, mode }; }
inline TarEntry symlink_entry(std::string name, std::string target)
{
    return TarEntry { std::move(name), TarEntry::Type::Symlink, {}, std::move(target), 0777 };
}
inline TarEntry hardlink_entry(std::string name, std::string target)
{
    return TarEntry { std::move(name), TarEntry::Type::Hardlink, {}, std::move(target), 0644 };
}

/// A sink that appends to `out`.
inline archive::ByteSink append_to(std::string& out)
{
    return [&out](char const* data, size_t size) -> ErrorOr {
        out.append(data, size);
        return {};
    };
}

/// An uncompressed pax tar of the entries.
inline std::string make_tar(std::vector<TarEntry> const& entries)
{
    std::string out;
    archive::ByteSink sink = append_to(out);
    auto writer = archive::TarWriter::to_sink(sink, archive::TarWriter::Padding::Record);
    REQUIRE(writer);
    for (auto const& entry : entries) {
        archive::Entry owned = archive::new_entry();
        struct archive_entry* e = owned.get();
        archive_entry_set_pathname(e, entry.name.c_str());
        archive_entry_set_uid(e, entry.uid);
        archive_entry_set_gid(e, entry.gid);
        archive_entry_set_mtime(e, entry.mtime, 0);
        archive_entry_set_perm(e, entry.mode);
        for (auto const& [k, v] : entry.xattrs)
            archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
        switch (entry.type) {
        case TarEntry::Type::File:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, static_cast<la_int64_t>(entry.data.size()));
            break;
        case TarEntry::Type::Dir: archive_entry_set_filetype(e, AE_IFDIR); break;
        case TarEntry::Type::Symlink:
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, entry.link.c_str());
            break;
        case TarEntry::Type::Hardlink:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, entry.link.c_str());
            archive_entry_set_size(e, 0);
            break;
        case TarEntry::Type::CharDevice:
            archive_entry_set_filetype(e, AE_IFCHR);
            archive_entry_set_rdev(e, entry.rdev);
            break;
        case TarEntry::Type::Fifo: archive_entry_set_filetype(e, AE_IFIFO); break;
        }
        REQUIRE(writer->header(e, entry.name));
        if (entry.type == TarEntry::Type::File)
            REQUIRE(writer->data(entry.data.data(), entry.data.size(), entry.name));
    }
    REQUIRE(writer->finish());
    return out;
}

enum class Compression { None, Gzip, Zstd };

/// Compresses bytes as a single raw stream (so the decompressed bytes are exactly `data`).
inline std::string compress(std::string const& data, Compression c)
{
    if (c == Compression::None)
        return data;
    std::string out;
    archive::ByteSink sink = append_to(out);
    auto compressor = archive::Compressor::open(c == Compression::Gzip ? archive::Compression::Gzip : archive::Compression::Zstd, -1, sink);
    REQUIRE(compressor);
    REQUIRE(compressor->write(data.data(), data.size()));
    REQUIRE(compressor->finish());
    return out;
}

/// A store in a fresh temporary directory.
struct TestStore {
    TempDir dir;
    std::unique_ptr<Store> store;

    explicit TestStore(bool rootless = false) : dir(TempDir::create("/tmp", "berth-store-test-").release_value())
    {
        auto opened = Store::open(options(rootless));
        REQUIRE_MESSAGE(opened.has_value(), (opened.has_value() ? "" : opened.error().message));
        store = std::move(opened.value());
    }
    StoreOptions options(bool rootless = false) const { return { dir.path() + "/data", dir.path() + "/run", rootless }; }
    std::string data() const { return dir.path() + "/data"; }
};

/// Stores `blob` and extracts it; returns the result of create_from_blob.
inline Result<LayerInfo> add_layer(Store& store, std::string const& blob, image::Digest const& expected_diff_id,
    std::string const& media_type = "application/vnd.oci.image.layer.v1.tar+gzip")
{
    image::Digest digest = TRY(store.blobs().put(blob));
    return store.layers().create_from_blob(store.blobs().path(digest), digest, media_type, expected_diff_id);
}

/// Tar entries -> (compressed blob, diff id).
inline std::pair<std::string, image::Digest> layer_blob(std::vector<TarEntry> const& entries, Compression c = Compression::Gzip)
{
    std::string tar = make_tar(entries);
    return { compress(tar, c), image::Digest::sha256_of(tar) };
}

inline bool lexists(std::string const& path)
{
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

} // namespace berth::store::test
