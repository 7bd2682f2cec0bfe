// The UDP relay's flow table: see udp_flows.h.
#include "network/udp_flows.h"

#include <algorithm>

namespace berth::network {

UdpFlows::Flow* UdpFlows::find(size_t listener, uint64_t client, Clock::time_point now)
{
    for (auto& f : m_flows)
        if (f.listener == listener && f.client == client) {
            f.last_used = now;
            return &f;
        }
    return nullptr;
}

UdpFlows::Flow* UdpFlows::by_fd(int fd, Clock::time_point now)
{
    for (auto& f : m_flows)
        if (f.fd == fd) {
            f.last_used = now;
            return &f;
        }
    return nullptr;
}

int UdpFlows::add(size_t listener, uint64_t client, int fd, Clock::time_point now)
{
    int evicted = -1;
    if (m_max > 0 && m_flows.size() >= m_max) {
        auto oldest = std::min_element(m_flows.begin(), m_flows.end(), [](Flow const& a, Flow const& b) { return a.last_used < b.last_used; });
        evicted = oldest->fd;
        m_flows.erase(oldest);
    }
    m_flows.push_back({ listener, client, fd, now });
    return evicted;
}

std::vector<int> UdpFlows::expire(Clock::time_point now)
{
    std::vector<int> closed;
    std::erase_if(m_flows, [&](Flow const& f) {
        if (now - f.last_used < m_idle)
            return false;
        closed.push_back(f.fd);
        return true;
    });
    return closed;
}

int UdpFlows::next_timeout_ms(Clock::time_point now) const
{
    if (m_flows.empty())
        return -1;
    auto first = std::min_element(m_flows.begin(), m_flows.end(), [](Flow const& a, Flow const& b) { return a.last_used < b.last_used; });
    auto left = first->last_used + m_idle - now;
    if (left <= Clock::duration::zero())
        return 0;
    // Rounded up, so that the poll does not wake just before the deadline.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
}

} // namespace berth::network
