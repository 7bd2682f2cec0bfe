#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "archive/streams.h"
#include "base/fs.h"
#include "base/sys.h"

#include <fcntl.h>
#include "base/temp_dir.h"

#include <map>
#include <string>

using namespace berth;
using namespace berth::archive;

namespace {

/// name -> (type, content) of every entry of the tar at `path`.
std::map<std::string, std::pair<unsigned, std::string>> read_tar(std::string const& path)
{
    std::map<std::string, std::pair<unsigned, std::string>> out;
    auto reader = open_tar_file(path, "read " + path);
    REQUIRE(reader);
    struct archive_entry* e = nullptr;
    while (archive_read_next_header(reader->get(), &e) == ARCHIVE_OK) {
        std::string content;
        char buf[4096];
        la_ssize_t n;
        while ((n = archive_read_data(reader->get(), buf, sizeof buf)) > 0)
            content.append(buf, static_cast<size_t>(n));
        CHECK(archive_entry_uid(e) == 0);
        out[archive_entry_pathname(e)] = { archive_entry_filetype(e) | archive_entry_perm(e), content };
    }
    return out;
}

ByteSink append_to(std::string& out)
{
    return [&out](char const* bytes, size_t size) -> ErrorOr {
        out.append(bytes, size);
        return {};
    };
}

} // namespace

TEST_CASE("a tar written to a sink reads back, unpadded, entry for entry")
{
    auto dir = TempDir::create("/tmp", "archive-test-");
    REQUIRE(dir);
    std::string bytes;
    ByteSink sink = append_to(bytes);
    auto tar = TarWriter::to_sink(sink);
    REQUIRE(tar);
    REQUIRE(tar->directory("etc", 0755));
    REQUIRE(tar->file("etc/hostname", 0644, "box\n", 1700000000));
    REQUIRE(tar->file("bin/tool", 0755, std::string(100000, 'x')));
    REQUIRE(tar->finish());
    CHECK(bytes.size() % 512 == 0);
    CHECK(bytes.size() % 10240 != 0); // Padding::None: ends after the two zero blocks
    std::string path = fs::join(dir->path(), "out.tar");
    REQUIRE(fs::write_file_replace(path, bytes));

    auto entries = read_tar(path);
    REQUIRE(entries.size() == 3);
    CHECK(entries["etc/"].first == (AE_IFDIR | 0755));
    CHECK(entries["etc/hostname"] == std::pair<unsigned, std::string>(AE_IFREG | 0644, "box\n"));
    CHECK(entries["bin/tool"].second.size() == 100000);
}

TEST_CASE("a tar written to an fd reads back compressed with gzip and zstd")
{
    auto dir = TempDir::create("/tmp", "archive-test-");
    REQUIRE(dir);
    std::string path = fs::join(dir->path(), "out.tar");
    {
        auto fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd);
        auto tar = TarWriter::to_fd(fd->get());
        REQUIRE(tar);
        REQUIRE(tar->file("a", 0600, "alpha"));
        REQUIRE(tar->finish());
    }
    auto plain = fs::read_file(path);
    REQUIRE(plain);
    CHECK(plain->size() % 512 == 0);

    for (auto compression : { Compression::Gzip, Compression::Zstd }) {
        std::string packed;
        ByteSink sink = append_to(packed);
        auto c = Compressor::open(compression, -1, sink);
        REQUIRE(c);
        REQUIRE(c->write(plain->data(), plain->size()));
        REQUIRE(c->finish());
        CHECK(packed != *plain);
        std::string zpath = path + (compression == Compression::Gzip ? ".gz" : ".zst");
        REQUIRE(fs::write_file_replace(zpath, packed));
        auto entries = read_tar(zpath);
        CHECK(entries["a"].second == "alpha");

        std::string back;
        REQUIRE(decompress_file(zpath, append_to(back)));
        CHECK(back == *plain);
    }
}

TEST_CASE("gzip output is the same for the same input (no time in the header)")
{
    std::string a, b;
    ByteSink sa = append_to(a), sb = append_to(b);
    for (auto* sink : { &sa, &sb }) {
        auto c = Compressor::open(Compression::Gzip, 6, *sink);
        REQUIRE(c);
        REQUIRE(c->write("same bytes", 10));
        REQUIRE(c->finish());
    }
    CHECK(a == b);
    CHECK(a.size() > 10);
}

TEST_CASE("a sink's own error is what a writer reports")
{
    ByteSink failing = [](char const*, size_t) -> ErrorOr { return Error { ENOSPC, "disk full" }; };
    auto c = Compressor::open(Compression::Gzip, -1, failing);
    ErrorOr done = c ? ErrorOr {} : ErrorOr { c.error() };
    if (c) {
        std::string big(1 << 20, 'y');
        done = c->write(big.data(), big.size());
        if (done)
            done = c->finish();
    }
    REQUIRE(!done);
    CHECK(done.error().message.find("disk full") != std::string::npos);

    auto bad_level = [&] { ByteSink sink = [](char const*, size_t) -> ErrorOr { return {}; }; return Compressor::open(Compression::Gzip, 42, sink); }();
    REQUIRE(!bad_level);
    CHECK(bad_level.error().message.find("--compression-level 42") != std::string::npos);
}

TEST_CASE("decompress_file passes bytes through unchanged when no safe filter claims them")
{
    auto dir = TempDir::create("/tmp", "archive-test-");
    REQUIRE(dir);
    // lrzip's magic: libarchive's filter_all would run the external lrzip program on it.
    std::string bytes = std::string("LRZI\x00\x06", 6) + std::string(64, 'z');
    std::string path = fs::join(dir->path(), "x.lrz");
    REQUIRE(fs::write_file_replace(path, bytes));
    std::string back;
    REQUIRE(decompress_file(path, append_to(back)));
    CHECK(back == bytes);

    std::string empty_path = fs::join(dir->path(), "empty");
    REQUIRE(fs::write_file_replace(empty_path, ""));
    std::string none;
    auto empty = decompress_file(empty_path, append_to(none));
    REQUIRE(!empty); // no stream at all: not even the raw format takes it
    CHECK(empty.error().message.find("decompress " + empty_path) == 0);

    CHECK(!decompress_file(fs::join(dir->path(), "missing"), append_to(none)));
}
