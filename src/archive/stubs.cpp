// Forwarding stubs for the libarchive functions berth calls (store, engine and
// their tests): berth does not link libarchive, whose dependency chain (xml2,
// ICU, nettle, lzma, lz4, bz2, acl...) would slow the start of every command.
// Each stub has the real function's name and signature (the compiler checks
// them against <archive.h>: a C function may not be overloaded), resolves the
// real one on first call through base/lazy_library.h and forwards to it.
//
// Failure: archive_read_new/archive_write_new/archive_entry_new return NULL
// when libarchive.so.13 is missing; every other function needs such a handle
// and aborts with a one-line message naming the Debian package (libarchive13)
// if its symbol cannot be found. A function berth starts to use needs a stub
// here, or the link fails with an undefined reference.
#include "base/lazy_library.h"

#include <archive.h>
#include <archive_entry.h>
#include <cstdarg>
#include <cstdio>
#include <string>

namespace {

berth::LazyLibrary& archive_library()
{
    static berth::LazyLibrary library("libarchive.so.13", "libarchive13");
    return library;
}

} // namespace

using berth::lazy_require;
using berth::lazy_symbol;

extern "C" {

time_t archive_entry_atime(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_atime)>(archive_library(), "archive_entry_atime");
    return real(a0);
}

int archive_entry_atime_is_set(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_atime_is_set)>(archive_library(), "archive_entry_atime_is_set");
    return real(a0);
}

long archive_entry_atime_nsec(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_atime_nsec)>(archive_library(), "archive_entry_atime_nsec");
    return real(a0);
}

void archive_entry_copy_stat(struct archive_entry *a0, const struct stat *a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_copy_stat)>(archive_library(), "archive_entry_copy_stat");
    real(a0, a1);
}

__LA_MODE_T archive_entry_filetype(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_filetype)>(archive_library(), "archive_entry_filetype");
    return real(a0);
}

void archive_entry_free(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_free)>(archive_library(), "archive_entry_free");
    real(a0);
}

la_int64_t archive_entry_gid(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_gid)>(archive_library(), "archive_entry_gid");
    return real(a0);
}

const char *archive_entry_hardlink(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_hardlink)>(archive_library(), "archive_entry_hardlink");
    return real(a0);
}

time_t archive_entry_mtime(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_mtime)>(archive_library(), "archive_entry_mtime");
    return real(a0);
}

int archive_entry_mtime_is_set(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_mtime_is_set)>(archive_library(), "archive_entry_mtime_is_set");
    return real(a0);
}

long archive_entry_mtime_nsec(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_mtime_nsec)>(archive_library(), "archive_entry_mtime_nsec");
    return real(a0);
}

struct archive_entry *archive_entry_new(void)
{
    static auto const real = lazy_symbol<decltype(&::archive_entry_new)>(archive_library(), "archive_entry_new");
    if (!real)
        return nullptr;
    return real();
}

const char *archive_entry_pathname(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_pathname)>(archive_library(), "archive_entry_pathname");
    return real(a0);
}

__LA_MODE_T archive_entry_perm(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_perm)>(archive_library(), "archive_entry_perm");
    return real(a0);
}

dev_t archive_entry_rdev(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_rdev)>(archive_library(), "archive_entry_rdev");
    return real(a0);
}

void archive_entry_set_filetype(struct archive_entry *a0, unsigned int a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_filetype)>(archive_library(), "archive_entry_set_filetype");
    real(a0, a1);
}

void archive_entry_set_gid(struct archive_entry *a0, la_int64_t a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_gid)>(archive_library(), "archive_entry_set_gid");
    real(a0, a1);
}

void archive_entry_set_hardlink(struct archive_entry *a0, const char *a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_hardlink)>(archive_library(), "archive_entry_set_hardlink");
    real(a0, a1);
}

void archive_entry_unset_atime(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_unset_atime)>(archive_library(), "archive_entry_unset_atime");
    real(a0);
}

void archive_entry_unset_ctime(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_unset_ctime)>(archive_library(), "archive_entry_unset_ctime");
    real(a0);
}

void archive_entry_set_mtime(struct archive_entry *a0, time_t a1, long a2)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_mtime)>(archive_library(), "archive_entry_set_mtime");
    real(a0, a1, a2);
}

void archive_entry_set_pathname(struct archive_entry *a0, const char *a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_pathname)>(archive_library(), "archive_entry_set_pathname");
    real(a0, a1);
}

void archive_entry_set_perm(struct archive_entry *a0, __LA_MODE_T a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_perm)>(archive_library(), "archive_entry_set_perm");
    real(a0, a1);
}

