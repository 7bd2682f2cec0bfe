// berth.db's migrations, in order: see schema.h. The hard part is that a
// migration is history: it must keep reading the rows as the berth of its
// time wrote them, so it never calls the live parsers of the modules above
// (container/options.cpp may change its grammar; a migration must not).
//
// Relation tables say which other objects a container refers to, one table a
// kind of object: container_volumes, container_networks and container_secrets (a pod is a column,
// pod_id, as a container is in one pod at most). They share one shape (container_id REFERENCES
// containers(id) ON DELETE CASCADE, the other object's name, what the relation
// carries). They are written with the container's row and go with it, in the
// same transaction; the other object's users are then one indexed query.
#include "store/schema.h"

#include "base/json.h"
#include "base/log.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace berth::store {

namespace {

// Version 1. Names and repo digests are keyed by themselves, so one name
// belongs to at most one image. image_layers keeps the blob an image was pulled
// with (its manifest's view), while layers keeps the blob the layer was made from.
constexpr char const* images_v1 = R"sql(
CREATE TABLE IF NOT EXISTS images (
    id                  TEXT PRIMARY KEY,
    config_digest       TEXT NOT NULL,
    manifest_digest     TEXT NOT NULL,
    manifest_media_type TEXT NOT NULL,
    created             INTEGER NOT NULL,
    added               INTEGER NOT NULL,
    size                INTEGER NOT NULL,
    architecture        TEXT NOT NULL,
    os                  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS image_names (
    name     TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS image_names_by_image ON image_names(image_id);
CREATE TABLE IF NOT EXISTS image_digests (
    digest   TEXT PRIMARY KEY,
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS image_digests_by_image ON image_digests(image_id);
CREATE TABLE IF NOT EXISTS layers (
    diff_id     TEXT PRIMARY KEY,
    blob_digest TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    blob_size   INTEGER NOT NULL,
    created     INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS layers_by_blob ON layers(blob_digest);
CREATE TABLE IF NOT EXISTS image_layers (
    image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    diff_id     TEXT NOT NULL REFERENCES layers(diff_id),
    blob_digest TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    blob_size   INTEGER NOT NULL,
    PRIMARY KEY (image_id, position)
);
CREATE INDEX IF NOT EXISTS image_layers_by_layer ON image_layers(diff_id);
)sql";

// Version 2: the containers and volumes tables, which berth up to schema 1
// created on first use (IF NOT EXISTS) outside the version count, so a
// database of version 1 may or may not have them, with or without the columns
// added later. The record's options are one JSON column (config) so that a new
// flag needs no schema change; the columns are what ps, lookups and the
// monitor touch.
constexpr char const* containers_v2 = R"sql(
CREATE TABLE IF NOT EXISTS containers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    image_id    TEXT NOT NULL,
    image_name  TEXT NOT NULL,
    created     INTEGER NOT NULL,
    state       TEXT NOT NULL,
    pid         INTEGER NOT NULL DEFAULT 0,
    monitor_pid INTEGER NOT NULL DEFAULT 0,
    exit_code   INTEGER NOT NULL DEFAULT 0,
    started     INTEGER NOT NULL DEFAULT 0,
    finished    INTEGER NOT NULL DEFAULT 0,
    driver      TEXT NOT NULL DEFAULT '',
    config      TEXT NOT NULL DEFAULT '{}',
    monitor_start INTEGER NOT NULL DEFAULT 0,
    restart_count INTEGER NOT NULL DEFAULT 0,
    ps_config   TEXT NOT NULL DEFAULT ''
);
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

/// Columns that a containers table of an early berth lacks.
constexpr char const* containers_added_columns[][2] = {
    { "monitor_start", "ALTER TABLE containers ADD COLUMN monitor_start INTEGER NOT NULL DEFAULT 0" },
    { "restart_count", "ALTER TABLE containers ADD COLUMN restart_count INTEGER NOT NULL DEFAULT 0" },
    { "ps_config", "ALTER TABLE containers ADD COLUMN ps_config TEXT NOT NULL DEFAULT ''" },
};

ErrorOr containers_and_volumes(Database& db)
{
    TRY(db.exec(containers_v2));
    for (auto const& [column, alter] : containers_added_columns)
        if (!db.prepare(std::string("SELECT ") + column + " FROM containers LIMIT 0"))
            TRY(db.exec(alter));
    return {};
}

// Version 3: which volumes a container mounts, and where. No reference to
// volumes(name): a named volume is created when the container first starts,
// after this row is written.
constexpr char const* container_volumes_v3 = R"sql(
CREATE TABLE container_volumes (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    volume       TEXT NOT NULL,
    destination  TEXT NOT NULL,
    PRIMARY KEY (container_id, volume, destination)
);
CREATE INDEX container_volumes_by_volume ON container_volumes(volume);
)sql";

/// (volume, destination) of the volumes a schema-2 config mounts: -v
/// NAME:/DST[:OPTS] (a NAME not starting with '/' or '.'), -v /DST and
/// --mount type=volume[,source=NAME],target=/DST; an unnamed one is the
/// anonymous volume that create recorded in anonymous_volumes[/DST].
std::vector<std::pair<std::string, std::string>> volumes_of_v2_config(Json const& config)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto anonymous = config.value("anonymous_volumes", Json::object());
    auto add = [&](std::string name, std::string const& destination) {
        if (name.empty() && anonymous.is_object())
            name = anonymous.value(destination, "");
        if (!name.empty() && !destination.empty())
            out.emplace_back(std::move(name), destination);
    };
    for (auto const& v : config.value("volumes", std::vector<std::string> {})) {
        auto colon = v.find(':');
        if (colon == std::string::npos)
            add("", v);
        else if (v[0] != '/' && v[0] != '.')
            add(v.substr(0, colon), v.substr(colon + 1, v.find(':', colon + 1) - colon - 1));
    }
    for (auto const& m : config.value("mounts", std::vector<std::string> {})) {
        std::map<std::string, std::string> fields;
        for (size_t start = 0, end; start <= m.size(); start = end + 1) {
            end = std::min(m.find(',', start), m.size());
            auto field = m.substr(start, end - start);
            auto eq = std::min(field.find('='), field.size());
            fields[field.substr(0, eq)] = field.substr(std::min(eq + 1, field.size()));
        }
        auto first = [&](std::initializer_list<char const*> keys) {
            for (auto const* key : keys)
                if (fields.contains(key))
                    return fields[key];
            return std::string();
        };
        if (fields["type"] == "volume")
            add(first({ "source", "src" }), first({ "target", "destination", "dst" }));
    }
    return out;
}

/// (id, config text) of every container.
Result<std::vector<std::pair<std::string, std::string>>> container_configs(Database& db)
{
    std::vector<std::pair<std::string, std::string>> rows;
    auto stmt = TRY(db.prepare("SELECT id, config FROM containers"));
    while (TRY(stmt.step()))
        rows.emplace_back(stmt.text(0), stmt.text(1));
    return rows;
}

ErrorOr container_volumes(Database& db)
{
    TRY(db.exec(container_volumes_v3));
    auto rows = TRY(container_configs(db));
    auto insert = TRY(db.prepare("INSERT OR IGNORE INTO container_volumes (container_id, volume, destination) VALUES (?1, ?2, ?3)"));
    for (auto const& [id, text] : rows) {
        auto config = json::parse(text, "container config");
        if (!config) {
            log::warn("store upgrade: container {}: {}: its volumes are not recorded", id, config.error().message);
            continue;
        }
        for (auto const& [volume, destination] : volumes_of_v2_config(*config)) {
            insert.bind(1, id).bind(2, volume).bind(3, destination);
            TRY(insert.run());
            insert.reset();
        }
    }
    return {};
}

// Version 4: two things a container's config JSON held as loose keys become
// typed columns. `restart` ("on-failure:3") becomes restart_policy (Podman's
// name, "" when no --restart was given) and restart_retries;
// `anonymous_volumes` ({"/dst": "name"}) becomes the anonymous flag of the
// container_volumes row of that mount. Both keys leave the config.
constexpr char const* typed_restart_and_anonymous_v4 = R"sql(
ALTER TABLE containers ADD COLUMN restart_policy TEXT NOT NULL DEFAULT '';
ALTER TABLE containers ADD COLUMN restart_retries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE container_volumes ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0;
)sql";

