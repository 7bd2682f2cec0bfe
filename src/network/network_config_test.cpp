// Unit tests for user-defined networks' pure parts: subnet math (subnet.cpp)
// network create's rules and records (network_config.cpp), address
// allocation and netavark's JSON (netavark.cpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "network/netavark.h"
#include "network/network_config.h"
#include "network/subnet.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::network;

namespace {

std::array<uint8_t, 7> const ula { 1, 2, 3, 4, 5, 6, 7 };

Result<NetworkConfig> plan(CreateOptions const& o, TakenResources const& taken = { { default_network(0) }, {}, {} })
{
    return plan_network(o, taken, std::string(64, 'a'), 1, ula);
}

std::string error_of(CreateOptions const& o, TakenResources const& taken = { { default_network(0) }, {}, {} })
{
    auto n = plan(o, taken);
    return n ? "" : n.error().message;
}

} // namespace

TEST_CASE("subnets: parse as Go's ParseCIDR, masking host bits")
{
    CHECK(Subnet::parse("10.5.0.7/24")->text() == "10.5.0.0/24");
    CHECK(Subnet::parse("fd00:1::5/64")->text() == "fd00:1::/64");
    CHECK(Subnet::parse("10.5.0.0/0")->text() == "0.0.0.0/0");
    for (auto bad : { "10.5.0.0/33", "bogus", "10.5.0.0", "10.5.0.0/", "10.5.0.0/2x", "fd00::/129", "10.5.0/24" }) {
        CAPTURE(bad);
        auto s = Subnet::parse(bad);
        REQUIRE(!s);
        CHECK(s.error().message == std::string("invalid CIDR address: ") + bad);
    }
}

TEST_CASE("subnets: containment, overlap, last address, size")
{
    auto s = Subnet::parse("10.89.3.0/24").value();
    CHECK(s.contains(IpAddress::parse("10.89.3.255").value()));
    CHECK(!s.contains(IpAddress::parse("10.89.4.0").value()));
    CHECK(!s.contains(IpAddress::parse("::a59:300").value()));
    CHECK(s.last().text() == "10.89.3.255");
    CHECK(s.size() == 256);
    CHECK(s.overlaps(Subnet::parse("10.89.0.0/16").value()));
    CHECK(Subnet::parse("10.89.0.0/16")->overlaps(s));
    CHECK(!s.overlaps(Subnet::parse("10.89.4.0/24").value()));
    CHECK(IpAddress::parse("10.0.0.255")->plus(1).text() == "10.0.1.0");
    CHECK(IpAddress::parse("10.0.1.3")->minus(IpAddress::parse("10.0.0.1").value()) == 258);
    CHECK(IpAddress::parse("fd00::ff")->plus(1).text() == "fd00::100");
    CHECK(IpAddress::parse("fd00::100")->previous().text() == "fd00::ff");
    CHECK(IpAddress::parse("10.0.1.0")->previous().text() == "10.0.0.255");
}