void archive_entry_set_rdev(struct archive_entry *a0, dev_t a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_rdev)>(archive_library(), "archive_entry_set_rdev");
    real(a0, a1);
}

void archive_entry_set_size(struct archive_entry *a0, la_int64_t a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_size)>(archive_library(), "archive_entry_set_size");
    real(a0, a1);
}

void archive_entry_set_symlink(struct archive_entry *a0, const char *a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_symlink)>(archive_library(), "archive_entry_set_symlink");
    real(a0, a1);
}

void archive_entry_set_uid(struct archive_entry *a0, la_int64_t a1)
{
    static auto const real = lazy_require<decltype(&::archive_entry_set_uid)>(archive_library(), "archive_entry_set_uid");
    real(a0, a1);
}

la_int64_t archive_entry_size(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_size)>(archive_library(), "archive_entry_size");
    return real(a0);
}

int archive_entry_size_is_set(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_size_is_set)>(archive_library(), "archive_entry_size_is_set");
    return real(a0);
}

const struct stat *archive_entry_stat(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_stat)>(archive_library(), "archive_entry_stat");
    return real(a0);
}

const char *archive_entry_symlink(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_symlink)>(archive_library(), "archive_entry_symlink");
    return real(a0);
}

la_int64_t archive_entry_uid(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_uid)>(archive_library(), "archive_entry_uid");
    return real(a0);
}

void archive_entry_xattr_add_entry(struct archive_entry *a0, const char *a1, const void *a2, size_t a3)
{
    static auto const real = lazy_require<decltype(&::archive_entry_xattr_add_entry)>(archive_library(), "archive_entry_xattr_add_entry");
    real(a0, a1, a2, a3);
}

int archive_entry_xattr_next(struct archive_entry *a0, const char **a1, const void **a2, size_t *a3)
{
    static auto const real = lazy_require<decltype(&::archive_entry_xattr_next)>(archive_library(), "archive_entry_xattr_next");
    return real(a0, a1, a2, a3);
}

int archive_entry_xattr_reset(struct archive_entry *a0)
{
    static auto const real = lazy_require<decltype(&::archive_entry_xattr_reset)>(archive_library(), "archive_entry_xattr_reset");
    return real(a0);
}

int archive_errno(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_errno)>(archive_library(), "archive_errno");
    return real(a0);
}

const char *archive_error_string(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_error_string)>(archive_library(), "archive_error_string");
    return real(a0);
}

la_ssize_t archive_read_data(struct archive *a0, void *a1, size_t a2)
{
    static auto const real = lazy_require<decltype(&::archive_read_data)>(archive_library(), "archive_read_data");
    return real(a0, a1, a2);
}

int archive_read_data_block(struct archive *a0, const void **a1, size_t *a2, la_int64_t *a3)
{
    static auto const real = lazy_require<decltype(&::archive_read_data_block)>(archive_library(), "archive_read_data_block");
    return real(a0, a1, a2, a3);
}

int archive_read_free(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_free)>(archive_library(), "archive_read_free");
    return real(a0);
}

struct archive *archive_read_new(void)
{
    static auto const real = lazy_symbol<decltype(&::archive_read_new)>(archive_library(), "archive_read_new");
    if (!real)
        return nullptr;
    return real();
}

int archive_read_next_header(struct archive *a0, struct archive_entry **a1)
{
    static auto const real = lazy_require<decltype(&::archive_read_next_header)>(archive_library(), "archive_read_next_header");
    return real(a0, a1);
}

int archive_read_open(struct archive *a0, void *a1, archive_open_callback *a2, archive_read_callback *a3, archive_close_callback *a4)
{
    static auto const real = lazy_require<decltype(&::archive_read_open)>(archive_library(), "archive_read_open");
    return real(a0, a1, a2, a3, a4);
}

int archive_read_open_fd(struct archive *a0, int a1, size_t a2)
{
    static auto const real = lazy_require<decltype(&::archive_read_open_fd)>(archive_library(), "archive_read_open_fd");
    return real(a0, a1, a2);
}

int archive_read_open_filename(struct archive *a0, const char *a1, size_t a2)
{
    static auto const real = lazy_require<decltype(&::archive_read_open_filename)>(archive_library(), "archive_read_open_filename");
    return real(a0, a1, a2);
}

int archive_read_open_memory(struct archive *a0, const void *a1, size_t a2)
{
    static auto const real = lazy_require<decltype(&::archive_read_open_memory)>(archive_library(), "archive_read_open_memory");
    return real(a0, a1, a2);
}

