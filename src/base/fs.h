// File-system helpers built on sys: whole-file reads, atomic publication
// (write temp, fsync, rename, as crun status.c and conmon's exit file do),
// recursive mkdir and removal.
#pragma once

#include "base/error.h"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace berth::fs {

Result<std::string> read_file(std::string const& path);
/// Writes `data` to a temporary file beside `path`, fsyncs it and renames it
/// over `path`, so readers see the old or the new content, never a torn one.
ErrorOr write_file_atomic(std::string const& path, std::string_view data, mode_t mode = 0644);
/// As write_file_atomic but without the fsync: for files berth regenerates on
/// every start (config.json, hosts, hostname), where a torn file after a crash
/// is impossible (rename) and a lost one is rewritten; an fsync costs ms per run.
ErrorOr write_file_replace(std::string const& path, std::string_view data, mode_t mode = 0644);
/// mkdir -p; existing directories are fine.
ErrorOr mkdir_p(std::string const& path, mode_t mode = 0755);
/// rm -rf without following symlinks; a missing path is fine.
ErrorOr remove_tree(std::string const& path);
/// The names in a directory, without "." and "..", in readdir order.
Result<std::vector<std::string>> list_dir(std::string const& path);
bool exists(std::string const& path);
bool is_dir(std::string const& path);
/// Joins two path pieces with exactly one '/'.
std::string join(std::string_view a, std::string_view b);
/// fsyncs a directory so a rename inside it is durable.
ErrorOr fsync_dir(std::string const& path);

} // namespace berth::fs
