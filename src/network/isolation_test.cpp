// Unit tests for the isolation rules between networks (isolation.cpp): what
// is added for a new bridge, nothing when all is in place, the FORWARD jump
// kept first, the clean-up once no bridge is left, and which bridges of a
// netavark options document are isolated.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "network/isolation.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::network;
using Commands = std::vector<std::vector<std::string>>;

namespace {

std::string const netavark_only = "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N NETAVARK_FORWARD\n"
                                  "-A FORWARD -m comment --comment \"netavark firewall plugin rules\" -j NETAVARK_FORWARD\n"
                                  "-A NETAVARK_FORWARD -s 10.89.0.0/24 -j ACCEPT\n";

std::string const isolated_br0 = "-P FORWARD ACCEPT\n-N BERTH-ISOLATION-1\n-N BERTH-ISOLATION-2\n-N NETAVARK_FORWARD\n"
                                 "-A FORWARD -j BERTH-ISOLATION-1\n"
                                 "-A FORWARD -m comment --comment \"netavark firewall plugin rules\" -j NETAVARK_FORWARD\n"
                                 "-A BERTH-ISOLATION-1 -m conntrack --ctstate DNAT -j RETURN\n"
                                 "-A BERTH-ISOLATION-1 -i br0 ! -o br0 -j BERTH-ISOLATION-2\n"
                                 "-A BERTH-ISOLATION-2 -o br0 -j DROP\n";

} // namespace

TEST_CASE("isolation: a first bridge gets the chains, its two rules and the jump at the top of FORWARD")
{
    auto commands = isolation_commands(netavark_only, { "br0" });
    CHECK(commands == Commands {
        { "-N", "BERTH-ISOLATION-1" },
        { "-N", "BERTH-ISOLATION-2" },
        { "-I", "BERTH-ISOLATION-1", "1", "-m", "conntrack", "--ctstate", "DNAT", "-j", "RETURN" },
        { "-A", "BERTH-ISOLATION-1", "-i", "br0", "!", "-o", "br0", "-j", "BERTH-ISOLATION-2" },
        { "-A", "BERTH-ISOLATION-2", "-o", "br0", "-j", "DROP" },
        { "-I", "FORWARD", "1", "-j", "BERTH-ISOLATION-1" },
    });
}

TEST_CASE("isolation: nothing to do when the rules are in place; a second bridge adds only its own")
{
    CHECK(isolation_commands(isolated_br0, { "br0" }).empty());
    CHECK(isolation_commands(isolated_br0, {}).empty());
    CHECK(isolation_commands(isolated_br0, { "br0", "br1" }) == Commands {
        { "-A", "BERTH-ISOLATION-1", "-i", "br1", "!", "-o", "br1", "-j", "BERTH-ISOLATION-2" },
        { "-A", "BERTH-ISOLATION-2", "-o", "br1", "-j", "DROP" },
    });
    CHECK(isolation_commands(netavark_only, {}).empty());
}

TEST_CASE("isolation: a jump that another rule came before is moved back to the top")
{
    std::string moved = isolated_br0;
    auto jump = moved.find("-A FORWARD -j BERTH-ISOLATION-1\n");
    moved.erase(jump, std::string("-A FORWARD -j BERTH-ISOLATION-1\n").size());
    moved += "-A FORWARD -j BERTH-ISOLATION-1\n";
    CHECK(isolation_commands(moved, { "br0" }) == Commands {
        { "-D", "FORWARD", "-j", "BERTH-ISOLATION-1" },
        { "-I", "FORWARD", "1", "-j", "BERTH-ISOLATION-1" },
    });
}

TEST_CASE("isolation: the chains go only once no bridge has rules in them")
{
    CHECK(cleanup_commands(isolated_br0).empty());
    std::string empty = "-P FORWARD ACCEPT\n-N BERTH-ISOLATION-1\n-N BERTH-ISOLATION-2\n-A FORWARD -j BERTH-ISOLATION-1\n"
                        "-A BERTH-ISOLATION-1 -m conntrack --ctstate DNAT -j RETURN\n";
    CHECK(cleanup_commands(empty) == Commands {
        { "-D", "FORWARD", "-j", "BERTH-ISOLATION-1" },
        { "-F", "BERTH-ISOLATION-1" },
        { "-X", "BERTH-ISOLATION-1" },
        { "-F", "BERTH-ISOLATION-2" },
        { "-X", "BERTH-ISOLATION-2" },
    });
    CHECK(cleanup_commands(netavark_only).empty());
}

TEST_CASE("isolation: the bridges that have rules, and the commands that remove one's")
{
    std::string two = isolated_br0 + "-A BERTH-ISOLATION-2 -o podman3 -j DROP\n";
    CHECK(isolated_in(two) == std::vector<std::string> { "br0", "podman3" });
    CHECK(isolated_in(netavark_only).empty());
    CHECK(removal_commands("br0") == Commands {
        { "-D", "BERTH-ISOLATION-1", "-i", "br0", "!", "-o", "br0", "-j", "BERTH-ISOLATION-2" },
        { "-D", "BERTH-ISOLATION-2", "-o", "br0", "-j", "DROP" },
    });
}

TEST_CASE("isolation: the bridges of a netavark options document, less those with isolate=false")
{
    auto doc = json::parse(R"({"network_info": {
        "a": {"driver": "bridge", "network_interface": "podman1"},
        "b": {"driver": "bridge", "network_interface": "podman2", "options": {"isolate": "false"}},
        "c": {"driver": "bridge", "network_interface": "podman3", "options": {"isolate": "true", "mtu": "1400"}},
        "d": {"driver": "macvlan", "network_interface": "eth0"}}})", "test").value();
    CHECK(isolated_bridges(doc) == std::vector<std::string> { "podman1", "podman3" });
    CHECK(isolated_bridges(Json::object()).empty());
}
