// Image records in SQLite: the Store's image methods. Reading is built for
// `berth images` on a large store: whatever the number of images, a listing
// is three queries (images, then names and digests together, then layers),
// assembled in memory. Writing follows tag semantics: a name is the primary
// key of image_names, so giving it to one image takes it from another, inside
// the same transaction.
#include "store/store.h"

#include <chrono>
#include <unordered_map>

namespace berth::store {

static constexpr char const* image_columns
    = "id, config_digest, manifest_digest, manifest_media_type, created, added, size, architecture, os";

static std::string strip_algorithm(std::string const& id)
{
    return id.starts_with("sha256:") ? id.substr(7) : id;
}

static bool is_lower_hex(std::string_view s)
{
    return s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

static int64_t now_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

static Result<image::Digest> parse_optional_digest(std::string const& text)
{
    if (text.empty())
        return image::Digest {};
    return TRY_CTX(image::Digest::parse(text), "store database: image row");
}

static Result<ImageRecord> image_from_row(Statement const& stmt)
{
    ImageRecord r;
    r.id = stmt.text(0);
    r.config_digest = TRY(parse_optional_digest(stmt.text(1)));
    r.manifest_digest = TRY(parse_optional_digest(stmt.text(2)));
    r.manifest_media_type = stmt.text(3);
    r.created = stmt.integer(4);
    r.added = stmt.integer(5);
    r.size = stmt.integer(6);
    r.architecture = stmt.text(7);
    r.os = stmt.text(8);
    return r;
}

static void bind_all(Statement& stmt, std::vector<std::string> const& args)
{
    for (size_t i = 0; i < args.size(); ++i)
        stmt.bind(static_cast<int>(i + 1), args[i]);
}

/// `where` filters the images table (parameters ?1, ?2, ...); empty for all images.
Result<std::vector<ImageRecord>> Store::query_images(std::string const& where, std::vector<std::string> const& args)
{
    std::vector<ImageRecord> images;
    std::unordered_map<std::string, size_t> by_id;
    std::string subset = where.empty() ? "" : " WHERE image_id IN (SELECT id FROM images " + where + ")";
    {
        auto stmt = TRY(m_db->prepare(std::string("SELECT ") + image_columns + " FROM images " + where
            + " ORDER BY added DESC, rowid DESC"));  // newest first, also within one second
        bind_all(stmt, args);
        while (TRY(stmt.step())) {
            images.push_back(TRY(image_from_row(stmt)));
            by_id.emplace(images.back().id, images.size() - 1);
        }
    }
    if (images.empty())
        return images;
    {
        auto stmt = TRY(m_db->prepare("SELECT image_id, 0, name, rowid FROM image_names" + subset
            + " UNION ALL SELECT image_id, 1, digest, rowid FROM image_digests" + subset + " ORDER BY 2, 4"));
        bind_all(stmt, args);
        while (TRY(stmt.step())) {
            auto it = by_id.find(stmt.text(0));
            if (it == by_id.end())
                continue;
            auto& record = images[it->second];
            (stmt.integer(1) == 0 ? record.names : record.digests).push_back(stmt.text(2));
        }
    }
    {
        std::string layer_subset = where.empty() ? "" : " WHERE il.image_id IN (SELECT id FROM images " + where + ")";
        // LEFT JOIN: a layer whose row is gone (a damaged store) stays in the image, so that
        // using the image fails and `system check` sees it, instead of the image losing a layer.
        auto stmt = TRY(m_db->prepare("SELECT il.image_id, il.diff_id, il.blob_digest, il.media_type, COALESCE(l.size, 0), il.blob_size "
                                      "FROM image_layers il LEFT JOIN layers l ON l.diff_id = il.diff_id"
            + layer_subset + " ORDER BY il.image_id, il.position"));
        bind_all(stmt, args);
        while (TRY(stmt.step())) {
            auto it = by_id.find(stmt.text(0));
            if (it == by_id.end())
                continue;
            LayerInfo layer;
            layer.diff_id = TRY_CTX(image::Digest::parse(stmt.text(1)), "store database: image layer row");
            layer.blob_digest = TRY(parse_optional_digest(stmt.text(2)));
            layer.media_type = stmt.text(3);
            layer.size = stmt.integer(4);
            layer.blob_size = stmt.integer(5);
            images[it->second].layers.push_back(std::move(layer));
        }
    }
    return images;
}

static std::optional<ImageRecord> first_or_none(std::vector<ImageRecord>&& records)
{
    if (records.empty())
        return std::nullopt;
    return std::move(records.front());
}

Result<std::vector<ImageRecord>> Store::list_images() { return query_images("", {}); }

Result<std::optional<ImageRecord>> Store::get_image(std::string const& id)
{
    return first_or_none(TRY(query_images("WHERE id = ?1", { strip_algorithm(id) })));
}

Result<std::optional<ImageRecord>> Store::find_image_by_name(std::string const& name)
{
    bool is_digest = name.find('@') != std::string::npos;
    std::string where = is_digest ? "WHERE id = (SELECT image_id FROM image_digests WHERE digest = ?1)"
                                  : "WHERE id = (SELECT image_id FROM image_names WHERE name = ?1)";
    return first_or_none(TRY(query_images(where, { name })));
}

Result<std::vector<ImageRecord>> Store::find_images_by_id_prefix(std::string const& prefix)
{
    std::string hex = strip_algorithm(prefix);
    if (hex.empty() || hex.size() > 64 || !is_lower_hex(hex))
        return std::vector<ImageRecord> {};
    // Hex has no GLOB metacharacters, so the prefix can be used as it is.
    return query_images("WHERE id GLOB ?1", { hex + "*" });
}

// Gives `name` to `id` inside an open transaction, taking it from any other image.
static ErrorOr attach_name(Database& db, std::string const& id, std::string const& name)
{
    bool is_digest = name.find('@') != std::string::npos;
    std::string table = is_digest ? "image_digests" : "image_names";
    std::string column = is_digest ? "digest" : "name";
    if (!is_digest) {
        // A name is an image's or a manifest list's, never both (store/manifest_lists.h).
        auto list = TRY(db.prepare("SELECT 1 FROM manifest_lists WHERE name = ?1"));
        list.bind(1, name);
        if (TRY(list.step()))
            return Error { EEXIST, name + " is the name of a manifest list: remove the list with `berth manifest rm " + name + "` first" };
    }
    auto move_away = TRY(db.prepare("DELETE FROM " + table + " WHERE " + column + " = ?1 AND image_id != ?2"));
    move_away.bind(1, name).bind(2, id);
    TRY(move_away.run());
    auto insert = TRY(db.prepare("INSERT OR IGNORE INTO " + table + " (" + column + ", image_id) VALUES (?1, ?2)"));
    insert.bind(1, name).bind(2, id);
    return insert.run();
}

static ErrorOr check_layers_present(Database& db, ImageRecord const& record)
{
    auto stmt = TRY(db.prepare("SELECT 1 FROM layers WHERE diff_id = ?1"));
    for (auto const& layer : record.layers) {
        stmt.reset();
        stmt.bind(1, layer.diff_id.str());
        if (!TRY(stmt.step()))
            return Error::msg("layer " + layer.diff_id.str() + " is not in the store");
    }
    return {};
}

static ErrorOr upsert_image_row(Database& db, ImageRecord const& r)
{
    int64_t size = r.size;
    if (size == 0) {
        for (auto const& layer : r.layers)
            size += layer.size;
    }
    auto stmt = TRY(db.prepare(
        "INSERT INTO images (id, config_digest, manifest_digest, manifest_media_type, created, added, size, architecture, os) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(id) DO UPDATE SET "
        "config_digest = excluded.config_digest, manifest_digest = excluded.manifest_digest, "
        "manifest_media_type = excluded.manifest_media_type, created = excluded.created, size = excluded.size, "
        "architecture = excluded.architecture, os = excluded.os"));
    stmt.bind(1, r.id).bind(2, r.config_digest.empty() ? "" : r.config_digest.str());
    stmt.bind(3, r.manifest_digest.empty() ? "" : r.manifest_digest.str()).bind(4, r.manifest_media_type);
    stmt.bind(5, r.created).bind(6, r.added ? r.added : now_seconds()).bind(7, size);
    stmt.bind(8, r.architecture).bind(9, r.os);
    return stmt.run();
}

static ErrorOr replace_image_layers(Database& db, ImageRecord const& r)
{
    auto clear = TRY(db.prepare("DELETE FROM image_layers WHERE image_id = ?1"));
    clear.bind(1, r.id);
    TRY(clear.run());
    auto insert = TRY(db.prepare("INSERT INTO image_layers (image_id, position, diff_id, blob_digest, media_type, blob_size) "
                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (size_t i = 0; i < r.layers.size(); ++i) {
        auto const& layer = r.layers[i];
        insert.reset();
        insert.bind(1, r.id).bind(2, static_cast<int64_t>(i)).bind(3, layer.diff_id.str());
        insert.bind(4, layer.blob_digest.empty() ? "" : layer.blob_digest.str()).bind(5, layer.media_type);
        insert.bind(6, layer.blob_size);
        TRY(insert.run());
    }
    return {};
}

ErrorOr Store::put_image(ImageRecord const& record)
{
    std::string context = "store image " + record.id;
    if (record.id.size() != 64 || !is_lower_hex(record.id))
        return Error::msg(context + ": the image id must be 64 lowercase hex digits");
    if (!record.config_digest.empty() && record.config_digest.hex() != record.id)
        return Error::msg(context + ": the id does not match the config digest " + record.config_digest.str());
    auto txn = TRY_CTX(m_db->begin(), context);
    TRY_CTX(check_layers_present(*m_db, record), context);
    TRY_CTX(upsert_image_row(*m_db, record), context);
    TRY_CTX(replace_image_layers(*m_db, record), context);
    for (auto const& name : record.names)
        TRY_CTX(attach_name(*m_db, record.id, name), context);
    for (auto const& digest : record.digests)
        TRY_CTX(attach_name(*m_db, record.id, digest), context);
    TRY_CTX(txn.commit(), context);
    return {};
}

static Result<bool> image_exists(Database& db, std::string const& id)
{
    auto stmt = TRY(db.prepare("SELECT 1 FROM images WHERE id = ?1"));
    stmt.bind(1, id);
    return TRY(stmt.step());
}

ErrorOr Store::add_name(std::string const& id, std::string const& name)
{
    std::string hex = strip_algorithm(id);
    std::string context = "tag image " + hex + " as " + name;
    auto txn = TRY_CTX(m_db->begin(), context);
    if (!TRY_CTX(image_exists(*m_db, hex), context))
        return Error { ENOENT, context + ": no such image" };
    TRY_CTX(attach_name(*m_db, hex, name), context);
    TRY_CTX(txn.commit(), context);
    return {};
}

ErrorOr Store::remove_name(std::string const& id, std::string const& name)
{
    std::string hex = strip_algorithm(id);
    std::string context = "untag " + name + " from image " + hex;
    auto txn = TRY_CTX(m_db->begin(), context);
    int64_t removed = 0;
    for (auto const* table : { "image_names WHERE name", "image_digests WHERE digest" }) {
        auto stmt = TRY_CTX(m_db->prepare(std::string("DELETE FROM ") + table + " = ?1 AND image_id = ?2"), context);
        stmt.bind(1, name).bind(2, hex);
        TRY_CTX(stmt.run(), context);
        removed += m_db->changes();
    }
    if (removed == 0)
        return Error { ENOENT, context + ": the image has no such name" };
    TRY_CTX(txn.commit(), context);
    return {};
}

ErrorOr Store::delete_image(std::string const& id)
{
    std::string hex = strip_algorithm(id);
    std::string context = "delete image " + hex;
    {
        auto txn = TRY_CTX(m_db->begin(), context);
        auto stmt = TRY_CTX(m_db->prepare("DELETE FROM images WHERE id = ?1"), context);
        stmt.bind(1, hex);
        TRY_CTX(stmt.run(), context);
        if (m_db->changes() == 0)
            return Error { ENOENT, context + ": no such image" };
        TRY_CTX(txn.commit(), context);
    }
    return gc();
}

} // namespace berth::store
