// Values of the template engine: JSON values printed and judged the way Go's
// text/template and fmt treat the interface{} values that encoding/json decodes.
//
// The hard part is number printing: Go prints a float64 with %v as the shortest
// round-tripping %g, which switches to exponent form below 1e-4 and from 1e6 up
// (precision 6 decides), while json.Marshal switches at 1e-6 and 1e21. Podman's
// fields are mostly Go integers, so an integral number is always printed without a
// decimal point, whatever JSON type holds it.
#pragma once

#include "base/json.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::format::detail {

/// The value's kind as error messages name it: object, array, string, number, bool, null.
std::string type_name(Json const& value);
/// The Go type name printf's %T and %!verb(type=...) show: string, int, float64, bool, []interface {}, ...
std::string go_type_name(Json const& value);

/// Go's template truth: false, 0, null and empty strings, arrays and objects are false.
bool truth(Json const& value);

/// The value as an action prints it: null is "<no value>", the rest as fmt's %v.
std::string to_text(Json const& value);
/// fmt's %v: strings raw, integral numbers without decimals, [a b], map[k:v], null as <nil>.
void print_value(std::string& out, Json const& value);
std::string print_value(Json const& value);

/// The number as an integer if it is one (an integral float counts).
std::optional<std::int64_t> as_integer(Json const& value);
/// Go's %v of a float64 ("1.5", "1e+06", "1.2345675e+06"), except integral values print as integers.
std::string format_float(double value);
/// A float in Go's strconv shortest form: fmt is 'e' or 'f'.
std::string format_float_shortest(double value, char fmt);
/// Compact JSON exactly as Go's json.Marshal with SetEscapeHTML(false) writes it.
std::string to_json(Json const& value);
/// Go's strconv.Quote.
std::string go_quote(std::string_view text);

/// One decoded UTF-8 sequence: an invalid byte decodes as U+FFFD of length 1.
struct Rune {
    char32_t code = 0;
    std::size_t length = 1;
    bool valid = true;
};
/// Decodes the code point starting at byte `pos` of text (pos < text.size()).
Rune decode_rune(std::string_view text, std::size_t pos);
/// Appends the UTF-8 encoding of a code point.
void append_utf8(std::string& out, char32_t code);

/// Number of UTF-8 code points (an invalid byte counts as one), as tabwriter and %-10s count width.
std::size_t rune_count(std::string_view text);
/// The byte length of the first `runes` code points of text.
std::size_t rune_prefix_bytes(std::string_view text, std::size_t runes);

} // namespace berth::format::detail
