// A text tree drawn with box characters, as Go's gotree (v3) draws it for
// `podman image tree`: the root's text, then one line per item, "├── " before
// each but the last, "└── " before the last, and "│   " or "    " carrying a
// parent's column down to its children. The hard part is only the prefixes:
// an item's multi-line text continues under its own branch.
#pragma once

#include <string>
#include <vector>

namespace berth::format {

/// One item of a tree: its text and the items drawn beneath it.
struct TreeItem {
    std::string text;
    std::vector<TreeItem> children;
};

/// The tree as gotree's Print() returns it: `root` on the first line(s), then
/// the items; every line ends with '\n'.
std::string render_tree(std::string const& root, std::vector<TreeItem> const& items);

} // namespace berth::format
