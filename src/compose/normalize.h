// One Compose file's YAML checked and rewritten into one canonical shape
// (every list-or-map key a map, every short syntax the long one), so that
// files merge key by key and the typed model reads one shape only. Internal
// to the compose module.
#pragma once

#include "base/error.h"
#include "compose/interpolate.h"

#include <yaml-cpp/yaml.h>

#include <string>

namespace berth::compose {

/// Where in which file: "FILE: service NAME: KEY[.KEY|[N]]".
struct Where {
    std::string file, service, path;
    Where key(std::string const& k) const { return { file, service, path.empty() ? k : path + "." + k }; }
    Where index(size_t i) const { return { file, service, path + "[" + std::to_string(i) + "]" }; }
    Error error(std::string const& what) const;
};

/// The file's YAML parsed, interpolated and normalised; errors name `file`.
/// `working_dir` makes relative bind sources and env files absolute.
Result<YAML::Node> normalize_file(std::string const& file, std::string const& text, Variables const& vars, std::string const& working_dir);

/// `over` merged into `base` with Compose's override rules (both normalised).
YAML::Node merge_files(YAML::Node const& base, YAML::Node const& over);

} // namespace berth::compose
