// YAML text into yaml-cpp nodes, parsed by libyaml.
//
// yaml-cpp 0.7 (Debian 12) loops forever on several malformed inputs (a ','
// first on a line, a NUL, a non-ASCII tag before '?'...; fixed in 0.8), and
// each guard against one left the next for the fuzzer to find. libyaml, the
// parser PyYAML and Ruby's Psych use, is continuously fuzzed and has no such
// loops, so it reads the text, and its events build the yaml-cpp tree the kube
// and compose code walks, as yaml-cpp's own parser would have:
//
//  - a plain ~, null, Null, NULL or empty scalar is a Null node; a quoted one
//    is a string;
//  - an alias is the anchored node itself (shared, not copied), and an alias
//    used before its node ends (a cycle) or never anchored is an error;
//  - a map keeps duplicate keys, as yaml-cpp's loader does.
//
// Beyond yaml-cpp 0.7: merge keys (`<<: *base`, `<<: [*a, *b]`) are resolved,
// as Docker Compose and PyYAML do (the map's own keys win, then earlier merged
// maps over later ones); nesting deeper than max_yaml_depth and aliases that
// expand to more than max_yaml_nodes nodes ("billion laughs") are refused, so
// that no walk of the tree can overflow the stack or run for hours.
#pragma once

#include "base/error.h"

#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace berth {

inline constexpr size_t max_yaml_depth = 256;
inline constexpr size_t max_yaml_nodes = 1'000'000;

/// Every document of `text`; an empty stream has none. Errors read
/// "line L, column C: what" (1-based).
Result<std::vector<YAML::Node>> load_yaml_documents(std::string_view text);

/// The first document of `text`, or a Null node when it has none.
Result<YAML::Node> load_yaml(std::string_view text);

/// What yaml-cpp threw while the tree was walked: its message, after
/// "line L, column C: " when it knows where (nodes built here carry no
/// position, so the walkers' own errors name the key path instead).
std::string yaml_exception_message(YAML::Exception const& e);

} // namespace berth
