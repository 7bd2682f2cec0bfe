// Go's fmt.Sprintf for template values (the printf function).
//
// The hard part is matching Go where it differs from C: width counts runes, not
// bytes; a verb applied to a list or map formats each element ("%5d" of [1 2] is
// "[    1     2]"); a value of the wrong type prints as "%!d(string=abc)"; and
// missing or extra arguments print "%!s(MISSING)" and "%!(EXTRA int=1)" rather
// than failing.
#include "format/functions.h"
#include "format/value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace berth::format::detail {

namespace {

struct Spec {
    bool minus = false, plus = false, sharp = false, space = false, zero = false;
    int width = -1;
    int precision = -1;
    std::string verb;
};

bool is_numeric_verb(char v) { return std::string_view("dxXobeEfFgGc").find(v) != std::string_view::npos; }

std::string bad_verb(Spec const& spec, Json const& v)
{
    if (v.is_null())
        return "%!" + spec.verb + "(<nil>)";
    return "%!" + spec.verb + "(" + go_type_name(v) + "=" + print_value(v) + ")";
}

std::string pad(Spec const& spec, std::string s)
{
    if (spec.width < 0)
        return s;
    std::size_t runes = rune_count(s);
    auto width = static_cast<std::size_t>(spec.width);
    if (runes >= width)
        return s;
    std::size_t n = width - runes;
    if (spec.minus)
        return s + std::string(n, ' ');
    if (spec.zero && is_numeric_verb(spec.verb[0])) {
        std::size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) ? 1 : 0;
        return s.substr(0, sign) + std::string(n, '0') + s.substr(sign);
    }
    return std::string(n, ' ') + s;
}

std::string with_sign(Spec const& spec, bool negative, std::string digits)
{
    if (negative)
        return "-" + digits;
    if (spec.plus)
        return "+" + digits;
    if (spec.space)
        return " " + digits;
    return digits;
}

std::string integer_in_base(Spec const& spec, std::int64_t value, int base, bool upper)
{
    std::string_view const chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    bool negative = value < 0;
    std::uint64_t u = negative ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    auto b = static_cast<std::uint64_t>(base);
    std::string digits;
    do {
        digits += chars[u % b];
        u /= b;
    } while (u > 0);
    std::reverse(digits.begin(), digits.end());
    if (spec.precision >= 0 && digits.size() < static_cast<std::size_t>(spec.precision))
        digits.insert(0, static_cast<std::size_t>(spec.precision) - digits.size(), '0');
    if (spec.sharp && base == 16)
        digits.insert(0, upper ? "0X" : "0x");
    if (spec.sharp && base == 8 && digits[0] != '0')
        digits.insert(0, "0");
    return with_sign(spec, negative, digits);
}

std::string format_float_verb(Spec const& spec, double d)
{
    char verb = spec.verb[0];
    if (!std::isfinite(d))
        return with_sign(spec, false, format_float_shortest(d, 'g'));
    std::string s;
    if ((verb == 'g' || verb == 'G') && spec.precision < 0) {
        s = format_float_shortest(d, 'g');
        if (verb == 'G')
            for (char& c : s)
                c = c == 'e' ? 'E' : c;
    } else {
        char fmt[8] = { '%', '.', '*', verb == 'F' ? 'f' : verb, '\0' };
        char buf[512];
        std::snprintf(buf, sizeof buf, fmt, spec.precision < 0 ? 6 : spec.precision, d);
        s = buf;
    }
    bool negative = !s.empty() && s[0] == '-';
    return with_sign(spec, negative, negative ? s.substr(1) : s);
}

std::string hex_string(Spec const& spec, std::string const& s)
{
    std::string_view const digits = spec.verb[0] == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        out += digits[u >> 4];
        out += digits[u & 15];
    }
    return out;
}

std::string format_scalar(Spec const& spec, Json const& v)
{
    char verb = spec.verb[0];
    auto integer = as_integer(v);
    switch (verb) {
    case 'v':
        if (v.is_number() && integer)
            return pad(spec, with_sign(spec, *integer < 0, std::to_string(*integer < 0 ? 0 - static_cast<std::uint64_t>(*integer) : static_cast<std::uint64_t>(*integer))));
        return pad(spec, print_value(v));
    case 's':
        if (!v.is_string())
            return bad_verb(spec, v);
        {
            std::string s = v.get<std::string>();
            if (spec.precision >= 0)
                s = s.substr(0, rune_prefix_bytes(s, static_cast<std::size_t>(spec.precision)));
            return pad(spec, s);
        }
    case 'q':
        if (v.is_string())
            return pad(spec, go_quote(v.get<std::string>()));
        if (integer) {
            std::string r;
            append_utf8(r, static_cast<char32_t>(*integer));
            return pad(spec, r == "'" ? "'\\''" : "'" + r + "'");
        }
        return bad_verb(spec, v);
    case 'd': case 'o': case 'b': case 'x': case 'X':
        if (integer && v.is_number())
            return pad(spec, integer_in_base(spec, *integer, verb == 'd' ? 10 : verb == 'o' ? 8 : verb == 'b' ? 2 : 16, verb == 'X'));
        if (v.is_string() && (verb == 'x' || verb == 'X'))
            return pad(spec, hex_string(spec, v.get<std::string>()));
        return bad_verb(spec, v);
    case 'c':
        if (integer && v.is_number()) {
            std::string r;
            append_utf8(r, static_cast<char32_t>(*integer));
            return pad(spec, r);
        }
        return bad_verb(spec, v);
    case 't':
        return v.is_boolean() ? pad(spec, v.get<bool>() ? "true" : "false") : bad_verb(spec, v);
    case 'T':
        return pad(spec, go_type_name(v));
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
        return v.is_number() ? pad(spec, format_float_verb(spec, v.get<double>())) : bad_verb(spec, v);
    default:
        return bad_verb(spec, v);
    }
}

