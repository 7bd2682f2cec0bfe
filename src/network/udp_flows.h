// The flow table of the port proxy's UDP relay (port_proxy.h). UDP has no
// connections, so the proxy makes one: per client address (and published
// port) a socket connected to the container's port, from inside the network
// namespace, so that the container's replies come back on it and go out to
// that client through the host's socket. A flow unused for `idle` is closed,
// as Docker's userland proxy and rootlessport close theirs (90 s), and at
// most `max` flows are kept (the oldest goes), so that a flood of source
// addresses cannot exhaust the proxy's descriptors. Pure bookkeeping (the
// caller opens and closes the sockets), so it is unit-tested on its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace berth::network {

class UdpFlows {
public:
    using Clock = std::chrono::steady_clock;

    struct Flow {
        size_t listener = 0;   ///< which published port (the proxy's index)
        uint64_t client = 0;   ///< the client's address and port (client_key)
        int fd = -1;           ///< the socket connected to the container
        Clock::time_point last_used;
    };

    UdpFlows(Clock::duration idle, size_t max)
        : m_idle(idle)
        , m_max(max)
    {
    }

    /// The flow of `client` on `listener`, marked used at `now`; nullptr if none.
    Flow* find(size_t listener, uint64_t client, Clock::time_point now);
    /// The flow whose socket is `fd`, marked used at `now`; nullptr if none.
    Flow* by_fd(int fd, Clock::time_point now);
    /// Records a new flow; returns the fd of the flow evicted to stay within
    /// `max` (the least recently used), or -1.
    int add(size_t listener, uint64_t client, int fd, Clock::time_point now);
    /// Removes the flows idle for `idle` at `now`; returns their fds.
    std::vector<int> expire(Clock::time_point now);
    /// How long until the next flow expires (for poll); -1 (forever) when there is none.
    int next_timeout_ms(Clock::time_point now) const;

    std::vector<Flow> const& flows() const { return m_flows; }

private:
    Clock::duration m_idle;
    size_t m_max;
    std::vector<Flow> m_flows;
};

/// An IPv4 address (network order) and port (host order) as one key.
inline uint64_t client_key(uint32_t address, uint16_t port) { return static_cast<uint64_t>(address) << 16 | port; }

} // namespace berth::network
