// recompress (recompress.h): libarchive's raw format reads the blob through
// whatever filter its first bytes name and writes the bytes again through the
// asked one; the new blob's digest is computed as it is written.
#include "store/recompress.h"

#include "store/archive_handle.h"

#include <archive_entry.h>
#include <optional>
#include <vector>

namespace berth::store {

namespace {

struct Sink {
    BlobWriter* writer;
    image::Sha256 hash;
    int64_t size = 0;
    std::optional<Error> error;

    static la_ssize_t write(struct archive*, void* data, void const* buf, size_t n)
    {
        auto& self = *static_cast<Sink*>(data);
        if (auto r = self.writer->write(static_cast<char const*>(buf), n); !r) {
            self.error = r.error();
            return -1;
        }
        self.hash.update(static_cast<char const*>(buf), n);
        self.size += static_cast<int64_t>(n);
        return static_cast<la_ssize_t>(n);
    }
};

} // namespace

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
    ArchiveReader in = new_archive_reader();
    archive_read_support_filter_all(in.get());
    archive_read_support_format_raw(in.get());
    if (archive_read_open_filename(in.get(), blobs.path(digest).c_str(), 1 << 16) != ARCHIVE_OK)
        return archive_error(in.get(), what);
    struct archive_entry* entry = nullptr;
    if (archive_read_next_header(in.get(), &entry) != ARCHIVE_OK)
        return archive_error(in.get(), what);

    BlobWriter writer = TRY_CTX(blobs.begin_write(), what);
    Sink sink { &writer, {}, 0, {} };
    ArchiveWriter out = new_archive_writer();
    archive_write_set_format_raw(out.get());
    char const* filter = to == Compression::Zstd ? "zstd" : "gzip";
    if ((to == Compression::Zstd ? archive_write_add_filter_zstd(out.get()) : archive_write_add_filter_gzip(out.get())) != ARCHIVE_OK)
        return archive_error(out.get(), what);
    if (to == Compression::Gzip)
        archive_write_set_filter_option(out.get(), filter, "timestamp", nullptr);
    if (level >= 0) {
        std::string value = std::to_string(level);
        if (archive_write_set_filter_option(out.get(), filter, "compression-level", value.c_str()) != ARCHIVE_OK)
            return Error { EINVAL, "--compression-level " + value + " is out of range for " + filter };
    }
    archive_write_set_bytes_per_block(out.get(), 0);
    if (archive_write_open(out.get(), &sink, nullptr, &Sink::write, nullptr) != ARCHIVE_OK)
        return archive_error(out.get(), what);
    struct archive_entry* raw = archive_entry_new();
    archive_entry_set_pathname(raw, "layer.tar");
    archive_entry_set_filetype(raw, AE_IFREG);
    int started = archive_write_header(out.get(), raw);
    archive_entry_free(raw);
    if (started != ARCHIVE_OK)
        return archive_error(out.get(), what);
    std::vector<char> buf(1 << 20);
    for (;;) {
        la_ssize_t n = archive_read_data(in.get(), buf.data(), buf.size());
        if (n < 0)
            return archive_error(in.get(), what);
        if (n == 0)
            break;
        if (archive_write_data(out.get(), buf.data(), static_cast<size_t>(n)) != n)
            return sink.error ? std::move(*sink.error).with_context(what) : archive_error(out.get(), what);
    }
    if (archive_write_close(out.get()) != ARCHIVE_OK)
        return sink.error ? std::move(*sink.error).with_context(what) : archive_error(out.get(), what);
    RecompressedBlob blob { sink.hash.finish(), sink.size };
    TRY_CTX(writer.commit(blob.digest, blob.size), what);
    return blob;
}

} // namespace berth::store
