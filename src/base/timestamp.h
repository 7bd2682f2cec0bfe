// RFC 3339 timestamps, the form image configs, inspect output and volume
// records use.
#pragma once

#include <cstdint>
#include <string>

namespace berth::timestamp {

/// Seconds since the epoch -> "2024-01-02T03:04:05Z".
std::string rfc3339(int64_t seconds);
/// "2024-01-02T03:04:05.123+02:00" -> seconds since the epoch (fractions dropped);
/// 0 if empty or unparseable.
int64_t parse_rfc3339(std::string const& text);

} // namespace berth::timestamp
