// The pure pod rules (pod_store.h): --share parsing and the pod state
// computed from its containers' states, as Podman 4 computes both.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "container/pod_store.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::container;

using Names = std::vector<std::string>;

TEST_CASE("--share: a list, a + list over the defaults, none, and unknown names")
{
    CHECK(parse_pod_share("net,ipc", default_pod_share()).value() == Names { "ipc", "net" });
    CHECK(parse_pod_share("+pid", default_pod_share()).value() == Names { "ipc", "net", "pid", "uts" });
    CHECK(parse_pod_share("+net", default_pod_share()).value() == Names { "ipc", "net", "uts" });
    CHECK(parse_pod_share("none", default_pod_share()).value().empty());
    CHECK(parse_pod_share("", default_pod_share()).value().empty());
    CHECK(parse_pod_share("uts,uts", {}).value() == Names { "uts" });
    auto bad = parse_pod_share("net,user", default_pod_share());
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message == "invalid kernel namespace to share: user. Options are: cgroup, ipc, net, pid, uts or none");
}

TEST_CASE("pod state from its containers' states")
{
    using S = State;
    CHECK(pod_status({}) == "Created");
    CHECK(pod_status({ S::Created, S::Created }) == "Created");
    CHECK(pod_status({ S::Running, S::Running }) == "Running");
    CHECK(pod_status({ S::Running, S::Exited }) == "Degraded");
    CHECK(pod_status({ S::Running, S::Created }) == "Degraded");
    CHECK(pod_status({ S::Running, S::Paused }) == "Degraded");
    CHECK(pod_status({ S::Exited, S::Exited }) == "Exited");
    CHECK(pod_status({ S::Exited, S::Created }) == "Stopped");
    CHECK(pod_status({ S::Paused, S::Paused }) == "Paused");
    CHECK(pod_status({ S::Paused, S::Created }) == "Created");
}
