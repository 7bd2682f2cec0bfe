// VolumeStore: the `volumes` table and the directories under data_dir/volumes.
// A volume directory is created before its row, so a row always names an
// existing directory; a directory without a row (killed process) is reused.
// Which containers use a volume is the container_volumes relation
// (store/schema.cpp), written with each container's row.
#include "container/volume_store.h"

#include "base/fs.h"
#include "base/process_stat.h"
#include "base/timestamp.h"
#include "container/container_store.h"
#include "container/options.h"
#include "store/schema.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace berth::container {

static void remove_stale_trash(std::string const& volumes_dir);

Result<VolumeStore> VolumeStore::open(store::Database& db, store::Layout layout)
{
    TRY(store::migrate(db));  // one PRAGMA read when the store opened it already
    TRY(fs::mkdir_p(layout.volumes_dir(), 0700));
    remove_stale_trash(layout.volumes_dir());
    return VolumeStore(db, std::move(layout));
}

static bool valid_name(std::string const& name)
{
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name[0])))
        return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            return false;
    return true;
}

Result<VolumeRecord> VolumeStore::create(std::string name, std::map<std::string, std::string> labels,
    std::map<std::string, std::string> options, bool anonymous, bool ignore_existing)
{
    if (name.empty())
        name = generate_id();
    if (!valid_name(name))
        return Error { EINVAL, "volume name \"" + name + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" };
    if (auto existing = TRY(get(name))) {
        if (ignore_existing)
            return *existing;
        return Error { EEXIST, "volume with name " + name + " already exists: volume already exists" };
    }
    VolumeRecord r;
    r.name = name;
    r.labels = std::move(labels);
    r.options = std::move(options);
    r.anonymous = anonymous;
    r.created = static_cast<int64_t>(std::time(nullptr));
    r.mountpoint = m_layout.volume_data_dir(name);
    TRY(fs::mkdir_p(r.mountpoint, 0755));
    auto txn = TRY(m_db->begin());
    auto stmt = TRY(m_db->prepare("INSERT INTO volumes (name, driver, created, labels, options, anonymous, needs_copy) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)"));
    stmt.bind(1, r.name).bind(2, r.driver).bind(3, r.created).bind(4, json::dump(Json(r.labels)));
    stmt.bind(5, json::dump(Json(r.options))).bind(6, r.anonymous ? 1 : 0);
    TRY_CTX(stmt.run(), "insert volume " + name);
    TRY(txn.commit());
    return r;
}

Result<std::vector<VolumeRecord>> query_volumes(store::Database& db, store::Layout const& layout, std::string const& where, std::string const& arg)
{
    auto stmt = TRY(db.prepare("SELECT name, driver, created, labels, options, anonymous, needs_copy FROM volumes " + where));
    if (!arg.empty())
        stmt.bind(1, arg);
    std::vector<VolumeRecord> out;
    while (TRY(stmt.step())) {
        VolumeRecord r;
        r.name = stmt.text(0);
        r.driver = stmt.text(1);
        r.created = stmt.integer(2);
        try {
            r.labels = TRY(json::parse(stmt.text(3), "volume labels")).get<std::map<std::string, std::string>>();
            r.options = TRY(json::parse(stmt.text(4), "volume options")).get<std::map<std::string, std::string>>();
        } catch (std::exception const& e) {
            return Error::msg("volume " + r.name + ": " + e.what());
        }
        r.anonymous = stmt.integer(5) != 0;
        r.needs_copy = stmt.integer(6) != 0;
        r.mountpoint = layout.volume_data_dir(r.name);
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::optional<VolumeRecord>> VolumeStore::get(std::string const& name)
{
    auto rows = TRY(query_volumes(*m_db, m_layout, "WHERE name = ?1", name));
    if (rows.empty())
        return std::optional<VolumeRecord> {};
    return std::optional<VolumeRecord> { rows.front() };
}

Result<std::vector<VolumeRecord>> VolumeStore::list()
{
    return query_volumes(*m_db, m_layout, "ORDER BY created, name", "");
}

// A removed volume's directory is first renamed to .trash-<name>-<pid> (inside
// the transaction that deletes its row), so that a kill -9 never leaves a
// directory without a record that a later `volume create` of the same name
// would pick up, data and all. What a killed removal leaves in .trash-* is
// deleted by the next open once its pid is gone.
static std::string trash_name(std::string const& name) { return ".trash-" + name + "-" + std::to_string(::getpid()); }

ErrorOr VolumeStore::remove(std::string const& name)
{
    std::string dir = fs::join(m_dir, name);
    std::string trash = fs::join(m_dir, trash_name(name));
    {
        auto txn = TRY(m_db->begin());
        // In the transaction that deletes the row: no container can start using it in between.
        if (!TRY(users(name)).empty())
            return Error { EBUSY, "volume " + name + " is being used by a container: remove the container first or use --force" };
        auto stmt = TRY(m_db->prepare("DELETE FROM volumes WHERE name = ?1"));
        stmt.bind(1, name);
        TRY(stmt.run());
        if (m_db->changes() == 0)
            return Error { ENOENT, "no volume with name \"" + name + "\" found: no such volume" };
        if (::rename(dir.c_str(), trash.c_str()) < 0 && errno != ENOENT)
            return Error::from_errno("remove volume " + name + ": rename " + dir);
        if (auto committed = txn.commit(); !committed) {
            ::rename(trash.c_str(), dir.c_str());
            return committed;
        }
    }
    return fs::remove_tree(trash);
}

// Deletes the .trash-<name>-<pid> directories of removals that were killed.
static void remove_stale_trash(std::string const& volumes_dir)
{
    auto names = fs::list_dir(volumes_dir);
    if (!names)
        return;
    for (auto const& name : *names) {
        auto dash = name.find_last_of('-');
        if (name.rfind(".trash-", 0) != 0 || dash == std::string::npos || dash + 1 >= name.size())
            continue;
        pid_t pid = static_cast<pid_t>(std::strtol(name.c_str() + dash + 1, nullptr, 10));
        if (pid <= 0 || process_alive(pid))
            continue;
        (void)fs::remove_tree(fs::join(volumes_dir, name));
    }
}

ErrorOr VolumeStore::mark_copied(std::string const& name)
{
    auto txn = TRY(m_db->begin());
    auto stmt = TRY(m_db->prepare("UPDATE volumes SET needs_copy = 0 WHERE name = ?1"));
    stmt.bind(1, name);
    TRY(stmt.run());
    return txn.commit();
}

Result<std::vector<std::string>> VolumeStore::users(std::string const& name)
{
    auto stmt = TRY(m_db->prepare("SELECT DISTINCT container_id FROM container_volumes WHERE volume = ?1 ORDER BY container_id"));
    stmt.bind(1, name);
    std::vector<std::string> ids;
    while (TRY(stmt.step()))
        ids.push_back(stmt.text(0));
    return ids;
}

Result<std::vector<std::string>> VolumeStore::unused()
{
    auto stmt = TRY(m_db->prepare("SELECT name FROM volumes WHERE name NOT IN (SELECT volume FROM container_volumes) ORDER BY created, name"));
    std::vector<std::string> names;
    while (TRY(stmt.step()))
        names.push_back(stmt.text(0));
    return names;
}

std::vector<VolumeUse> volume_uses(std::vector<MountRequest> const& mounts, std::map<std::string, std::string> const& anonymous)
{
    std::vector<VolumeUse> uses;
    for (auto const& m : mounts) {
        if (m.type != MountRequest::Type::Volume)
            continue;
        auto it = m.source.empty() ? anonymous.find(m.destination) : anonymous.end();
        std::string name = it != anonymous.end() ? it->second : m.source;
        if (!name.empty())
            uses.push_back({ name, m.destination, it != anonymous.end() });
    }
    return uses;
}

Json inspect_volume(VolumeRecord const& v)
{
    return Json { { "Name", v.name }, { "Driver", v.driver }, { "Mountpoint", v.mountpoint },
        { "CreatedAt", timestamp::rfc3339(v.created) }, { "Labels", Json(v.labels) }, { "Scope", "local" },
        { "Options", Json(v.options) }, { "Anonymous", v.anonymous }, { "MountCount", 0 }, { "NeedsCopyUp", v.needs_copy } };
}

} // namespace berth::container
