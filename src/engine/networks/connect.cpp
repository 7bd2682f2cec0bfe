// connect_network() and disconnect_network(): see connect.h.
#include "engine/networks/connect.h"

#include "base/command.h"
#include "base/file_lock.h"
#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/unique_fd.h"
#include "container/network_store.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"
#include "engine/containers/network_setup.h"
#include "engine/networks/networks.h"
#include "network/bridge.h"
#include "network/isolation.h"
#include "network/mode.h"
#include "network/netavark.h"
#include "network/teardown.h"

#include <fcntl.h>

namespace berth::engine {

namespace {

/// Runs `netavark ... VERB NETNS` with `options` (one network's document)
/// for the running container; returns what it printed (setup's status).
Result<std::string> run_netavark(Context& ctx, std::string const& run_dir, Json const& options, char const* verb)
{
    auto plan = TRY(bridge_plan(ctx));
    std::string file = fs::join(run_dir, std::string("netavark-") + verb + ".json");
    TRY(fs::write_file_replace(file, json::dump(options)));
    std::vector<std::string> argv { plan.netavark, "--config", plan.config_dir, "--rootless", plan.rootless ? "true" : "false",
        "--aardvark-binary", plan.aardvark, "--file", file, verb, fs::join(run_dir, network::bridge_netns_file_name) };
    CommandOptions co;
    UniqueFd enter;
    if (!plan.enter_netns.empty()) {
        enter.reset(::open(plan.enter_netns.c_str(), O_RDONLY | O_CLOEXEC));
        if (!enter.valid())
            return Error::from_errno("open " + plan.enter_netns);
        co.netns_fd = enter.get();
    }
    auto lock = TRY(network::lock_netavark(plan));
    network::add_system_dirs_to_path();  // netavark runs iptables by name (network/teardown.h)
    auto result = TRY(run_command(argv, std::chrono::seconds(60), co));
    ::unlink(file.c_str());
    if (result.exit_code != 0) {
        std::string message = first_line(result.err);
        if (auto doc = json::parse(result.out, "netavark"); doc && doc.value().is_object())
            message = doc.value().value("error", message);
        return Error { EIO, std::string("netavark ") + verb + ": " + message };
    }
    // The isolation rules follow the bridges netavark made or took away.
    auto bridges = network::isolated_bridges(options);
    if (std::string_view(verb) == "setup")
        TRY(network::isolate_for_container(plan, run_dir, bridges));
    else
        network::release_bridges(plan, bridges);
    return result.out;
}

/// Adds (or with an empty `status`, removes) `network` in the status file that inspect reads.
ErrorOr update_status(std::string const& run_dir, std::string const& network, std::string const& status)
{
    std::string path = fs::join(run_dir, "netavark-status.json");
    Json whole = Json::object();
    if (auto text = fs::read_file(path))
        if (auto doc = json::parse(*text, "netavark status"); doc && doc.value().is_object())
            whole = doc.value();
    if (status.empty()) {
        whole.erase(network);
    } else {
        auto added = TRY(json::parse(status, "netavark status"));
        if (added.is_object() && added.contains(network))
            whole[network] = added[network];
    }
    return fs::write_file_replace(path, json::dump(whole));
}

/// The running container's netavark options (what its teardown will undo).
Result<Json> read_options(std::string const& run_dir)
{
    auto text = TRY(fs::read_file(fs::join(run_dir, "netavark.json")));
    return json::parse(text, "netavark options");
}

/// `whole` narrowed to one network, without port mappings.
Json one_network(Json const& whole, std::string const& network)
{
    Json out = whole;
    out["networks"] = Json { { network, whole.at("networks").at(network) } };
    out["network_info"] = Json { { network, whole.at("network_info").at(network) } };
    out["port_mappings"] = Json::array();
    return out;
}

struct LockedContainer {
    FileLock lock;
    container::ContainerRecord rec;
};

/// The container, locked, and on user-defined networks.
Result<LockedContainer> lock_bridge_container(Context& ctx, std::string const& name_or_id)
{
    auto cs = TRY(container_records(ctx));
    auto first = TRY(find_container(ctx, name_or_id));
    auto lock = TRY(cs.lock(first.id));
    auto rec = TRY(find_container(ctx, first.id));
    auto mode = TRY(network::parse_network_mode(rec.config.value("network", "")));
    if (mode.kind != network::NetworkMode::Kind::Bridge)
        return Error { EINVAL, "container " + rec.name + " is not on a user-defined network (its network mode is " + mode.name()
                + "): create it with --network NAME to connect it to networks" };
    return LockedContainer { std::move(lock), std::move(rec) };
}

} // namespace

ErrorOr connect_network(Context& ctx, std::string const& network_name, std::string const& container, ConnectOptions const& o)
{
    auto network = TRY(find_network(ctx, network_name));
    auto locked = TRY(lock_bridge_container(ctx, container));
    auto const& rec = locked.rec;
    container::ContainerNetwork row;
    row.network = network.name;
    row.aliases = o.aliases;
    for (auto const* ip : { &o.ip, &o.ip6 })
        if (!ip->empty()) {
            TRY(network::check_static_address(network, TRY(network::IpAddress::parse(*ip))));
            row.static_ips.push_back(*ip);
        }
    row.static_mac = o.mac;
    auto ns = TRY(container::NetworkStore::open(ctx.store->database()));
    TRY(ns.add(rec.id, row));
    std::string run_dir = ctx.paths.layout().container_run_dir(rec.id);
    if (!is_active(rec.state) || !fs::exists(fs::join(run_dir, network::bridge_teardown_file_name)))
        return {};
    // Running: an address now, the interface now, and the teardown told.
    ArmedScopeGuard undo([&] { (void)ns.detach(rec.id, network.name); });
    auto rows = TRY(ns.lease(rec.id, [&](container::ContainerNetwork const& r, std::vector<std::string> const& used) {
        return choose_addresses(network, r, used, address_start(ctx, network));
    }));
    auto whole = TRY(read_options(run_dir));
    for (size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].network != network.name)
            continue;
        network::Attachment a;
        a.network = network.name;
        a.interface_name = "eth" + std::to_string(whole.at("networks").size());
        a.aliases = row.aliases;
        a.aliases.push_back(rec.id.substr(0, 12));
        for (auto const& ip : rows[i].ips)
            a.addresses.push_back(TRY(network::IpAddress::parse(ip)));
        a.mac = row.static_mac;
        auto doc = network::netavark_options(rec.id, rec.name, { a }, { { network.name, network } }, {});
        whole["networks"][network.name] = doc["networks"][network.name];
        whole["network_info"][network.name] = doc["network_info"][network.name];
        auto status = TRY(run_netavark(ctx, run_dir, one_network(whole, network.name), "setup"));
        TRY(update_status(run_dir, network.name, status));
    }
    TRY(fs::write_file_replace(fs::join(run_dir, "netavark.json"), json::dump(whole)));
    undo.disarm();
    return {};
}

