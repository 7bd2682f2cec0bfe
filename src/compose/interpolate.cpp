// ${VAR} interpolation and .env files (see interpolate.h).
#include "compose/interpolate.h"

#include <cctype>

namespace berth::compose {

namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// The index of the '}' closing the brace opened before `from`, skipping nested ${...}.
size_t closing_brace(std::string const& text, size_t from)
{
    int depth = 1;
    for (size_t i = from; i < text.size(); ++i) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
            ++depth;
            ++i;
        } else if (text[i] == '}' && --depth == 0) {
            return i;
        }
    }
    return std::string::npos;
}

/// One ${...} body: NAME, then an optional operator and its word.
Result<std::string> expand_braced(std::string const& body, Variables const& vars)
{
    size_t n = 0;
    while (n < body.size() && name_char(body[n]))
        ++n;
    auto name = body.substr(0, n);
    if (name.empty() || !name_start(name[0]))
        return Error { EINVAL, "invalid interpolation format for \"${" + body + "}\": a variable name must start with a letter or _" };
    auto it = vars.find(name);
    bool set = it != vars.end();
    std::string value = set ? it->second : "";
    if (n == body.size())
        return value;
    bool colon = body[n] == ':';
    size_t op_at = colon ? n + 1 : n;
    if (op_at >= body.size())
        return Error { EINVAL, "invalid interpolation format for \"${" + body + "}\"" };
    char op = body[op_at];
    auto word = body.substr(op_at + 1);
    // With ':' an empty value counts as unset.
    bool present = colon ? (set && !value.empty()) : set;
    switch (op) {
    case '-':
        return present ? value : TRY(interpolate(word, vars));
    case '+':
        return present ? TRY(interpolate(word, vars)) : std::string();
    case '?':
        if (present)
            return value;
        return Error { EINVAL, "required variable " + name + " is missing a value" + (word.empty() ? "" : ": " + TRY(interpolate(word, vars))) };
    default:
        return Error { EINVAL, "invalid interpolation format for \"${" + body + "}\"" };
    }
}

} // namespace

Result<std::string> interpolate(std::string const& text, Variables const& vars)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '$' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        char next = text[i + 1];
        if (next == '$') {
            out += '$';
            ++i;
        } else if (next == '{') {
            auto end = closing_brace(text, i + 2);
            if (end == std::string::npos)
                return Error { EINVAL, "invalid interpolation format for \"" + text.substr(i) + "\": no closing brace" };
            out += TRY(expand_braced(text.substr(i + 2, end - i - 2), vars));
            i = end;
        } else if (name_start(next)) {
            size_t end = i + 1;
            while (end < text.size() && name_char(text[end]))
                ++end;
            auto it = vars.find(text.substr(i + 1, end - i - 1));
            if (it != vars.end())
                out += it->second;
            i = end - 1;
        } else {
            out += '$';
        }
    }
    return out;
}

namespace {

std::string trim(std::string s)
{
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

/// The value part of a .env line: quoted ('...' literal, "..." with \n escapes) or bare up to " #".
Result<std::string> dotenv_value(std::string v, int line)
{
    v = trim(v);
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) {
        auto end = v.find(v[0], 1);
        if (end == std::string::npos)
            return Error { EINVAL, "line " + std::to_string(line) + ": unterminated quoted value" };
        auto inner = v.substr(1, end - 1);
        if (v[0] == '\'')
            return inner;
        std::string out;
        for (size_t i = 0; i < inner.size(); ++i) {
            if (inner[i] == '\\' && i + 1 < inner.size()) {
                char c = inner[++i];
                out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
            } else {
                out += inner[i];
            }
        }
        return out;
    }
    if (auto hash = v.find(" #"); hash != std::string::npos)
        v = trim(v.substr(0, hash));
    return v;
}

} // namespace

Result<Variables> parse_dotenv(std::string const& text)
{
    Variables vars;
    size_t start = 0;
    int number = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        auto line = trim(text.substr(start, end - start));
        start = end + 1;
        ++number;
        if (line.empty() || line[0] == '#')
            continue;
        if (line.rfind("export ", 0) == 0)
            line = trim(line.substr(7));
        auto eq = line.find('=');
        auto key = trim(line.substr(0, eq));
        if (key.empty() || !name_start(key[0]) || key.find_first_of(" \t") != std::string::npos)
            return Error { EINVAL, "line " + std::to_string(number) + ": \"" + line + "\" is not KEY=VALUE" };
        if (eq == std::string::npos) {
            vars[key] = "";
            continue;
        }
        vars[key] = TRY(dotenv_value(line.substr(eq + 1), number));
    }
    return vars;
}

} // namespace berth::compose
