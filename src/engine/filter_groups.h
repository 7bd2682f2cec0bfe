// Podman's rule for list filters (volume ls, network ls, prune --filter):
// filters with the same key match when any of them does, except the keys
// that must all match (label), and every key present must match. Shared by
// the nouns whose filters are plain KEY=VALUE pairs.
#pragma once

#include "base/error.h"
#include "engine/containers/container_query.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace berth::engine {

/// label=KEY or label=KEY=VALUE (and opt=...) against a map of labels or options.
inline bool has_key_value(std::map<std::string, std::string> const& map, std::string const& wanted)
{
    auto eq = wanted.find('=');
    auto it = map.find(wanted.substr(0, eq));
    return it != map.end() && (eq == std::string::npos || it->second == wanted.substr(eq + 1));
}

/// `filters` are {key, value} structs; `one(filter)` tells whether one filter
/// matches; keys in `all_keys` need every filter of theirs to match.
template<typename Filter, typename One>
bool filter_groups_match(std::vector<Filter> const& filters, std::initializer_list<std::string_view> all_keys, One one)
{
    std::map<std::string, std::vector<Filter const*>> by_key;
    for (auto const& f : filters)
        by_key[f.key].push_back(&f);
    for (auto const& [key, group] : by_key) {
        auto hit = [&](Filter const* f) { return one(*f); };
        bool all = std::find(all_keys.begin(), all_keys.end(), key) != all_keys.end();
        if (!(all ? std::all_of(group.begin(), group.end(), hit) : std::any_of(group.begin(), group.end(), hit)))
            return false;
    }
    return true;
}

/// The checks of the keys the nouns share: until= becomes unix seconds
/// (parse_until), name= must be a regular expression.
template<typename Filter>
ErrorOr check_shared_filter(Filter& filter)
{
    if (filter.key == "until")
        filter.value = std::to_string(TRY(parse_until(filter.value)));
    if (filter.key == "name") {
        try {
            std::regex check(filter.value);
        } catch (std::regex_error const&) {
            return Error { EINVAL, "invalid name filter \"" + filter.value + "\": not a regular expression" };
        }
    }
    return {};
}

} // namespace berth::engine
