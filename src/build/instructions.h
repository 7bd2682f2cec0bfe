// The instruction parsers behind parse_containerfile: one logical line (from
// the lexer) into one typed Instruction. Internal to src/build.
#pragma once

#include "base/error.h"
#include "build/containerfile.h"
#include "build/syntax.h"

#include <chrono>
#include <string_view>

namespace berth::build {

/// Parses one logical line; errors are "file:line: what to fix".
Result<Instruction> parse_logical_line(syntax::LogicalLine const& line, char escape, std::string_view file);

/// A Go duration as Docker's HEALTHCHECK flags take it: "30s", "1m30s",
/// "1.5h", "250ms", "0"; negative durations are refused.
Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

} // namespace berth::build
