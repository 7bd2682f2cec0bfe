// What berth hands netavark (Podman's network backend) and reads back, and
// the address allocation netavark leaves to its caller. netavark's
// interface is documented JSON: `netavark --config DIR --rootless BOOL
// --aardvark-binary PATH setup|teardown NETNS_PATH` reads the network
// options (container id and name, per network the interface name, static
// ips, aliases and mac, the networks' own documents, the port mappings) on
// stdin; setup prints a status per network (interfaces with their mac and
// addresses, the DNS servers for resolv.conf).
//
// The hard part is the allocation: netavark 1.4 assigns no addresses of its
// own (every bridge attachment needs static_ips), so the caller picks a free
// one per subnet. allocate_address is pure; the store runs it under its
// write lock over every lease of the network, so that concurrent starts
// never get the same address.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "network/network_config.h"
#include "network/ports.h"
#include "network/subnet.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::network {

/// A free address of `subnet` for a container: within its lease range
/// (--ip-range) when it has one, never the network address, the gateway,
/// nor (IPv4) the broadcast address, nor any of `used`. Podman's order: the
/// lowest free one, from the `start`th address of the range on (modulo its
/// size; wrapping at its end). ENOSPC when the subnet is full.
Result<IpAddress> allocate_address(SubnetConfig const& subnet, std::vector<IpAddress> const& used, uint64_t start = 0);

/// Whether a --ip address may be given to a container on `network`: in one
/// of its subnets and not its network address, gateway or broadcast address.
ErrorOr check_static_address(NetworkConfig const& network, IpAddress const& address);

/// A container's attachment to one network, as netavark's per-network options.
struct Attachment {
    std::string network;                ///< the network's name
    std::string interface_name;         ///< eth0, eth1, ... in the container
    std::vector<std::string> aliases;   ///< names aardvark-dns answers for it (its name and short id come first)
    std::vector<IpAddress> addresses;   ///< one per subnet, allocated or --ip
    std::string mac;                    ///< --mac-address; "" for netavark's own
};

/// The network options document netavark reads on stdin.
Json netavark_options(std::string const& container_id, std::string const& container_name,
    std::vector<Attachment> const& attachments, std::map<std::string, NetworkConfig> const& networks,
    std::vector<PortMapping> const& ports);

/// One network's part of netavark setup's status.
struct AttachmentStatus {
    std::string interface_name;
    std::string mac;
    std::vector<std::pair<std::string, std::string>> addresses;  ///< (ipnet "10.89.0.2/24", gateway)
    std::vector<std::string> dns_servers;                         ///< aardvark-dns's addresses ("" when DNS is off)
    std::vector<std::string> dns_search;
};
/// Reads netavark setup's stdout: network name -> status.
Result<std::map<std::string, AttachmentStatus>> parse_netavark_status(std::string_view text);

} // namespace berth::network
