// Shared pieces of the command layer: global options, error reporting with
// Podman's exit codes, --format rendering, and human-readable sizes and times.
// The CLI only parses, calls the engine and prints.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"
#include "format/template.h"

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

namespace berth::cli {

struct Globals {
    engine::GlobalOptions engine;
    std::string log_level = "warn";
    std::vector<std::string> command_line;  ///< argv as typed (inspect's Config.CreateCommand)
};

/// Exit codes as Podman uses them.
inline constexpr int exit_engine_error = exit_status(ErrorKind::Engine);

/// Prints "Error: <message>" to stderr; returns the exit code for the error's kind.
int report(Error const& error);
/// report() for a failed removal, with Podman's exit codes of `volume rm` and
/// `network rm`: 1 when the object does not exist (ENOENT), 2 when it is in use (EBUSY).
int report_removal(Error const& error);
/// Prints "Error: <message>" to stderr without changing the exit code.
void print_error(std::string const& message);

/// Sets up a subcommand: every command's setup function has this shape and is
/// listed once in main.cpp's command table.
using Setup = void (*)(CLI::App& parent, Globals& globals, int& exit_code);

/// The command group `name` under `parent`: several setup functions add to
/// it, in any order, so the first one creates it (with `description`).
CLI::App& command_group(CLI::App& parent, std::string const& name, std::string const& description);
/// The `container` command group (command_group).
CLI::App& container_group(CLI::App& parent);

/// Renders rows with a --format template (table or per-line) to stdout.
/// Returns 0, or the exit code after printing the template error.
int print_formatted(std::string const& format, std::vector<Json> const& rows, std::map<std::string, std::string> const& headers = {},
    berth::format::Heading heading = berth::format::Heading::Show);
/// Prints a JSON document with 4-space indentation (Podman's inspect style).
void print_json(Json const& value);
/// The same for a document whose keys keep their insertion order (Podman's field order).
void print_json(OrderedJson const& value);
/// Prints aligned columns (Go tabwriter style, padding 2).
void print_table(std::vector<std::vector<std::string>> const& rows);

/// 1234567 -> "1.23 MB" (decimal units, 3 significant digits, as Podman's go-units).
std::string human_size(int64_t bytes);
/// 2049000 -> "2.049MB" (go-units HumanSize: 4 significant digits, no space), as `system df` prints sizes.
std::string human_size_compact(int64_t bytes);
/// Seconds since the epoch -> "2 hours ago", "About a minute ago", ...
std::string human_ago(int64_t when);
/// Seconds since the epoch -> "2026-11-28 12:00:00 +0000 UTC" (Go's time.Time String()).
std::string go_time(int64_t when);
/// KEY=VALUE items (--label, --opt) as a map; an item without '=' maps to "".
std::map<std::string, std::string> key_values(std::vector<std::string> const& items);
/// Reads the whole of standard input (for --password-stdin).
std::string read_stdin();
/// --cidfile FILE...: appends the container ID each file holds to `ids`. A
/// file that is missing or empty is an error naming it, or, with
/// `skip_missing` (rm --ignore), skipped.
ErrorOr read_cidfiles(std::vector<std::string> const& files, std::vector<std::string>& ids, bool skip_missing = false);
/// --noout: standard output goes to /dev/null from now on.
void discard_stdout();
/// True when stdout (fd) is a terminal.
bool is_tty(int fd);
/// Podman's "are you sure?": prints `warning` and "Are you sure you want to
/// continue? [y/N] " on stdout and reads one line from stdin, terminal or not
/// (a piped "n" keeps everything). True for an answer that starts with y/Y;
/// stdin at its end before any answer is an error that names -f/--force.
Result<bool> confirm(std::string const& warning);

} // namespace berth::cli
