// berth network create|ls|inspect|rm|prune|exists, with Podman's output:
// create prints the name, ls a table of NETWORK ID, NAME, DRIVER (or
// --format, where .ID is cut to 12 characters unless --no-trunc), inspect a
// JSON array of the networks' documents, rm and prune the names removed.
#include "cli/commands.h"
#include "engine/networks/connect.h"
#include "engine/networks/networks.h"

#include <cstdio>

namespace berth::cli {

namespace {

std::string joined_pairs(std::map<std::string, std::string> const& map)
{
    std::string out;
    for (auto const& [key, value] : map)
        out += (out.empty() ? "" : ",") + key + "=" + value;
    return out;
}

/// A network for --format: Podman's Go field names. ls cuts .ID to 12
/// characters (unless --no-trunc) and shows .Labels and .Options as
/// key=value,...; inspect keeps the full ID and the maps.
enum class FormatFor { List, Inspect };
Json network_fields(network::NetworkConfig const& n, FormatFor use, bool no_trunc = false)
{
    auto doc = network::network_json(n);
    Json subnets = Json::array();
    for (auto const& s : doc["subnets"]) {
        Json entry { { "Subnet", s["subnet"] }, { "Gateway", s.value("gateway", "") } };
        if (s.contains("lease_range"))
            entry["LeaseRange"] = { { "StartIP", s["lease_range"]["start_ip"] }, { "EndIP", s["lease_range"]["end_ip"] } };
        subnets.push_back(std::move(entry));
    }
    bool list = use == FormatFor::List;
    return Json {
        { "Name", n.name },
        { "ID", list && !no_trunc ? n.id.substr(0, 12) : n.id },
        { "Driver", n.driver },
        { "NetworkInterface", n.interface },
        { "Created", doc["created"] },
        { "Subnets", std::move(subnets) },
        { "IPv6Enabled", n.ipv6 },
        { "Internal", n.internal },
        { "DNSEnabled", n.dns_enabled },
        { "Labels", list ? Json(joined_pairs(n.labels)) : Json(n.labels) },
        { "Options", list ? Json(joined_pairs(n.options)) : Json(n.options) },
        { "IPAMOptions", n.ipam_options },
        { "NetworkDNSServers", n.dns_servers },
    };
}

void add_network_create(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        network::CreateOptions options;
        std::vector<std::string> labels, opts;
        bool ignore = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("create", "Create a network");
    cmd->add_option("name", a->options.name, "Network name (default: podmanN)");
    cmd->add_option("-d,--driver", a->options.driver, "Network driver (bridge)");
    cmd->add_option("--subnet", a->options.subnets, "Subnet in CIDR notation (default: a free 10.89.N.0/24)")->allow_extra_args(false);
    cmd->add_option("--gateway", a->options.gateways, "Gateway of the subnet given at the same position (default: its first address)")
        ->allow_extra_args(false);
    cmd->add_option("--ip-range", a->options.ip_ranges, "Allocate container addresses from this CIDR range of the subnet at the same position")
        ->allow_extra_args(false);
    cmd->add_option("--interface-name", a->options.interface_name, "The bridge's name (default: podmanN)");
    cmd->add_flag("--internal", a->options.internal, "Restrict external access from this network");
    cmd->add_flag("--ipv6", a->options.ipv6, "Enable IPv6 (a random fdXX::/64 subnet unless one is given)");
    cmd->add_flag("--disable-dns", a->options.disable_dns, "Do not run a DNS server for the network's containers");
    cmd->add_option("--dns", a->options.dns_servers,
        "DNS server that the network's DNS server (aardvark-dns) forwards other names to, instead of the host's")
        ->allow_extra_args(false);
    cmd->add_option("--ipam-driver", a->options.ipam_driver, "IP address management driver: host-local (the default; dhcp and none are not supported)");
    cmd->add_option("--label", a->labels, "Set a label (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("-o,--opt", a->opts, "Driver option: mtu=, vlan=, isolate=, metric=")->allow_extra_args(false);
    cmd->add_flag("--ignore", a->ignore, "Do nothing if the network exists");
    cmd->callback([a, &globals, &exit_code] {
        auto options = a->options;
        options.labels = key_values(a->labels);
        options.options = key_values(a->opts);
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto n = engine::create_network(*ctx, options, a->ignore);
        if (!n) {
            exit_code = report(n.error());
            return;
        }
        std::printf("%s\n", n->name.c_str());
    });
}

void add_network_ls(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string format;
        bool quiet = false, no_trunc = false, noheading = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("ls", "List networks");
    cmd->alias("list");
    cmd->add_option("--format", a->format, "Go template for each network ('table ...' for a table, 'json' for inspect's documents)");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the names");
    cmd->add_flag("--no-trunc", a->no_trunc, "Print the full IDs");
    cmd->add_flag("--noheading", a->noheading, "Do not print headers");
    cmd->add_option("-f,--filter", a->filters, "Filter networks: name=, id=, driver=, label=, label!=, until=, dangling=")
        ->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_network_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto networks = engine::list_networks(*ctx, *filters);
        if (!networks) {
            exit_code = report(networks.error());
            return;
        }
        if (a->quiet) {
            for (auto const& n : *networks)
                std::printf("%s\n", n.name.c_str());
            return;
        }
        if (a->format == "json") {
            Json docs = Json::array();
            for (auto const& n : *networks)
                docs.push_back(network::network_json(n));
            print_json(docs);
            return;
        }
        std::vector<Json> rows;
        for (auto const& n : *networks)
            rows.push_back(network_fields(n, FormatFor::List, a->no_trunc));
        std::string format = a->format.empty() ? "table {{.ID}}\t{{.Name}}\t{{.Driver}}" : a->format;
        exit_code = print_formatted(format, rows, { { "ID", "NETWORK ID" } },
            a->noheading ? berth::format::Heading::Omit : berth::format::Heading::Show);
    });
}

void add_network_inspect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("inspect", "Show networks in detail");
    cmd->add_option("network", a->names, "Network names or IDs")->required();
    cmd->add_option("-f,--format", a->format, "Go template for each network");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::vector<Json> docs;
        std::vector<Error> errors;
        for (auto const& name : a->names) {
            auto n = engine::find_network(*ctx, name);
            if (!n)
                errors.push_back(std::move(n.error()).with_context("inspecting object: network " + name));
            else
                docs.push_back(a->format.empty() ? network::network_json(*n) : network_fields(*n, FormatFor::Inspect));
        }
        int code = a->format.empty() ? (print_json(Json(docs)), 0) : print_formatted(a->format, docs);
        for (auto const& e : errors)
            exit_code = report(e);
        if (exit_code == 0)
            exit_code = code;
    });
}

