// Internal to the store: extraction of one layer blob into a directory,
// confined to that directory. See layer_unpack.cpp for how.
#pragma once

#include "base/error.h"
#include "image/digest.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::store {

enum class Whiteouts { Root, Rootless };   ///< trusted.overlay.* vs user.overlay.* xattrs

struct UnpackResult {
    image::Digest diff_id;   ///< sha256 of the whole uncompressed tar stream
    int64_t size = 0;        ///< bytes in the uncompressed tar stream
};

/// Decompresses `blob_path` (gzip, zstd, bzip2, xz or none, by content) and extracts the tar
/// into `root_dir`, never creating or following anything outside it. Errors name the entry.
Result<UnpackResult> unpack_layer(std::string const& blob_path, std::string const& root_dir, Whiteouts whiteouts);
/// The same from an open file, pipe or socket (read to the end of the compressed stream, not
/// necessarily to EOF); `blob_path` names it in errors.
Result<UnpackResult> unpack_layer_fd(int blob_fd, std::string const& blob_path, std::string const& root_dir, Whiteouts whiteouts);

/// Supplies a compressed layer piece by piece: each call returns the next piece, which stays
/// valid until the next call; an empty piece at the end.
using ChunkReader = std::function<Result<std::string_view>()>;
/// A ChunkReader over a file descriptor, reading into a buffer of its own.
ChunkReader fd_chunk_reader(int fd);
/// The same from a ChunkReader (read to the end of the compressed stream, not necessarily to
/// the reader's end); `name` names the stream in errors.
Result<UnpackResult> unpack_layer_stream(ChunkReader const& read, std::string const& name, std::string const& root_dir,
    Whiteouts whiteouts);

/// Splits a tar entry name into components relative to the layer root: leading "/" and "./"
/// are dropped, "." and empty components skipped, ".." pops a component. nullopt when a ".."
/// would climb above the root. An empty vector names the root itself.
std::optional<std::vector<std::string>> normalize_entry_path(std::string_view name);

} // namespace berth::store
