// One owner for libarchive's handles, for every tar berth reads or writes
// (layers, save/load, import, cp). libarchive itself is loaded on first use
// (archive_stubs.cpp): a handle made while it is missing is null, and the
// first call on it stops berth with a message naming the package to install.
// The handles free themselves, and libarchive's errors become Errors here, so
// no caller handles archive_read_free/archive_write_free or a null message.
#pragma once

#include "base/error.h"

#include <archive.h>
#include <memory>
#include <string>

namespace berth::store {

struct ArchiveReadFree {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteFree {
    void operator()(struct archive* a) const { archive_write_free(a); }
};

/// A reader from archive_read_new(), freed (and closed) by archive_read_free().
using ArchiveReader = std::unique_ptr<struct archive, ArchiveReadFree>;
/// A writer from archive_write_new(), freed by archive_write_free(): call
/// archive_write_close() first to learn whether the end was written.
using ArchiveWriter = std::unique_ptr<struct archive, ArchiveWriteFree>;

inline ArchiveReader new_archive_reader() { return ArchiveReader(archive_read_new()); }
inline ArchiveWriter new_archive_writer() { return ArchiveWriter(archive_write_new()); }

/// libarchive's message for the last error on `a`, never null.
inline std::string archive_message(struct archive* a)
{
    char const* s = archive_error_string(a);
    return s ? s : "libarchive error";
}

/// "what: <libarchive's message>", with its errno when it has one.
inline Error archive_error(struct archive* a, std::string const& what)
{
    int code = archive_errno(a);
    return Error { code > 0 ? code : 0, what + ": " + archive_message(a) };
}

} // namespace berth::store
