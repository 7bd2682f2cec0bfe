#include "store/recompress.h"
#include "store/test_tar.h"

#include "base/fs.h"

#include <doctest/doctest.h>

namespace st = berth::store;
namespace tt = berth::store::test;

TEST_CASE("recompress: --compression-format gzip or zstd, and a media type's compression")
{
    CHECK((st::parse_compression("gzip").value() == st::Compression::Gzip));
    CHECK((st::parse_compression("zstd").value() == st::Compression::Zstd));
    auto bad = st::parse_compression("lz4");
    REQUIRE(!bad);
    CHECK(bad.error().message.starts_with("--compression-format: "));
    CHECK((st::compression_of("application/vnd.oci.image.layer.v1.tar+gzip") == st::Compression::Gzip));
    CHECK((st::compression_of("application/vnd.docker.image.rootfs.diff.tar.gzip") == st::Compression::Gzip));
    CHECK((st::compression_of("application/vnd.oci.image.layer.v1.tar+zstd") == st::Compression::Zstd));
    CHECK(!st::compression_of("application/vnd.oci.image.layer.v1.tar").has_value());
}

TEST_CASE("recompress: a gzip blob as zstd and back holds the same bytes; a bad level is refused")
{
    tt::TestStore ts;
    std::string tar = tt::make_tar({ tt::file("hello", "hi\n") });
    auto gz = ts.store->blobs().put(tt::compress(tar, tt::Compression::Gzip));
    REQUIRE(gz.has_value());
    auto zst = st::recompress_blob(ts.store->blobs(), *gz, st::Compression::Zstd, 3);
    REQUIRE_MESSAGE(zst.has_value(), (zst ? "" : zst.error().message));
    CHECK(ts.store->blobs().has(zst->digest));
    auto zst_bytes = berth::fs::read_file(ts.store->blobs().path(zst->digest)).value();
    CHECK(zst_bytes.starts_with("\x28\xb5\x2f\xfd"));
    CHECK(zst->size == static_cast<int64_t>(zst_bytes.size()));
    auto back = st::recompress_blob(ts.store->blobs(), zst->digest, st::Compression::Gzip, -1);
    REQUIRE(back.has_value());
    auto again = st::recompress_blob(ts.store->blobs(), zst->digest, st::Compression::Gzip, -1);
    REQUIRE(again.has_value());
    CHECK(again->digest == back->digest);  // no time in the gzip header: the same blob
    auto bad = st::recompress_blob(ts.store->blobs(), *gz, st::Compression::Gzip, 42);
    REQUIRE(!bad);
    CHECK(bad.error().message.find("--compression-level 42") != std::string::npos);
}
