// What the kernel says about a process in /proc/PID/stat (proc(5)), read in
// one place. The hard part is field 2, the command name: it may hold spaces
// and parentheses (a process can name itself "a) b (c"), so the fields after
// it are counted from the last ')'. A pid together with its start time
// (field 22) names one process for good, as pids are recycled (crun status.c).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace berth {

/// The fields of /proc/PID/stat that berth uses.
struct ProcessStat {
    std::string comm;          ///< field 2, without its parentheses
    char state = 0;            ///< field 3: R, S, D, T, Z (zombie), X (dead)...
    pid_t ppid = 0;            ///< field 4
    int tty_nr = 0;            ///< field 7
    int64_t utime = 0;         ///< field 14, clock ticks
    int64_t stime = 0;         ///< field 15, clock ticks
    int nice = 0;              ///< field 19
    int64_t start_time = 0;    ///< field 22: clock ticks since boot
    int64_t vsize = 0;         ///< field 23, bytes
    int64_t rss_pages = 0;     ///< field 24

    /// It has exited: a zombie waiting for its reaper, or dead.
    bool exited() const { return state == 'Z' || state == 'X'; }
};

/// Parses the text of a /proc/PID/stat file; nullopt when it is malformed.
std::optional<ProcessStat> parse_process_stat(std::string_view text);

/// Reads /proc/PID/stat (one small read, no allocation but comm's); nullopt
/// when there is no such process (or pid <= 0).
std::optional<ProcessStat> read_process_stat(int64_t pid);

/// The start time of process `pid` (field 22), 0 when there is none. A
/// zombie keeps its start time: ask read_process_stat() for its state.
int64_t process_start_time(int64_t pid);

/// True when a process `pid` exists (kill(pid, 0), EPERM included: another
/// user's); false for pid <= 0. A zombie exists.
bool process_alive(int64_t pid);

} // namespace berth
