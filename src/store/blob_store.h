// Content-addressed blobs under data_dir/blobs/sha256/<hex>: manifests,
// configs and compressed layers. A blob is written to a temporary file
// (blobs/sha256/.tmp-XXXXXX), hashed while it is written, fsync'd, checked
// against the digest it should have and only then renamed to its final name,
// so a name under blobs/sha256/ always holds exactly the content it names.
// The writer holds an flock on its temporary file, so repair() in another
// process can tell a live download from the leftovers of a killed one.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"
#include "image/digest.h"
#include "store/check.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::store {

/// Streams one blob into the store. Move-only; the temporary file is removed unless committed.
class BlobWriter {
public:
    BlobWriter(BlobWriter&& other) noexcept;
    BlobWriter& operator=(BlobWriter&&) = delete;
    BlobWriter(BlobWriter const&) = delete;
    ~BlobWriter();

    ErrorOr write(char const* data, size_t size);
    ErrorOr write(std::string_view data) { return write(data.data(), data.size()); }
    /// Bytes written so far.
    int64_t size() const { return m_size; }
    /// fsyncs, checks sha256 (and the size if expected_size >= 0) against `expected`, renames to
    /// blobs/sha256/<hex> and returns that path. On a mismatch the error is
    /// `digest mismatch for <expected>: got <actual>` and the temporary file is removed.
    Result<std::string> commit(image::Digest const& expected, int64_t expected_size = -1);
    /// The first half of commit(): checks the digest and size and fsyncs, but leaves the
    /// temporary name, so a caller can make the data durable while it still verifies something
    /// else, then commit() with the same arguments (which only renames). Fails like commit().
    ErrorOr seal(image::Digest const& expected, int64_t expected_size = -1);
    /// Path of the temporary file (for diagnostics).
    std::string const& temp_path() const { return m_temp_path; }

private:
    friend class BlobStore;
    BlobWriter(std::string dir, std::string temp_path, UniqueFd fd)
        : m_dir(std::move(dir)), m_temp_path(std::move(temp_path)), m_fd(std::move(fd)) {}
    void discard();

    std::string m_dir;
    std::string m_temp_path;
    UniqueFd m_fd;   // also holds the flock that marks the temporary file as live
    image::Sha256 m_hasher;
    int64_t m_size = 0;
    int64_t m_flushed = 0;   // bytes handed to writeback already (sync_file_range)
    bool m_sealed = false;
    image::Digest m_expected;   // what seal() verified
    bool m_done = false;
};

class WriterMarks;

class BlobStore {
public:
    /// `dir` is data_dir/blobs; blobs live in dir/sha256/.
    explicit BlobStore(std::string dir) : m_dir(std::move(dir)) {}
    /// Marks this process as a writer (see writer_marks.h) before its first blob write.
    void set_writer_marks(WriterMarks* marks) { m_marks = marks; }

    /// Starts a streaming write into a fresh temporary file.
    Result<BlobWriter> begin_write();
    /// Stores a small document (manifest, config) and returns its digest.
    Result<image::Digest> put(std::string_view data);
    bool has(image::Digest const& digest) const;
    /// data_dir/blobs/sha256/<hex> (whether or not it exists).
    std::string path(image::Digest const& digest) const;
    /// Reads a whole blob and re-verifies its digest. Use this where the blob is handed to someone else
    /// (save, push) or where a damaged store must be reported.
    Result<std::string> read(image::Digest const& digest) const;
    /// Reads a whole blob without hashing it: blobs only enter the store through a verifying BlobWriter
    /// and a rename, so this trusts the store as Podman does. For hot local reads (run, ps, inspect); it
    /// keeps OpenSSL out of those commands.
    Result<std::string> read_trusted(image::Digest const& digest) const;
    /// Removes a blob; a missing blob is fine.
    ErrorOr remove(image::Digest const& digest);
    /// Temporary files no live writer holds (leftovers of killed processes), by name; removed
    /// as well with Cleanup::Remove.
    Result<std::vector<std::string>> stale_temp_files(Cleanup cleanup);
    /// Hex names of all complete blobs.
    Result<std::vector<std::string>> list() const;

    std::string sha256_dir() const { return m_dir + "/sha256"; }

private:
    std::string m_dir;
    WriterMarks* m_marks = nullptr;
};

/// Refuses digests the store cannot hold (only sha256 is stored).
ErrorOr check_storable(image::Digest const& digest);

} // namespace berth::store
