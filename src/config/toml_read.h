// Reading Podman's TOML configuration files (registries.conf, containers.conf,
// storage.conf) with tomlplusplus: parsing with the file and line of a syntax
// error, typed getters whose errors name the key, and drop-in directories.
// Errors carry no file name: callers add it (Error::with_context).
#pragma once

#include "base/error.h"

#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

namespace berth::config {

/// `text` with every line that holds only a comment left empty (its line
/// ending kept); nullopt when there is none, or when a multi-line string may
/// hold a line that starts with '#'.
std::optional<std::string> blank_comment_lines(std::string_view text);
/// Parses `text`; a syntax error is "line N: what is wrong".
Result<toml::table> parse_toml(std::string_view text, std::string_view source_path);
Result<std::string> toml_string(toml::node const& node, std::string_view key);
Result<bool> toml_bool(toml::node const& node, std::string_view key);
Result<int64_t> toml_integer(toml::node const& node, std::string_view key);
Result<std::vector<std::string>> toml_string_array(toml::node const& node, std::string_view key);
/// The "*.conf" regular files of `dir`, sorted by name; a missing directory has none.
std::vector<std::string> dropin_files(std::string const& dir);

} // namespace berth::config
