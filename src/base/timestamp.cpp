#include "base/timestamp.h"

#include <cstdlib>
#include <cstring>
#include <ctime>

namespace berth::timestamp {

std::string rfc3339(int64_t seconds)
{
    char buf[64];
    time_t t = static_cast<time_t>(seconds);
    struct tm tm {};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

int64_t parse_rfc3339(std::string const& text)
{
    if (text.size() < 19)
        return 0;
    struct tm tm {};
    char const* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return 0;
    int64_t t = timegm(&tm);
    // Skip fractional seconds, then apply a numeric offset ("Z" is UTC).
    if (*rest == '.')
        while (*++rest >= '0' && *rest <= '9') { }
    if ((*rest == '+' || *rest == '-') && std::strlen(rest) >= 6) {
        int sign = *rest == '+' ? 1 : -1;
        int hh = std::atoi(std::string(rest + 1, 2).c_str());
        int mm = std::atoi(std::string(rest + 4, 2).c_str());
        t -= sign * (hh * 3600 + mm * 60);
    }
    return t;
}

} // namespace berth::timestamp
