// A thin RAII wrapper over one sqlite3 connection: Database, Statement,
// Transaction. The database is shared by many short-lived berth processes at
// once, so the connection runs in WAL mode with a 30 s busy timeout, and every
// change goes through a Transaction that starts with BEGIN IMMEDIATE (it takes
// the write lock up front, so two writers queue instead of one failing with
// "database is locked" when it upgrades a read lock).
//
// Inside one process several threads may share the connection (parallel layer
// pulls). A recursive mutex serialises them: a Statement or Transaction holds
// it for its lifetime, so keep both short-lived and never hold one while
// waiting for a file lock.
//
// A full disk must not leave a record wrong: a container that filled the disk
// still has to be recorded as exited. The connection keeps a reserve file
// (<db>-reserve, 1 MiB) beside the database; a transaction that begins on a
// nearly full disk first gives a quarter of the reserve back to the
// filesystem. The next open that finds room puts the reserve back.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace berth::store {

class Database;

/// A prepared statement. Binding is chainable; a bind error is reported by the next step().
class Statement {
public:
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(Statement const&) = delete;
    ~Statement();

    /// Parameters are 1-based, as in sqlite3_bind_*.
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, char const* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind_null(int index);

    /// Advances: true when a row is available, false when done.
    Result<bool> step();
    /// Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
    ErrorOr run();
    /// Resets so the statement can be bound and run again.
    void reset();

    std::string text(int column) const;
    int64_t integer(int column) const;
    bool is_null(int column) const;

private:
    friend class Database;
    Statement(Database& db, sqlite3_stmt* stmt, std::unique_lock<std::recursive_mutex> lock);
    Database* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
    std::unique_lock<std::recursive_mutex> m_lock;
    std::optional<Error> m_bind_error;
};

/// An IMMEDIATE transaction; rolled back on destruction unless commit() succeeded.
class Transaction {
public:
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    ErrorOr commit();

private:
    friend class Database;
    Transaction(Database& db, std::unique_lock<std::recursive_mutex> lock) : m_db(&db), m_lock(std::move(lock)) {}
    Database* m_db = nullptr;
    std::unique_lock<std::recursive_mutex> m_lock;
    bool m_done = false;
};

class Database {
public:
    /// Opens (creating if needed) the database file in WAL mode with foreign keys on.
    static Result<std::unique_ptr<Database>> open(std::string const& path);
    ~Database();
    Database(Database const&) = delete;
    Database& operator=(Database const&) = delete;

    Result<Statement> prepare(std::string_view sql);
    /// Runs one or more statements that return no rows; retries while the database is busy.
    ErrorOr exec(std::string_view sql);
    /// BEGIN IMMEDIATE: waits (up to the busy timeout, then retries) for the write lock.
    Result<Transaction> begin();
    /// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
    int64_t changes();
    /// Reads PRAGMA user_version.
    Result<int64_t> user_version();

    std::string const& path() const { return m_path; }
    sqlite3* handle() { return m_db; }
    std::recursive_mutex& mutex() { return m_mutex; }
    /// An Error carrying sqlite3_errmsg: "<what>: <message>".
    Error error(std::string_view what, int rc);

private:
    Database(sqlite3* db, std::string path) : m_db(db), m_path(std::move(path)) {}
    void ensure_reserve();
    void make_room();
    /// Gives a piece of the reserve file's space back to the filesystem; false if none is left.
    bool release_reserve();
    sqlite3* m_db = nullptr;
    std::string m_path;
    std::recursive_mutex m_mutex;
};

/// True for SQLITE_BUSY / SQLITE_LOCKED (any extended code).
bool is_busy(int rc);

} // namespace berth::store
