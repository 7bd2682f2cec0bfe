// Leveled diagnostics on stderr (--log-level). Modules below the CLI may log
// at debug/info/warn level but never print results or exit.
#pragma once

#include <fmt/core.h>
#include <string_view>

namespace berth::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

void set_level(Level level);
Level level();
/// Parses "debug", "info", "warn", "error"; false if unknown.
bool parse_level(std::string_view text, Level& out);
void write(Level level, std::string_view message);
/// --syslog: every message written from now on also goes to syslog(3), as "berth".
void also_to_syslog();

template<typename... Args> void debug(fmt::format_string<Args...> f, Args&&... args)
{
    if (level() <= Level::Debug)
        write(Level::Debug, fmt::format(f, std::forward<Args>(args)...));
}
template<typename... Args> void info(fmt::format_string<Args...> f, Args&&... args)
{
    if (level() <= Level::Info)
        write(Level::Info, fmt::format(f, std::forward<Args>(args)...));
}
template<typename... Args> void warn(fmt::format_string<Args...> f, Args&&... args)
{
    if (level() <= Level::Warn)
        write(Level::Warn, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace berth::log
