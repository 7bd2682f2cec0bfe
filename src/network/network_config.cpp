// Network records and `network create`'s rules: see network_config.h.
#include "network/network_config.h"

#include "base/timestamp.h"
#include "network/mode.h"

#include <algorithm>
#include <charconv>

namespace berth::network {

Json network_json(NetworkConfig const& n)
{
    Json subnets = Json::array();
    for (auto const& s : n.subnets) {
        Json entry { { "subnet", s.subnet.text() } };
        if (s.gateway)
            entry["gateway"] = s.gateway->text();
        if (s.lease_start && s.lease_end)
            entry["lease_range"] = { { "start_ip", s.lease_start->text() }, { "end_ip", s.lease_end->text() } };
        subnets.push_back(std::move(entry));
    }
    Json doc {
        { "name", n.name },
        { "id", n.id },
        { "driver", n.driver },
        { "network_interface", n.interface },
        { "created", timestamp::rfc3339(n.created) },
        { "subnets", std::move(subnets) },
        { "ipv6_enabled", n.ipv6 },
        { "internal", n.internal },
        { "dns_enabled", n.dns_enabled },
        { "ipam_options", n.ipam_options },
    };
    if (!n.labels.empty())
        doc["labels"] = n.labels;
    if (!n.options.empty())
        doc["options"] = n.options;
    if (!n.dns_servers.empty())
        doc["network_dns_servers"] = n.dns_servers;
    return doc;
}

Result<NetworkConfig> network_from_json(Json const& doc)
{
    if (!doc.is_object())
        return Error { EINVAL, "network record: not a JSON object" };
    NetworkConfig n;
    try {
        n.name = doc.value("name", "");
        n.id = doc.value("id", "");
        n.driver = doc.value("driver", "bridge");
        n.interface = doc.value("network_interface", "");
        n.created = timestamp::parse_rfc3339(doc.value("created", ""));
        n.ipv6 = doc.value("ipv6_enabled", false);
        n.internal = doc.value("internal", false);
        n.dns_enabled = doc.value("dns_enabled", false);
        n.labels = doc.value("labels", std::map<std::string, std::string> {});
        n.options = doc.value("options", std::map<std::string, std::string> {});
        n.ipam_options = doc.value("ipam_options", std::map<std::string, std::string> { { "driver", "host-local" } });
        n.dns_servers = doc.value("network_dns_servers", std::vector<std::string> {});
        for (auto const& s : doc.value("subnets", Json::array())) {
            SubnetConfig sc { TRY(Subnet::parse(s.value("subnet", ""))), {}, {}, {} };
            if (s.contains("gateway"))
                sc.gateway = TRY(IpAddress::parse(s.value("gateway", "")));
            if (auto r = s.find("lease_range"); r != s.end() && r->is_object()) {
                sc.lease_start = TRY(IpAddress::parse(r->value("start_ip", "")));
                sc.lease_end = TRY(IpAddress::parse(r->value("end_ip", "")));
            }
            n.subnets.push_back(std::move(sc));
        }
    } catch (Json::exception const& e) {
        return Error { EINVAL, std::string("network record: ") + e.what() };
    }
    return n;
}

NetworkConfig default_network(int64_t created)
{
    NetworkConfig n;
    n.name = default_network_name;
    n.id = default_network_id;
    n.interface = "podman0";
    n.created = created;
    auto subnet = Subnet::parse("10.88.0.0/16").value();
    n.subnets.push_back({ subnet, subnet.network.plus(1), {}, {} });
    return n;
}

bool valid_network_name(std::string const& name)
{
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
    if (name.empty() || !alnum(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '_' || c == '.' || c == '-'; });
}

namespace {

Error invalid_argument(std::string message)
{
    return Error { EINVAL, std::move(message) };
}

/// A bridge option's value, checked as Podman checks it.
ErrorOr check_bridge_option(std::string const& key, std::string const& value)
{
    auto number = [&](unsigned max) -> ErrorOr {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n > max)
            return invalid_argument("invalid network option " + key + "=" + value + ": must be a number from 0 to " + std::to_string(max));
        return {};
    };
    if (key == "mtu")
        return number(65536);
    if (key == "vlan")
        return number(4094);
    if (key == "metric")
        return number(0xffffffffu);
    if (key == "isolate") {
        if (value != "true" && value != "false")
            return invalid_argument("invalid network option isolate=" + value + ": use true or false");
        return {};
    }
    return invalid_argument("unsupported bridge network option " + key);
}

/// --ipam-driver: berth allocates the addresses itself (host-local, the
/// default); Podman's dhcp (macvlan only, through netavark's dhcp proxy) and
/// none (a network without subnets) it does not do.
ErrorOr check_ipam_driver(std::string const& driver)
{
    if (driver.empty() || driver == "host-local")
        return {};
    if (driver == "dhcp" || driver == "none")
        return invalid_argument("ipam driver " + driver + " is not supported by berth: use --ipam-driver host-local (the default)");
    return invalid_argument("unsupported ipam driver \"" + driver + "\" (berth supports host-local)");
}

bool subnet_taken(Subnet const& s, TakenResources const& taken)
{
    for (auto const& n : taken.networks)
        for (auto const& other : n.subnets)
            if (s.overlaps(other.subnet))
                return true;
    return std::any_of(taken.host_subnets.begin(), taken.host_subnets.end(), [&](Subnet const& h) { return s.overlaps(h); });
}

/// The first 10.89.N.0/24 that no network or host interface uses (Podman's default pool).
Result<Subnet> free_ipv4_subnet(TakenResources const& taken)
{
    auto pool = Subnet::parse("10.89.0.0/16").value();
    for (unsigned n = 0; n < 256; ++n) {
        Subnet s { pool.network.plus(uint64_t(n) << 8), 24 };
        if (!subnet_taken(s, taken))
            return s;
    }
    return Error { ENOSPC, "could not find free subnet from subnet pools: remove unused networks (network prune) or give --subnet" };
}

/// podmanN for the smallest N >= 1 that no network (or host interface) has.
std::string free_name(std::vector<std::string> const& used)
{
    for (unsigned n = 1;; ++n) {
        auto name = "podman" + std::to_string(n);
        if (std::find(used.begin(), used.end(), name) == used.end())
            return name;
    }
}

/// The lease range of --ip-range `range` as Podman writes it: from the
/// range's second address to its last (the allocator still leaves out the
/// subnet's broadcast address and the gateway).
std::pair<IpAddress, IpAddress> lease_bounds(Subnet const& range)
{
    return { range.network.plus(1), range.last() };
}

} // namespace

