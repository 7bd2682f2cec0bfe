// VolumeStore: the `volumes` table and the directories under data_dir/volumes.
// A volume directory is created before its row, so a row always names an
// existing directory; a directory without a row (killed process) is reused.
#include "container/volume_store.h"

#include "base/fs.h"
#include "base/process_stat.h"
#include "base/timestamp.h"
#include "container/container_store.h"
#include "container/options.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <unistd.h>

namespace berth::container {

static constexpr char const* schema = R"sql(
CREATE TABLE IF NOT EXISTS volumes (
    name       TEXT PRIMARY KEY,
    driver     TEXT NOT NULL,
    created    INTEGER NOT NULL,
    labels     TEXT NOT NULL DEFAULT '{}',
    options    TEXT NOT NULL DEFAULT '{}',
    anonymous  INTEGER NOT NULL DEFAULT 0,
    needs_copy INTEGER NOT NULL DEFAULT 1
);
)sql";

static void remove_stale_trash(std::string const& volumes_dir);

Result<VolumeStore> VolumeStore::open(store::Database& db, store::Layout layout)
{
    TRY_CTX(db.exec(schema), "create volumes table");
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

Result<std::vector<std::string>> VolumeStore::in_use()
{
    std::vector<std::string> names;
    auto exists = TRY(m_db->prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'containers'"));
    if (!TRY(exists.step()))
        return names;
    auto stmt = TRY(m_db->prepare("SELECT config FROM containers"));
    while (TRY(stmt.step())) {
        auto config = json::parse(stmt.text(0), "container config");
        if (!config)
            continue;
        auto mounted = volumes_mounted_by(*config);
        names.insert(names.end(), mounted.begin(), mounted.end());
    }
    return names;
}

std::vector<std::string> volumes_mounted_by(Json const& container_config)
{
    std::vector<std::string> names;
    auto options = CreateOptions::from_json(container_config);
    if (!options)
        return names;
    for (auto const& v : options->volumes)
        if (auto m = parse_volume(v); m && m->type == MountRequest::Type::Volume)
            names.push_back(m->source);
    for (auto const& v : options->mounts)
        if (auto m = parse_mount(v); m && m->type == MountRequest::Type::Volume)
            names.push_back(m->source);
    if (auto it = container_config.find("anonymous_volumes"); it != container_config.end() && it->is_array())
        for (auto const& n : *it)
            if (n.is_string())
                names.push_back(n.get<std::string>());
    return names;
}


Json inspect_volume(VolumeRecord const& v)
{
    return Json { { "Name", v.name }, { "Driver", v.driver }, { "Mountpoint", v.mountpoint },
        { "CreatedAt", timestamp::rfc3339(v.created) }, { "Labels", Json(v.labels) }, { "Scope", "local" },
        { "Options", Json(v.options) }, { "Anonymous", v.anonymous }, { "MountCount", 0 }, { "NeedsCopyUp", v.needs_copy } };
}

} // namespace berth::container
