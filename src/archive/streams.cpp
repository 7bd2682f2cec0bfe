// streams.h: libarchive's writers and readers set up once. A writer into a
// ByteSink keeps the sink's own error, which is what a caller wants to see
// rather than libarchive's "write callback failed".
#include "archive/streams.h"

#include <optional>
#include <vector>

namespace berth::archive {

namespace {

/// A writer's state, at a fixed address for libarchive's callback.
struct SinkState {
    Writer writer;
    ByteSink const* sink = nullptr;
    std::optional<Error> sink_error;

    static la_ssize_t write(struct archive*, void* data, void const* bytes, size_t size)
    {
        auto& self = *static_cast<SinkState*>(data);
        if (auto written = (*self.sink)(static_cast<char const*>(bytes), size); !written) {
            if (!self.sink_error)
                self.sink_error = std::move(written).error();
            return -1;
        }
        return static_cast<la_ssize_t>(size);
    }

    Error failure(std::string const& what)
    {
        if (sink_error)
            return Error(*sink_error).with_context(what);
        return error(writer.get(), what);
    }
};

} // namespace

Entry root_entry(std::string_view name, unsigned type, unsigned perm, int64_t size, int64_t mtime)
{
    Entry e = new_entry();
    std::string path(name);
    archive_entry_set_pathname(e.get(), path.c_str());
    archive_entry_set_filetype(e.get(), type);
    archive_entry_set_perm(e.get(), perm);
    archive_entry_set_size(e.get(), size);
    archive_entry_set_mtime(e.get(), mtime, 0);
    return e;
}

// ---- TarWriter

struct TarWriter::State : SinkState { };

TarWriter::TarWriter(std::unique_ptr<State> state) : m(std::move(state)) {}
TarWriter::TarWriter(TarWriter&&) noexcept = default;
TarWriter& TarWriter::operator=(TarWriter&&) noexcept = default;
TarWriter::~TarWriter() = default;

Error TarWriter::failure(std::string const& what) { return m->failure(what); }

std::unique_ptr<TarWriter::State> TarWriter::pax_state(Padding padding, ByteSink const* sink)
{
    auto state = std::make_unique<State>();
    state->writer = new_writer();
    state->sink = sink;
    archive_write_set_format_pax_restricted(state->writer.get());
    if (padding == Padding::None)
        archive_write_set_bytes_in_last_block(state->writer.get(), 1);
    return state;
}

Result<TarWriter> TarWriter::to_fd(int fd, Padding padding)
{
    auto state = pax_state(padding, nullptr);
    if (archive_write_open_fd(state->writer.get(), fd) != ARCHIVE_OK)
        return error(state->writer.get(), "open tar output");
    return TarWriter(std::move(state));
}

Result<TarWriter> TarWriter::to_sink(ByteSink const& sink, Padding padding)
{
    auto state = pax_state(padding, &sink);
    if (archive_write_open(state->writer.get(), state.get(), nullptr, &SinkState::write, nullptr) != ARCHIVE_OK)
        return state->failure("open tar stream");
    return TarWriter(std::move(state));
}

ErrorOr TarWriter::header(struct archive_entry* entry, std::string_view name)
{
    if (archive_write_header(m->writer.get(), entry) != ARCHIVE_OK)
        return failure("write tar entry \"" + std::string(name) + "\"");
    return {};
}

ErrorOr TarWriter::data(void const* bytes, size_t size, std::string_view name)
{
    if (size && archive_write_data(m->writer.get(), bytes, size) != static_cast<la_ssize_t>(size))
        return failure("write \"" + std::string(name) + "\"");
    return {};
}

ErrorOr TarWriter::file(std::string_view name, unsigned perm, std::string_view content, int64_t mtime)
{
    Entry e = root_entry(name, AE_IFREG, perm, static_cast<int64_t>(content.size()), mtime);
    TRY(header(e.get(), name));
    return data(content.data(), content.size(), name);
}

ErrorOr TarWriter::directory(std::string_view name, unsigned perm, int64_t mtime)
{
    std::string path = std::string(name) + (name.ends_with('/') ? "" : "/");
    Entry e = root_entry(path, AE_IFDIR, perm, 0, mtime);
    return header(e.get(), path);
}

ErrorOr TarWriter::finish()
{
    if (archive_write_close(m->writer.get()) != ARCHIVE_OK)
        return failure("finish tar stream");
    return {};
}

// ---- Compressor

struct Compressor::State : SinkState { };

Compressor::Compressor(std::unique_ptr<State> state) : m(std::move(state)) {}
Compressor::Compressor(Compressor&&) noexcept = default;
Compressor& Compressor::operator=(Compressor&&) noexcept = default;
Compressor::~Compressor() = default;

Error Compressor::failure(std::string const& what) { return m->failure(what); }

Result<Compressor> Compressor::open(Compression compression, int level, ByteSink const& sink)
{
    auto state = std::make_unique<State>();
    state->writer = new_writer();
    state->sink = &sink;
    struct archive* a = state->writer.get();
    char const* filter = compression == Compression::Zstd ? "zstd" : "gzip";
    archive_write_set_format_raw(a);
    int added = compression == Compression::Zstd ? archive_write_add_filter_zstd(a) : archive_write_add_filter_gzip(a);
    if (added != ARCHIVE_OK)
        return error(a, std::string("start a ") + filter + " stream");
    if (compression == Compression::Gzip) // no time in the header: the same input always makes the same blob
        archive_write_set_filter_option(a, filter, "timestamp", nullptr);
    if (level >= 0) {
        std::string value = std::to_string(level);
        if (archive_write_set_filter_option(a, filter, "compression-level", value.c_str()) != ARCHIVE_OK)
            return Error { EINVAL, "--compression-level " + value + " is out of range for " + filter };
    }
    archive_write_set_bytes_per_block(a, 0); // no padding after the stream
    if (archive_write_open(a, state.get(), nullptr, &SinkState::write, nullptr) != ARCHIVE_OK)
        return state->failure(std::string("open a ") + filter + " stream");
    // The raw format takes one entry, whose data is the stream.
    Entry raw = root_entry("data", AE_IFREG, 0644, 0, 0);
    if (archive_write_header(a, raw.get()) != ARCHIVE_OK)
        return state->failure(std::string("start a ") + filter + " stream");
    return Compressor(std::move(state));
}

ErrorOr Compressor::write(void const* bytes, size_t size)
{
    if (size && archive_write_data(m->writer.get(), bytes, size) != static_cast<la_ssize_t>(size))
        return failure("compress");
    return {};
}

ErrorOr Compressor::finish()
{
    if (archive_write_close(m->writer.get()) != ARCHIVE_OK)
        return failure("finish the compressed stream");
    return {};
}

// ---- readers

ErrorOr decompress_file(std::string const& path, ByteSink const& sink)
{
    std::string what = "decompress " + path;
    Reader reader = new_reader();
    struct archive* a = reader.get();
    support_filters(a);
    archive_read_support_format_raw(a);
    if (archive_read_open_filename(a, path.c_str(), 1 << 20) != ARCHIVE_OK)
        return error(a, what);
    struct archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF) // an empty file: no bytes
        return {};
    if (rc < ARCHIVE_WARN)
        return error(a, what);
    std::vector<char> buf(1 << 20);
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
        if (n < 0)
            return error(a, what);
        if (n == 0)
            return {};
        TRY(sink(buf.data(), static_cast<size_t>(n))); // the sink's own error, as it is
    }
}

namespace {

Reader tar_reader()
{
    Reader reader = new_reader();
    support_filters(reader.get());
    archive_read_support_format_tar(reader.get());
    return reader;
}

} // namespace

Result<Reader> open_tar(int fd, std::string const& what)
{
    Reader reader = tar_reader();
    if (archive_read_open_fd(reader.get(), fd, 1 << 20) != ARCHIVE_OK)
        return error(reader.get(), what);
    return reader;
}

Result<Reader> open_tar_file(std::string const& path, std::string const& what)
{
    Reader reader = tar_reader();
    if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 20) != ARCHIVE_OK)
        return error(reader.get(), what);
    return reader;
}

} // namespace berth::archive
