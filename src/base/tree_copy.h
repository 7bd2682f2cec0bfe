// Directory trees through file descriptors: copy_tree_at for the runtime's
// tmpcopyup (a tmpfs that starts with what it hides), names_at for it and
// remove_tree.
#pragma once

#include "base/error.h"

#include <string>
#include <vector>

namespace berth::fs {

/// Copies what the directory `from_dir` holds into the directory `to_dir`
/// (both open fds, on any filesystems), never following a symlink: files,
/// directories, symlinks and device nodes, with their modes and owners, and
/// the modes and owners of `from_dir` onto `to_dir`. An owner or node the
/// caller may not make is skipped (an unmapped id in a user namespace).
/// `what` names the copy in errors.
ErrorOr copy_tree_at(int from_dir, int to_dir, std::string const& what);

/// The names in the open directory `dirfd` (read through a dup of it, from
/// its start), without "." and "..".
Result<std::vector<std::string>> names_at(int dirfd, std::string const& what);

} // namespace berth::fs
