// host_internal_address(): see host_address.h.
#include "network/host_address.h"

#include "base/fs.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <sstream>

namespace berth::network {

std::string default_route_interface()
{
    auto text = fs::read_file("/proc/net/route").value_or("");
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string iface, destination;
        if (fields >> iface >> destination && destination == "00000000")
            return iface;
    }
    return "";
}

std::string host_internal_address(NetworkMode const& mode)
{
    if (!mode.user_mode())
        return "";
    std::string skip = mode.kind == NetworkMode::Kind::Pasta ? default_route_interface() : "";
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0)
        return "";
    std::string v4, v6;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP) || (a->ifa_name && skip == a->ifa_name))
            continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (a->ifa_addr->sa_family == AF_INET && v4.empty()) {
            auto const* sin = reinterpret_cast<sockaddr_in const*>(a->ifa_addr);
            if ((ntohl(sin->sin_addr.s_addr) >> 16) == 0xa9fe)  // 169.254/16: link-local
                continue;
            v4 = ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
        } else if (a->ifa_addr->sa_family == AF_INET6 && v6.empty()) {
            auto const* sin6 = reinterpret_cast<sockaddr_in6 const*>(a->ifa_addr);
            if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
                continue;
            v6 = ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
        }
    }
    ::freeifaddrs(list);
    return !v4.empty() ? v4 : v6;
}

} // namespace berth::network
