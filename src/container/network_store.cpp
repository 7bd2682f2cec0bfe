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

namespace {

std::vector<std::string> string_list(std::string const& text)
{
    auto doc = json::parse(text, "container_networks");
    if (!doc || !doc.value().is_array())
        return {};
    std::vector<std::string> out;
    for (auto const& v : doc.value())
        if (v.is_string())
            out.push_back(v.get<std::string>());
    return out;
}

std::string list_text(std::vector<std::string> const& list)
{
    return json::dump(Json(list));
}

} // namespace

ErrorOr NetworkStore::attach(std::string const& id, std::vector<ContainerNetwork> const& networks)
{
    auto txn = TRY(m_db->begin());
    auto stmt = TRY(m_db->prepare("INSERT INTO container_networks (container_id, network, position, aliases, static_ips, static_mac, ips) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]')"));
    for (size_t i = 0; i < networks.size(); ++i) {
        auto const& n = networks[i];
        if (n.network != network::default_network_name && TRY(query("WHERE name = ?1", { n.network })).empty())
            return network_not_found(n.network);
        stmt.reset();
        stmt.bind(1, id).bind(2, n.network).bind(3, static_cast<int64_t>(i)).bind(4, list_text(n.aliases)).bind(5, list_text(n.static_ips)).bind(6, n.static_mac);
        TRY_CTX(stmt.run(), "record container " + id + " on network " + n.network);
    }
    return txn.commit();
}

ErrorOr NetworkStore::add(std::string const& id, ContainerNetwork const& n)
{
    auto txn = TRY(m_db->begin());
    if (n.network != network::default_network_name && TRY(query("WHERE name = ?1", { n.network })).empty())
        return network_not_found(n.network);
    auto mine = TRY(of_container(id));
    for (auto const& m : mine)
        if (m.network == n.network)
            return Error { EEXIST, "container " + id.substr(0, 12) + " is already connected to network " + n.network };
    auto stmt = TRY(m_db->prepare("INSERT INTO container_networks (container_id, network, position, aliases, static_ips, static_mac, ips) "
                                  "VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM container_networks WHERE container_id = ?1), ?3, ?4, ?5, '[]')"));
    stmt.bind(1, id).bind(2, n.network).bind(3, list_text(n.aliases)).bind(4, list_text(n.static_ips)).bind(5, n.static_mac);
    TRY_CTX(stmt.run(), "record container " + id + " on network " + n.network);
    return txn.commit();
}

ErrorOr NetworkStore::detach(std::string const& id, std::string const& network)
{
    auto stmt = TRY(m_db->prepare("DELETE FROM container_networks WHERE container_id = ?1 AND network = ?2"));
    stmt.bind(1, id).bind(2, network);
    TRY_CTX(stmt.run(), "take container " + id + " off network " + network);
    if (m_db->changes() == 0)
        return Error { ENOENT, "container " + id.substr(0, 12) + " is not connected to network " + network };
    return {};
}

Result<std::vector<ContainerNetwork>> NetworkStore::of_container(std::string const& id)
{
    auto stmt = TRY(m_db->prepare("SELECT network, aliases, static_ips, static_mac, ips FROM container_networks WHERE container_id = ?1 ORDER BY position"));
    stmt.bind(1, id);
    std::vector<ContainerNetwork> out;
    while (TRY(stmt.step())) {
        ContainerNetwork n;
        n.network = stmt.text(0);
        n.aliases = string_list(stmt.text(1));
        n.static_ips = string_list(stmt.text(2));
        n.static_mac = stmt.text(3);
        n.ips = string_list(stmt.text(4));
        n.interface_name = "eth" + std::to_string(out.size());
        out.push_back(std::move(n));
    }
    return out;
}

Result<std::vector<ContainerNetwork>> NetworkStore::lease(std::string const& id, Choose const& choose)
{
    auto txn = TRY(m_db->begin());
    auto mine = TRY(of_container(id));
    auto used_stmt = TRY(m_db->prepare("SELECT ips FROM container_networks WHERE network = ?1 AND container_id != ?2"));
    auto set = TRY(m_db->prepare("UPDATE container_networks SET ips = ?3 WHERE container_id = ?1 AND network = ?2"));
    for (auto& n : mine) {
        if (!n.ips.empty())
            continue;  // leased already (network connect adds a network to a running container)
        std::vector<std::string> used;
        used_stmt.reset();
        used_stmt.bind(1, n.network).bind(2, id);
        while (TRY(used_stmt.step()))
            for (auto& ip : string_list(used_stmt.text(0)))
                used.push_back(std::move(ip));
        n.ips = TRY(choose(n, used));
        set.reset();
        set.bind(1, id).bind(2, n.network).bind(3, list_text(n.ips));
        TRY_CTX(set.run(), "record the addresses of container " + id + " on network " + n.network);
    }
    TRY(txn.commit());
    return mine;
}

ErrorOr NetworkStore::release(std::string const& id)
{
    auto stmt = TRY(m_db->prepare("UPDATE container_networks SET ips = '[]' WHERE container_id = ?1 AND ips != '[]'"));
    stmt.bind(1, id);
    return stmt.run();
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
