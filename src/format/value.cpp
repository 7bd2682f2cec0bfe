// Printing and judging template values the way Go's fmt, text/template and
// encoding/json do. The float formatting works from the shortest round-tripping
// decimal digits (std::to_chars) and lays them out with Go's rules, so "%v" and
// "json" agree with what Podman prints for the same value.
#include "format/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace berth::format::detail {

std::string type_name(Json const& value)
{
    switch (value.type()) {
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "number";
    default: return "null";
    }
}

std::string go_type_name(Json const& value)
{
    switch (value.type()) {
    case Json::value_t::object: return "map[string]interface {}";
    case Json::value_t::array: return "[]interface {}";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "int";
    case Json::value_t::number_float: return as_integer(value) ? "int" : "float64";
    default: return "<nil>";
    }
}

bool truth(Json const& value)
{
    switch (value.type()) {
    case Json::value_t::boolean: return value.get<bool>();
    case Json::value_t::number_integer: return value.get<std::int64_t>() != 0;
    case Json::value_t::number_unsigned: return value.get<std::uint64_t>() != 0;
    case Json::value_t::number_float: return value.get<double>() != 0.0;
    case Json::value_t::string: return !value.get_ref<std::string const&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !value.empty();
    default: return false;
    }
}

std::optional<std::int64_t> as_integer(Json const& value)
{
    if (value.is_number_integer() && !value.is_number_unsigned())
        return value.get<std::int64_t>();
    if (value.is_number_unsigned()) {
        auto u = value.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (value.is_number_float()) {
        double d = value.get<double>();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
            return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

namespace {

// A finite double as d1.d2d3... x 10^exponent with the shortest digits that round-trip.
struct Decimal {
    bool negative = false;
    std::string digits;
    int exponent = 0;
};

Decimal decompose(double value)
{
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    Decimal dec;
    if (!s.empty() && s[0] == '-') {
        dec.negative = true;
        s.remove_prefix(1);
    }
    auto e = s.find('e');
    for (char c : s.substr(0, e))
        if (c != '.')
            dec.digits += c;
    std::string_view exp = s.substr(e + 1);
    bool exp_negative = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+'))
        exp.remove_prefix(1);
    std::from_chars(exp.data(), exp.data() + exp.size(), dec.exponent);
    if (exp_negative)
        dec.exponent = -dec.exponent;
    return dec;
}

std::string layout_exponent(Decimal const& dec)
{
    std::string out = dec.negative ? "-" : "";
    out += dec.digits[0];
    if (dec.digits.size() > 1)
        out += "." + dec.digits.substr(1);
    int exp = dec.exponent;
    out += exp < 0 ? "e-" : "e+";
    if (std::abs(exp) < 10)
        out += '0';
    out += std::to_string(std::abs(exp));
    return out;
}

std::string layout_fixed(Decimal const& dec)
{
    std::string out = dec.negative ? "-" : "";
    if (dec.exponent < 0)
        return out + "0." + std::string(static_cast<std::size_t>(-dec.exponent - 1), '0') + dec.digits;
    auto int_len = static_cast<std::size_t>(dec.exponent) + 1;
    if (dec.digits.size() <= int_len)
        return out + dec.digits + std::string(int_len - dec.digits.size(), '0');
    return out + dec.digits.substr(0, int_len) + "." + dec.digits.substr(int_len);
}

void append_json_string(std::string& out, std::string_view s)
{
    static char const hex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            Rune r = decode_rune(s, i);
            if (!r.valid)
                out += "\\ufffd";
            else if (r.code == 0x2028 || r.code == 0x2029)
                out += r.code == 0x2028 ? "\\u2028" : "\\u2029";
            else
                out.append(s.substr(i, r.length));
            i += r.length;
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += static_cast<char>(c);
            }
        }
        ++i;
    }
    out += '"';
}

void append_json(std::string& out, Json const& value)
{
    switch (value.type()) {
    case Json::value_t::string: append_json_string(out, value.get_ref<std::string const&>()); return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); return;
    case Json::value_t::number_float: {
        double d = value.get<double>();
        if (!std::isfinite(d)) {
            out += "null";
            return;
        }
        double a = std::fabs(d);
        bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
        std::string s = format_float_shortest(d, exp ? 'e' : 'f');
        // Go cleans up e-09 to e-9.
        auto n = s.size();
        if (exp && n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0')
            s.erase(n - 2, 1);
        out += s;
        return;
    }
    case Json::value_t::array: {
        out += '[';
        bool first = true;
        for (auto const& e : value) {
            if (!first)
                out += ',';
            first = false;
            append_json(out, e);
        }
        out += ']';
        return;
    }
    case Json::value_t::object: {
        out += '{';
        bool first = true;
        for (auto const& [k, v] : value.items()) {
            if (!first)
                out += ',';
            first = false;
            append_json_string(out, k);
            out += ':';
            append_json(out, v);
        }
        out += '}';
        return;
    }
    default: out += "null"; return;
    }
}

} // namespace

