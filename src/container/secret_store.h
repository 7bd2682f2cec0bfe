// Secrets (`secret create`, `run --secret`): one row per secret in berth.db's
// `secrets` table, and its data in a file of its own, data_dir/secrets/<id>
// (mode 0600, in a 0700 directory), written to a temporary name and renamed
// into place. The only driver is Podman's default, "file".
//
// The hard part is removal while containers use a secret: a container reads
// the data again at each start, so a secret in use (a row of
// container_secrets names it) is refused by the transaction that would
// delete its row, the way a volume in use is.
#pragma once

#include "base/error.h"
#include "store/database.h"
#include "store/layout.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::container {

struct SecretRecord {
    std::string id;        ///< 25 lowercase hex digits, as Podman's
    std::string name;      ///< unique
    std::string driver = "file";
    std::map<std::string, std::string> driver_options;
    std::map<std::string, std::string> labels;
    int64_t created = 0;   ///< unix seconds
    int64_t updated = 0;
};

/// Podman's rule for a secret's name: 1 to 64 of [a-zA-Z0-9_.-], starting and
/// ending with a letter or digit.
bool valid_secret_name(std::string const& name);

/// Podman's limit on a secret's data: more than 0 and less than 512000 bytes.
inline constexpr size_t max_secret_size = 512000;

class SecretStore {
public:
    /// Records in `db` (migrated if needed), data in layout.secrets_dir().
    static Result<SecretStore> open(store::Database& db, store::Layout layout);

    /// Stores a new secret: its data file, then its row. EEXIST when the name is taken.
    Result<SecretRecord> create(std::string const& name, std::string const& data, std::string const& driver,
        std::map<std::string, std::string> driver_options, std::map<std::string, std::string> labels);
    /// By exact name, full id or unique id prefix; ENOENT "no secret with name or id \"x\": no such secret".
    Result<SecretRecord> find(std::string const& name_or_id);
    /// All secrets, oldest first.
    Result<std::vector<SecretRecord>> list();
    /// The secret's data.
    Result<std::string> data(SecretRecord const& secret) const;
    /// Deletes the row, then the data. EBUSY when a container uses it (checked in that transaction).
    ErrorOr remove(SecretRecord const& secret);
    /// The ids of the containers that use secret `id` (container_secrets).
    Result<std::vector<std::string>> users(std::string const& id);

private:
    SecretStore(store::Database& db, store::Layout layout) : m_db(&db), m_layout(std::move(layout)) {}
    Result<std::vector<SecretRecord>> query(std::string const& where, std::string const& arg);
    store::Database* m_db;
    store::Layout m_layout;
};

} // namespace berth::container
