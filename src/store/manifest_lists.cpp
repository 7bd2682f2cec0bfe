// ManifestListStore: the `manifest_lists` table (store/schema.cpp, version 6).
#include "store/manifest_lists.h"

#include "store/schema.h"

#include <algorithm>
#include <cctype>

namespace berth::store {

static constexpr char const* list_columns = "id, name, created, body, sources";

Result<ManifestListStore> ManifestListStore::open(Database& db)
{
    TRY(migrate(db));
    return ManifestListStore(db);
}

ErrorOr ManifestListStore::insert(ManifestListRecord const& r)
{
    auto txn = TRY(m_db->begin());
    auto taken = TRY(m_db->prepare("SELECT 1 FROM manifest_lists WHERE name = ?1"));
    taken.bind(1, r.name);
    if (TRY(taken.step()))
        return Error { EEXIST, "a manifest list named " + r.name + " exists: add to it with `berth manifest add`, or create with --amend" };
    auto image = TRY(m_db->prepare("SELECT image_id FROM image_names WHERE name = ?1"));
    image.bind(1, r.name);
    if (TRY(image.step()))
        return Error { EEXIST, "image name \"" + r.name + "\" is already associated with image \"" + image.text(0)
            + "\": choose another name for the manifest list" };
    auto stmt = TRY(m_db->prepare(std::string("INSERT INTO manifest_lists (") + list_columns + ") VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt.bind(1, r.id).bind(2, r.name).bind(3, r.created).bind(4, image::serialize_index(r.index)).bind(5, json::dump(Json(r.sources)));
    TRY_CTX(stmt.run(), "insert manifest list " + r.name);
    return txn.commit();
}

Result<std::vector<ManifestListRecord>> ManifestListStore::query(std::string const& where, std::vector<std::string> const& args)
{
    auto stmt = TRY(m_db->prepare(std::string("SELECT ") + list_columns + " FROM manifest_lists " + where));
    for (size_t i = 0; i < args.size(); ++i)
        stmt.bind(static_cast<int>(i + 1), args[i]);
    std::vector<ManifestListRecord> out;
    while (TRY(stmt.step())) {
        ManifestListRecord r;
        r.id = stmt.text(0);
        r.name = stmt.text(1);
        r.created = stmt.integer(2);
        r.index = TRY_CTX(image::parse_index(stmt.text(3)), "manifest list " + r.name);
        auto sources = TRY(json::parse(stmt.text(4), "manifest list sources"));
        if (sources.is_object())
            for (auto const& [digest, source] : sources.items())
                if (source.is_string())
                    r.sources[digest] = source.get<std::string>();
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::optional<ManifestListRecord>> ManifestListStore::find_unlocked(std::string const& name_or_id)
{
    if (name_or_id.empty())
        return std::optional<ManifestListRecord> {};
    auto exact = TRY(query("WHERE name = ?1 OR id = ?1", { name_or_id }));
    if (!exact.empty())
        return std::optional { std::move(exact.front()) };
    if (name_or_id.size() < 3 || !std::all_of(name_or_id.begin(), name_or_id.end(), [](unsigned char c) { return std::isxdigit(c); }))
        return std::optional<ManifestListRecord> {};
    auto by_prefix = TRY(query("WHERE substr(id, 1, ?2) = ?1", { name_or_id, std::to_string(name_or_id.size()) }));
    if (by_prefix.size() > 1)
        return Error { EINVAL, "more than one manifest list matches ID prefix \"" + name_or_id + "\": give more of the ID" };
    if (by_prefix.empty())
        return std::optional<ManifestListRecord> {};
    return std::optional { std::move(by_prefix.front()) };
}

Result<std::optional<ManifestListRecord>> ManifestListStore::find(std::string const& name_or_id)
{
    return find_unlocked(name_or_id);
}

Result<ManifestListRecord> ManifestListStore::update(std::string const& name_or_id, std::function<ErrorOr(ManifestListRecord&)> const& change)
{
    auto txn = TRY(m_db->begin());
    auto found = TRY(find_unlocked(name_or_id));
    if (!found)
        return Error { ENOENT, name_or_id + ": no such manifest list" };
    TRY(change(*found));
    auto stmt = TRY(m_db->prepare("UPDATE manifest_lists SET body = ?2, sources = ?3 WHERE id = ?1"));
    stmt.bind(1, found->id).bind(2, image::serialize_index(found->index)).bind(3, json::dump(Json(found->sources)));
    TRY_CTX(stmt.run(), "update manifest list " + found->name);
    TRY(txn.commit());
    return std::move(*found);
}

ErrorOr ManifestListStore::remove(std::string const& id)
{
    auto stmt = TRY(m_db->prepare("DELETE FROM manifest_lists WHERE id = ?1"));
    stmt.bind(1, id);
    TRY_CTX(stmt.run(), "delete manifest list " + id);
    if (m_db->changes() == 0)
        return Error { ENOENT, "delete manifest list " + id + ": no such manifest list" };
    return {};
}

Result<std::vector<ManifestListRecord>> ManifestListStore::list()
{
    return query("ORDER BY created, rowid", {});
}

} // namespace berth::store
