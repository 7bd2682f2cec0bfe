// Address allocation and netavark's JSON: see netavark.h.
#include "network/netavark.h"

#include <algorithm>

namespace berth::network {

namespace {

bool reserved(SubnetConfig const& s, IpAddress const& a)
{
    return a == s.subnet.network || (s.gateway && a == *s.gateway) || (!a.v6 && a == s.subnet.last());
}

} // namespace

namespace {

/// last - first, UINT64_MAX when it does not fit.
uint64_t span_of(IpAddress const& first, IpAddress const& last)
{
    size_t from = first.v6 ? 8 : 0, to = first.v6 ? 16 : 4;
    for (size_t i = 0; i < from; ++i)
        if (first.bytes[i] != last.bytes[i])
            return UINT64_MAX;
    uint64_t a = 0, b = 0;
    for (size_t i = from; i < to; ++i) {
        a = a << 8 | first.bytes[i];
        b = b << 8 | last.bytes[i];
    }
    return b - a;
}

} // namespace

Result<IpAddress> allocate_address(SubnetConfig const& s, std::vector<IpAddress> const& used, uint64_t start)
{
    auto first = s.lease_start.value_or(s.subnet.network.plus(1));
    auto last = s.lease_end.value_or(s.subnet.last());
    if (!s.subnet.contains(first) || !s.subnet.contains(last) || last < first)
        return Error { EINVAL, "lease range of subnet " + s.subnet.text() + " is not inside it" };
    std::vector<IpAddress> taken(used);
    std::sort(taken.begin(), taken.end());
    // Walk up from the start, stepping over taken ones and wrapping at the
    // end of the range: from the first address, at most used.size() + 3
    // steps pass before a free address.
    auto span = span_of(first, last);
    auto a = first.plus(span == UINT64_MAX ? start : start % (span + 1));
    for (uint64_t step = 0; step <= span; ++step) {
        if (!reserved(s, a) && !std::binary_search(taken.begin(), taken.end(), a))
            return a;
        a = a == last ? first : a.plus(1);
    }
    return Error { ENOSPC, "IPAM error: failed to find free IP in range: " + s.subnet.text() + ": every address is in use" };
}

ErrorOr check_static_address(NetworkConfig const& network, IpAddress const& address)
{
    for (auto const& s : network.subnets)
        if (s.subnet.contains(address)) {
            if (reserved(s, address))
                return Error { EINVAL, "requested static ip " + address.text() + " is the network, gateway or broadcast address of " + s.subnet.text() };
            return {};
        }
    return Error { EINVAL, "requested static ip " + address.text() + " not in any subnet on network " + network.name };
}

Json netavark_options(std::string const& container_id, std::string const& container_name,
    std::vector<Attachment> const& attachments, std::map<std::string, NetworkConfig> const& networks,
    std::vector<PortMapping> const& ports)
{
    Json per_network = Json::object(), info = Json::object();
    for (auto const& a : attachments) {
        Json options { { "interface_name", a.interface_name } };
        Json ips = Json::array();
        for (auto const& ip : a.addresses)
            ips.push_back(ip.text());
        options["static_ips"] = std::move(ips);
        if (!a.aliases.empty())
            options["aliases"] = a.aliases;
        if (!a.mac.empty())
            options["static_mac"] = a.mac;
        per_network[a.network] = std::move(options);
        if (auto it = networks.find(a.network); it != networks.end())
            info[a.network] = network_json(it->second);
    }
    Json mappings = Json::array();
    for (auto const& p : ports)
        mappings.push_back({ { "host_ip", p.host_ip }, { "host_port", p.host_port }, { "container_port", p.container_port },
            { "protocol", p.protocol }, { "range", 1 } });
    return Json {
        { "container_id", container_id },
        { "container_name", container_name },
        { "networks", std::move(per_network) },
        { "network_info", std::move(info) },
        { "port_mappings", std::move(mappings) },
    };
}

Result<std::map<std::string, AttachmentStatus>> parse_netavark_status(std::string_view text)
{
    auto doc = TRY(json::parse(text, "netavark's status"));
    if (!doc.is_object())
        return Error { EINVAL, "netavark's status: not a JSON object" };
    std::map<std::string, AttachmentStatus> out;
    try {
        for (auto const& [name, block] : doc.items()) {
            AttachmentStatus status;
            status.dns_servers = block.value("dns_server_ips", std::vector<std::string> {});
            status.dns_search = block.value("dns_search_domains", std::vector<std::string> {});
            auto interfaces = block.value("interfaces", Json::object());
            for (auto const& [interface, details] : interfaces.items()) {
                status.interface_name = interface;
                status.mac = details.value("mac_address", "");
                auto subnets = details.value("subnets", Json::array());
                for (auto const& s : subnets)
                    status.addresses.emplace_back(s.value("ipnet", ""), s.value("gateway", ""));
            }
            out[name] = std::move(status);
        }
    } catch (Json::exception const& e) {
        return Error { EINVAL, std::string("netavark's status: ") + e.what() };
    }
    return out;
}

} // namespace berth::network