/// (name, retries) of a schema-3 `restart` value, as the berth of schema 3
/// validated it at create ("on-failure:N"); anything else is no policy.
std::pair<std::string, int64_t> restart_of_v3_config(Json const& config)
{
    auto text = config.value("restart", std::string());
    for (char const* name : { "no", "always", "unless-stopped", "on-failure" })
        if (text == name)
            return { name, 0 };
    if (text.rfind("on-failure:", 0) == 0) {
        auto digits = text.substr(11);
        if (!digits.empty() && digits.size() < 19 && digits.find_first_not_of("0123456789") == std::string::npos)
            return { "on-failure", std::stoll(digits) };
    }
    return { "", 0 };
}

ErrorOr typed_restart_and_anonymous(Database& db)
{
    TRY(db.exec(typed_restart_and_anonymous_v4));
    auto rows = TRY(container_configs(db));
    auto update = TRY(db.prepare("UPDATE containers SET restart_policy = ?2, restart_retries = ?3, config = ?4 WHERE id = ?1"));
    auto anonymous = TRY(db.prepare("INSERT INTO container_volumes (container_id, volume, destination, anonymous) VALUES (?1, ?2, ?3, 1) "
                                    "ON CONFLICT DO UPDATE SET anonymous = 1"));
    for (auto const& [id, text] : rows) {
        auto config = json::parse(text, "container config");
        if (!config || !config->is_object())
            continue;  // reported by the schema-3 upgrade; such a record cannot start anyway
        auto [policy, retries] = restart_of_v3_config(*config);
        auto volumes = config->value("anonymous_volumes", Json::object());
        if (volumes.is_object())
            for (auto const& [destination, name] : volumes.items())
                if (name.is_string() && !name.get<std::string>().empty()) {
                    anonymous.bind(1, id).bind(2, name.get<std::string>()).bind(3, destination);
                    TRY(anonymous.run());
                    anonymous.reset();
                }
        config->erase("restart");
        config->erase("anonymous_volumes");
        update.bind(1, id).bind(2, policy).bind(3, retries).bind(4, json::dump(*config));
        TRY(update.run());
        update.reset();
    }
    return {};
}

