// Unit tests for -p/--publish parsing and formatting (ports.cpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "network/ports.h"

#include "base/unique_fd.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace berth;
using namespace berth::network;

namespace {

PortMapping one(std::string_view value)
{
    auto list = parse_publish(value).value();
    REQUIRE(list.size() == 1);
    return list[0];
}

} // namespace

TEST_CASE("publish: IP:HOSTPORT:CONTAINERPORT/PROTO and its short forms")
{
    auto m = one("127.0.0.1:8080:80");
    CHECK(m.host_ip == "127.0.0.1");
    CHECK(m.host_port == 8080);
    CHECK(m.container_port == 80);
    CHECK(m.protocol == "tcp");
    m = one("8080:80/udp");
    CHECK(m.host_ip.empty());
    CHECK(m.host_port == 8080);
    CHECK(m.protocol == "udp");
    m = one("80");  // a random host port, chosen at create
    CHECK(m.host_port == 0);
    CHECK(m.container_port == 80);
    m = one("127.0.0.1::80");
    CHECK(m.host_ip == "127.0.0.1");
    CHECK(m.host_port == 0);
    m = one("0.0.0.0:81:80");
    CHECK(m.host_ip.empty());
    m = one("[::1]:8080:80");
    CHECK(m.host_ip == "::1");
    CHECK(m.host_port == 8080);
    CHECK(format_port(m) == "[::1]:8080->80/tcp");
    CHECK(host_address(m) == "[::1]:8080");
    CHECK(publish_text(m) == "[::1]:8080:80/tcp");
    CHECK(publish_text(one("8080:80/udp")) == "8080:80/udp");
}

TEST_CASE("publish: ranges become one mapping per port")
{
    auto list = parse_publish("127.0.0.1:8080-8082:80-82/udp").value();
    REQUIRE(list.size() == 3);
    CHECK(list[2].host_port == 8082);
    CHECK(list[2].container_port == 82);
    CHECK(list[2].protocol == "udp");
    CHECK(list[2].host_ip == "127.0.0.1");
    list = parse_publish("90-91").value();
    REQUIRE(list.size() == 2);
    CHECK(list[1].host_port == 0);
    CHECK(list[1].container_port == 91);
    CHECK(parse_publish("8080-8081:80-82").error().message.find("differ in length") != std::string::npos);
    CHECK(parse_publish("8081-8080:80-81").error().message.find("below the start") != std::string::npos);
}

TEST_CASE("publish: malformed values are refused naming the flag and the value")
{
    for (char const* bad : { "", "abc", "0", "70000", "80/sctp", "1.2.3.4.5:80:80", "8080-8081:80", "a:b:c:d",
             "::1:80:80", "80:", "[::1", "-1", "80-", "65535-65536" }) {
        auto r = parse_publish(bad);
        REQUIRE_MESSAGE(!r, bad);
        CHECK(r.error().message.find("-p/--publish \"" + std::string(bad) + "\"") == 0);
    }
    // inet_pton stops at a NUL: the address after it must not slip through with it.
    CHECK_FALSE(parse_publish(std::string_view("[::1\0junk]:80:80", 16)).has_value());
    CHECK_FALSE(parse_publish(std::string_view("127.0.0.1\0x:80:80", 17)).has_value());
}

TEST_CASE("expose and random host ports")
{
    auto e = parse_exposed("53/udp").value();
    CHECK(e.container_port == 53);
    CHECK(e.protocol == "udp");
    CHECK(parse_exposed("80")->protocol == "tcp");
    CHECK(!parse_exposed("80/sctp"));
    CHECK(!parse_exposed("x"));
    auto list = parse_publish_list({ "127.0.0.1::80", "127.0.0.1::81", "127.0.0.1::53/udp", "127.0.0.1:8080:82" }).value();
    REQUIRE(choose_host_ports(list).has_value());
    CHECK(list[0].host_port != 0);
    CHECK(list[1].host_port != 0);
    CHECK(list[0].host_port != list[1].host_port);
    CHECK(list[2].host_port != 0);
    CHECK(list[3].host_port == 8080);
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
    // Consecutive ports are one entry, whether a range or separate flags made them (Podman 4.3.1 shows the same).
    auto runs = parse_publish_list({ "127.0.0.1:18080-18081:80-81", "127.0.0.1:18090:90", "127.0.0.1:18091:91", "18092:92/udp",
                                       "18093:93/udp", "18095:94/udp" }).value();
    CHECK(ports_text(runs) == "127.0.0.1:18080-18081->80-81/tcp, 127.0.0.1:18090-18091->90-91/tcp, 0.0.0.0:18092-18093->92-93/udp, 0.0.0.0:18095->94/udp");
    auto bindings = port_bindings_json(published_ports(Json { { "publish", Json::array({ "127.0.0.1:8080:80" }) } }));
    CHECK(bindings.dump() == R"({"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]})");
    CHECK(port_bindings_json(list)["53/udp"][0]["HostIp"] == "");  // every address, as Podman shows it
    CHECK(published_ports(Json::object()).empty());
}

TEST_CASE("check_host_ports_free: a port taken on 127.0.0.1 is taken for 0.0.0.0 too; the check holds nothing")
{
    // A listener on 127.0.0.1 at a port the kernel picks.
    std::vector<PortMapping> chosen { one("127.0.0.1::80") };
    REQUIRE(choose_host_ports(chosen));
    uint16_t port = chosen[0].host_port;
    UniqueFd listener { ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0) };
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listener.get(), 1) == 0);

    std::string p = std::to_string(port);
    for (auto const* value : { "PORT:80", "127.0.0.1:PORT:80" }) {
        std::string text = value;
        text.replace(text.find("PORT"), 4, p);
        auto taken = check_host_ports_free({ one(text) });
        REQUIRE_FALSE(taken.has_value());
        CHECK(taken.error().code == EADDRINUSE);
        CHECK(taken.error().message.find("host port " + p + "/tcp on ") != std::string::npos);
    }
    // The same number over UDP is another port.
    CHECK(check_host_ports_free({ one(p + ":80/udp") }));
    listener.reset();
    // Free again, and the check itself left nothing bound: twice in a row.
    CHECK(check_host_ports_free({ one(p + ":80") }));
    CHECK(check_host_ports_free({ one(p + ":80") }));
}
