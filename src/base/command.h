// Running small host helpers (newuidmap, newgidmap, `X --version`) and finding
// them in PATH. The hard part is the timeout: a helper that hangs must not hang
// berth, so output is read with poll() against a deadline and the child is
// killed and reaped when the deadline passes. Only fork/exec is used, never a
// thread, because the user-namespace code calls this before any thread exists.
#pragma once

#include "base/error.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace berth {

/// What a finished command left behind.
struct CommandResult {
    int exit_code = -1;  ///< exit status, or 128+signal if it was killed
    std::string out;     ///< everything it wrote to stdout
    std::string err;     ///< everything it wrote to stderr
    bool timed_out = false;
};

/// Looks `name` up in $PATH, then in /usr/bin, /usr/sbin, /bin and /sbin.
/// Returns the first regular, executable file; nullopt if there is none.
/// A name containing '/' is returned as is when it is executable.
std::optional<std::string> find_program(std::string const& name);

/// Runs argv[0] (a path) with argv, stdin from /dev/null, and collects its
/// output. A command still running after `timeout` is killed (SIGKILL) and
/// reported with timed_out set. Failing to start it is an Error; a non-zero
/// exit is not (look at exit_code).
Result<CommandResult> run_command(std::vector<std::string> const& argv,
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// What the child gets besides argv.
struct CommandOptions {
    int stdin_fd = -1;   ///< its stdin (-1: /dev/null)
    int netns_fd = -1;   ///< a network namespace it joins before exec (-1: ours)
};
Result<CommandResult> run_command(std::vector<std::string> const& argv, std::chrono::milliseconds timeout, CommandOptions const& options);

/// The first non-empty line of `text`, trimmed of surrounding whitespace.
std::string first_line(std::string const& text);

} // namespace berth