// Version 5: pods. A pod's options are one JSON column (config) as a
// container's are; the columns are what `pod ps` and lookups touch. A
// container's pod is a column of its own row (pod_id, '' for none): a
// container is in at most one pod, and the column is written with the row in
// its insert, so a member never exists without its pod recorded.
constexpr char const* pods_v5 = R"sql(
CREATE TABLE pods (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created     INTEGER NOT NULL,
    infra_id    TEXT NOT NULL DEFAULT '',
    labels      TEXT NOT NULL DEFAULT '{}',
    shared      TEXT NOT NULL DEFAULT '',
    hostname    TEXT NOT NULL DEFAULT '',
    config      TEXT NOT NULL DEFAULT '{}'
);
ALTER TABLE containers ADD COLUMN pod_id TEXT NOT NULL DEFAULT '';
CREATE INDEX containers_by_pod ON containers(pod_id);
)sql";

// Version 6: local manifest lists (store/manifest_lists.h). The body is the
// index document; sources maps each instance's digest to where it came from.
constexpr char const* manifest_lists_v6 = R"sql(
CREATE TABLE manifest_lists (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE,
    created  INTEGER NOT NULL,
    body     TEXT NOT NULL,
    sources  TEXT NOT NULL DEFAULT '{}'
);
)sql";

// Version 7: user-defined networks. A network is its Podman/netavark JSON
// document (config), keyed by name, with its id for lookups by id prefix; the
// default network `podman` has no row (it exists without being created).
// container_networks says which networks a container is on, in the order
// given (position), with what it asked for there (aliases, static ips, mac)
// and, while its network is set up, the addresses it holds (ips, a JSON
// array: the leases, which the store's write lock keeps unique).
constexpr char const* networks_v7 = R"sql(
CREATE TABLE networks (
    name    TEXT PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    config  TEXT NOT NULL
);
CREATE TABLE container_networks (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network      TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    aliases      TEXT NOT NULL DEFAULT '[]',
    static_ips   TEXT NOT NULL DEFAULT '[]',
    static_mac   TEXT NOT NULL DEFAULT '',
    ips          TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (container_id, network)
);
CREATE INDEX container_networks_by_network ON container_networks(network);
)sql";

// Version 8: secrets (container/secret_store.h). The data is a file of
// its own under data_dir/secrets, not a column: the database is copied into
// backups and read by tools, a secret should not be. container_secrets says
// which secrets a container uses (by id: a secret's name may be taken again
// after it is removed), so that `secret rm` refuses one in use.
constexpr char const* secrets_v8 = R"sql(
CREATE TABLE secrets (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    driver         TEXT NOT NULL,
    driver_options TEXT NOT NULL DEFAULT '{}',
    labels         TEXT NOT NULL DEFAULT '{}',
    created        INTEGER NOT NULL,
    updated        INTEGER NOT NULL
);
CREATE TABLE container_secrets (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    secret_id    TEXT NOT NULL,
    PRIMARY KEY (container_id, secret_id)
);
CREATE INDEX container_secrets_by_secret ON container_secrets(secret_id);
)sql";

struct Migration {
    char const* what;
    ErrorOr (*apply)(Database&);
};

/// Migration N (1-based) brings a database from version N-1 to N. Append only.
constexpr Migration migrations[] = {
    { "images and layers", [](Database& db) { return db.exec(images_v1); } },
    { "containers and volumes", containers_and_volumes },
    { "container_volumes", container_volumes },
    { "typed restart policy and anonymous volumes", typed_restart_and_anonymous },
    { "pods", [](Database& db) { return db.exec(pods_v5); } },
    { "manifest lists", [](Database& db) { return db.exec(manifest_lists_v6); } },
    { "networks", [](Database& db) { return db.exec(networks_v7); } },
    { "secrets", [](Database& db) { return db.exec(secrets_v8); } },
};
static_assert(std::size(migrations) == schema_version);

} // namespace

ErrorOr migrate(Database& db)
{
    int64_t version = TRY(db.user_version());
    if (version == schema_version)
        return {};
    auto txn = TRY(db.begin());
    version = TRY(db.user_version());  // another process may have got here first
    if (version > schema_version)
        return Error::msg("the store's schema version " + std::to_string(version)
            + " is newer than this berth supports (" + std::to_string(schema_version) + "): upgrade berth");
    for (; version < schema_version; ++version) {
        auto const& m = migrations[version];
        TRY_CTX(m.apply(db), "upgrade the store to schema " + std::to_string(version + 1) + " (" + m.what + ")");
    }
    TRY(db.exec("PRAGMA user_version = " + std::to_string(schema_version)));
    return txn.commit();
}

} // namespace berth::store
