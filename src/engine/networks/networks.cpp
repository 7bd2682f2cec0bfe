// User-defined networks. See networks.h; the rules of create are
// network/network_config.cpp's, the records container/network_store.cpp's.
#include "engine/networks/networks.h"

#include "container/network_store.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"
#include "engine/filter_groups.h"
#include "engine/pods/pods.h"
#include "network/bridge.h"
#include "network/host_address.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <sys/random.h>

namespace berth::engine {

using network::NetworkConfig;

namespace {

Result<container::NetworkStore> open_network_store(Context& ctx)
{
    return container::NetworkStore::open(ctx.store->database());
}

int64_t now()
{
    return static_cast<int64_t>(std::time(nullptr));
}

void random_bytes(uint8_t* buf, size_t size)
{
    for (size_t done = 0; done < size;) {
        ssize_t n = ::getrandom(buf + done, size - done, 0);
        if (n > 0)
            done += static_cast<size_t>(n);
    }
}

bool is_default(std::string const& name_or_id)
{
    std::string_view id = network::default_network_id;
    return name_or_id == network::default_network_name
        || (name_or_id.size() >= 3 && name_or_id.size() <= id.size() && id.substr(0, name_or_id.size()) == name_or_id);
}

/// The network "podman", on containers.conf's [network] default_subnet if set.
Result<NetworkConfig> default_network_config(Context& ctx, int64_t created)
{
    auto n = network::default_network(created);
    if (auto const& text = ctx.settings.containers.default_subnet; text && !text->empty()) {
        auto subnet = TRY_CTX(network::Subnet::parse(*text), "containers.conf default_subnet");
        n.subnets = { { subnet, subnet.network.plus(1), {}, {} } };
    }
    return n;
}

} // namespace

Result<NetworkConfig> create_network(Context& ctx, network::CreateOptions const& options, bool ignore_existing)
{
    auto ns = TRY(open_network_store(ctx));
    if (ignore_existing && !options.name.empty()) {
        if (options.name == network::default_network_name)
            return default_network_config(ctx, now());
        if (auto existing = TRY(ns.find(options.name)); existing && existing->name == options.name)
            return *existing;
    }
    network::TakenResources taken;
    network::add_host_interfaces(taken);
    auto default_one = TRY(default_network_config(ctx, 0));
    std::array<uint8_t, 7> ula {};
    random_bytes(ula.data(), ula.size());
    auto id = container::generate_id();
    return ns.create([&](std::vector<NetworkConfig> const& existing) {
        taken.networks = existing;
        taken.networks.push_back(default_one);
        return network::plan_network(options, taken, id, now(), ula);
    });
}

Result<NetworkConfig> find_network(Context& ctx, std::string const& name_or_id)
{
    auto ns = TRY(open_network_store(ctx));
    auto found = TRY(ns.find(name_or_id));
    if (found && (found->name == name_or_id || !is_default(name_or_id)))
        return *found;
    if (is_default(name_or_id)) {
        if (found && found->name != name_or_id)
            return Error { EINVAL, "more than one network matches ID prefix \"" + name_or_id + "\": give more of the ID" };
        return default_network_config(ctx, now());
    }
    return container::network_not_found(name_or_id);
}

// ------------------------------------------------------------------ filters

Result<std::vector<NetworkFilter>> parse_network_filters(std::vector<std::string> const& raw)
{
    static std::set<std::string> const known { "name", "id", "driver", "label", "label!", "until", "dangling" };
    std::vector<NetworkFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        NetworkFilter filter { f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1) };
        if (eq == std::string::npos || !known.count(filter.key))
            return Error { EINVAL, "invalid filter \"" + filter.key + "\": use name=, id=, driver=, label=, label!=, until= or dangling=" };
        TRY(check_shared_filter(filter));
        if (filter.key == "dangling" && filter.value != "true" && filter.value != "false")
            return Error { EINVAL, "invalid dangling filter value \"" + filter.value + "\": use true or false" };
        out.push_back(std::move(filter));
    }
    return out;
}

namespace {

bool matches_one(NetworkConfig const& n, bool in_use, NetworkFilter const& f)
{
    if (f.key == "name")
        return std::regex_search(n.name, std::regex(f.value));
    if (f.key == "id")
        return n.id.starts_with(f.value);
    if (f.key == "driver")
        return n.driver == f.value;
    if (f.key == "label")
        return has_key_value(n.labels, f.value);
    if (f.key == "label!")
        return !has_key_value(n.labels, f.value);
    if (f.key == "until")
        return n.created < std::atoll(f.value.c_str());
    if (f.key == "dangling")
        return (f.value == "true") != in_use;
    return false;
}

} // namespace

bool network_matches(NetworkConfig const& network, bool in_use, std::vector<NetworkFilter> const& filters)
{
    return filter_groups_match(filters, { "label", "label!" }, [&](NetworkFilter const& f) { return matches_one(network, in_use, f); });
}

Result<std::vector<NetworkConfig>> list_networks(Context& ctx, std::vector<NetworkFilter> const& filters)
{
    auto ns = TRY(open_network_store(ctx));
    auto all = TRY(ns.list());
    all.push_back(TRY(default_network_config(ctx, now())));
    std::sort(all.begin(), all.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    std::vector<NetworkConfig> out;
    for (auto& n : all)
        if (filters.empty() || network_matches(n, !TRY(ns.users(n.name)).empty(), filters))
            out.push_back(std::move(n));
    return out;
}

// ------------------------------------------------------------------ remove, prune

ErrorOr remove_network(Context& ctx, std::string const& name_or_id, bool force, std::optional<int> timeout)
{
    auto network = TRY(find_network(ctx, name_or_id));
    if (network.name == network::default_network_name)
        return Error { EPERM, "default network " + network.name + " cannot be removed" };
    auto ns = TRY(open_network_store(ctx));
    if (force) {
        auto cs = TRY(container_records(ctx));
        for (auto const& id : TRY(ns.users(network.name))) {
            auto rec = TRY(cs.get(id));
            if (!rec)
                continue;
            if (!rec->pod_id.empty()) {
                // A pod's containers share its infra's network: the pod goes as a whole, as Podman does.
                if (auto pod = find_pod(ctx, rec->pod_id)) {
                    TRY(remove_pod(ctx, *pod, true, timeout));
                    continue;
                }
            }
            TRY(remove_container(ctx, *rec, RemoveOptions { .force = true, .volumes = false, .timeout = timeout }));
        }
    }
    TRY(ns.remove(network.name));
    network::tidy_host_isolation(ctx.paths.rootless);
    return {};
}

Result<std::vector<std::string>> unused_networks(Context& ctx, std::vector<NetworkFilter> const& filters)
{
    auto ns = TRY(open_network_store(ctx));
    std::vector<std::string> out;
    for (auto const& n : TRY(ns.list()))
        if (TRY(ns.users(n.name)).empty() && network_matches(n, false, filters))
            out.push_back(n.name);
    return out;
}

Result<std::vector<std::string>> prune_networks(Context& ctx, std::vector<NetworkFilter> const& filters)
{
    auto ns = TRY(open_network_store(ctx));
    std::vector<std::string> removed;
    for (auto const& name : TRY(unused_networks(ctx, filters))) {
        auto r = ns.remove(name);
        if (!r && (r.error().code == EBUSY || r.error().code == ENOENT))
            continue;  // a container joined it meanwhile, or another prune took it
        TRY(std::move(r));
        removed.push_back(name);
    }
    if (!removed.empty())
        network::tidy_host_isolation(ctx.paths.rootless);
    return removed;
}

} // namespace berth::engine
