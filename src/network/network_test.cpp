// Unit tests for the network module's pure parts: modes (mode.cpp), the
// default mode, slirp4netns's options, the helpers' plans (helper.cpp) and
// the /etc files (etc_files.cpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "network/etc_files.h"
#include "network/helper.h"
#include "network/mode.h"
#include "network/teardown.h"

#include <doctest/doctest.h>

#include <cstdlib>

using namespace berth;
using namespace berth::network;
using Kind = NetworkMode::Kind;

namespace {

std::string error_of(std::string_view text)
{
    auto m = parse_network_mode(text);
    return m ? "" : m.error().message;
}

} // namespace

TEST_CASE("network modes: Podman's spellings")
{
    CHECK(parse_network_mode("")->kind == Kind::Default);
    CHECK(parse_network_mode("private")->kind == Kind::Default);
    CHECK(parse_network_mode("none")->kind == Kind::None);
    CHECK(parse_network_mode("host")->kind == Kind::Host);
    auto pasta = parse_network_mode("pasta:--ipv4-only,-T,8080").value();
    CHECK(pasta.kind == Kind::Pasta);
    CHECK(pasta.options == std::vector<std::string> { "--ipv4-only", "-T", "8080" });
    CHECK(pasta.name() == "pasta");
    CHECK(pasta.text() == "pasta:--ipv4-only,-T,8080");
    auto slirp = parse_network_mode("slirp4netns:allow_host_loopback=true,mtu=1500").value();
    CHECK(slirp.kind == Kind::Slirp4netns);
    CHECK(slirp.text() == "slirp4netns:allow_host_loopback=true,mtu=1500");
    CHECK(slirp.name() == "slirp4netns");
    auto other = parse_network_mode("container:web").value();
    CHECK(other.kind == Kind::Container);
    CHECK(other.value == "web");
    CHECK(other.text() == "container:web");
    auto path = parse_network_mode("ns:/run/netns/x").value();
    CHECK(path.kind == Kind::Path);
    CHECK(path.value == "/run/netns/x");
    CHECK(path.text() == "ns:/run/netns/x");
}

TEST_CASE("user-defined networks: names, Podman's per-network options, several networks")
{
    auto one = parse_network_mode("front").value();
    CHECK(one.kind == Kind::Bridge);
    CHECK(one.name() == "bridge");
    REQUIRE(one.networks.size() == 1);
    CHECK(one.networks[0].network == "front");
    CHECK(one.text() == "front");
    CHECK(parse_network_mode("bridge")->networks[0].network == "podman");
    auto two = parse_network_mode("a:alias=x,alias=y,ip=10.1.0.5,mac=02:00:00:00:00:01,b:interface_name=e9,c").value();
    REQUIRE(two.networks.size() == 3);
    CHECK(two.networks[0].aliases == std::vector<std::string> { "x", "y" });
    CHECK(two.networks[0].ips == std::vector<std::string> { "10.1.0.5" });
    CHECK(two.networks[0].mac == "02:00:00:00:00:01");
    CHECK(two.networks[1].network == "b");
    CHECK(two.networks[1].interface_name == "e9");
    CHECK(two.networks[2].network == "c");
    // text() reads back to the same networks.
    CHECK(parse_network_mode(two.text())->networks == two.networks);
    CHECK(parse_network_mode("n:ip6=fd00::5")->networks[0].ips == std::vector<std::string> { "fd00::5" });
    CHECK(two.publishes());
    CHECK(!two.user_mode());
}

TEST_CASE("MAC addresses: six hex pairs with one separator, else Podman's error")
{
    CHECK(check_mac_address("02:42:ac:11:00:0f").has_value());
    CHECK(check_mac_address("02-42-AC-11-00-0F").has_value());
    CHECK(check_mac_address("zz:42").error().message == "address zz:42: invalid MAC address");
    CHECK_FALSE(check_mac_address("02:42:ac:11:00").has_value());
    CHECK_FALSE(check_mac_address("02:42-ac:11:00:0f").has_value());
    CHECK_FALSE(check_mac_address("02:42:ac:11:00:0g").has_value());
    CHECK_FALSE(check_mac_address("0242.ac11.000f.").has_value());
    CHECK(parse_network_mode("n:mac=zz").error().message == "address zz: invalid MAC address");
}

