// User-defined networks: create, list with Podman's filters, inspect, remove
// (with -f, the containers on it too), prune, exists. A network is a row of
// the store (container/network_store.h) holding the JSON that Podman prints
// and netavark reads; the default network `podman` has no row and is added
// here wherever networks are listed or looked up, so that it exists without
// being created and cannot be removed, as in Podman.
//
// The hard part is choosing a free subnet and bridge name: the plan runs
// inside the store's write transaction (NetworkStore::create) over every
// network and the host's own interfaces, so concurrent creates never collide.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"
#include "network/network_config.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// Creates a network (see network::plan_network for the rules); with
/// `ignore_existing`, a network of that name is returned as it is.
Result<network::NetworkConfig> create_network(Context& ctx, network::CreateOptions const& options, bool ignore_existing = false);

/// By name, full id or unique id prefix, the default network included;
/// ENOENT with Podman's "unable to find network with name or ID X: network not found".
Result<network::NetworkConfig> find_network(Context& ctx, std::string const& name_or_id);

/// One `network ls --filter KEY=VALUE`.
struct NetworkFilter {
    std::string key, value;
};
/// name (regex), id (prefix), driver, label (KEY or KEY=VALUE), label!, until, dangling.
Result<std::vector<NetworkFilter>> parse_network_filters(std::vector<std::string> const& raw);
/// Filters of one key match when any does (label: when all do); every key must match.
/// `in_use`: some container is on the network (dangling=false).
bool network_matches(network::NetworkConfig const& network, bool in_use, std::vector<NetworkFilter> const& filters);

/// Every network that matches `filters`, the default included, by name.
Result<std::vector<network::NetworkConfig>> list_networks(Context& ctx, std::vector<NetworkFilter> const& filters = {});

/// Removes a network. The default network cannot be removed; one with
/// containers on it is refused (EBUSY) unless `force`, which removes those
/// containers first (the pods of infra containers with them; running ones
/// stopped with `timeout`, else their own stop timeout).
ErrorOr remove_network(Context& ctx, std::string const& name_or_id, bool force, std::optional<int> timeout = {});

/// The networks (not the default) that no container is on and that match `filters`.
Result<std::vector<std::string>> unused_networks(Context& ctx, std::vector<NetworkFilter> const& filters = {});
/// Removes unused_networks(filters); returns their names.
Result<std::vector<std::string>> prune_networks(Context& ctx, std::vector<NetworkFilter> const& filters = {});

} // namespace berth::engine
