// A layer blob in another compression (push --compression-format): the stored
// blob is decompressed and compressed again into a new blob of the store, so
// that a push can upload it and a later push finds it there.
#pragma once

#include "archive/streams.h"
#include "base/error.h"
#include "image/digest.h"
#include "store/blob_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::store {

using archive::Compression;

/// "gzip" or "zstd"; an error naming --compression-format otherwise.
Result<Compression> parse_compression(std::string_view text);

/// The compression a layer media type says ("+gzip", ".tar.gzip" -> Gzip, "+zstd" -> Zstd);
/// nullopt for an uncompressed or unknown type.
std::optional<Compression> compression_of(std::string_view media_type);

struct RecompressedBlob {
    image::Digest digest;
    int64_t size = 0;
};

/// The blob `digest` (any compression libarchive reads, or none) as a new blob compressed
/// with `to` at `level` (-1: the compressor's default; gzip 1-9, zstd 1-19). The caller
/// holds Store::protect_new_content() until the blob is referenced or no longer needed.
Result<RecompressedBlob> recompress_blob(BlobStore& blobs, image::Digest const& digest, Compression to, int level);

} // namespace berth::store
