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
// So is a tag with a byte outside ASCII ("!\xc3\xa9" then "?" made it loop):
// the YAML grammar allows only URI characters in a tag, others %-escaped.
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
    // A ',' that starts a token outside [ ] and { } (at a line's start,
    // after blanks, a closing quote, a tag or an anchor) is refused; one
    // inside a plain scalar ("a: b,c") or a quoted one is not. Quotes,
    // comments and flow brackets are followed only where a token starts.
    int depth = 0;
    char quote = 0;
    bool token_start = true, property = false, tag = false, comment = false;
    line = 1;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\n') {
            ++line;
            comment = false;
            property = tag = false;
            if (!quote)
                token_start = true;
            // Whatever the state, a line that starts with ',' is refused, and
            // a document marker ends an unterminated quote or bracket.
            size_t j = i + 1;
            while (j < text.size() && (text[j] == ' ' || text[j] == '\t'))
                ++j;
            if (j < text.size() && text[j] == ',')
                return "line " + std::to_string(line) + ": a line cannot start with ',' (put it in quotes or after an item)";
            if (text.substr(i + 1, 3) == "---" || text.substr(i + 1, 3) == "...") {
                quote = 0;
                depth = 0;
                token_start = true;
            }
            continue;
        }
        if (comment)
            continue;
        if (quote) {
            if (c == quote) {
                if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
                    ++i;  // '' inside single quotes
                    continue;
                }
                if (quote == '"' && i > 0 && text[i - 1] == '\\')
                    continue;
                quote = 0;
                token_start = true;  // a ',' right after a closing quote starts a token
            }
            continue;
        }
        if (c == ' ' || c == '\t') {
            token_start = true;
            property = tag = false;
            continue;
        }
        if (tag && static_cast<unsigned char>(c) >= 0x80)
            return "line " + std::to_string(line) + ": a tag holds URI characters only (escape others as %XX)";
        if (c == ',' && depth == 0 && (token_start || property))
            return "line " + std::to_string(line) + ": a ',' outside [ ] or { } cannot start a value (put it in quotes)";
        if (token_start) {
            if (c == '#')
                comment = true;
            else if (c == '"' || c == '\'')
                quote = c;
            else if (c == '!' || c == '&' || c == '*')
                property = true, tag = c == '!';
            if (c == '[' || c == '{')
                ++depth;
            else if ((c == ']' || c == '}') && depth > 0)
                --depth;
            token_start = c == '[' || c == '{' || c == ']' || c == '}' || c == ',' || c == '-' || c == ':' || c == '?';
            continue;
        }
        if (depth > 0 && (c == '[' || c == '{'))
            ++depth;
        else if (depth > 0 && (c == ']' || c == '}' || c == ','))
            token_start = true, depth -= (c == ',') ? 0 : 1;
    }
    return std::nullopt;
}

} // namespace berth
