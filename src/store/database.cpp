// sqlite3 wrapper. The part that matters is busy handling: sqlite's busy
// handler (30 s) covers almost every wait in WAL mode, but a few paths return
// SQLITE_BUSY without calling it (WAL recovery by another connection, the
// first switch to WAL while another process creates the file). Those are
// retried here with a short sleep until a second 30 s deadline, so "database
// is locked" never reaches the user while another berth makes progress.
#include "store/database.h"

#include "base/log.h"

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <thread>
#include <unistd.h>

namespace berth::store {

using Clock = std::chrono::steady_clock;
static constexpr int busy_timeout_ms = 30000;
/// WAL pages (4 KiB) after which a writer truncates the WAL. Every berth process
/// reads the whole WAL when it opens the database (checksums included: ~10 us a
/// page), and a `run --rm` writes ~15 pages, so the WAL is kept small; the
/// truncation's fsync every few commands costs less than the reads it saves.
static constexpr int wal_truncate_frames = 32;
static constexpr auto retry_deadline = std::chrono::seconds(30);
static constexpr auto retry_sleep = std::chrono::milliseconds(20);
// The reserve file kept for commits on a full disk, and how much of it a transaction that
// begins on a nearly full disk gives back.
static constexpr off_t reserve_bytes = 1 << 20;
static constexpr off_t reserve_step = 256 << 10;

bool is_busy(int rc)
{
    int primary = rc & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// ---- Statement ----

Statement::Statement(Database& db, sqlite3_stmt* stmt, std::unique_lock<std::recursive_mutex> lock)
    : m_db(&db)
    , m_stmt(stmt)
    , m_lock(std::move(lock))
{
}

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db)
    , m_stmt(std::exchange(other.m_stmt, nullptr))
    , m_lock(std::move(other.m_lock))
    , m_bind_error(std::move(other.m_bind_error))
{
}

Statement::~Statement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

static bool bind_failed(int rc) { return rc != SQLITE_OK; }

Statement& Statement::bind(int index, std::string_view text)
{
    int rc = sqlite3_bind_text(m_stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    if (bind_failed(rc) && !m_bind_error)
        m_bind_error = m_db->error("bind parameter " + std::to_string(index), rc);
    return *this;
}

Statement& Statement::bind(int index, int64_t value)
{
    int rc = sqlite3_bind_int64(m_stmt, index, value);
    if (bind_failed(rc) && !m_bind_error)
        m_bind_error = m_db->error("bind parameter " + std::to_string(index), rc);
    return *this;
}

Statement& Statement::bind_null(int index)
{
    int rc = sqlite3_bind_null(m_stmt, index);
    if (bind_failed(rc) && !m_bind_error)
        m_bind_error = m_db->error("bind parameter " + std::to_string(index), rc);
    return *this;
}

Result<bool> Statement::step()
{
    if (m_bind_error)
        return *m_bind_error;
    auto deadline = Clock::now() + retry_deadline;
    for (;;) {
        int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        // Outside a transaction a busy statement can simply be run again from the start.
        bool retryable = is_busy(rc) && sqlite3_get_autocommit(m_db->handle()) && Clock::now() < deadline;
        if (!retryable)
            return m_db->error(sqlite3_sql(m_stmt), rc);
        log::debug("store database busy, retrying: {}", sqlite3_sql(m_stmt));
        sqlite3_reset(m_stmt);
        std::this_thread::sleep_for(retry_sleep);
    }
}

ErrorOr Statement::run()
{
    while (TRY(step())) {
    }
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_bind_error.reset();
}

std::string Statement::text(int column) const
{
    auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(m_stmt, column));
    if (!p)
        return {};
    return std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, column)));
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(m_stmt, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(m_stmt, column) == SQLITE_NULL; }

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept
    : m_db(other.m_db)
    , m_lock(std::move(other.m_lock))
    , m_done(std::exchange(other.m_done, true))
{
}

Transaction::~Transaction()
{
    if (m_done)
        return;
    int rc = sqlite3_exec(m_db->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        log::debug("store database: rollback: {}", sqlite3_errmsg(m_db->handle()));
}

ErrorOr Transaction::commit()
{
    TRY(m_db->exec("COMMIT"));
    m_done = true;
    return {};
}

// ---- Database ----

/// The errno that callers branch on for an SQLite result code: EEXIST for a
/// UNIQUE or PRIMARY KEY conflict (a name taken by a concurrent create), else
/// the errno of the failed system call, if any.
static int errno_of(sqlite3* db, int rc)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return EEXIST;
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return ENOSPC;
    case SQLITE_READONLY:
        return EROFS;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return EBUSY;
    default:
        return db ? sqlite3_system_errno(db) : 0;
    }
}

