// The gotree drawing (see tree.h).
#include "format/tree.h"

namespace berth::format {

namespace {

/// Appends `text`, its first line after `first`, every further line after `rest`.
void append_lines(std::string& out, std::string const& text, std::string const& first, std::string const& rest)
{
    size_t start = 0;
    for (bool head = true;; head = false) {
        size_t end = text.find('\n', start);
        out += head ? first : rest;
        out.append(text, start, end == std::string::npos ? std::string::npos : end - start);
        out += '\n';
        if (end == std::string::npos)
            return;
        start = end + 1;
    }
}

void append_items(std::string& out, std::vector<TreeItem> const& items, std::string const& prefix)
{
    for (size_t i = 0; i < items.size(); ++i) {
        bool last = i + 1 == items.size();
        std::string carry = prefix + (last ? "    " : "│   ");
        append_lines(out, items[i].text, prefix + (last ? "└── " : "├── "), carry);
        append_items(out, items[i].children, carry);
    }
}

} // namespace

std::string render_tree(std::string const& root, std::vector<TreeItem> const& items)
{
    std::string out;
    append_lines(out, root, "", "");
    append_items(out, items, "");
    return out;
}

} // namespace berth::format
