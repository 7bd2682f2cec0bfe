// go-yaml v2's block style for JSON documents (see yaml.h).
#include "format/yaml.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace berth::format {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Decimal, 0x/0o/0b integers and floats, with the '_' separators YAML 1.1 allows.
bool reads_as_number(std::string_view s)
{
    std::string t;
    for (char c : s)
        if (c != '_')
            t += c;
    size_t i = (!t.empty() && (t[0] == '+' || t[0] == '-')) ? 1 : 0;
    if (i >= t.size())
        return false;
    if (t.size() > i + 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b'))
        return true;
    bool digits = false, dot = false;
    for (; i < t.size(); ++i) {
        if (is_digit(t[i])) {
            digits = true;
        } else if (t[i] == '.' && !dot) {
            dot = true;
        } else if ((t[i] == 'e' || t[i] == 'E') && digits) {
            size_t j = i + 1;
            if (j < t.size() && (t[j] == '+' || t[j] == '-'))
                ++j;
            if (j >= t.size())
                return false;
            for (; j < t.size(); ++j)
                if (!is_digit(t[j]))
                    return false;
            return true;
        } else {
            return false;
        }
    }
    return digits;
}

// What go-yaml's resolver would not read back as a string: bools (YAML 1.1
// spellings), nulls, numbers, infinities, the merge key and dates.
bool reads_as_other_type(std::string_view s)
{
    static constexpr std::array<std::string_view, 37> words = { "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No",
        "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null",
        "Null", "NULL", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<" };
    for (auto w : words)
        if (s == w)
            return true;
    if (s.size() >= 10 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) && s[4] == '-')
        return true;  // a timestamp such as 2026-12-06
    return reads_as_number(s);
}

// Whether go-yaml's analysis allows the string as a plain scalar in block context.
bool plain_allowed(std::string_view s)
{
    if (s.front() == ' ' || s.back() == ' ' || s.back() == ':')
        return false;
    if (s.starts_with("---") || s.starts_with("..."))
        return false;
    if (std::string_view("#,[]{}&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
        return false;
    if ((s.front() == '-' || s.front() == '?' || s.front() == ':') && (s.size() == 1 || s[1] == ' '))
        return false;
    return s.find(": ") == std::string_view::npos && s.find(" #") == std::string_view::npos;
}

bool has_control(std::string_view s, bool allow_newline)
{
    for (unsigned char c : s)
        if ((c < 0x20 && !(allow_newline && c == '\n')) || c == 0x7f)
            return true;
    return false;
}

std::string double_quoted(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02X", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

std::string single_quoted(std::string_view s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

// A literal block (`|-`, `|` or `|+` by trailing line breaks), its lines at `indent`.
std::string literal_block(std::string_view s, int indent)
{
    size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n')
        ++trailing;
    std::string out = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
    std::string pad(static_cast<size_t>(indent), ' ');
    std::string_view body = s.substr(0, s.size() - (trailing > 0 ? 1 : 0));
    size_t start = 0;
    while (start <= body.size()) {
        size_t nl = body.find('\n', start);
        std::string_view line = body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        out += "\n";
        if (!line.empty())
            out += pad + std::string(line);
        if (nl == std::string_view::npos)
            break;
        start = nl + 1;
    }
    return out;
}

// A string scalar; `indent` is where a literal block's lines go.
std::string string_scalar(std::string const& s, int indent)
{
    if (s.empty())
        return "\"\"";
    if (s.find('\n') != std::string::npos) {
        // go-yaml refuses a block for a leading space or a space before a break.
        bool block = !has_control(s, true) && s.front() != ' ' && s.find(" \n") == std::string::npos;
        return block ? literal_block(s, indent) : double_quoted(s);
    }
    if (has_control(s, false))
        return double_quoted(s);
    if (reads_as_other_type(s))
        return double_quoted(s);
    if (!plain_allowed(s))
        return single_quoted(s);
    return s;
}

std::string number_scalar(Json const& v)
{
    if (v.is_number_float()) {
        double d = v.get<double>();
        if (std::isinf(d))
            return d > 0 ? ".inf" : "-.inf";
        if (std::isnan(d))
            return ".nan";
        // Through JSON, an integral float reads back as an integer.
        if (d == std::floor(d) && std::fabs(d) < 1e15)
            return std::to_string(static_cast<long long>(d));
    }
    return v.dump();
}

std::string scalar(Json const& v, int indent)
{
    if (v.is_string())
        return string_scalar(v.get<std::string>(), indent);
    if (v.is_number())
        return number_scalar(v);
    if (v.is_null())
        return "null";
    if (v.is_array())
        return "[]";
    if (v.is_object())
        return "{}";
    return v.dump();
}

bool is_nested(Json const& v) { return (v.is_object() || v.is_array()) && !v.empty(); }

void emit(Json const& j, int indent, std::string& out);

// One mapping entry: "key: scalar", or "key:" and the nested block below it.
void emit_entry(std::string const& key, Json const& v, int indent, std::string& out)
{
    out += std::string(static_cast<size_t>(indent), ' ') + string_scalar(key, indent) + ":";
    if (!is_nested(v)) {
        out += " " + scalar(v, indent + 2) + "\n";
        return;
    }
    out += "\n";
    // go-yaml v2 writes a sequence at its key's indentation, a mapping two deeper.
    emit(v, v.is_array() ? indent : indent + 2, out);
}

void emit(Json const& j, int indent, std::string& out)
{
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it)
            emit_entry(it.key(), it.value(), indent, out);
        return;
    }
    std::string pad(static_cast<size_t>(indent), ' ');
    for (auto const& v : j) {
        if (!is_nested(v)) {
            out += pad + "- " + scalar(v, indent + 2) + "\n";
            continue;
        }
        // The item's block, with its first line's indentation replaced by "- ".
        std::string inner;
        emit(v, indent + 2, inner);
        inner.replace(0, static_cast<size_t>(indent) + 2, pad + "- ");
        out += inner;
    }
}

} // namespace

std::string to_yaml(Json const& document)
{
    if (!is_nested(document))
        return scalar(document, 0) + "\n";
    std::string out;
    emit(document, 0, out);
    return out;
}

} // namespace berth::format
