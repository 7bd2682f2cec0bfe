// Container logs as berth-monitor writes them (k8s-file: "TIME STREAM F|P
// TEXT" lines, json-file: Docker's {"log","stream","time"} lines), read back
// for `berth logs`: the rotated file LOG.1 first, then LOG; --since/--until/
// --tail filters; and following a running container until its monitor is gone.
//
// The hard part is following: the file may be rotated under us (a new inode
// at the same path) and the container may be restarted by its policy (a new
// monitor), so the reader keeps its open file until it hits EOF, then looks
// at the path and at the record again.
#pragma once

#include "base/error.h"
#include "container/container_store.h"
#include "engine/context.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// One log record; partial pieces are joined, so `text` is one line without its newline.
struct LogLine {
    std::string time;       ///< as stored (RFC 3339 with nanoseconds)
    int64_t time_ns = 0;    ///< the same in nanoseconds since the epoch
    std::string stream;     ///< "stdout" | "stderr"
    std::string text;
    bool newline = true;    ///< false for a last partial line without newline
};

struct LogsOptions {
    bool follow = false;
    std::optional<int64_t> since_ns, until_ns;
    int64_t tail = -1;      ///< last N lines; -1: all
};

/// Parses --since/--until: RFC 3339 (with or without zone and fraction), unix
/// seconds (with a fraction), or a Go duration ("10m", "1h30m") before `now_ns`.
Result<int64_t> parse_log_time(std::string const& text, int64_t now_ns);

/// Parses one k8s-file or json-file line; nullopt for a malformed one.
/// `partial` is set for a k8s-file "P" record (json-file: no trailing newline).
std::optional<LogLine> parse_log_line(std::string const& line, bool json, bool& partial);

/// Calls `emit` for each record of `rec`'s log that matches `options`; with
/// follow, keeps reading until the container is no longer running. Errors:
/// --log-driver none ("no logs"), an unreadable file.
ErrorOr read_logs(Context& ctx, container::ContainerRecord const& rec, LogsOptions const& options,
    std::function<void(LogLine const&)> const& emit);

/// The same for several containers; `emit` gets the index of the line's
/// container. With follow, what each has stored comes first, one container
/// after the other, then new lines of all of them as they are written, until
/// every one has stopped.
ErrorOr read_logs(Context& ctx, std::vector<container::ContainerRecord> const& records, LogsOptions const& options,
    std::function<void(size_t, LogLine const&)> const& emit);

} // namespace berth::engine
