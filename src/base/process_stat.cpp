// /proc/PID/stat: see process_stat.h.
#include "base/process_stat.h"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace berth {

std::optional<ProcessStat> parse_process_stat(std::string_view text)
{
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    ProcessStat st;
    st.comm = std::string(text.substr(open + 1, close - open - 1));
    // Fields 3 (state) to 24 (rss), space-separated after the ')'.
    std::string_view fields[22];
    size_t count = 0;
    size_t pos = close + 1;
    while (count < 22) {
        while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n'))
            ++pos;
        if (pos >= text.size())
            break;
        size_t end = text.find_first_of(" \n", pos);
        if (end == std::string_view::npos)
            end = text.size();
        fields[count++] = text.substr(pos, end - pos);
        pos = end;
    }
    if (count < 22)
        return std::nullopt;
    auto number = [&](int field) {
        int64_t value = 0;
        auto f = fields[field - 3];
        std::from_chars(f.data(), f.data() + f.size(), value);
        return value;
    };
    st.state = fields[0][0];
    st.ppid = static_cast<pid_t>(number(4));
    st.tty_nr = static_cast<int>(number(7));
    st.utime = number(14);
    st.stime = number(15);
    st.nice = static_cast<int>(number(19));
    st.start_time = number(22);
    st.vsize = number(23);
    st.rss_pages = number(24);
    return st;
}

std::optional<ProcessStat> read_process_stat(int64_t pid)
{
    if (pid <= 0)
        return std::nullopt;
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    // Fields 1 to 24 take at most ~500 bytes (comm is 16 at most): one read.
    char buf[1024];
    ssize_t n;
    do
        n = ::read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    ::close(fd);
    if (n <= 0)
        return std::nullopt;
    return parse_process_stat(std::string_view(buf, static_cast<size_t>(n)));
}

int64_t process_start_time(int64_t pid)
{
    auto st = read_process_stat(pid);
    return st ? st->start_time : 0;
}

bool process_alive(int64_t pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

} // namespace berth
