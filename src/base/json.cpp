#include "base/json.h"

namespace berth::json {

Result<Json> parse(std::string_view text, std::string_view what)
{
    try {
        return Json::parse(text);
    } catch (Json::exception const& e) {
        return Error::msg("parse " + std::string(what) + ": " + e.what());
    }
}

Result<OrderedJson> parse_ordered(std::string_view text, std::string_view what)
{
    try {
        return OrderedJson::parse(text);
    } catch (OrderedJson::exception const& e) {
        return Error::msg("parse " + std::string(what) + ": " + e.what());
    }
}

Result<std::string> get_string(Json const& j, std::string const& key, std::string_view what)
{
    if (!j.is_object())
        return Error::msg(std::string(what) + ": not a JSON object");
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        return Error::msg(std::string(what) + ": missing string field \"" + key + "\"");
    return it->get<std::string>();
}

std::string dump(Json const& j, int indent) { return j.dump(indent, ' ', false, Json::error_handler_t::replace); }
std::string dump(OrderedJson const& j, int indent) { return j.dump(indent, ' ', false, OrderedJson::error_handler_t::replace); }

} // namespace berth::json