Result<NetworkConfig> plan_network(CreateOptions const& o, TakenResources const& taken, std::string id, int64_t created,
    std::array<uint8_t, 7> const& ula)
{
    NetworkConfig n;
    n.id = std::move(id);
    n.created = created;
    n.internal = o.internal;
    n.ipv6 = o.ipv6;
    n.dns_enabled = !o.disable_dns;
    n.labels = o.labels;
    n.options = o.options;
    // Driver and options.
    if (o.driver != "bridge")
        return invalid_argument("unsupported driver " + o.driver + ": invalid argument (berth supports bridge)");
    n.driver = o.driver;
    for (auto const& [key, value] : o.options)
        TRY(check_bridge_option(key, value));
    TRY(check_ipam_driver(o.ipam_driver));
    // --dns: aardvark-dns's upstream servers, so only where it runs (as Podman's).
    for (auto const& server : o.dns_servers) {
        auto address = IpAddress::parse(server);
        if (!address)
            return invalid_argument("--dns " + server + ": not an IP address");
        n.dns_servers.push_back(address->text());
    }
    if (!n.dns_servers.empty() && !n.dns_enabled)
        return invalid_argument("cannot set NetworkDNSServers if DNS is not enabled for the network: leave out --disable-dns or --dns");
    // Name: given and free, or the first free podmanN.
    std::vector<std::string> names, interfaces = taken.host_interfaces;
    for (auto const& other : taken.networks) {
        names.push_back(other.name);
        interfaces.push_back(other.interface);
    }
    n.name = o.name.empty() ? free_name(names) : o.name;
    if (!valid_network_name(n.name))
        return invalid_argument("network name " + n.name + " invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    if (is_mode_word(n.name) || n.name == "bridge")
        return invalid_argument("cannot create network with name \"" + n.name + "\" because it conflicts with a valid network mode");
    if (std::find(names.begin(), names.end(), n.name) != names.end())
        return Error { EEXIST, "network name " + n.name + " already used: network already exists" };
    if (!o.interface_name.empty()) {
        if (o.interface_name.size() > 15 || !valid_network_name(o.interface_name))
            return invalid_argument("interface name " + o.interface_name + " invalid: at most 15 of [a-zA-Z0-9_.-]");
        if (std::find(interfaces.begin(), interfaces.end(), o.interface_name) != interfaces.end())
            return Error { EEXIST, "bridge name " + o.interface_name + " already in use" };
        n.interface = o.interface_name;
    } else {
        n.interface = free_name(interfaces);
    }
    // Subnets, each with its gateway and range (given in the same order).
    if (o.subnets.empty() && (!o.gateways.empty() || !o.ip_ranges.empty()))
        return invalid_argument("cannot set gateway or range without subnet");
    if (o.gateways.size() > o.subnets.size())
        return invalid_argument("cannot set more gateways than subnets");
    if (o.ip_ranges.size() > o.subnets.size())
        return invalid_argument("cannot set more ranges than subnets");
    for (size_t i = 0; i < o.subnets.size(); ++i) {
        auto subnet = TRY(Subnet::parse(o.subnets[i]));
        SubnetConfig sc { subnet, subnet.network.plus(1), {}, {} };
        if (i < o.gateways.size()) {
            sc.gateway = TRY(IpAddress::parse(o.gateways[i]));
            if (!subnet.contains(*sc.gateway))
                return invalid_argument("gateway " + sc.gateway->text() + " not in subnet " + subnet.text());
        }
        if (i < o.ip_ranges.size()) {
            auto range = TRY(Subnet::parse(o.ip_ranges[i]));
            if (!subnet.contains(range.network) || range.prefix < subnet.prefix)
                return invalid_argument("ip range " + range.text() + " is not in subnet " + subnet.text());
            auto [first, last] = lease_bounds(range);
            sc.lease_start = first;
            sc.lease_end = last;
        }
        if (subnet.size() < 4 && !subnet.network.v6)
            return invalid_argument("subnet " + subnet.text() + " is too small: give a prefix of /30 or shorter");
        for (auto const& earlier : n.subnets)
            if (earlier.subnet.overlaps(subnet))
                return invalid_argument("subnet " + subnet.text() + " is given twice");
        if (subnet_taken(subnet, taken))
            return Error { EEXIST, "subnet " + subnet.text() + " is already used on the host or by another config" };
        if (subnet.network.v6)
            n.ipv6 = true;
        n.subnets.push_back(std::move(sc));
    }
    // Chosen subnets: an IPv4 one unless only IPv6 ones were given; an IPv6 one with --ipv6.
    bool has_v6 = std::any_of(n.subnets.begin(), n.subnets.end(), [](auto const& s) { return s.subnet.network.v6; });
    if (n.subnets.empty()) {
        auto subnet = TRY(free_ipv4_subnet(taken));
        n.subnets.push_back({ subnet, subnet.network.plus(1), {}, {} });
    }
    if (n.ipv6 && !has_v6) {
        Subnet subnet { IpAddress { true, {} }, 64 };
        subnet.network.bytes[0] = 0xfd;
        std::copy(ula.begin(), ula.end(), subnet.network.bytes.begin() + 1);
        n.subnets.push_back({ subnet, subnet.network.plus(1), {}, {} });
    }
    return n;
}

} // namespace berth::network
