// Local manifest lists (`berth manifest`): one row per list in berth.db's
// `manifest_lists` table (schema version 6). A list has one name, which no
// image may have too; its body is the index document (image::Index), and its
// sources remember where each instance came from (a registry reference or
// "containers-storage:ID"), for `manifest push` to find what it must copy.
//
// Every change is a read-modify-write inside one IMMEDIATE transaction
// (ManifestListStore::update), so two `manifest add` to one list never lose
// an instance.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "image/manifest.h"
#include "store/database.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::store {

struct ManifestListRecord {
    std::string id;       ///< 64 lowercase hex (random)
    std::string name;     ///< a normalized image name ("localhost/list:latest")
    int64_t created = 0;  ///< unix seconds
    image::Index index;
    std::map<std::string, std::string> sources;  ///< instance digest -> where it came from
};

class ManifestListStore {
public:
    /// Rows in `db` (migrated to the current schema if it is not).
    static Result<ManifestListStore> open(Database& db);

    /// Inserts a new list; EEXIST when a list or an image has the name.
    ErrorOr insert(ManifestListRecord const& record);
    /// By exact name or full ID or unique ID prefix; nullopt when none.
    Result<std::optional<ManifestListRecord>> find(std::string const& name_or_id);
    /// Reads the list, lets `change` modify it, writes it back, all in one
    /// transaction; ENOENT when there is no such list.
    Result<ManifestListRecord> update(std::string const& name_or_id, std::function<ErrorOr(ManifestListRecord&)> const& change);
    /// Deletes the list's row; ENOENT when missing.
    ErrorOr remove(std::string const& id);
    /// All lists, oldest first.
    Result<std::vector<ManifestListRecord>> list();

private:
    explicit ManifestListStore(Database& db) : m_db(&db) {}
    Result<std::vector<ManifestListRecord>> query(std::string const& where, std::vector<std::string> const& args);
    Result<std::optional<ManifestListRecord>> find_unlocked(std::string const& name_or_id);

    Database* m_db;
};

} // namespace berth::store
