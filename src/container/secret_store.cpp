// SecretStore: the `secrets` table and the data files under data_dir/secrets.
// See secret_store.h. A data file is written before its row, so a row always
// names existing data; a file without a row (a killed create) is harmless and
// never read, as its id is random.
#include "container/secret_store.h"

#include "base/fs.h"
#include "base/json.h"
#include "container/container_store.h"
#include "store/schema.h"

#include <cctype>
#include <cerrno>
#include <ctime>
#include <unistd.h>

namespace berth::container {

bool valid_secret_name(std::string const& name)
{
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    if (name.empty() || name.size() > 64 || !alnum(name.front()) || !alnum(name.back()))
        return false;
    for (char c : name)
        if (!alnum(c) && c != '_' && c != '.' && c != '-')
            return false;
    return true;
}

Result<SecretStore> SecretStore::open(store::Database& db, store::Layout layout)
{
    TRY(store::migrate(db));  // one PRAGMA read when the store opened it already
    TRY(fs::mkdir_p(layout.secrets_dir(), 0700));
    return SecretStore(db, std::move(layout));
}

static Error no_such_secret(std::string const& name_or_id)
{
    return Error { ENOENT, "no secret with name or id \"" + name_or_id + "\": no such secret" };
}

Result<SecretRecord> SecretStore::create(std::string const& name, std::string const& data, std::string const& driver,
    std::map<std::string, std::string> driver_options, std::map<std::string, std::string> labels)
{
    if (!valid_secret_name(name))
        return Error { EINVAL, "secret name \"" + name + "\": only 64 [a-zA-Z0-9-_.] characters allowed, and the start and end character must be [a-zA-Z0-9]" };
    if (data.empty() || data.size() >= max_secret_size)
        return Error { EINVAL, "secret " + name + ": its data must be larger than 0 and less than 512000 bytes" };
    SecretRecord r;
    r.id = generate_id().substr(0, 25);
    r.name = name;
    r.driver = driver;
    r.driver_options = std::move(driver_options);
    r.labels = std::move(labels);
    r.created = r.updated = static_cast<int64_t>(std::time(nullptr));
    auto file = m_layout.secret_data_file(r.id);
    TRY_CTX(fs::write_file_atomic(file, data, 0600), "store secret " + name);
    auto txn = TRY(m_db->begin());
    auto taken = TRY(query("WHERE name = ?1", name));
    if (!taken.empty()) {
        ::unlink(file.c_str());
        return Error { EEXIST, name + ": secret name in use: remove it first (berth secret rm " + name + ") or choose another name" };
    }
    auto stmt = TRY(m_db->prepare("INSERT INTO secrets (id, name, driver, driver_options, labels, created, updated) "
                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    stmt.bind(1, r.id).bind(2, r.name).bind(3, r.driver).bind(4, json::dump(Json(r.driver_options)));
    stmt.bind(5, json::dump(Json(r.labels))).bind(6, r.created).bind(7, r.updated);
    if (auto inserted = stmt.run(); !inserted) {
        ::unlink(file.c_str());
        return std::move(inserted).error().with_context("insert secret " + name);
    }
    if (auto committed = txn.commit(); !committed) {
        ::unlink(file.c_str());
        return std::move(committed).error();
    }
    return r;
}

Result<std::vector<SecretRecord>> SecretStore::query(std::string const& where, std::string const& arg)
{
    auto stmt = TRY(m_db->prepare("SELECT id, name, driver, driver_options, labels, created, updated FROM secrets " + where));
    if (!arg.empty())
        stmt.bind(1, arg);
    std::vector<SecretRecord> out;
    while (TRY(stmt.step())) {
        SecretRecord r;
        r.id = stmt.text(0);
        r.name = stmt.text(1);
        r.driver = stmt.text(2);
        try {
            r.driver_options = TRY(json::parse(stmt.text(3), "secret driver options")).get<std::map<std::string, std::string>>();
            r.labels = TRY(json::parse(stmt.text(4), "secret labels")).get<std::map<std::string, std::string>>();
        } catch (std::exception const& e) {
            return Error::msg("secret " + r.name + ": " + e.what());
        }
        r.created = stmt.integer(5);
        r.updated = stmt.integer(6);
        out.push_back(std::move(r));
    }
    return out;
}

Result<SecretRecord> SecretStore::find(std::string const& name_or_id)
{
    if (name_or_id.empty())
        return no_such_secret(name_or_id);
    auto rows = TRY(query("WHERE name = ?1 OR id = ?1", name_or_id));
    if (rows.empty() && name_or_id.find_first_not_of("0123456789abcdef") == std::string::npos)
        rows = TRY(query("WHERE substr(id, 1, length(?1)) = ?1", name_or_id));
    if (rows.size() > 1)
        return Error { EINVAL, "more than one secret matches \"" + name_or_id + "\": give more of its id" };
    if (rows.empty())
        return no_such_secret(name_or_id);
    return rows.front();
}

Result<std::vector<SecretRecord>> SecretStore::list()
{
    return query("ORDER BY created, name", "");
}

Result<std::string> SecretStore::data(SecretRecord const& secret) const
{
    return TRY_CTX(fs::read_file(m_layout.secret_data_file(secret.id)), "read secret " + secret.name);
}

ErrorOr SecretStore::remove(SecretRecord const& secret)
{
    {
        auto txn = TRY(m_db->begin());
        // In the transaction that deletes the row: no container can start using it in between.
        auto used = TRY(users(secret.id));
        if (!used.empty())
            return Error { EBUSY, "secret " + secret.name + " is in use by container " + used.front().substr(0, 12)
                    + ": remove the container first" };
        auto stmt = TRY(m_db->prepare("DELETE FROM secrets WHERE id = ?1"));
        stmt.bind(1, secret.id);
        TRY(stmt.run());
        if (m_db->changes() == 0)
            return no_such_secret(secret.name);
        TRY(txn.commit());
    }
    if (::unlink(m_layout.secret_data_file(secret.id).c_str()) < 0 && errno != ENOENT)
        return Error::from_errno("remove secret " + secret.name + ": unlink its data");
    return {};
}

Result<std::vector<std::string>> SecretStore::users(std::string const& id)
{
    auto stmt = TRY(m_db->prepare("SELECT container_id FROM container_secrets WHERE secret_id = ?1 ORDER BY container_id"));
    stmt.bind(1, id);
    std::vector<std::string> ids;
    while (TRY(stmt.step()))
        ids.push_back(stmt.text(0));
    return ids;
}

} // namespace berth::container
