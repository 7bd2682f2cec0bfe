// A guard run on YAML text before yaml-cpp reads it. yaml-cpp 0.7 (Debian 12)
// loops forever on a ',' that starts a line at block level (",b: 1"), which
// the YAML grammar forbids anyway (',' is a flow indicator, and a plain
// scalar cannot start with one); 0.8 fixed it. Found by the kube_play fuzzer.
// The scan tracks flow brackets outside quotes and comments, so "[a\n, b]"
// (a valid flow sequence over two lines) passes.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace berth {

/// The 1-based line of the first ',' that starts a line outside a flow
/// collection; nullopt when there is none.
inline std::optional<size_t> yaml_block_comma_line(std::string_view text)
{
    int depth = 0;
    char quote = 0;
    bool line_start = true, comment = false;
    size_t line = 1;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = true;
            comment = false;
            continue;
        }
        if (comment)
            continue;
        if (quote) {
            if (c == quote && !(quote == '"' && i > 0 && text[i - 1] == '\\'))
                quote = 0;
            line_start = false;
            continue;
        }
        if (line_start && (c == ' ' || c == '\t'))
            continue;
        if (line_start && c == ',' && depth <= 0)
            return line;
        line_start = false;
        if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t'))
            comment = true;
        else if (c == '"' || c == '\'')
            quote = c;
        else if (c == '[' || c == '{')
            ++depth;
        else if ((c == ']' || c == '}') && depth > 0)
            --depth;
    }
    return std::nullopt;
}

} // namespace berth
