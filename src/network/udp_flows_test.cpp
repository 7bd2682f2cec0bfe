// Unit tests for the UDP relay's flow table (udp_flows.cpp): lookup by
// client and by socket, expiry after the idle time (reset by use), the
// eviction of the least recently used flow at the cap, and poll's timeout.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "network/udp_flows.h"

#include <doctest/doctest.h>

using namespace berth::network;
using namespace std::chrono_literals;

TEST_CASE("udp flows: one per client and published port, found by either side")
{
    UdpFlows flows(90s, 16);
    auto t0 = UdpFlows::Clock::time_point {};
    CHECK(flows.find(0, client_key(0x0100007f, 5000), t0) == nullptr);
    CHECK(flows.add(0, client_key(0x0100007f, 5000), 10, t0) == -1);
    CHECK(flows.add(1, client_key(0x0100007f, 5000), 11, t0) == -1);
    CHECK(flows.add(0, client_key(0x0100007f, 5001), 12, t0) == -1);
    REQUIRE(flows.find(0, client_key(0x0100007f, 5000), t0) != nullptr);
    CHECK(flows.find(0, client_key(0x0100007f, 5000), t0)->fd == 10);
    CHECK(flows.find(1, client_key(0x0100007f, 5000), t0)->fd == 11);
    CHECK(flows.find(0, client_key(0x0100007f, 5001), t0)->fd == 12);
    REQUIRE(flows.by_fd(11, t0) != nullptr);
    CHECK(flows.by_fd(11, t0)->listener == 1);
    CHECK(flows.by_fd(99, t0) == nullptr);
}

TEST_CASE("udp flows: an idle flow expires; traffic either way keeps it")
{
    UdpFlows flows(90s, 16);
    auto t0 = UdpFlows::Clock::time_point {};
    flows.add(0, 1, 10, t0);
    flows.add(0, 2, 11, t0 + 30s);
    CHECK(flows.next_timeout_ms(t0) == 90000);
    CHECK(flows.expire(t0 + 89s).empty());
    flows.by_fd(10, t0 + 89s);  // a reply from the container
    CHECK(flows.next_timeout_ms(t0 + 89s) == 31000);
    CHECK(flows.expire(t0 + 120s) == std::vector<int> { 11 });
    CHECK(flows.expire(t0 + 179s) == std::vector<int> { 10 });
    CHECK(flows.flows().empty());
    CHECK(flows.next_timeout_ms(t0) == -1);
}

TEST_CASE("udp flows: at the cap the least recently used flow is evicted")
{
    UdpFlows flows(90s, 2);
    auto t0 = UdpFlows::Clock::time_point {};
    flows.add(0, 1, 10, t0);
    flows.add(0, 2, 11, t0 + 1s);
    flows.find(0, 1, t0 + 2s);
    CHECK(flows.add(0, 3, 12, t0 + 3s) == 11);
    CHECK(flows.flows().size() == 2);
    CHECK(flows.find(0, 2, t0 + 3s) == nullptr);
}
