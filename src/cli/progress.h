// Progress output for commands that copy images (pull, push, save, load,
// import, commit): Podman's lines on stderr, and on a terminal a bar per blob
// redrawn in place while its bytes move.
#pragma once

#include "engine/images/interchange.h"

#include <chrono>
#include <cstdint>
#include <string>

namespace berth::cli {

/// "0123456789ab" of "sha256:0123456789ab...": the short digest Podman prints.
std::string short_digest(std::string const& digest);

/// One blob's bar on stderr, drawn only when stderr is a terminal, at most
/// every 100 ms: "Copying blob 0123456789ab [=====     ] 1.2MB / 3.4MB 5.6MB/s".
class ProgressBar {
public:
    ProgressBar();
    void draw(std::string const& digest, int64_t done, int64_t total);
    /// Erases the bar before a line of text replaces it.
    void clear();

private:
    bool m_tty;
    std::chrono::steady_clock::time_point m_begin = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point m_last_draw {};
};

/// Prints copy events as Podman does ("Copying blob 0123456789ab done") to
/// stderr, with bars for BlobProgress on a terminal; prints nothing when `quiet`.
engine::CopyObserver copy_progress(bool quiet);

} // namespace berth::cli
