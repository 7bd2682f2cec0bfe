// IP addresses and subnets: see subnet.h.
#include "network/subnet.h"

#include <arpa/inet.h>
#include <charconv>

namespace berth::network {

Result<IpAddress> IpAddress::parse(std::string_view text)
{
    std::string s(text);
    IpAddress a;
    if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1)
        return a;
    if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
        a.v6 = true;
        return a;
    }
    return Error { EINVAL, "invalid IP address: " + s };
}

std::string IpAddress::text() const
{
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return buf;
}

IpAddress IpAddress::plus(uint64_t n) const
{
    IpAddress out = *this;
    unsigned carry = 0;
    for (size_t i = size(); i-- > 0;) {
        unsigned sum = out.bytes[i] + static_cast<unsigned>(n & 0xff) + carry;
        out.bytes[i] = static_cast<uint8_t>(sum);
        carry = sum >> 8;
        n >>= 8;
    }
    return out;
}

IpAddress IpAddress::previous() const
{
    IpAddress out = *this;
    for (size_t i = size(); i-- > 0;)
        if (out.bytes[i]-- != 0)
            break;
    return out;
}

uint64_t IpAddress::minus(IpAddress const& from) const
{
    if (*this <= from || v6 != from.v6)
        return 0;
    // Subtract byte-wise; saturate when the difference does not fit 63 bits.
    std::array<uint8_t, 16> diff {};
    int borrow = 0;
    for (size_t i = size(); i-- > 0;) {
        int d = int(bytes[i]) - int(from.bytes[i]) - borrow;
        borrow = d < 0;
        diff[i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
    }
    uint64_t out = 0;
    for (size_t i = 0; i < size(); ++i) {
        if (out >> 55)
            return uint64_t(1) << 63;
        out = (out << 8) | diff[i];
    }
    return out;
}

Result<Subnet> Subnet::parse(std::string_view text)
{
    auto invalid = Error { EINVAL, "invalid CIDR address: " + std::string(text) };
    auto slash = text.find('/');
    if (slash == std::string_view::npos)
        return invalid;
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address)
        return invalid;
    auto digits = text.substr(slash + 1);
    unsigned prefix = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || prefix > address->size() * 8)
        return invalid;
    Subnet s { *address, prefix };
    for (size_t bit = prefix; bit < s.network.size() * 8; ++bit)
        s.network.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
    return s;
}

std::string Subnet::text() const
{
    return network.text() + "/" + std::to_string(prefix);
}

bool Subnet::contains(IpAddress const& address) const
{
    if (address.v6 != network.v6)
        return false;
    for (unsigned bit = 0; bit < prefix; ++bit) {
        uint8_t mask = 0x80u >> (bit % 8);
        if ((address.bytes[bit / 8] & mask) != (network.bytes[bit / 8] & mask))
            return false;
    }
    return true;
}

bool Subnet::overlaps(Subnet const& other) const
{
    return prefix <= other.prefix ? contains(other.network) : other.contains(network);
}

IpAddress Subnet::last() const
{
    IpAddress out = network;
    for (size_t bit = prefix; bit < out.size() * 8; ++bit)
        out.bytes[bit / 8] |= static_cast<uint8_t>(0x80u >> (bit % 8));
    return out;
}

uint64_t Subnet::size() const
{
    unsigned host_bits = static_cast<unsigned>(network.size() * 8) - prefix;
    return host_bits >= 63 ? uint64_t(1) << 63 : uint64_t(1) << host_bits;
}

} // namespace berth::network