TEST_CASE("a mode's word is no network's name in a list (its text would read back as the mode)")
{
    CHECK(parse_network_mode("host,alias=x").error().message
        == "network mode \"host,alias=x\": host is a network mode, not a network's name: give it alone");
    CHECK_FALSE(parse_network_mode("a,container").has_value());
    CHECK_FALSE(parse_network_mode("a,none:alias=y").has_value());
    CHECK(parse_network_mode("a,hostnet").has_value());
}

TEST_CASE("network modes: errors name the value")
{
    CHECK(error_of("bad name").find("\"bad name\": unknown") != std::string::npos);
    CHECK(error_of("-x").find("unknown") != std::string::npos);
    CHECK(error_of("net:bogus=1").find("unknown option \"bogus=1\"") != std::string::npos);
    CHECK(error_of("net:ip=10.0.0.300").find("not an IPv4 address") != std::string::npos);
    CHECK(error_of("net:alias=").find("with a value") != std::string::npos);
    CHECK(error_of("a,a").find("given twice") != std::string::npos);
    CHECK(error_of("host:x").find("host takes no options") != std::string::npos);
    CHECK(error_of("none:") != "");
    CHECK(error_of("container:") != "");
    CHECK(error_of("ns:relative").find("absolute") != std::string::npos);
    CHECK(error_of("pasta:") != "");
    CHECK(error_of("slirp4netns:bogus=1") == "unknown option for slirp4netns: \"bogus=1\"");
    CHECK(error_of("slirp4netns:allow_host_loopback=maybe") != "");
    CHECK(error_of("slirp4netns:mtu=10") != "");
    CHECK(error_of("slirp4netns:cidr=10.0.2.0") != "");
    CHECK(error_of("slirp4netns:port_handler=pasta").find("port_handler=rootlesskit or port_handler=slirp4netns") != std::string::npos);
}

TEST_CASE("slirp4netns options")
{
    auto o = parse_slirp4netns_options({ "allow_host_loopback=true", "enable_ipv6=true", "cidr=10.5.0.0/24", "mtu=1500",
        "outbound_addr=192.0.2.5", "port_handler=slirp4netns" }).value();
    CHECK(o.allow_host_loopback);
    CHECK(o.enable_ipv6);
    CHECK(o.cidr == "10.5.0.0/24");
    CHECK(o.mtu == 1500);
    CHECK(o.outbound_addr == "192.0.2.5");
    CHECK(!o.proxy_ports);
    auto d = parse_slirp4netns_options({}).value();
    CHECK(!d.allow_host_loopback);
    CHECK(d.mtu == 65520);
    CHECK(d.proxy_ports);
    CHECK(parse_slirp4netns_options({ "port_handler=rootlesskit" })->proxy_ports);
}

TEST_CASE("resolv.conf: --dns, --dns-search and --dns-option replace the host's lines")
{
    std::string host = "# generated\nnameserver 127.0.0.53\nsearch corp.example\noptions edns0\n";
    CHECK(resolv_conf(host, {}, {}, {}) == host);
    CHECK(resolv_conf(host, { "192.0.2.1", "192.0.2.2" }, {}, {})
        == "nameserver 192.0.2.1\nnameserver 192.0.2.2\n# generated\nsearch corp.example\noptions edns0\n");
    CHECK(resolv_conf(host, {}, { "a.example", "b.example" }, { "ndots:2" })
        == "search a.example b.example\noptions ndots:2\n# generated\nnameserver 127.0.0.53\n");
}

