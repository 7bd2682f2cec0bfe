// BlobStore: write-temp, hash, fsync, verify, rename. The subtle part is
// telling a live temporary file from an orphan: each writer holds an exclusive
// flock on its temporary file from creation until rename or unlink. After
// taking the lock the writer checks that the name still refers to its inode,
// because a repair() in another process may have unlinked the file in the
// instant between mkstemp and flock.
#include "store/blob_store.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/scope_guard.h"
#include "base/sys.h"
#include "store/writer_marks.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace berth::store {

static constexpr std::string_view temp_prefix = ".tmp-";

ErrorOr check_storable(image::Digest const& digest)
{
    if (digest.empty())
        return Error::msg("empty digest");
    if (digest.algorithm() != "sha256")
        return Error::msg("digest " + digest.str() + ": unsupported algorithm " + digest.algorithm() + ", only sha256 is stored");
    return {};
}

// ---- BlobWriter ----

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : m_dir(std::move(other.m_dir))
    , m_temp_path(std::move(other.m_temp_path))
    , m_fd(std::move(other.m_fd))
    , m_hasher(std::move(other.m_hasher))
    , m_size(other.m_size)
    , m_flushed(other.m_flushed)
    , m_sealed(other.m_sealed)
    , m_expected(std::move(other.m_expected))
    , m_done(std::exchange(other.m_done, true))
{
}

BlobWriter::~BlobWriter() { discard(); }

void BlobWriter::discard()
{
    if (m_done)
        return;
    m_done = true;
    ::unlink(m_temp_path.c_str());
    m_fd.reset();
}

// Writeback is started every kWritebackStep bytes (sync_file_range, which does not wait),
// so that the fsync in seal() finds little left to write: on a pull that fsync is on the
// critical path of the last layer, and the disk would otherwise sit idle until then.
static constexpr int64_t kWritebackStep = 4 * 1024 * 1024;

ErrorOr BlobWriter::write(char const* data, size_t size)
{
    if (m_done || m_sealed)
        return Error::msg("write blob: writer already finished");
    if (auto r = sys::write_all(m_fd.get(), data, size); !r)
        return std::move(r).error().with_context("write blob " + m_temp_path);
    m_hasher.update(data, size);
    m_size += static_cast<int64_t>(size);
    if (m_size - m_flushed >= kWritebackStep) {
        // Advisory: a failure here shows up in the fsync.
        ::sync_file_range(m_fd.get(), m_flushed, m_size - m_flushed, SYNC_FILE_RANGE_WRITE);
        m_flushed = m_size;
    }
    return {};
}

ErrorOr BlobWriter::seal(image::Digest const& expected, int64_t expected_size)
{
    if (m_done)
        return Error::msg("commit blob: writer already finished");
    if (m_sealed)
        return {};
    bool sealed = false;
    ScopeGuard guard([&] {
        if (!sealed)
            discard();
    });
    TRY(check_storable(expected));
    image::Digest actual = m_hasher.finish();
    if (actual != expected)
        return Error::msg("digest mismatch for " + expected.str() + ": got " + actual.str());
    if (expected_size >= 0 && expected_size != m_size)
        return Error::msg("size mismatch for " + expected.str() + ": expected " + std::to_string(expected_size)
            + " bytes, got " + std::to_string(m_size));
    TRY_CTX(sys::fsync(m_fd.get()), "write blob " + expected.str());
    m_sealed = sealed = true;
    m_expected = expected;
    return {};
}

Result<std::string> BlobWriter::commit(image::Digest const& expected, int64_t expected_size)
{
    if (m_done)
        return Error::msg("commit blob: writer already finished");
    ScopeGuard guard([this] { discard(); }); // a no-op once committed
    TRY(seal(expected, expected_size));
    if (expected != m_expected)
        return Error::msg("commit blob: sealed as " + m_expected.str() + ", committed as " + expected.str());
    std::string final_path = m_dir + "/" + expected.hex();
    TRY_CTX(sys::rename(m_temp_path, final_path), "store blob " + expected.str());
    m_done = true;
    m_fd.reset();
    TRY_CTX(fs::fsync_dir(m_dir), "store blob " + expected.str());
    return final_path;
}

