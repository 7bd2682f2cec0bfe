// host_internal_address(): see host_address.h.
#include "network/host_address.h"

#include "base/fs.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
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

namespace {

/// A bridge (netavark's podman0, a user network's, docker0) or a tun/tap
/// device (pasta's, slirp4netns's): links that come and go with containers,
/// so their addresses would name the host only for a while.
bool container_link(std::string const& name)
{
    std::string dir = "/sys/class/net/" + name;
    return fs::exists(dir + "/bridge") || fs::exists(dir + "/tun_flags");
}

} // namespace

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
        if (!a->ifa_addr || (a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP) || !a->ifa_name || skip == a->ifa_name
            || container_link(a->ifa_name))
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

void add_host_interfaces(TakenResources& taken)
{
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) < 0)
        return;
    for (auto* ifa = list; ifa; ifa = ifa->ifa_next) {
        if (ifa->ifa_flags & IFF_LOOPBACK)
            continue;
        if (std::find(taken.host_interfaces.begin(), taken.host_interfaces.end(), ifa->ifa_name) == taken.host_interfaces.end())
            taken.host_interfaces.push_back(ifa->ifa_name);
        if (!ifa->ifa_addr || !ifa->ifa_netmask)
            continue;
        IpAddress address, mask;
        if (ifa->ifa_addr->sa_family == AF_INET) {
            std::memcpy(address.bytes.data(), &reinterpret_cast<sockaddr_in*>(ifa->ifa_addr)->sin_addr, 4);
            std::memcpy(mask.bytes.data(), &reinterpret_cast<sockaddr_in*>(ifa->ifa_netmask)->sin_addr, 4);
        } else if (ifa->ifa_addr->sa_family == AF_INET6) {
            address.v6 = mask.v6 = true;
            std::memcpy(address.bytes.data(), &reinterpret_cast<sockaddr_in6*>(ifa->ifa_addr)->sin6_addr, 16);
            std::memcpy(mask.bytes.data(), &reinterpret_cast<sockaddr_in6*>(ifa->ifa_netmask)->sin6_addr, 16);
        } else {
            continue;
        }
        unsigned prefix = 0;
        for (size_t i = 0; i < mask.size(); ++i)
            prefix += static_cast<unsigned>(__builtin_popcount(mask.bytes[i]));
        if (auto subnet = Subnet::parse(address.text() + "/" + std::to_string(prefix)))
            taken.host_subnets.push_back(*subnet);
    }
    ::freeifaddrs(list);
}

} // namespace berth::network
