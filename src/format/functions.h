// The template functions: Go's builtins (and, or, not, len, index, slice, eq..ge,
// print, printf, println) and Podman's (json, lower, upper, title, join, split,
// truncate, pad), plus contains. Internal to src/format.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace berth::format::detail {

using Args = std::vector<Json>;
using BuiltinFn = Result<Json> (*)(Args const& args);

struct Builtin {
    std::string_view name;
    int min_args;
    int max_args;   ///< -1: any number
    BuiltinFn fn;   ///< null for and/or, which the evaluator runs lazily
};

/// The function called `name`, or null when there is none.
Builtin const* find_builtin(std::string_view name);

/// Go's eq for two values; an error for incompatible types (string vs number).
Result<bool> values_equal(Json const& a, Json const& b);

/// The most one template execution may print (a real --format prints a row or
/// an object: kilobytes). Widths of 10^6 in a loop would otherwise print gigabytes.
inline constexpr std::size_t max_output_bytes = 16u << 20;

/// Go's fmt.Sprintf for the subset templates use: verbs v s d q x X o b c t T e E f F g G %,
/// flags "-+ #0", width and precision (also "*"); wrong types print as %!d(string=x).
/// Stops after max_output_bytes (the template then fails).
std::string go_sprintf(std::string_view format, Args const& args, std::size_t first = 0);

} // namespace berth::format::detail