void add_network_rm(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        bool force = false;
        std::optional<int> time;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("rm", "Remove networks");
    cmd->alias("remove");
    cmd->add_option("network", a->names, "Network names or IDs")->required();
    cmd->add_flag("-f,--force", a->force, "Remove the containers (and pods) on the network too");
    cmd->add_option("-t,--time", a->time, "Seconds to wait for a running container on the network to stop before it is killed (with --force)");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        for (auto const& name : a->names) {
            if (auto r = engine::remove_network(*ctx, name, a->force, a->time); !r) {
                exit_code = report_removal(r.error());
                continue;
            }
            std::printf("%s\n", name.c_str());
        }
    });
}

void add_network_prune(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        bool force = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("prune", "Remove all networks no container is on");
    cmd->add_flag("-f,--force", a->force, "Do not ask for confirmation");
    cmd->add_option("--filter", a->filters, "Remove only the unused networks that match: label=, label!=, until=, ...")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_network_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (!a->force) {
            auto yes = confirm("WARNING! This will remove all networks not used by at least one container.\n");
            if (!yes)
                exit_code = report(yes.error());
            if (!yes || !*yes)
                return;
        }
        auto removed = engine::prune_networks(*ctx, *filters);
        if (!removed) {
            exit_code = report(removed.error());
            return;
        }
        for (auto const& name : *removed)
            std::printf("%s\n", name.c_str());
    });
}


void add_network_connect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string network, container;
        engine::ConnectOptions options;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("connect", "Connect a container to a network (at once when it runs)");
    cmd->add_option("network", a->network, "Network name or ID")->required();
    cmd->add_option("container", a->container, "Container name or ID")->required();
    cmd->add_option("--alias", a->options.aliases, "Another name of the container on this network (repeatable)")->allow_extra_args(false);
    cmd->add_option("--ip", a->options.ip, "Static IPv4 address on this network");
    cmd->add_option("--ip6", a->options.ip6, "Static IPv6 address on this network");
    cmd->add_option("--mac-address", a->options.mac, "Static MAC address on this network");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (auto r = engine::connect_network(*ctx, a->network, a->container, a->options); !r)
            exit_code = report(r.error());
    });
}

void add_network_disconnect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string network, container;
        bool force = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("disconnect", "Disconnect a container from a network (at once when it runs)");
    cmd->add_option("network", a->network, "Network name or ID")->required();
    cmd->add_option("container", a->container, "Container name or ID")->required();
    cmd->add_flag("-f,--force", a->force, "Accepted for Podman's command line");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (auto r = engine::disconnect_network(*ctx, a->network, a->container); !r)
            exit_code = report(r.error());
    });
}

void add_network_reload(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> containers;
        bool all = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("reload", "Set up the networks of running containers again (firewall rules lost to a firewall reload)");
    cmd->add_option("container", a->containers, "Container names or IDs");
    cmd->add_flag("-a,--all", a->all, "Every running container on user-defined networks");
    cmd->callback([a, &globals, &exit_code] {
        if (a->containers.empty() == !a->all) {
            exit_code = report(Error { EINVAL, "network reload: give containers or --all" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto reloaded = engine::reload_networks(*ctx, a->containers, a->all);
        if (!reloaded) {
            exit_code = report(reloaded.error());
            return;
        }
        for (auto const& id : *reloaded)
            std::printf("%s\n", id.c_str());
    });
}

} // namespace

void setup_network_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("network", "Manage networks");
    group->require_subcommand(1);
    add_network_create(*group, globals, exit_code);
    add_network_ls(*group, globals, exit_code);
    add_network_inspect(*group, globals, exit_code);
    add_network_rm(*group, globals, exit_code);
    add_network_prune(*group, globals, exit_code);
    add_exists_command(*group, globals, exit_code, "network", "Check if a network exists (exit status 0 if it does, 1 if not)",
        [](engine::Context& ctx, std::string const& name) { return engine::find_network(ctx, name); });
    add_network_connect(*group, globals, exit_code);
    add_network_disconnect(*group, globals, exit_code);
    add_network_reload(*group, globals, exit_code);
}

} // namespace berth::cli
