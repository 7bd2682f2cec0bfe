#include "base/log.h"

#include <cstdio>
#include <string>

namespace berth::log {

static Level g_level = Level::Warn;

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

bool parse_level(std::string_view text, Level& out)
{
    if (text == "debug" || text == "trace") out = Level::Debug;
    else if (text == "info") out = Level::Info;
    else if (text == "warn" || text == "warning") out = Level::Warn;
    else if (text == "error" || text == "fatal" || text == "panic") out = Level::Error;
    else return false;
    return true;
}

void write(Level l, std::string_view message)
{
    static char const* const names[] = { "DEBU", "INFO", "WARN", "ERRO" };
    std::string line = std::string(names[static_cast<int>(l)]) + "[0000] " + std::string(message) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace berth::log