int archive_read_support_filter_all(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_filter_all)>(archive_library(), "archive_read_support_filter_all");
    return real(a0);
}

int archive_read_support_filter_bzip2(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_filter_bzip2)>(archive_library(), "archive_read_support_filter_bzip2");
    return real(a0);
}

int archive_read_support_filter_gzip(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_filter_gzip)>(archive_library(), "archive_read_support_filter_gzip");
    return real(a0);
}

int archive_read_support_filter_xz(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_filter_xz)>(archive_library(), "archive_read_support_filter_xz");
    return real(a0);
}

int archive_read_support_filter_zstd(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_filter_zstd)>(archive_library(), "archive_read_support_filter_zstd");
    return real(a0);
}

int archive_read_support_format_all(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_format_all)>(archive_library(), "archive_read_support_format_all");
    return real(a0);
}

int archive_read_support_format_raw(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_format_raw)>(archive_library(), "archive_read_support_format_raw");
    return real(a0);
}

int archive_read_support_format_tar(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_read_support_format_tar)>(archive_library(), "archive_read_support_format_tar");
    return real(a0);
}

int archive_write_add_filter_gzip(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_add_filter_gzip)>(archive_library(), "archive_write_add_filter_gzip");
    return real(a0);
}

int archive_write_set_filter_option(struct archive *a0, const char *a1, const char *a2, const char *a3)
{
    static auto const real = lazy_require<decltype(&::archive_write_set_filter_option)>(archive_library(), "archive_write_set_filter_option");
    return real(a0, a1, a2, a3);
}

int archive_write_add_filter_zstd(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_add_filter_zstd)>(archive_library(), "archive_write_add_filter_zstd");
    return real(a0);
}

int archive_write_close(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_close)>(archive_library(), "archive_write_close");
    return real(a0);
}

la_ssize_t archive_write_data(struct archive *a0, const void *a1, size_t a2)
{
    static auto const real = lazy_require<decltype(&::archive_write_data)>(archive_library(), "archive_write_data");
    return real(a0, a1, a2);
}

int archive_write_finish_entry(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_finish_entry)>(archive_library(), "archive_write_finish_entry");
    return real(a0);
}

int archive_write_free(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_free)>(archive_library(), "archive_write_free");
    return real(a0);
}

int archive_write_header(struct archive *a0, struct archive_entry *a1)
{
    static auto const real = lazy_require<decltype(&::archive_write_header)>(archive_library(), "archive_write_header");
    return real(a0, a1);
}

struct archive *archive_write_new(void)
{
    static auto const real = lazy_symbol<decltype(&::archive_write_new)>(archive_library(), "archive_write_new");
    if (!real)
        return nullptr;
    return real();
}

int archive_write_open(struct archive *a0, void *a1, archive_open_callback *a2, archive_write_callback *a3, archive_close_callback *a4)
{
    static auto const real = lazy_require<decltype(&::archive_write_open)>(archive_library(), "archive_write_open");
    return real(a0, a1, a2, a3, a4);
}

int archive_write_open_fd(struct archive *a0, int a1)
{
    static auto const real = lazy_require<decltype(&::archive_write_open_fd)>(archive_library(), "archive_write_open_fd");
    return real(a0, a1);
}

int archive_write_set_bytes_in_last_block(struct archive *a0, int a1)
{
    static auto const real = lazy_require<decltype(&::archive_write_set_bytes_in_last_block)>(archive_library(), "archive_write_set_bytes_in_last_block");
    return real(a0, a1);
}

int archive_write_set_bytes_per_block(struct archive *a0, int a1)
{
    static auto const real = lazy_require<decltype(&::archive_write_set_bytes_per_block)>(archive_library(), "archive_write_set_bytes_per_block");
    return real(a0, a1);
}

int archive_write_set_format_pax_restricted(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_set_format_pax_restricted)>(archive_library(), "archive_write_set_format_pax_restricted");
    return real(a0);
}

int archive_write_set_format_raw(struct archive *a0)
{
    static auto const real = lazy_require<decltype(&::archive_write_set_format_raw)>(archive_library(), "archive_write_set_format_raw");
    return real(a0);
}

// Variadic (printf-style): formatted here, passed on as "%s".
void archive_set_error(struct archive* a, int code, char const* format, ...)
{
    static auto const real = lazy_require<decltype(&::archive_set_error)>(archive_library(), "archive_set_error");
    va_list args;
    va_start(args, format);
    char buffer[1024];
    std::vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    real(a, code, "%s", buffer);
}

} // extern "C"
