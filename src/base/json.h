// The one wrapper around nlohmann/json: it throws, berth returns Error.
#pragma once

#include "base/error.h"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace berth {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

namespace json {

/// Parses `text`; `what` names the document in the error ("manifest", "auth.json").
Result<Json> parse(std::string_view text, std::string_view what);
Result<OrderedJson> parse_ordered(std::string_view text, std::string_view what);
/// Reads a member as a string, or returns an error naming `what` and the key.
Result<std::string> get_string(Json const& j, std::string const& key, std::string_view what);
/// Serialises without throwing on invalid UTF-8 (replaced by U+FFFD).
std::string dump(Json const& j, int indent = -1);
std::string dump(OrderedJson const& j, int indent = -1);

} // namespace json
} // namespace berth
