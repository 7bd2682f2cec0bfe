// NetworkStore: the `networks` and `container_networks` tables. See network_store.h.
#include "container/network_store.h"

#include "store/schema.h"

#include <algorithm>
#include <cctype>

namespace berth::container {

using network::NetworkConfig;

Error network_not_found(std::string const& name_or_id)
{
    return Error { ENOENT, "unable to find network with name or ID " + name_or_id + ": network not found" };
}

Result<NetworkStore> NetworkStore::open(store::Database& db)
{
    TRY(store::migrate(db));
    return NetworkStore(db);
}

Result<std::vector<NetworkConfig>> NetworkStore::query(std::string const& where, std::vector<std::string> const& args)
{
    auto stmt = TRY(m_db->prepare("SELECT name, config FROM networks " + where));
    for (size_t i = 0; i < args.size(); ++i)
        stmt.bind(static_cast<int>(i + 1), args[i]);
    std::vector<NetworkConfig> out;
    while (TRY(stmt.step())) {
        auto doc = TRY(json::parse(stmt.text(1), "network " + stmt.text(0)));
        out.push_back(TRY_CTX(network::network_from_json(doc), "network " + stmt.text(0)));
    }
    return out;
}

Result<NetworkConfig> NetworkStore::create(Plan const& plan)
{
    auto txn = TRY(m_db->begin());
    auto existing = TRY(query("ORDER BY name", {}));
    auto network = TRY(plan(existing));
    auto stmt = TRY(m_db->prepare("INSERT INTO networks (name, id, created, config) VALUES (?1, ?2, ?3, ?4)"));
    stmt.bind(1, network.name).bind(2, network.id).bind(3, network.created).bind(4, json::dump(network::network_json(network)));
    TRY_CTX(stmt.run(), "insert network " + network.name);
    TRY(txn.commit());
    return network;
}

Result<std::vector<NetworkConfig>> NetworkStore::list()
{
    return query("ORDER BY name", {});
}

Result<std::optional<NetworkConfig>> NetworkStore::find(std::string const& name_or_id)
{
    if (name_or_id.empty())
        return std::optional<NetworkConfig> {};
    auto exact = TRY(query("WHERE name = ?1 OR id = ?1", { name_or_id }));
    if (!exact.empty())
        return std::optional<NetworkConfig> { std::move(exact.front()) };
    if (!std::all_of(name_or_id.begin(), name_or_id.end(), [](unsigned char c) { return std::isxdigit(c); }))
        return std::optional<NetworkConfig> {};
    auto by_prefix = TRY(query("WHERE substr(id, 1, ?2) = ?1", { name_or_id, std::to_string(name_or_id.size()) }));
    if (by_prefix.size() > 1)
        return Error { EINVAL, "more than one network matches ID prefix \"" + name_or_id + "\": give more of the ID" };
    if (by_prefix.empty())
        return std::optional<NetworkConfig> {};
    return std::optional<NetworkConfig> { std::move(by_prefix.front()) };
}

Result<std::vector<std::string>> NetworkStore::users(std::string const& name)
{
    auto stmt = TRY(m_db->prepare("SELECT container_id FROM container_networks WHERE network = ?1 ORDER BY container_id"));
    stmt.bind(1, name);
    std::vector<std::string> out;
    while (TRY(stmt.step()))
        out.push_back(stmt.text(0));
    return out;
}

ErrorOr NetworkStore::remove(std::string const& name)
{
    auto txn = TRY(m_db->begin());
    if (!TRY(users(name)).empty())
        return Error { EBUSY, "\"" + name + "\" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used" };
    auto stmt = TRY(m_db->prepare("DELETE FROM networks WHERE name = ?1"));
    stmt.bind(1, name);
    TRY_CTX(stmt.run(), "delete network " + name);
    if (m_db->changes() == 0)
        return network_not_found(name);
    return txn.commit();
}

} // namespace berth::container