TEST_CASE("hosts: --add-host first; the host's file with --network host")
{
    HostsInputs in { parse_network_mode("none").value(), "h1", "c1", { "db:192.0.2.9" }, "127.0.0.1 hostbox\n", "" };
    auto text = hosts_file(in);
    CHECK(text.rfind("192.0.2.9\tdb\n", 0) == 0);
    CHECK(text.find("127.0.0.1\tlocalhost") != std::string::npos);
    CHECK(text.find("h1") != std::string::npos);
    in.mode = parse_network_mode("host").value();
    CHECK(hosts_file(in) == "192.0.2.9\tdb\n127.0.0.1 hostbox\n");
}

TEST_CASE("helper plans: pasta never maps the gateway to the host's loopback unless asked")
{
    auto plan = plan_helper(parse_network_mode("pasta").value(), { PortMapping { "127.0.0.1", 8080, 80, "tcp" } }).value();
    CHECK(plan.program == HelperPlan::Program::Pasta);
    CHECK(plan.executable == "pasta");
    auto has = [&](std::string const& a) { return std::find(plan.args.begin(), plan.args.end(), a) != plan.args.end(); };
    CHECK(has("--no-map-gw"));
    CHECK(has("127.0.0.1/8080:80"));
    plan = plan_helper(parse_network_mode("pasta:--map-gw").value(), {}).value();
    CHECK(!has("--no-map-gw"));
    CHECK(!has("--map-gw")); // Podman's word for "leave --no-map-gw out": pasta has no such option
    CHECK(plan_helper(parse_network_mode("none").value(), {})->program == HelperPlan::Program::None);
    CHECK(plan_helper(parse_network_mode("host").value(), {})->program == HelperPlan::Program::None);
}

TEST_CASE("helper plans: whether the helper holds host ports (its exit is then awaited)")
{
    PortMapping web { "", 8080, 80, "tcp" };
    CHECK(plan_helper(parse_network_mode("pasta").value(), { web })->publishes);
    CHECK(!plan_helper(parse_network_mode("pasta").value(), {})->publishes);
    CHECK(plan_helper(parse_network_mode("pasta:-t,8080").value(), {})->publishes);
    CHECK(plan_helper(parse_network_mode("pasta:--udp-ports=53").value(), {})->publishes);
    CHECK(!plan_helper(parse_network_mode("pasta:-T,9000").value(), {})->publishes); // the namespace's side, not the host's
    // The user's own -t replaces "-t none" (pasta refuses both), and -u stays "none".
    auto own = plan_helper(parse_network_mode("pasta:-t,8080").value(), {}).value();
    auto count = [&](std::string const& a) { return std::count(own.args.begin(), own.args.end(), a); };
    CHECK(count("none") == 3); // -u none, -T none, -U none
    CHECK(count("8080") == 1);
    auto slirp = plan_helper(parse_network_mode("slirp4netns").value(), { web }).value();
    CHECK(slirp.publishes);
    CHECK(slirp.proxy_target == "10.0.2.100");
    CHECK(!plan_helper(parse_network_mode("slirp4netns").value(), {})->publishes);
    CHECK(plan_helper(parse_network_mode("slirp4netns:port_handler=slirp4netns").value(), { web })->proxy_target.empty());
    // A plan stored before the field: it publishes when it forwards.
    auto json = slirp.to_json();
    json.erase("publishes");
    CHECK(HelperPlan::from_json(json)->publishes);
}