std::string format_float_shortest(double value, char fmt)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    Decimal dec = decompose(value);
    if (fmt == 'e')
        return layout_exponent(dec);
    if (fmt == 'f')
        return layout_fixed(dec);
    // 'g' with the shortest precision: Go decides with precision 6.
    if (dec.exponent < -4 || dec.exponent >= 6)
        return layout_exponent(dec);
    return layout_fixed(dec);
}

std::string format_float(double value)
{
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 1e21) {
        if (std::fabs(value) < 9.2e18)
            return std::to_string(static_cast<std::int64_t>(value));
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.0f", value);
        return buf;
    }
    return format_float_shortest(value, 'g');
}

void print_value(std::string& out, Json const& value)
{
    switch (value.type()) {
    case Json::value_t::string: out += value.get_ref<std::string const&>(); return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); return;
    case Json::value_t::number_float: out += format_float(value.get<double>()); return;
    case Json::value_t::array: {
        out += '[';
        bool first = true;
        for (auto const& e : value) {
            if (!first)
                out += ' ';
            first = false;
            print_value(out, e);
        }
        out += ']';
        return;
    }
    case Json::value_t::object: {
        out += "map[";
        bool first = true;
        for (auto const& [k, v] : value.items()) {
            if (!first)
                out += ' ';
            first = false;
            out += k;
            out += ':';
            print_value(out, v);
        }
        out += ']';
        return;
    }
    default: out += "<nil>"; return;
    }
}

std::string print_value(Json const& value)
{
    std::string out;
    print_value(out, value);
    return out;
}

std::string to_text(Json const& value)
{
    if (value.is_null())
        return "<no value>";
    return print_value(value);
}

std::string to_json(Json const& value)
{
    std::string out;
    append_json(out, value);
    return out;
}

std::string go_quote(std::string_view text)
{
    static char const hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size();) {
        auto c = static_cast<unsigned char>(text[i]);
        Rune r = decode_rune(text, i);
        i += r.length;
        switch (c) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\a': out += "\\a"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        case '\v': out += "\\v"; continue;
        default: break;
        }
        if (!r.valid || c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else if (r.code < 0x80) {
            out += static_cast<char>(c);
        } else if ((r.code >= 0x80 && r.code < 0xa0) || r.code == 0x2028 || r.code == 0x2029 || r.code == 0xfeff) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(r.code));
            out += buf;
        } else {
            out.append(text.substr(i - r.length, r.length));
        }
    }
    return out + "\"";
}

Rune decode_rune(std::string_view text, std::size_t pos)
{
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char c = byte(pos);
    if (c < 0x80)
        return { c, 1, true };
    std::size_t len = 0;
    char32_t code = 0;
    unsigned char lo = 0x80, hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        code = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        code = c & 0x0f;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        code = c & 0x07;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return { 0xfffd, 1, false };
    }
    if (pos + len > text.size())
        return { 0xfffd, 1, false };
    for (std::size_t i = 1; i < len; ++i) {
        unsigned char b = byte(pos + i);
        if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf))
            return { 0xfffd, 1, false };
        code = (code << 6) | (b & 0x3f);
    }
    return { code, len, true };
}

void append_utf8(std::string& out, char32_t code)
{
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        code = 0xfffd;
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xc0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xe0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (code & 0x3f));
    }
}

std::size_t rune_count(std::string_view text)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < text.size(); i += decode_rune(text, i).length)
        ++n;
    return n;
}

std::size_t rune_prefix_bytes(std::string_view text, std::size_t runes)
{
    std::size_t i = 0;
    for (; i < text.size() && runes > 0; --runes)
        i += decode_rune(text, i).length;
    return i;
}

} // namespace berth::format::detail
