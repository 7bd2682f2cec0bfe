// Unit tests for -p/--publish parsing and formatting (ports.cpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "container/ports.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::container;

TEST_CASE("publish: IP:HOSTPORT:CONTAINERPORT/PROTO and its short forms")
{
    auto m = parse_publish("127.0.0.1:8080:80").value();
    CHECK(m.host_ip == "127.0.0.1");
    CHECK(m.host_port == 8080);
    CHECK(m.container_port == 80);
    CHECK(m.protocol == "tcp");
    m = parse_publish("8080:80/udp").value();
    CHECK(m.host_ip.empty());
    CHECK(m.host_port == 8080);
    CHECK(m.protocol == "udp");
    m = parse_publish("80").value();
    CHECK(m.host_port == 80);
    CHECK(m.container_port == 80);
    m = parse_publish("127.0.0.1::80").value();
    CHECK(m.host_ip == "127.0.0.1");
    CHECK(m.host_port == 80);
    m = parse_publish("0.0.0.0:81:80").value();
    CHECK(m.host_ip.empty());
    m = parse_publish("[::1]:8080:80").value();
    CHECK(m.host_ip == "::1");
    CHECK(m.host_port == 8080);
    CHECK(format_port(m) == "[::1]:8080->80/tcp");
    CHECK(host_address(m) == "[::1]:8080");
}

TEST_CASE("publish: malformed values are refused naming the flag and the value")
{
    for (char const* bad : { "", "abc", "0", "70000", "80/sctp", "1.2.3.4.5:80:80", "8080-8081:80-81", "a:b:c:d",
             "::1:80:80", "80:", "[::1", "-1" }) {
        auto r = parse_publish(bad);
        REQUIRE_MESSAGE(!r, bad);
        CHECK(r.error().message.find("-p/--publish \"" + std::string(bad) + "\"") == 0);
    }
    CHECK(parse_publish("8080-8081:80-81").error().message.find("ranges") != std::string::npos);
    // inet_pton stops at a NUL: the address after it must not slip through with it.
    CHECK_FALSE(parse_publish(std::string_view("[::1\0junk]:80:80", 16)).has_value());
    CHECK_FALSE(parse_publish(std::string_view("127.0.0.1\0x:80:80", 17)).has_value());
}

TEST_CASE("publish: display text and pasta options")
{
    auto list = parse_publish_list({ "127.0.0.1:8080:80", "53:53/udp" }).value();
    CHECK(format_port(list[0]) == "127.0.0.1:8080->80/tcp");
    CHECK(format_port(list[1]) == "0.0.0.0:53->53/udp");
    CHECK(port_key(list[1]) == "53/udp");
    CHECK(pasta_port_args(list) == std::vector<std::string> { "-t", "127.0.0.1/8080:80", "-u", "53:53" });
    CHECK(pasta_port_args({}) == std::vector<std::string> { "-t", "none", "-u", "none" });
    CHECK(!parse_publish_list({ "80", "x" }));
    CHECK(ports_text(list) == "127.0.0.1:8080->80/tcp, 0.0.0.0:53->53/udp");
    auto bindings = port_bindings_json(published_ports(Json { { "publish", Json::array({ "127.0.0.1:8080:80" }) } }));
    CHECK(bindings.dump() == R"({"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]})");
    CHECK(published_ports(Json::object()).empty());
}