// Lists and maps apply the verb to each element, as Go's fmt does.
std::string format_value(Spec const& spec, Json const& v)
{
    if (spec.verb == "T")
        return format_scalar(spec, v);
    if (v.is_array()) {
        std::string out = "[";
        for (std::size_t i = 0; i < v.size(); ++i)
            out += (i ? " " : "") + format_value(spec, v[i]);
        return out + "]";
    }
    if (v.is_object()) {
        std::string out = "map[";
        bool first = true;
        for (auto const& [k, e] : v.items()) {
            out += (first ? "" : " ") + format_value(spec, Json(k)) + ":" + format_value(spec, e);
            first = false;
        }
        return out + "]";
    }
    if (v.is_null() && spec.verb == "v")
        return pad(spec, "<nil>");
    return format_scalar(spec, v);
}

// Go's bound on a width or precision: beyond it, or not an integer, a "*"
// argument is %!(BADWIDTH) / %!(BADPREC) and a run of digits stops counting.
constexpr int64_t max_width = 1000000;

// Reads a width or precision: digits, or "*" taking the next argument (`bad`
// when that is not an integer within max_width).
int read_number(std::string_view format, std::size_t& i, Args const& args, std::size_t& arg, bool& from_arg, bool& bad)
{
    from_arg = false;
    bad = false;
    if (i < format.size() && format[i] == '*') {
        ++i;
        from_arg = true;
        auto n = arg < args.size() ? as_integer(args[arg++]) : std::nullopt;
        bad = !n || *n > max_width || *n < -max_width;
        return bad ? -1 : static_cast<int>(*n);
    }
    int n = -1;
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
        n = (n < 0 ? 0 : n) * 10 + (format[i] - '0');
        if (n > max_width)
            n = max_width;
        ++i;
    }
    return n;
}

} // namespace

std::string go_sprintf(std::string_view format, Args const& args, std::size_t first)
{
    std::string out;
    std::size_t arg = first;
    for (std::size_t i = 0; i < format.size() && out.size() <= max_output_bytes;) {
        if (format[i] != '%') {
            out += format[i++];
            continue;
        }
        ++i;
        Spec spec;
        for (; i < format.size(); ++i) {
            char c = format[i];
            if (c == '-') spec.minus = true;
            else if (c == '+') spec.plus = true;
            else if (c == '#') spec.sharp = true;
            else if (c == ' ') spec.space = true;
            else if (c == '0') spec.zero = !spec.minus;
            else break;
        }
        bool from_arg = false, bad = false;
        spec.width = read_number(format, i, args, arg, from_arg, bad);
        if (bad)
            out += "%!(BADWIDTH)";
        if (from_arg && spec.width < 0 && spec.width != -1) {
            spec.minus = true;
            spec.width = -spec.width;
        }
        if (i < format.size() && format[i] == '.') {
            ++i;
            spec.precision = read_number(format, i, args, arg, from_arg, bad);
            if (bad)
                out += "%!(BADPREC)";
            if (spec.precision < 0)
                spec.precision = bad ? -1 : 0;
        }
        if (i >= format.size()) {
            out += "%!(NOVERB)";
            break;
        }
        std::size_t len = decode_rune(format, i).length;
        spec.verb = std::string(format.substr(i, len));
        i += len;
        if (spec.verb == "%") {
            out += '%';
            continue;
        }
        if (arg >= args.size()) {
            out += "%!" + spec.verb + "(MISSING)";
            continue;
        }
        out += format_value(spec, args[arg++]);
    }
    if (arg < args.size()) {
        out += "%!(EXTRA ";
        for (std::size_t j = arg; j < args.size(); ++j)
            out += (j > arg ? ", " : "") + (args[j].is_null() ? std::string("<nil>") : go_type_name(args[j]) + "=" + print_value(args[j]));
        out += ")";
    }
    return out;
}

} // namespace berth::format::detail
