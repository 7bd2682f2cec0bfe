// A user-defined network as Podman and netavark describe it: the one JSON
// document that `network inspect` prints and netavark reads (name, id,
// driver, network_interface, subnets[{subnet, gateway, lease_range}],
// ipv6_enabled, internal, dns_enabled, labels, options, ipam_options), and
// the pure rules of `network create`: names, drivers and options that Podman
// accepts, the gateway and range checks, and the choice of a free subnet
// (10.89.N.0/24, as Podman's default pool) and bridge name (podmanN).
//
// The hard part is what "free" means: a subnet is taken when it overlaps any
// other network's or one the host's interfaces are on; the caller gathers
// both under the store's write lock, so two creates never pick the same one.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "network/subnet.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::network {

/// The network every Podman installation has without creating it.
inline constexpr char const* default_network_name = "podman";
/// Its id: sha256("podman"), as Podman's.
inline constexpr char const* default_network_id = "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9";

struct SubnetConfig {
    Subnet subnet;
    std::optional<IpAddress> gateway;
    std::optional<IpAddress> lease_start, lease_end;  ///< --ip-range: the addresses containers get
};

struct NetworkConfig {
    std::string name;
    std::string id;            ///< 64 hex
    std::string driver = "bridge";
    std::string interface;     ///< the bridge: podmanN
    int64_t created = 0;       ///< unix seconds
    std::vector<SubnetConfig> subnets;
    bool ipv6 = false;
    bool internal = false;
    bool dns_enabled = false;
    std::map<std::string, std::string> labels, options;
    std::map<std::string, std::string> ipam_options { { "driver", "host-local" } };
    /// --dns: the servers aardvark-dns forwards the names it does not know to
    /// (netavark's network_dns_servers); empty: the host's.
    std::vector<std::string> dns_servers;
};

/// Podman's (and netavark's) JSON of a network; empty labels/options are left out, as Podman does.
Json network_json(NetworkConfig const& network);
/// Reads network_json's document back.
Result<NetworkConfig> network_from_json(Json const& doc);

/// The `podman` network: 10.88.0.0/16 on podman0, no DNS.
NetworkConfig default_network(int64_t created);

/// `network create`'s flags.
struct CreateOptions {
    std::string name;                      ///< "" picks podmanN
    std::string driver = "bridge";
    std::string interface_name;            ///< --interface-name: the bridge's name ("" picks podmanN)
    std::vector<std::string> subnets, gateways, ip_ranges;
    bool internal = false, ipv6 = false, disable_dns = false;
    std::map<std::string, std::string> labels, options;
    std::string ipam_driver;               ///< --ipam-driver: "" or host-local (dhcp and none are refused)
    std::vector<std::string> dns_servers;  ///< --dns: IP addresses, only with DNS enabled
};

/// What a new network must not collide with.
struct TakenResources {
    std::vector<NetworkConfig> networks;     ///< every network, the default included
    std::vector<Subnet> host_subnets;        ///< the subnets of the host's interfaces
    std::vector<std::string> host_interfaces;
};

/// Podman's name rule [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool valid_network_name(std::string const& name);

/// Builds the network `options` ask for, or one clear Error (bad subnet,
/// gateway outside its subnet, a taken name or subnet, an unknown driver or
/// option), in Podman's words. `ula` are random bytes for an IPv6 subnet
/// chosen with --ipv6 and no IPv6 --subnet (fdXX:XXXX:XXXX:XXXX::/64).
Result<NetworkConfig> plan_network(CreateOptions const& options, TakenResources const& taken, std::string id, int64_t created,
    std::array<uint8_t, 7> const& ula);

} // namespace berth::network