// ---- BlobStore ----

std::string BlobStore::path(image::Digest const& digest) const
{
    return m_dir + "/" + digest.algorithm() + "/" + digest.hex();
}

bool BlobStore::has(image::Digest const& digest) const
{
    if (digest.empty())
        return false;
    struct stat st {};
    return ::stat(path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Creates a temporary file and locks it; retries if repair() removed it before the lock was held.
static Result<std::pair<std::string, UniqueFd>> create_locked_temp(std::string const& dir)
{
    for (int attempt = 0; attempt < 10; ++attempt) {
        std::string tmpl = dir + "/" + std::string(temp_prefix) + "XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        int raw = ::mkostemp(buf.data(), O_CLOEXEC);
        if (raw < 0)
            return Error::from_errno("create blob in " + dir);
        UniqueFd fd(raw);
        std::string path(buf.data());
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0)
            return Error::from_errno("lock " + path);
        struct stat by_fd {}, by_name {};
        if (::fstat(fd.get(), &by_fd) == 0 && ::stat(path.c_str(), &by_name) == 0 && by_fd.st_ino == by_name.st_ino
            && by_fd.st_dev == by_name.st_dev)
            return std::pair { std::move(path), std::move(fd) };
        log::debug("blob temporary file {} was removed by a concurrent repair, retrying", path);
    }
    return Error::msg("create blob in " + dir + ": temporary file keeps disappearing");
}

Result<BlobWriter> BlobStore::begin_write()
{
    std::string dir = sha256_dir();
    if (m_marks)
        TRY(m_marks->mark());
    auto [path, fd] = TRY(create_locked_temp(dir));
    ::fchmod(fd.get(), 0644);
    return BlobWriter(std::move(dir), std::move(path), std::move(fd));
}

Result<image::Digest> BlobStore::put(std::string_view data)
{
    image::Digest digest = image::Digest::sha256_of(data);
    if (has(digest))
        return digest;
    BlobWriter writer = TRY(begin_write());
    TRY(writer.write(data));
    TRY(writer.commit(digest, static_cast<int64_t>(data.size())));
    return digest;
}

Result<std::string> BlobStore::read(image::Digest const& digest) const
{
    TRY(check_storable(digest));
    std::string data = TRY_CTX(fs::read_file(path(digest)), "blob " + digest.str());
    image::Digest actual = image::Digest::sha256_of(data);
    if (actual != digest)
        return Error::msg("blob " + digest.str() + ": content does not match its digest (got " + actual.str()
            + "): the store is damaged, remove the image and pull it again");
    return data;
}

Result<std::string> BlobStore::read_trusted(image::Digest const& digest) const
{
    TRY(check_storable(digest));
    return TRY_CTX(fs::read_file(path(digest)), "blob " + digest.str());
}

ErrorOr BlobStore::remove(image::Digest const& digest)
{
    TRY(check_storable(digest));
    if (::unlink(path(digest).c_str()) < 0 && errno != ENOENT)
        return Error::from_errno("remove blob " + digest.str());
    return {};
}

Result<std::vector<std::string>> BlobStore::stale_temp_files(Cleanup cleanup)
{
    std::vector<std::string> stale;
    std::string dir = sha256_dir();
    for (auto const& name : TRY(fs::list_dir(dir))) {
        if (!name.starts_with(temp_prefix))
            continue;
        std::string path = dir + "/" + name;
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (!fd.valid())
            continue; // gone already
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) < 0)
            continue; // a live writer holds it
        stale.push_back(name);
        if (cleanup == Cleanup::Report)
            continue;
        log::debug("removing stale blob temporary file {}", path);
        if (::unlink(path.c_str()) < 0 && errno != ENOENT)
            return Error::from_errno("remove " + path);
    }
    return stale;
}

Result<std::vector<std::string>> BlobStore::list() const
{
    std::vector<std::string> out;
    for (auto& name : TRY(fs::list_dir(sha256_dir()))) {
        if (!name.starts_with(temp_prefix))
            out.push_back(std::move(name));
    }
    return out;
}

} // namespace berth::store
