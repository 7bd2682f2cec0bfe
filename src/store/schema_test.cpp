// Migrations: a new database gets every table; a database made by berth at
// schema 1 (the fixture below is that berth's tables, as its SQL made them)
// upgrades through the list once, its containers' volume mounts recorded in
// container_volumes (anonymous ones marked) and their restart policies typed;
// a newer database is refused.
#include "base/temp_dir.h"
#include "store/database.h"
#include "store/schema.h"

#include <doctest/doctest.h>
#include <set>
#include <string>

using namespace berth;
using namespace berth::store;

namespace {

// The tables of berth.db before the migration list (user_version 1 counted
// only the image tables; containers and volumes were created on first use).
constexpr char const* schema_1_fixture = R"sql(
CREATE TABLE images (id TEXT PRIMARY KEY, config_digest TEXT NOT NULL, manifest_digest TEXT NOT NULL,
    manifest_media_type TEXT NOT NULL, created INTEGER NOT NULL, added INTEGER NOT NULL, size INTEGER NOT NULL,
    architecture TEXT NOT NULL, os TEXT NOT NULL);
CREATE TABLE image_names (name TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);
CREATE INDEX image_names_by_image ON image_names(image_id);
CREATE TABLE image_digests (digest TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE);
CREATE INDEX image_digests_by_image ON image_digests(image_id);
CREATE TABLE layers (diff_id TEXT PRIMARY KEY, blob_digest TEXT NOT NULL, media_type TEXT NOT NULL, size INTEGER NOT NULL,
    blob_size INTEGER NOT NULL, created INTEGER NOT NULL);
CREATE INDEX layers_by_blob ON layers(blob_digest);
CREATE TABLE image_layers (image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    diff_id TEXT NOT NULL REFERENCES layers(diff_id), blob_digest TEXT NOT NULL, media_type TEXT NOT NULL,
    blob_size INTEGER NOT NULL, PRIMARY KEY (image_id, position));
CREATE INDEX image_layers_by_layer ON image_layers(diff_id);
CREATE TABLE containers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, image_id TEXT NOT NULL, image_name TEXT NOT NULL,
    created INTEGER NOT NULL, state TEXT NOT NULL, pid INTEGER NOT NULL DEFAULT 0, monitor_pid INTEGER NOT NULL DEFAULT 0,
    exit_code INTEGER NOT NULL DEFAULT 0, started INTEGER NOT NULL DEFAULT 0, finished INTEGER NOT NULL DEFAULT 0,
    driver TEXT NOT NULL DEFAULT '', config TEXT NOT NULL DEFAULT '{}', monitor_start INTEGER NOT NULL DEFAULT 0,
    restart_count INTEGER NOT NULL DEFAULT 0, ps_config TEXT NOT NULL DEFAULT '');
CREATE TABLE volumes (name TEXT PRIMARY KEY, driver TEXT NOT NULL, created INTEGER NOT NULL,
    labels TEXT NOT NULL DEFAULT '{}', options TEXT NOT NULL DEFAULT '{}', anonymous INTEGER NOT NULL DEFAULT 0,
    needs_copy INTEGER NOT NULL DEFAULT 1);
INSERT INTO volumes (name, driver, created) VALUES ('data', 'local', 1), ('cache', 'local', 2), ('idle', 'local', 3), ('anon1', 'local', 4);
INSERT INTO containers (id, name, image_id, image_name, created, state, config) VALUES
  ('c1', 'web', 'i', 'busybox', 1, 'exited',
   '{"volumes":["data:/data:ro","/host:/h","./rel:/r","/anon"],"mounts":["type=volume,source=cache,target=/cache","type=bind,src=/x,dst=/y"],"anonymous_volumes":{"/anon":"anon1"},"restart":"on-failure:3"}'),
  ('c2', 'bystander', 'i', 'busybox', 2, 'created',
   '{"command":["sleep","idle","data:/data"],"env":["V=cache"],"volumes":["/idle"],"anonymous_volumes":{}}'),
  ('c3', 'mounter', 'i', 'busybox', 3, 'running', '{"mounts":["target=/m,type=volume,src=data"],"restart":"always"}'),
  ('c4', 'broken', 'i', 'busybox', 4, 'created', 'not json');
PRAGMA user_version = 1;
)sql";

std::set<std::string> relation(Database& db)
{
    std::set<std::string> rows;
    auto stmt = db.prepare("SELECT container_id, volume, destination, anonymous FROM container_volumes").release_value();
    while (stmt.step().value())
        rows.insert(stmt.text(0) + " " + stmt.text(1) + " " + stmt.text(2) + (stmt.integer(3) ? " anonymous" : ""));
    return rows;
}

/// id: restart_policy restart_retries config, of every container.
std::set<std::string> restart_and_config(Database& db)
{
    std::set<std::string> rows;
    auto stmt = db.prepare("SELECT id, restart_policy, restart_retries, config FROM containers").release_value();
    while (stmt.step().value())
        rows.insert(stmt.text(0) + ": " + stmt.text(1) + " " + std::to_string(stmt.integer(2)) + " " + stmt.text(3));
    return rows;
}

} // namespace

