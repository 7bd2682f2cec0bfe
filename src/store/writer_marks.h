// WriterMarks: data_dir/writers/ holds one marker file per process that is
// writing blobs or layers, so Store::open() can tell whether a full repair is
// needed without listing every blob and layer. A writer creates its marker
// (and fsyncs the directory) before its first write that could leave
// leftovers, holds an flock on it while it lives and removes it when the store
// is closed; every operation of a live writer cleans up after itself. A
// marker whose flock is free therefore means a writer was killed (or the
// machine went down) in the middle: only then does open() run repair().
//
// The hard part is the race between creating a marker and locking it: a
// concurrent open() may find it unlocked in between, take it for stale and
// remove it. The writer checks after flock that the name still refers to its
// inode and starts over if not (as BlobStore does for temporary files).
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

#include <mutex>
#include <string>
#include <vector>

namespace berth::store {

class WriterMarks {
public:
    /// `dir` is data_dir/writers.
    explicit WriterMarks(std::string dir) : m_dir(std::move(dir)) {}
    ~WriterMarks() { clear(); }
    WriterMarks(WriterMarks const&) = delete;
    WriterMarks& operator=(WriterMarks const&) = delete;

    /// Creates this process's marker unless it exists (thread-safe). Call before writing.
    ErrorOr mark();
    /// Removes this process's marker: every write it covered has finished or been undone.
    void clear();
    /// Whether a writer died: true if any marker is unlocked, or if the directory did not exist
    /// (a store written by an older berth, or a new one). Creates the directory. The stale
    /// markers stay locked by this object until drop_stale().
    Result<bool> collect_stale();
    /// Removes the markers collect_stale() found, once their leftovers are repaired.
    void drop_stale();

private:
    struct Stale {
        std::string path;
        UniqueFd fd;
    };
    std::string m_dir;
    std::mutex m_mutex;
    std::string m_path;   // our marker
    UniqueFd m_fd;        // holds its flock
    std::vector<Stale> m_stale;
};

} // namespace berth::store