Error Database::error(std::string_view what, int rc)
{
    std::string message = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    // SQLITE_FULL says "database or disk is full": berth never limits the database, so it is the disk.
    bool full = (rc & 0xff) == SQLITE_FULL;
    if (full)
        message = "no space left on device (free space on its filesystem and retry)";
    return Error { errno_of(m_db, rc), "store database " + m_path + ": " + std::string(what) + ": " + message };
}

// Puts the reserve file back when it is missing or short, if the disk has room.
// Best effort: a read-only or full store simply goes without one.
void Database::ensure_reserve()
{
    std::string path = m_path + "-reserve";
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && st.st_size >= reserve_bytes)
        return;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    int rc = ::posix_fallocate(fd, 0, reserve_bytes);
    if (rc != 0) {
        log::debug("store database {}: no room for the reserve file: {}", m_path, std::strerror(rc));
        ::ftruncate(fd, 0);
    }
    ::close(fd);
}

// sqlite rolls a transaction back when its COMMIT finds the disk full, so the
// room has to be there before: with less free space than a reserve step, give
// a step back to the filesystem.
void Database::make_room()
{
    struct statvfs vfs {};
    std::string dir = m_path.substr(0, m_path.find_last_of('/') + 1);
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &vfs) < 0)
        return;
    if (static_cast<off_t>(vfs.f_bavail) * static_cast<off_t>(vfs.f_frsize) >= reserve_step)
        return;
    if (release_reserve())
        log::debug("store database {}: the disk is nearly full, committing into the reserve", m_path);
}

bool Database::release_reserve()
{
    std::string path = m_path + "-reserve";
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || st.st_size == 0)
        return false;
    off_t left = st.st_size > reserve_step ? st.st_size - reserve_step : 0;
    return ::truncate(path.c_str(), left) == 0;
}

/// After a commit that left `frames` pages in the WAL: from wal_truncate_frames
/// on, checkpoint it and truncate it to nothing. SQLite's own autocheckpoint
/// does not do: the first connection of a process rebuilds the WAL index by
/// reading the whole WAL and forgets what was checkpointed, so the WAL is never
/// reset, grows with every write, and every berth command reads all of it
/// (18 MB and 4 ms of `ps -a` after 1,000 creates). Readers are not waited
/// for: when one holds the WAL, a later commit tries again.
static int truncate_wal(void*, sqlite3* db, char const* schema, int frames)
{
    if (frames < wal_truncate_frames)
        return SQLITE_OK;
    sqlite3_busy_timeout(db, 0);
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    return SQLITE_OK;
}

Result<std::unique_ptr<Database>> Database::open(std::string const& path)
{
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    std::unique_ptr<Database> db(new Database(raw, path));
    if (rc != SQLITE_OK)
        return db->error("open", rc);
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, busy_timeout_ms);
    // WAL lets readers run beside the one writer. synchronous=NORMAL is safe
    // against a killed process (the WAL is append-only); a power cut may lose the
    // last commits but never corrupts, and repair() reconciles the files.
    TRY(db->exec("PRAGMA journal_mode=WAL"));
    TRY(db->exec("PRAGMA synchronous=NORMAL"));
    TRY(db->exec("PRAGMA foreign_keys=ON"));
    // Every berth invocation is short: checkpointing (and deleting the WAL) on
    // each close costs fsyncs per command; writers truncate it now and then
    // instead (truncate_wal).
    sqlite3_db_config(raw, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    sqlite3_wal_hook(raw, truncate_wal, nullptr);
    db->ensure_reserve();
    return db;
}

Database::~Database()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

Result<Statement> Database::prepare(std::string_view sql)
{
    std::unique_lock lock(m_mutex);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        if (stmt)
            sqlite3_finalize(stmt);
        return error("prepare \"" + std::string(sql) + "\"", rc);
    }
    return Statement(*this, stmt, std::move(lock));
}

ErrorOr Database::exec(std::string_view sql)
{
    std::unique_lock lock(m_mutex);
    std::string text(sql);
    auto deadline = Clock::now() + retry_deadline;
    for (;;) {
        int rc = sqlite3_exec(m_db, text.c_str(), nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK)
            return {};
        // Only statements that start outside a transaction (BEGIN, PRAGMA) are safe to repeat.
        bool retryable = is_busy(rc) && sqlite3_get_autocommit(m_db) && Clock::now() < deadline;
        if (!retryable)
            return error(text, rc);
        log::debug("store database busy, retrying: {}", text);
        std::this_thread::sleep_for(retry_sleep);
    }
}

Result<Transaction> Database::begin()
{
    std::unique_lock lock(m_mutex);
    TRY(exec("BEGIN IMMEDIATE"));
    make_room();
    return Transaction(*this, std::move(lock));
}

int64_t Database::changes()
{
    std::unique_lock lock(m_mutex);
    return sqlite3_changes64(m_db);
}

Result<int64_t> Database::user_version()
{
    auto stmt = TRY(prepare("PRAGMA user_version"));
    if (!TRY(stmt.step()))
        return int64_t { 0 };
    return stmt.integer(0);
}

} // namespace berth::store
