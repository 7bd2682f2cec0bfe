// RawTerminal: puts a terminal in raw mode for the life of the object and
// restores it after, so `run -it`, `attach` and `exec -it` pass every key
// (^C, ^Z, ^D) to the container's pty instead of acting on them here.
#pragma once

#include <termios.h>

namespace berth {

class RawTerminal {
public:
    /// Does nothing when `fd` is not a terminal.
    explicit RawTerminal(int fd) : m_fd(fd)
    {
        if (::tcgetattr(fd, &m_saved) != 0)
            return;
        struct termios raw = m_saved;
        ::cfmakeraw(&raw);
        m_active = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
    }
    ~RawTerminal()
    {
        if (m_active)
            ::tcsetattr(m_fd, TCSADRAIN, &m_saved);
    }
    RawTerminal(RawTerminal const&) = delete;
    RawTerminal& operator=(RawTerminal const&) = delete;

private:
    int m_fd;
    struct termios m_saved {};
    bool m_active = false;
};

} // namespace berth