TEST_CASE("migrate: a new database gets every table at the current version")
{
    auto dir = TempDir::create("/tmp", "berth-schema-test-").release_value();
    auto db = Database::open(dir.path() + "/berth.db").release_value();
    REQUIRE(migrate(*db).has_value());
    CHECK(db->user_version().value() == schema_version);
    for (char const* table : { "images", "image_layers", "containers", "volumes", "container_volumes", "secrets", "container_secrets" })
        CHECK_MESSAGE(db->prepare(std::string("SELECT * FROM ") + table + " LIMIT 0").has_value(), table);
    REQUIRE(migrate(*db).has_value());  // again: nothing to do
}

TEST_CASE("migrate: a schema-1 database upgrades, its containers' volumes recorded once")
{
    auto dir = TempDir::create("/tmp", "berth-schema-test-").release_value();
    auto db = Database::open(dir.path() + "/berth.db").release_value();
    REQUIRE(db->exec(schema_1_fixture).has_value());
    REQUIRE(migrate(*db).has_value());
    CHECK(db->user_version().value() == schema_version);
    // Named and anonymous volumes, by -v and --mount; binds, arguments and environment are not mounts.
    CHECK(relation(*db) == std::set<std::string> { "c1 data /data", "c1 cache /cache", "c1 anon1 /anon anonymous", "c3 data /m" });
    // The restart policy is typed, and the loose keys leave the config; the rest of it is untouched.
    CHECK(restart_and_config(*db) == std::set<std::string> {
        "c1: on-failure 3 {\"mounts\":[\"type=volume,source=cache,target=/cache\",\"type=bind,src=/x,dst=/y\"],\"volumes\":[\"data:/data:ro\",\"/host:/h\",\"./rel:/r\",\"/anon\"]}",
        "c2:  0 {\"command\":[\"sleep\",\"idle\",\"data:/data\"],\"env\":[\"V=cache\"],\"volumes\":[\"/idle\"]}",
        "c3: always 0 {\"mounts\":[\"target=/m,type=volume,src=data\"]}",
        "c4:  0 not json" });
    // The records themselves are kept.
    auto count = db->prepare("SELECT count(*) FROM containers").release_value();
    REQUIRE(count.step().value());
    CHECK(count.integer(0) == 4);
    // Deleting a container takes its relation rows along (foreign key).
    REQUIRE(db->exec("DELETE FROM containers WHERE id = 'c1'").has_value());
    CHECK(relation(*db) == std::set<std::string> { "c3 data /m" });
    REQUIRE(migrate(*db).has_value());
    CHECK(relation(*db) == std::set<std::string> { "c3 data /m" });
}

TEST_CASE("migrate: a schema-1 database without container tables, or with an early containers table")
{
    auto dir = TempDir::create("/tmp", "berth-schema-test-").release_value();
    auto db = Database::open(dir.path() + "/berth.db").release_value();
    REQUIRE(db->exec("CREATE TABLE images (id TEXT PRIMARY KEY); "
                     "CREATE TABLE containers (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, config TEXT NOT NULL DEFAULT '{}'); "
                     "INSERT INTO containers (id, name, config) VALUES ('old', 'old', '{\"volumes\":[\"v:/v\"]}'); "
                     "PRAGMA user_version = 1;")
                .has_value());
    REQUIRE(migrate(*db).has_value());
    CHECK(db->prepare("SELECT monitor_start, restart_count, ps_config, restart_policy, restart_retries FROM containers").has_value());
    CHECK(db->prepare("SELECT * FROM volumes").has_value());
    CHECK(relation(*db) == std::set<std::string> { "old v /v" });
}

TEST_CASE("migrate: a schema-3 database (berth before typed restart policies) upgrades")
{
    auto dir = TempDir::create("/tmp", "berth-schema-test-").release_value();
    auto db = Database::open(dir.path() + "/berth.db").release_value();
    REQUIRE(db->exec(schema_1_fixture).has_value());
    // What schema 3 added, as its berth wrote it: the relation rows, anonymous volumes unmarked.
    REQUIRE(db->exec("CREATE TABLE container_volumes (container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE, "
                     "volume TEXT NOT NULL, destination TEXT NOT NULL, PRIMARY KEY (container_id, volume, destination)); "
                     "CREATE INDEX container_volumes_by_volume ON container_volumes(volume); "
                     "INSERT INTO container_volumes VALUES ('c1', 'data', '/data'), ('c1', 'cache', '/cache'), ('c1', 'anon1', '/anon'); "
                     "PRAGMA user_version = 3;")
                .has_value());
    REQUIRE(migrate(*db).has_value());
    CHECK(db->user_version().value() == schema_version);
    CHECK(relation(*db) == std::set<std::string> { "c1 data /data", "c1 cache /cache", "c1 anon1 /anon anonymous" });
    auto rows = restart_and_config(*db);
    CHECK(rows.count("c3: always 0 {\"mounts\":[\"target=/m,type=volume,src=data\"]}") == 1);
}

TEST_CASE("migrate: a database from a newer berth is refused, untouched")
{
    auto dir = TempDir::create("/tmp", "berth-schema-test-").release_value();
    auto db = Database::open(dir.path() + "/berth.db").release_value();
    REQUIRE(db->exec("PRAGMA user_version = " + std::to_string(schema_version + 1)).has_value());
    auto refused = migrate(*db);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("newer than this berth supports") != std::string::npos);
    CHECK(db->user_version().value() == schema_version + 1);
}
