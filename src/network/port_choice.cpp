// choose_host_ports(): see ports.h. The kernel picks the port: a socket of
// the mapping's protocol bound to port 0 on the mapping's address. The
// sockets stay open until every port is chosen, so that two mappings never
// get the same one.
#include "network/ports.h"

#include "base/unique_fd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace berth::network {

namespace {

Result<UniqueFd> bind_any_port(PortMapping const& m, uint16_t& port)
{
    bool v6 = m.host_ip.find(':') != std::string::npos;
    UniqueFd fd { ::socket(v6 ? AF_INET6 : AF_INET, (m.protocol == "udp" ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0) };
    if (!fd)
        return Error::from_errno("choose a host port: socket");
    sockaddr_storage ss {};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        ::inet_pton(AF_INET6, m.host_ip.c_str(), &a->sin6_addr);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        if (!m.host_ip.empty())
            ::inet_pton(AF_INET, m.host_ip.c_str(), &a->sin_addr);
        len = sizeof *a;
    }
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return Error::from_errno("choose a host port for " + port_key(m) + " on " + (m.host_ip.empty() ? "0.0.0.0" : m.host_ip));
    len = sizeof ss;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
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

} // namespace berth::network
