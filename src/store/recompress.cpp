// recompress (recompress.h): libarchive's raw format reads the blob through
// whatever filter its first bytes name and writes the bytes again through the
// asked one; the new blob's digest is computed as it is written.
#include "store/recompress.h"

#include <optional>

namespace berth::store {

Result<Compression> parse_compression(std::string_view text)
{
    if (text == "gzip")
        return Compression::Gzip;
    if (text == "zstd")
        return Compression::Zstd;
    return Error { EINVAL, "--compression-format: unknown compression \"" + std::string(text) + "\": use gzip or zstd" };
}

std::optional<Compression> compression_of(std::string_view media_type)
{
    if (media_type.ends_with("+gzip") || media_type.ends_with(".tar.gzip"))
        return Compression::Gzip;
    if (media_type.ends_with("+zstd"))
        return Compression::Zstd;
    return std::nullopt;
}

Result<RecompressedBlob> recompress_blob(BlobStore& blobs, image::Digest const& digest, Compression to, int level)
{
    std::string what = "recompress blob " + digest.str();
    BlobWriter writer = TRY_CTX(blobs.begin_write(), what);
    RecompressedBlob blob;
    image::Sha256 hash;
    archive::ByteSink out = [&](char const* bytes, size_t size) -> ErrorOr {
        TRY(writer.write(bytes, size));
        hash.update(bytes, size);
        blob.size += static_cast<int64_t>(size);
        return {};
    };
    auto compressor = TRY(archive::Compressor::open(to, level, out)); // a bad level names the flag alone
    TRY_CTX(archive::decompress_file(blobs.path(digest), [&](char const* bytes, size_t size) { return compressor.write(bytes, size); }), what);
    TRY_CTX(compressor.finish(), what);
    blob.digest = hash.finish();
    TRY_CTX(writer.commit(blob.digest, blob.size), what);
    return blob;
}

} // namespace berth::store
