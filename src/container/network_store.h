// Network records: one row per user-defined network in berth.db's `networks`
// table (store/schema.cpp, version 7), holding the network's Podman/netavark
// JSON; and container_networks, the networks each container is on. The
// default network `podman` has no row: the engine adds it (network_config.h).
//
// The hard part is that a new network's name and subnet must be free among
// all networks at the moment it is inserted: create() runs the caller's plan
// inside the write transaction, over the networks as they are then, so two
// concurrent creates cannot both take 10.89.0.0/24.
#pragma once

#include "base/error.h"
#include "network/network_config.h"
#include "store/database.h"

#include <functional>
#include <string>
#include <vector>

namespace berth::container {

/// A container's place on one network: a row of container_networks.
struct ContainerNetwork {
    std::string network;                   ///< the network's name
    std::vector<std::string> aliases;      ///< --network NAME:alias=, --network-alias
    std::vector<std::string> static_ips;   ///< --ip, --ip6, NAME:ip=
    std::string static_mac;
    std::string interface_name;            ///< eth0, eth1, ... in the order given
    std::vector<std::string> ips;          ///< the addresses it holds while its network is set up
};

class NetworkStore {
public:
    /// Records in `db` (migrated to the current schema if it is not).
    static Result<NetworkStore> open(store::Database& db);

    /// Runs `plan` over the stored networks and inserts what it returns, in one
    /// write transaction. `plan`'s Error is returned as it is.
    using Plan = std::function<Result<network::NetworkConfig>(std::vector<network::NetworkConfig> const& existing)>;
    Result<network::NetworkConfig> create(Plan const& plan);
    /// Every stored network, by name.
    Result<std::vector<network::NetworkConfig>> list();
    /// By exact name, full id or unique id prefix; nullopt when none matches;
    /// an Error when a prefix matches several.
    Result<std::optional<network::NetworkConfig>> find(std::string const& name_or_id);
    /// Deletes the network's row; ENOENT when missing; EBUSY (Podman's "network
    /// is being used") when a container is on it: the check and the delete are one transaction.
    ErrorOr remove(std::string const& name);
    /// The ids of the containers on network `name`.
    Result<std::vector<std::string>> users(std::string const& name);

    /// Records that container `id` is on `networks` (in order), in one
    /// transaction that also checks each network still exists (ENOENT):
    /// a concurrent `network rm` cannot leave the container on a deleted one.
    ErrorOr attach(std::string const& id, std::vector<ContainerNetwork> const& networks);
    /// Puts container `id` on one more network, last (network connect);
    /// EEXIST when it is on it already, ENOENT when the network is gone.
    ErrorOr add(std::string const& id, ContainerNetwork const& network);
    /// Takes container `id` off `network` (network disconnect); ENOENT when it is not on it.
    ErrorOr detach(std::string const& id, std::string const& network);
    /// The networks container `id` is on, in order.
    Result<std::vector<ContainerNetwork>> of_container(std::string const& id);
    /// Gives container `id` its addresses: for each of its networks, `choose`
    /// gets the row and the addresses every other container holds there and
    /// returns the row's addresses. One write transaction: two starts never
    /// get the same address.
    using Choose = std::function<Result<std::vector<std::string>>(ContainerNetwork const&, std::vector<std::string> const& used)>;
    Result<std::vector<ContainerNetwork>> lease(std::string const& id, Choose const& choose);
    /// Gives up container `id`'s addresses (its network is torn down).
    ErrorOr release(std::string const& id);

private:
    explicit NetworkStore(store::Database& db) : m_db(&db) {}
    Result<std::vector<network::NetworkConfig>> query(std::string const& where, std::vector<std::string> const& args);

    store::Database* m_db;
};

/// Podman's error for a network no name or id matches.
Error network_not_found(std::string const& name_or_id);

} // namespace berth::container
