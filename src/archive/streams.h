// Every stream berth writes or reads through libarchive, in one place: pax
// tar streams (layers, save, cp out, the infra image), gzip/zstd streams
// (layer blobs, push --compression-format), decompression of blobs and
// archives, and tar input (load, cp in). Callers deal in entries and bytes;
// libarchive's handles, callbacks and error strings stay in this module.
#pragma once

#include "archive/handle.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace berth::archive {

/// Where a writer's bytes go: a callback that takes all of them or fails.
using ByteSink = std::function<ErrorOr(char const*, size_t)>;

/// An entry owned by root (uid and gid 0) of file type `type` (AE_IFREG, AE_IFDIR...).
Entry root_entry(std::string_view name, unsigned type, unsigned perm, int64_t size, int64_t mtime = 0);

/// A pax tar stream (libarchive's "pax restricted": ustar, with pax headers
/// only where a name, an id, a time or an xattr needs them).
class TarWriter {
public:
    /// Record: padded to tar(1)'s 10 KiB records. None: ends with the two zero
    /// blocks, as a layer must for its digest not to depend on the writer.
    enum class Padding { Record, None };

    static Result<TarWriter> to_fd(int fd, Padding padding = Padding::Record);
    /// `sink` must outlive the writer.
    static Result<TarWriter> to_sink(ByteSink const& sink, Padding padding = Padding::None);

    TarWriter(TarWriter&&) noexcept;
    TarWriter& operator=(TarWriter&&) noexcept;
    ~TarWriter();

    /// The header of `entry` (`name` is for errors); a regular file's
    /// archive_entry_size bytes follow through data().
    ErrorOr header(struct archive_entry* entry, std::string_view name);
    ErrorOr data(void const* bytes, size_t size, std::string_view name);
    /// A root-owned regular file `name` of mode `perm` and mtime `mtime` holding `content`.
    ErrorOr file(std::string_view name, unsigned perm, std::string_view content, int64_t mtime = 0);
    /// A root-owned directory `name` ("/" is added) of mode `perm` and mtime `mtime`.
    ErrorOr directory(std::string_view name, unsigned perm, int64_t mtime = 0);
    /// Writes the end of the archive; the writer is done after it.
    ErrorOr finish();

private:
    struct State;
    explicit TarWriter(std::unique_ptr<State> state);
    /// A pax writer's state, not yet opened; `sink` is null for an fd.
    static std::unique_ptr<State> pax_state(Padding padding, ByteSink const* sink);
    Error failure(std::string const& what);
    std::unique_ptr<State> m;
};

enum class Compression { Gzip, Zstd };

/// One compressed stream (no archive format around it) into a sink. Gzip
/// writes no time in its header, so the same input makes the same bytes.
class Compressor {
public:
    /// `level` -1 is the compressor's default (gzip 1-9, zstd 1-19); one out of
    /// range is an error naming --compression-level. `sink` must outlive the compressor.
    static Result<Compressor> open(Compression compression, int level, ByteSink const& sink);

    Compressor(Compressor&&) noexcept;
    Compressor& operator=(Compressor&&) noexcept;
    ~Compressor();

    ErrorOr write(void const* bytes, size_t size);
    /// Flushes the end of the stream; the compressor is done after it.
    ErrorOr finish();

private:
    struct State;
    explicit Compressor(std::unique_ptr<State> state);
    Error failure(std::string const& what);
    std::unique_ptr<State> m;
};

/// The bytes of the file at `path`, decompressed if its first bytes name
/// gzip, zstd, bzip2 or xz, fed to `sink`. Errors reading say "decompress
/// PATH: ..."; the sink's errors come back unchanged.
ErrorOr decompress_file(std::string const& path, ByteSink const& sink);

/// A reader of a tar stream (ustar, pax, GNU), compressed or not, from an
/// open file descriptor or from a file. An error (no tar) is "what: <why>".
Result<Reader> open_tar(int fd, std::string const& what);
Result<Reader> open_tar_file(std::string const& path, std::string const& what);

} // namespace berth::archive