TEST_CASE("the default mode: containers.conf, then what is installed; as root the network podman")
{
    DefaultInputs in;
    in.rootless = true;
    in.have_pasta = true;
    in.have_slirp4netns = true;
    CHECK(default_mode(in)->kind == Kind::Pasta);
    in.have_pasta = false;
    CHECK(default_mode(in)->kind == Kind::Slirp4netns);
    in.have_slirp4netns = false;
    auto missing = default_mode(in);
    REQUIRE(!missing);
    CHECK(missing.error().message.find("install the passt package") != std::string::npos);
    in.conf_rootless_cmd = "pasta";
    CHECK(default_mode(in)->kind == Kind::Pasta);
    in.conf_rootless_cmd = "bogus";
    CHECK(!default_mode(in));
    in.conf_netns = "host";
    CHECK(default_mode(in)->kind == Kind::Host);
    in.conf_netns = "slirp4netns:allow_host_loopback=true";
    CHECK(default_mode(in)->text() == "slirp4netns:allow_host_loopback=true");
    in.conf_netns = "no such mode";
    CHECK(!default_mode(in));
    DefaultInputs root;
    CHECK(default_mode(root)->kind == Kind::Bridge);
    CHECK(default_mode(root)->networks.at(0).network == "podman");
    root.conf_netns = "none";
    CHECK(default_mode(root)->kind == Kind::None);
    DefaultInputs external;
    external.rootless = true;
    external.have_pasta = true;
    external.external_runtime = true;
    CHECK(default_mode(external)->kind == Kind::None);
}

TEST_CASE("slirp4netns: its arguments and the container's address")
{
    auto plan = plan_helper(parse_network_mode("slirp4netns:allow_host_loopback=true,mtu=1500,cidr=10.5.0.0/24").value(),
        { PortMapping { "", 8080, 80, "udp" } }).value();
    CHECK(plan.program == HelperPlan::Program::Slirp4netns);
    CHECK(plan.args == std::vector<std::string> { "--configure", "--mtu=1500", "--cidr=10.5.0.0/24" });
    REQUIRE(plan.forwards.size() == 1);
    CHECK(plan_helper(parse_network_mode("slirp4netns").value(), {})->args
        == std::vector<std::string> { "--configure", "--mtu=65520", "--disable-host-loopback" });
}

TEST_CASE("published ports: which modes keep the client's address")
{
    CHECK(published_client_address(Kind::Pasta, true).kept);
    CHECK(!published_client_address(Kind::Slirp4netns, false).kept);
    CHECK(published_client_address(Kind::Slirp4netns, true).how.find("port_handler=rootlesskit") != std::string::npos);
    CHECK(published_client_address(Kind::Slirp4netns, false, { "port_handler=slirp4netns" }).kept);
    CHECK(published_client_address(Kind::Bridge, false).kept);
    CHECK(!published_client_address(Kind::Bridge, true).kept);
    CHECK(published_client_address(Kind::Bridge, true).how.find("port proxy") != std::string::npos);
    CHECK(published_client_address(Kind::Host, true).kept);
    for (auto kind : { Kind::None, Kind::Container, Kind::Path }) {
        CHECK(!published_client_address(kind, false).kept);
        CHECK(published_client_address(kind, false).how == "no ports are published in this mode");
    }
}

TEST_CASE("add_system_dirs_to_path appends /usr/sbin and /sbin where PATH lacks them, in that order")
{
    char const* saved = std::getenv("PATH");
    std::string keep = saved ? saved : "";
    auto with = [](char const* path) {
        if (path)
            ::setenv("PATH", path, 1);
        else
            ::unsetenv("PATH");
        add_system_dirs_to_path();
        char const* now = std::getenv("PATH");
        return std::string(now ? now : "(unset)");
    };
    CHECK(with("/usr/local/bin:/usr/bin:/bin") == "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    CHECK(with("/usr/sbin:/usr/bin") == "/usr/sbin:/usr/bin:/sbin");
    CHECK(with("/usr/bin:/sbin") == "/usr/bin:/sbin:/usr/sbin");
    CHECK(with("/usr/sbin/x:/bin") == "/usr/sbin/x:/bin:/usr/sbin:/sbin");
    CHECK(with("/bin:/usr/sbin:/sbin:/usr/bin") == "/bin:/usr/sbin:/sbin:/usr/bin");
    CHECK(with("") == "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    CHECK(with(nullptr) == "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    std::string huge(5000, 'a');
    CHECK(with(huge.c_str()) == huge);
    if (saved)
        ::setenv("PATH", keep.c_str(), 1);
    else
        ::unsetenv("PATH");
}
