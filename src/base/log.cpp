#include "base/log.h"

#include <cstdio>
#include <string>
#include <syslog.h>

namespace berth::log {

static Level g_level = Level::Warn;
static bool g_syslog = false;

void set_level(Level l) { g_level = l; }

void also_to_syslog()
{
    ::openlog("berth", LOG_PID, LOG_USER);
    g_syslog = true;
}
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
    if (g_syslog) {
        static int const priorities[] = { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR };
        ::syslog(priorities[static_cast<int>(l)], "%.*s", static_cast<int>(message.size()), message.data());
    }
}

} // namespace berth::log
