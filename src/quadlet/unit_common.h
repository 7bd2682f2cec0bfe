// What the generators of every Quadlet kind share (container_unit.cpp,
// resource_units.cpp, workload_units.cpp): strict key checking, booleans and
// word lists as systemd spells them, the Exec line, the sections passed
// through, the oneshot service of the kinds that only make a thing
// (.volume, .network, .image, .build), and the references one file makes to
// another ("Network=db.network") resolved to that file's resource and service.
#pragma once

#include "base/error.h"
#include "quadlet/container_unit.h"
#include "quadlet/unit_file.h"

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace berth::quadlet {

using Words = std::vector<std::string>;

/// "FILE:LINE: what", for an error about one entry.
Error entry_error(Entry const& e, std::string const& what);

/// "FILE:LINE: unsupported key KEY in section [SECTION]".
Error unsupported_key(Entry const& e, std::string const& section);

/// Every key of [section] is among `known`, or the error names the first that is not.
ErrorOr check_keys(UnitFile const& file, std::string const& section, std::initializer_list<std::string_view> known);

/// yes/no, true/false, on/off, 1/0, or an error naming the entry.
Result<bool> parse_bool(Entry const& e);

/// The last entry of `key` in `section`, or null.
Entry const* last_entry(UnitFile const& file, std::string_view section, std::string_view key);

/// The last value of `key` as a boolean; `fallback` when it is absent or empty.
Result<bool> bool_value(UnitFile const& file, std::string_view section, std::string_view key, bool fallback = false);

/// "A=1 B=2" (systemd's word list) → one FLAG=WORD per word.
ErrorOr flag_per_word(Entry const& e, Words& out, char const* flag);

/// Each value of `key` in [section] as FLAG=VALUE, in order.
void flag_per_value(UnitFile const& file, std::string const& section, char const* key, char const* flag, Words& out);

/// The last value of `key` in [section] as FLAG=VALUE, if it has one.
void flag_last(UnitFile const& file, std::string const& section, char const* key, char const* flag, Words& out);

/// Every Label= of [section] (word lists) as --label flags.
ErrorOr label_flags(UnitFile const& file, std::string const& section, Words& out);

/// Every PodmanArgs= of `section`, split into words, appended to `out`.
ErrorOr podman_args(UnitFile const& file, std::string const& section, Words& out);

/// The value of an Exec line running `words`.
std::string exec_line(Words const& words);

/// The entries of `section` in the file's text form, "KEY=VALUE\n" each.
std::string section_text(UnitFile const& file, std::string const& section);

/// "web.container" → "web", the source's name without its kind.
std::string source_stem(std::string const& source_name);

/// The directory of `path` ("." for a bare name).
std::string parent_dir(std::string const& path);

/// `path` as it is when absolute, else relative to the directory of the unit file.
std::string beside_unit(UnitFile const& file, std::string const& path);

/// One Quadlet file's reference to another's resource, as Podman's: in
/// "db.network:OPTIONS", "db.network" is replaced with the network the file
/// makes, and the unit gets Requires= and After= on db-network.service.
struct References {
    GeneratorEnvironment const& env;
    std::vector<std::string> unit_lines;  ///< "Requires=db-network.service" and the like, in order

    /// `value` with a leading NAME.KIND (KIND one of `kinds`) resolved; other values as they are.
    /// Error: the file named is not among the sources (`env.resource_names`).
    Result<std::string> resolve(Entry const& e, std::string const& value, std::initializer_list<std::string_view> kinds,
        char const* bind = "Requires");
};

/// A generated service's text up to its [Service] lines: the header comment,
/// [Unit] with `unit_lines` after the file's, SourcePath= and
/// RequiresMountsFor=, the [X-SECTION] copy of the file's section, "[Service]".
std::string service_head(UnitFile const& file, std::string const& section, std::vector<std::string> const& unit_lines);

/// The rest of a generated service: the file's own [Service] lines, then its [Install].
std::string service_tail(UnitFile const& file);

/// The service of a kind that only makes a thing (NAME-KIND.service): the
/// [Unit] lines with `unit_lines` after them, the [X-KIND] copy, the
/// `create` command as a oneshot ExecStart that stays active, `service_lines`
/// (more [Service] lines), then [Service] and [Install] passed through.
std::string oneshot_service(UnitFile const& file, std::string const& section, Words const& create,
    std::vector<std::string> const& unit_lines, std::string const& service_lines = {});

} // namespace berth::quadlet
