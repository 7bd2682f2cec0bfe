// IP addresses and subnets of user-defined networks: parsing CIDR text as Go's
// net.ParseCIDR does (Podman's error "invalid CIDR address: X"), containment
// and overlap, and the n-th address of a subnet. Pure functions over 16-byte
// addresses, so IPv4 and IPv6 share one code path; the hard part is only to
// keep IPv4 in its 4 bytes (an IPv4 subnet never contains an IPv6 address).
#pragma once

#include "base/error.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace berth::network {

struct IpAddress {
    bool v6 = false;
    std::array<uint8_t, 16> bytes {};  ///< IPv4 in the first 4

    /// "10.88.0.1", "fd00::1"; an Error "invalid IP address: X" otherwise.
    static Result<IpAddress> parse(std::string_view text);
    std::string text() const;
    size_t size() const { return v6 ? 16 : 4; }
    /// This address plus `n` (wrapping within the family's width).
    IpAddress plus(uint64_t n) const;
    /// The address one below this one (wrapping).
    IpAddress previous() const;
    /// The distance from `from` to this address (saturating; 0 if below).
    uint64_t minus(IpAddress const& from) const;
    auto operator<=>(IpAddress const&) const = default;
};

struct Subnet {
    IpAddress network;  ///< the masked network address
    unsigned prefix = 0;

    /// "10.89.0.0/24" (host bits are masked off, as Go does); an Error
    /// "invalid CIDR address: X" otherwise.
    static Result<Subnet> parse(std::string_view text);
    std::string text() const;
    bool contains(IpAddress const& address) const;
    bool overlaps(Subnet const& other) const;
    /// The last address (the broadcast address of an IPv4 subnet).
    IpAddress last() const;
    /// The number of addresses, saturated at 2^63.
    uint64_t size() const;
    bool operator==(Subnet const&) const = default;
};

} // namespace berth::network