TEST_CASE("network create: the default pool, names and bridges")
{
    auto n = plan({});
    REQUIRE(n);
    CHECK(n->name == "podman1");
    CHECK(n->interface == "podman1");
    REQUIRE(n->subnets.size() == 1);
    CHECK(n->subnets[0].subnet.text() == "10.89.0.0/24");
    CHECK(n->subnets[0].gateway->text() == "10.89.0.1");
    CHECK(n->dns_enabled);
    // The next one skips what is taken, by networks and by the host.
    TakenResources taken { { default_network(0), *n }, { Subnet::parse("10.89.1.128/25").value() }, { "podman2" } };
    auto m = plan({ .name = "second" }, taken);
    REQUIRE(m);
    CHECK(m->subnets[0].subnet.text() == "10.89.2.0/24");
    CHECK(m->interface == "podman3");
    CHECK(error_of({ .name = "podman1" }, taken) == "network name podman1 already used: network already exists");
    CHECK(error_of({ .name = "podman" }) == "network name podman already used: network already exists");
    CHECK(error_of({ .name = "bad name" }) == "network name bad name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    // --network would read these as its modes (Podman's message).
    CHECK(error_of({ .name = "host" }) == "cannot create network with name \"host\" because it conflicts with a valid network mode");
    CHECK(error_of({ .name = "bridge" }) == "cannot create network with name \"bridge\" because it conflicts with a valid network mode");
    CHECK(error_of({ .name = "pasta" }).find("conflicts with a valid network mode") != std::string::npos);
    CHECK(plan({ .name = "hostnet" }).has_value());
}

TEST_CASE("network create: subnets, gateways and ranges are checked")
{
    auto n = plan({ .subnets = { "10.5.0.0/24" }, .gateways = { "10.5.0.254" }, .ip_ranges = { "10.5.0.128/25" } });
    REQUIRE(n);
    CHECK(n->subnets[0].gateway->text() == "10.5.0.254");
    CHECK(n->subnets[0].lease_start->text() == "10.5.0.129");
    CHECK(n->subnets[0].lease_end->text() == "10.5.0.255");
    CHECK(error_of({ .subnets = { "10.5.0.0/33" } }) == "invalid CIDR address: 10.5.0.0/33");
    CHECK(error_of({ .gateways = { "10.9.9.1" } }) == "cannot set gateway or range without subnet");
    CHECK(error_of({ .subnets = { "10.7.0.0/24" }, .gateways = { "10.8.0.1" } }) == "gateway 10.8.0.1 not in subnet 10.7.0.0/24");
    CHECK(error_of({ .subnets = { "10.7.0.0/24" }, .ip_ranges = { "10.8.0.0/25" } }) == "ip range 10.8.0.0/25 is not in subnet 10.7.0.0/24");
    CHECK(error_of({ .subnets = { "10.88.5.0/24" } }) == "subnet 10.88.5.0/24 is already used on the host or by another config");
    CHECK(error_of({ .driver = "macvlan2" }).starts_with("unsupported driver macvlan2: invalid argument"));
    CHECK(error_of({ .options = { { "mtu", "x" } } }).starts_with("invalid network option mtu=x"));
    CHECK(error_of({ .options = { { "colour", "red" } } }) == "unsupported bridge network option colour");
    CHECK(plan({ .options = { { "mtu", "1400" }, { "isolate", "true" } } }));
}

TEST_CASE("network create: IPv6")
{
    auto n = plan({ .ipv6 = true });
    REQUIRE(n);
    REQUIRE(n->subnets.size() == 2);
    CHECK(n->subnets[1].subnet.text() == "fd01:203:405:607::/64");
    CHECK(n->subnets[1].gateway->text() == "fd01:203:405:607::1");
    auto only6 = plan({ .subnets = { "fd10::/64" } });
    REQUIRE(only6);
    CHECK(only6->ipv6);
    CHECK(only6->subnets.size() == 1);
}

TEST_CASE("network records: the JSON round trip, Podman's keys")
{
    auto n = plan({ .name = "web", .subnets = { "10.5.0.0/24" }, .ip_ranges = { "10.5.0.0/26" }, .internal = true, .labels = { { "a", "b" } } }).value();
    auto doc = network_json(n);
    CHECK(doc["name"] == "web");
    CHECK(doc["subnets"][0]["subnet"] == "10.5.0.0/24");
    CHECK(doc["subnets"][0]["gateway"] == "10.5.0.1");
    CHECK(doc["subnets"][0]["lease_range"]["start_ip"] == "10.5.0.1");
    CHECK(doc["subnets"][0]["lease_range"]["end_ip"] == "10.5.0.63");
    CHECK(doc["internal"] == true);
    CHECK(doc["labels"]["a"] == "b");
    CHECK(!doc.contains("options"));
    CHECK(doc["ipam_options"]["driver"] == "host-local");
    auto back = network_from_json(doc).value();
    CHECK(network_json(back) == doc);
    auto d = network_json(default_network(0));
    CHECK(d["network_interface"] == "podman0");
    CHECK(d["dns_enabled"] == false);
    CHECK(d["subnets"][0]["subnet"] == "10.88.0.0/16");
}

TEST_CASE("network create --dns: aardvark-dns's servers, netavark's network_dns_servers; --ipam-driver")
{
    auto n = plan({ .name = "dnsnet", .dns_servers = { "10.5.0.53", "fd00::53" } }).value();
    CHECK(n.dns_servers == std::vector<std::string> { "10.5.0.53", "fd00::53" });
    auto doc = network_json(n);
    CHECK(doc["network_dns_servers"] == Json::array({ "10.5.0.53", "fd00::53" }));
    CHECK(network_from_json(doc).value().dns_servers == n.dns_servers);
    // Passed to netavark with the network, which hands them to aardvark-dns.
    Attachment a { "dnsnet", "eth0", {}, { IpAddress::parse("10.89.0.2").value() }, "" };
    auto options = netavark_options(std::string(64, 'c'), "c", { a }, { { "dnsnet", n } }, {});
    CHECK(options["network_info"]["dnsnet"]["network_dns_servers"] == Json::array({ "10.5.0.53", "fd00::53" }));
    CHECK(!network_json(plan({}).value()).contains("network_dns_servers"));
    CHECK(error_of({ .dns_servers = { "dns.example" } }) == "--dns dns.example: not an IP address");
    CHECK(error_of({ .disable_dns = true, .dns_servers = { "10.5.0.53" } })
        == "cannot set NetworkDNSServers if DNS is not enabled for the network: leave out --disable-dns or --dns");
    CHECK(plan({ .ipam_driver = "host-local" }).value().ipam_options.at("driver") == "host-local");
    CHECK(error_of({ .ipam_driver = "dhcp" }) == "ipam driver dhcp is not supported by berth: use --ipam-driver host-local (the default)");
    CHECK(error_of({ .ipam_driver = "none" }) == "ipam driver none is not supported by berth: use --ipam-driver host-local (the default)");
    CHECK(error_of({ .ipam_driver = "foo" }) == "unsupported ipam driver \"foo\" (berth supports host-local)");
}

TEST_CASE("IPAM: the lowest free address, never the network, gateway or broadcast address")
{
    auto n = plan({ .subnets = { "10.5.0.0/29" } }).value();
    auto const& s = n.subnets[0];
    auto ip = [](char const* text) { return IpAddress::parse(text).value(); };
    CHECK(allocate_address(s, {})->text() == "10.5.0.2");
    CHECK(allocate_address(s, { ip("10.5.0.2"), ip("10.5.0.4") })->text() == "10.5.0.3");
    CHECK(allocate_address(s, { ip("10.5.0.2"), ip("10.5.0.3"), ip("10.5.0.4"), ip("10.5.0.5") })->text() == "10.5.0.6");
    auto full = allocate_address(s, { ip("10.5.0.2"), ip("10.5.0.3"), ip("10.5.0.4"), ip("10.5.0.5"), ip("10.5.0.6") });
    REQUIRE(!full);
    CHECK(full.error().code == ENOSPC);
    // --ip-range: only inside it.
    auto ranged = plan({ .subnets = { "10.6.0.0/24" }, .ip_ranges = { "10.6.0.128/25" } }).value();
    CHECK(allocate_address(ranged.subnets[0], {})->text() == "10.6.0.129");
    // --gateway elsewhere: the first address is free.
    auto gw = plan({ .subnets = { "10.7.0.0/24" }, .gateways = { "10.7.0.254" } }).value();
    CHECK(allocate_address(gw.subnets[0], {})->text() == "10.7.0.1");
    auto v6 = plan({ .subnets = { "fd10::/64" } }).value();
    CHECK(allocate_address(v6.subnets[0], {})->text() == "fd10::2");
    // From a start on, wrapping at the end of the range.
    CHECK(allocate_address(s, {}, 2)->text() == "10.5.0.3");
    CHECK(allocate_address(s, { ip("10.5.0.6") }, 5)->text() == "10.5.0.2");
    CHECK(allocate_address(s, { ip("10.5.0.2"), ip("10.5.0.6") }, 5)->text() == "10.5.0.3");
    CHECK(allocate_address(s, {}, 1000)->text() == "10.5.0.2");  // 1000 % 7: the broadcast address, then wrapped
    // --ip: inside a subnet, not a reserved address.
    CHECK(check_static_address(n, ip("10.5.0.5")));
    CHECK(check_static_address(n, ip("10.5.0.1")).error().message == "requested static ip 10.5.0.1 is the network, gateway or broadcast address of 10.5.0.0/29");
    CHECK(check_static_address(n, ip("10.9.0.5")).error().message == "requested static ip 10.9.0.5 not in any subnet on network " + n.name);
}

TEST_CASE("netavark: the options document and the status it prints")
{
    auto n = plan({ .name = "tnet", .subnets = { "10.213.50.0/24" } }).value();
    Attachment a { "tnet", "eth0", { "t1", "al" }, { IpAddress::parse("10.213.50.2").value() }, "" };
    auto doc = netavark_options(std::string(64, 'c'), "t1", { a }, { { "tnet", n } },
        { PortMapping { "", 8080, 80, "tcp" } });
    CHECK(doc["container_name"] == "t1");
    CHECK(doc["networks"]["tnet"]["interface_name"] == "eth0");
    CHECK(doc["networks"]["tnet"]["static_ips"] == Json::array({ "10.213.50.2" }));
    CHECK(doc["networks"]["tnet"]["aliases"] == Json::array({ "t1", "al" }));
    CHECK(!doc["networks"]["tnet"].contains("static_mac"));
    CHECK(doc["network_info"]["tnet"]["subnets"][0]["subnet"] == "10.213.50.0/24");
    CHECK(doc["port_mappings"][0] == Json { { "host_ip", "" }, { "host_port", 8080 }, { "container_port", 80 }, { "protocol", "tcp" }, { "range", 1 } });
    // What netavark 1.4 printed for that document.
    auto status = parse_netavark_status(R"({"tnet":{"dns_search_domains":["dns.podman"],"dns_server_ips":["10.213.50.1"],)"
                                        R"("interfaces":{"eth0":{"mac_address":"6e:e9:51:0f:d6:45","subnets":[{"gateway":"10.213.50.1","ipnet":"10.213.50.2/24"}]}}}})");
    REQUIRE_MESSAGE(status, (status ? "" : status.error().message));
    auto const& s = status->at("tnet");
    CHECK(s.interface_name == "eth0");
    CHECK(s.mac == "6e:e9:51:0f:d6:45");
    CHECK(s.addresses == std::vector<std::pair<std::string, std::string>> { { "10.213.50.2/24", "10.213.50.1" } });
    CHECK(s.dns_servers == std::vector<std::string> { "10.213.50.1" });
    CHECK(!parse_netavark_status("nonsense"));
}
