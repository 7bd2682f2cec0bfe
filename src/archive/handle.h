// One owner for libarchive's handles, for every tar berth reads or writes
// (layers, save/load, import, cp). libarchive itself is loaded on first use
// (stubs.cpp): a handle made while it is missing is null, and the first call
// on it stops berth with a message naming the package to install. The handles
// free themselves, and libarchive's errors become Errors here, so no caller
// handles archive_read_free/archive_write_free or a null message.
#pragma once

#include "base/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <memory>
#include <string>

namespace berth::archive {

struct ReadFree {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteFree {
    void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryFree {
    void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

/// A reader from archive_read_new(), freed (and closed) by archive_read_free().
using Reader = std::unique_ptr<struct archive, ReadFree>;
/// A writer from archive_write_new(), freed by archive_write_free(): call
/// archive_write_close() first to learn whether the end was written.
using Writer = std::unique_ptr<struct archive, WriteFree>;
/// An entry from archive_entry_new().
using Entry = std::unique_ptr<struct archive_entry, EntryFree>;

inline Reader new_reader() { return Reader(archive_read_new()); }
inline Writer new_writer() { return Writer(archive_write_new()); }
inline Entry new_entry() { return Entry(archive_entry_new()); }

/// libarchive's message for the last error on `a`, never null.
inline std::string message(struct archive* a)
{
    char const* s = archive_error_string(a);
    return s ? s : "libarchive error";
}

/// "what: <libarchive's message>", with its errno when it has one.
inline Error error(struct archive* a, std::string const& what)
{
    int code = archive_errno(a);
    return Error { code > 0 ? code : 0, what + ": " + message(a) };
}

/// Lets `reader` decompress what berth reads: gzip, zstd, bzip2 and xz, by
/// their first bytes. Never libarchive's filter_all, which also runs external
/// programs (lrzip, lzop, grzip) on whatever a hostile file claims to be.
inline void support_filters(struct archive* reader)
{
    archive_read_support_filter_gzip(reader);
    archive_read_support_filter_zstd(reader);
    archive_read_support_filter_bzip2(reader);
    archive_read_support_filter_xz(reader);
}

} // namespace berth::archive
