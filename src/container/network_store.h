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

private:
    explicit NetworkStore(store::Database& db) : m_db(&db) {}
    Result<std::vector<network::NetworkConfig>> query(std::string const& where, std::vector<std::string> const& args);

    store::Database* m_db;
};

/// Podman's error for a network no name or id matches.
Error network_not_found(std::string const& name_or_id);

} // namespace berth::container
