// A guard run on YAML text before yaml-cpp reads it. yaml-cpp 0.7 (Debian 12)
// loops forever on a ',' that starts a line where it is not inside a flow
// collection (",b: 1"; the kube_play fuzzer found it, also after a stray
// '{' inside a plain scalar); 0.8 fixed it. Telling flow context apart
// would take a YAML scanner of our own, so every line whose first
// character (after indentation) is ',' is refused: the YAML grammar forbids
// it outside [ ] and { }, and Kubernetes and Compose files do not put a
// flow collection's commas first on a line.
//
// Control characters (other than tab, CR and LF) are refused too: YAML does
// not allow them, and "\0,\0" made yaml-cpp loop the same way; so is a ','
// right after a line's node properties ("!t,b", "&x ,b"), another loop.
#pragma once

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace berth {

/// What in `text` yaml-cpp must not see: "line N: why", or nullopt.
inline std::optional<std::string> yaml_hazard(std::string_view text)
{
    size_t line = 1;
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", c);
            return "line " + std::to_string(line) + ": control character " + hex + " is not allowed in YAML";
        }
    }
    // Each line: indentation, then any node properties (!tag, &anchor), then
    // the first character of the node, which must not be ','.
    for (size_t i = 0; i < text.size(); ++line) {
        size_t end = text.find('\n', i);
        if (end == std::string_view::npos)
            end = text.size();
        size_t j = i;
        auto skip_blanks = [&] {
            while (j < end && (text[j] == ' ' || text[j] == '\t'))
                ++j;
        };
        skip_blanks();
        while (j < end && (text[j] == '!' || text[j] == '&')) {
            while (j < end && text[j] != ' ' && text[j] != '\t' && text[j] != ',')
                ++j;
            skip_blanks();
        }
        if (j < end && text[j] == ',')
            return "line " + std::to_string(line) + ": a line cannot start with ',' (put a flow collection's commas after its items)";
        i = end + 1;
    }
    return std::nullopt;
}

} // namespace berth