ErrorOr disconnect_network(Context& ctx, std::string const& network_name, std::string const& container)
{
    auto network = TRY(find_network(ctx, network_name));
    auto locked = TRY(lock_bridge_container(ctx, container));
    auto const& rec = locked.rec;
    auto ns = TRY(container::NetworkStore::open(ctx.store->database()));
    std::string run_dir = ctx.paths.layout().container_run_dir(rec.id);
    bool running = is_active(rec.state) && fs::exists(fs::join(run_dir, network::bridge_teardown_file_name));
    if (running) {
        auto whole = TRY(read_options(run_dir));
        if (!whole.at("networks").contains(network.name))
            return Error { ENOENT, "container " + rec.name + " is not connected to network " + network.name };
        if (whole.at("networks").size() == 1)
            return Error { EBUSY, "network " + network.name + " is container " + rec.name + "'s last network: stop it first" };
        TRY(run_netavark(ctx, run_dir, one_network(whole, network.name), "teardown"));
        TRY(update_status(run_dir, network.name, ""));
        whole["networks"].erase(network.name);
        whole["network_info"].erase(network.name);
        TRY(fs::write_file_replace(fs::join(run_dir, "netavark.json"), json::dump(whole)));
    }
    return ns.detach(rec.id, network.name);
}

Result<std::vector<std::string>> reload_networks(Context& ctx, std::vector<std::string> const& containers, bool all)
{
    std::vector<std::string> targets = containers;
    if (all) {
        auto cs = TRY(container_records(ctx));
        for (auto const& rec : TRY(cs.list()))
            if (is_active(rec.state) && network::parse_network_mode(rec.config.value("network", "")).value_or(network::NetworkMode {}).kind
                    == network::NetworkMode::Kind::Bridge)
                targets.push_back(rec.id);
    }
    std::vector<std::string> reloaded;
    for (auto const& name : targets) {
        auto locked = TRY(lock_bridge_container(ctx, name));
        auto const& rec = locked.rec;
        std::string run_dir = ctx.paths.layout().container_run_dir(rec.id);
        if (!is_active(rec.state) || !fs::exists(fs::join(run_dir, network::bridge_teardown_file_name)))
            return Error { EINVAL, "container " + rec.name + " is not running: its networks are set up when it starts" };
        auto whole = TRY(read_options(run_dir));
        (void)run_netavark(ctx, run_dir, whole, "teardown");  // what is left of it, if anything
        auto status = TRY(run_netavark(ctx, run_dir, whole, "setup"));
        TRY(fs::write_file_replace(fs::join(run_dir, "netavark-status.json"), status));
        reloaded.push_back(rec.id);
    }
    return reloaded;
}

} // namespace berth::engine
