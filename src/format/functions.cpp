// The template functions. Each takes the evaluated arguments (a pipeline's
// value arrives as the last one) and returns a value or an error; the evaluator
// has already checked the argument count against the table at the bottom.
//
// The hard part is typing: Go's functions have typed parameters and reject a
// wrong type. Here string parameters accept any scalar (printed as %v), which is
// kinder when berth's JSON holds a number where Podman has a string, while lists,
// integers and comparisons are checked and fail with Go's messages.
#include "format/functions.h"
#include "format/value.h"

#include <algorithm>
#include <cctype>

namespace berth::format::detail {

namespace {

Error wrong_type(std::string_view expected, Json const& got)
{
    return Error::msg("wrong type for value; expected " + std::string(expected) + "; got " + type_name(got));
}

Result<std::string> string_arg(Json const& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number() || v.is_boolean())
        return print_value(v);
    return wrong_type("string", v);
}

Result<std::int64_t> int_arg(Json const& v)
{
    if (auto i = as_integer(v))
        return *i;
    return wrong_type("int", v);
}

// The value of a missing map key: "" for maps of strings (labels), else no value.
Json missing_key_value(Json const& object)
{
    bool strings = std::all_of(object.begin(), object.end(), [](Json const& v) { return v.is_string(); });
    return strings ? Json("") : Json();
}

int compare_numbers(Json const& a, Json const& b)
{
    if (!a.is_number_float() && !b.is_number_float()) {
        auto wide = [](Json const& v) -> __int128 {
            return v.is_number_unsigned() ? static_cast<__int128>(v.get<std::uint64_t>()) : static_cast<__int128>(v.get<std::int64_t>());
        };
        __int128 x = wide(a), y = wide(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    double x = a.get<double>(), y = b.get<double>();
    return x < y ? -1 : x > y ? 1 : 0;
}

Result<int> order(Json const& a, Json const& b)
{
    if (a.is_number() && b.is_number())
        return compare_numbers(a, b);
    if (a.is_string() && b.is_string()) {
        int c = a.get_ref<std::string const&>().compare(b.get_ref<std::string const&>());
        return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (type_name(a) != type_name(b))
        return Error::msg("incompatible types for comparison");
    return Error::msg("invalid type for comparison");
}

Result<Json> fn_not(Args const& a) { return Json(!truth(a[0])); }

Result<Json> fn_len(Args const& a)
{
    Json const& v = a[0];
    if (v.is_string())
        return Json(v.get_ref<std::string const&>().size());
    if (v.is_array() || v.is_object())
        return Json(v.size());
    if (v.is_null())
        return Error::msg("len of nil pointer");
    return Error::msg("len of type " + type_name(v));
}

Result<Json> index_one(Json const& item, Json const& key)
{
    if (item.is_array() || item.is_string()) {
        auto i = as_integer(key);
        if (!i)
            return Error::msg("cannot index " + type_name(item) + " with type " + type_name(key));
        std::size_t size = item.is_array() ? item.size() : item.get_ref<std::string const&>().size();
        if (*i < 0 || static_cast<std::size_t>(*i) >= size)
            return Error::msg("index out of range: " + std::to_string(*i));
        if (item.is_string())
            return Json(static_cast<unsigned char>(item.get_ref<std::string const&>()[static_cast<std::size_t>(*i)]));
        return item[static_cast<std::size_t>(*i)];
    }
    if (item.is_object()) {
        if (!key.is_string())
            return Error::msg("value has type " + type_name(key) + "; should be string");
        auto it = item.find(key.get<std::string>());
        return it != item.end() ? *it : missing_key_value(item);
    }
    if (item.is_null())
        return Error::msg("index of untyped nil");
    return Error::msg("can't index item of type " + type_name(item));
}

Result<Json> fn_index(Args const& a)
{
    Json item = a[0];
    for (std::size_t i = 1; i < a.size(); ++i)
        item = TRY(index_one(item, a[i]));
    return item;
}

Result<Json> fn_slice(Args const& a)
{
    Json const& item = a[0];
    if (!item.is_string() && !item.is_array())
        return Error::msg("can't slice item of type " + type_name(item));
    std::int64_t size = static_cast<std::int64_t>(item.is_string() ? item.get_ref<std::string const&>().size() : item.size());
    std::int64_t from = a.size() > 1 ? TRY(int_arg(a[1])) : 0;
    std::int64_t to = a.size() > 2 ? TRY(int_arg(a[2])) : size;
    if (from < 0 || to < from || to > size)
        return Error::msg("slice index out of range: [" + std::to_string(from) + ":" + std::to_string(to) + "] with length " + std::to_string(size));
    if (item.is_string())
        return Json(item.get_ref<std::string const&>().substr(static_cast<std::size_t>(from), static_cast<std::size_t>(to - from)));
    Json out = Json::array();
    for (auto i = from; i < to; ++i)
        out.push_back(item[static_cast<std::size_t>(i)]);
    return out;
}

Result<Json> fn_eq(Args const& a)
{
    for (std::size_t i = 1; i < a.size(); ++i)
        if (TRY(values_equal(a[0], a[i])))
            return Json(true);
    return Json(false);
}

Result<Json> fn_ne(Args const& a) { return Json(!TRY(values_equal(a[0], a[1]))); }
Result<Json> fn_lt(Args const& a) { return Json(TRY(order(a[0], a[1])) < 0); }
Result<Json> fn_le(Args const& a) { return Json(TRY(order(a[0], a[1])) <= 0); }
Result<Json> fn_gt(Args const& a) { return Json(TRY(order(a[0], a[1])) > 0); }
Result<Json> fn_ge(Args const& a) { return Json(TRY(order(a[0], a[1])) >= 0); }

// fmt.Sprint: a space between operands when neither is a string.
Result<Json> fn_print(Args const& a)
{
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0 && !a[i - 1].is_string() && !a[i].is_string())
            out += ' ';
        print_value(out, a[i]);
    }
    return Json(out);
}

Result<Json> fn_println(Args const& a)
{
    std::string out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (i > 0)
            out += ' ';
        print_value(out, a[i]);
    }
    return Json(out + "\n");
}

Result<Json> fn_printf(Args const& a)
{
    std::string format = TRY(string_arg(a[0]));
    return Json(go_sprintf(format, a, 1));
}

Result<Json> fn_json(Args const& a) { return Json(to_json(a[0])); }

// FIXME: ASCII only; Go's strings.ToLower/ToUpper also map other letters.
Result<Json> fn_lower(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return Json(s);
}

Result<Json> fn_upper(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return Json(s);
}

// strings.Title: upper-case each letter that follows a separator (not a letter, digit or _).
Result<Json> fn_title(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    bool after_separator = true;
    for (char& c : s) {
        auto u = static_cast<unsigned char>(c);
        bool word = std::isalnum(u) || c == '_' || u >= 0x80;
        if (word && after_separator)
            c = static_cast<char>(std::toupper(u));
        after_separator = !word;
    }
    return Json(s);
}

Result<Json> fn_join(Args const& a)
{
    if (!a[0].is_array())
        return wrong_type("list", a[0]);
    std::string sep = TRY(string_arg(a[1]));
    std::string out;
    for (std::size_t i = 0; i < a[0].size(); ++i) {
        if (i > 0)
            out += sep;
        print_value(out, a[0][i]);
    }
    return Json(out);
}

Result<Json> fn_split(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    std::string sep = TRY(string_arg(a[1]));
    Json out = Json::array();
    if (sep.empty()) {
        for (std::size_t i = 0; i < s.size();) {
            std::size_t n = decode_rune(s, i).length;
            out.push_back(s.substr(i, n));
            i += n;
        }
        return out;
    }
    std::size_t start = 0;
    for (auto pos = s.find(sep); pos != std::string::npos; pos = s.find(sep, start)) {
        out.push_back(s.substr(start, pos - start));
        start = pos + sep.size();
    }
    out.push_back(s.substr(start));
    return out;
}

Result<Json> fn_truncate(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    std::int64_t n = TRY(int_arg(a[1]));
    if (n < 0)
        return Error::msg("negative length " + std::to_string(n));
    return Json(s.substr(0, rune_prefix_bytes(s, static_cast<std::size_t>(n))));
}

Result<Json> fn_pad(Args const& a)
{
    std::string s = TRY(string_arg(a[0]));
    std::int64_t before = TRY(int_arg(a[1]));
    std::int64_t after = TRY(int_arg(a[2]));
    if (before < 0 || after < 0)
        return Error::msg("negative padding");
    if (before > static_cast<std::int64_t>(max_output_bytes) || after > static_cast<std::int64_t>(max_output_bytes))
        return Error::msg("padding longer than the output may be");
    return Json(std::string(static_cast<std::size_t>(before), ' ') + s + std::string(static_cast<std::size_t>(after), ' '));
}

// contains S SUBSTR; on a list, whether an element equals the value; on an object, whether the key exists.
Result<Json> fn_contains(Args const& a)
{
    if (a[0].is_array()) {
        for (auto const& e : a[0]) {
            auto eq = values_equal(e, a[1]);
            if (eq.has_value() && eq.value())
                return Json(true);
        }
        return Json(false);
    }
    std::string needle = TRY(string_arg(a[1]));
    if (a[0].is_object())
        return Json(a[0].contains(needle));
    std::string s = TRY(string_arg(a[0]));
    return Json(s.find(needle) != std::string::npos);
}

Builtin const builtins[] = {
    { "and", 1, -1, nullptr },
    { "contains", 2, 2, fn_contains },
    { "eq", 2, -1, fn_eq },
    { "ge", 2, 2, fn_ge },
    { "gt", 2, 2, fn_gt },
    { "index", 1, -1, fn_index },
    { "join", 2, 2, fn_join },
    { "json", 1, 1, fn_json },
    { "le", 2, 2, fn_le },
    { "len", 1, 1, fn_len },
    { "lower", 1, 1, fn_lower },
    { "lt", 2, 2, fn_lt },
    { "ne", 2, 2, fn_ne },
    { "not", 1, 1, fn_not },
    { "or", 1, -1, nullptr },
    { "pad", 3, 3, fn_pad },
    { "print", 0, -1, fn_print },
    { "printf", 1, -1, fn_printf },
    { "println", 0, -1, fn_println },
    { "slice", 1, 3, fn_slice },
    { "split", 2, 2, fn_split },
    { "title", 1, 1, fn_title },
    { "truncate", 2, 2, fn_truncate },
    { "upper", 1, 1, fn_upper },
};

} // namespace

Result<bool> values_equal(Json const& a, Json const& b)
{
    if (a.is_null() || b.is_null())
        return a.is_null() && b.is_null();
    if (a.is_number() && b.is_number())
        return compare_numbers(a, b) == 0;
    if (type_name(a) != type_name(b))
        return Error::msg("incompatible types for comparison");
    return a == b;
}

Builtin const* find_builtin(std::string_view name)
{
    for (auto const& b : builtins)
        if (b.name == name)
            return &b;
    return nullptr;
}

} // namespace berth::format::detail
