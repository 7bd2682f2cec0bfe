// bind_host_port(), choose_host_ports() and check_host_ports_free(): see
// ports.h; the port proxy listens through bind_host_port() too. The kernel
// picks the port: a socket of the mapping's protocol bound to port 0 on the
// mapping's address. The sockets stay open until every port is chosen, so
// that two mappings never get the same one.
#include "network/ports.h"

#include "base/unique_fd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace berth::network {

Result<UniqueFd> bind_host_port(PortMapping const& m, uint16_t port, bool v6)
{
    v6 = v6 || m.host_ip.find(':') != std::string::npos;
    bool udp = m.protocol == "udp";
    UniqueFd fd { ::socket(v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0) };
    if (!fd)
        return Error::from_errno("socket");
    int on = 1;
    // A TCP port whose last connection is in TIME_WAIT is free to listen on.
    if (!udp)
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_storage ss {};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        if (!m.host_ip.empty())
            ::inet_pton(AF_INET6, m.host_ip.c_str(), &a->sin6_addr);
        else
            ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        if (!m.host_ip.empty())
            ::inet_pton(AF_INET, m.host_ip.c_str(), &a->sin_addr);
        len = sizeof *a;
    }
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return Error::from_errno("bind");
    // A TCP listener holds the port against another's listen (bind alone does not, with SO_REUSEADDR).
    if (!udp && port != 0 && ::listen(fd.get(), 128) != 0)
        return Error::from_errno("listen");
    return fd;
}

namespace {

Result<UniqueFd> bind_any_port(PortMapping const& m, uint16_t& port)
{
    auto fd = bind_host_port(m, 0);
    if (!fd)
        return Error::from_errno("choose a host port for " + port_key(m) + " on " + (m.host_ip.empty() ? "0.0.0.0" : m.host_ip), fd.error().code);
    bool v6 = m.host_ip.find(':') != std::string::npos;
    sockaddr_storage ss {};
    socklen_t len = sizeof ss;
    if (::getsockname(fd->get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return Error::from_errno("choose a host port: getsockname");
    port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return fd;
}

} // namespace

ErrorOr choose_host_ports(std::vector<PortMapping>& mappings)
{
    std::vector<UniqueFd> held;
    for (auto& m : mappings) {
        if (m.host_port != 0)
            continue;
        uint16_t port = 0;
        held.push_back(TRY(bind_any_port(m, port)));
        m.host_port = port;
    }
    return {};
}

ErrorOr check_host_ports_free(std::vector<PortMapping> const& mappings)
{
    for (auto const& m : mappings) {
        // Without an address the helper listens on 0.0.0.0 and on "::"; it
        // goes on when one of them is taken, so both are checked here.
        for (bool v6 : { false, true }) {
            if (v6 && !m.host_ip.empty())
                break;
            auto held = bind_host_port(m, m.host_port, v6);
            if (!held && held.error().code == EADDRINUSE)
                return Error { EADDRINUSE, "host port " + std::to_string(m.host_port) + "/" + m.protocol + " on "
                        + (m.host_ip.empty() ? (v6 ? "::" : "0.0.0.0") : m.host_ip)
                        + " is already in use: publish another host port, or stop what listens there" };
            // Other errors (no IPv6, an address this host does not have) are the helper's to report.
        }
    }
    return {};
}

} // namespace berth::network
