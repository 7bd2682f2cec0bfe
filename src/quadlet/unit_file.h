// systemd unit files as Quadlet reads them (.container, .volume, .network):
// sections of KEY=VALUE lines, in order, with every entry's line number so
// that an error names the file and the line. Pure: the text comes in as a
// string; reading files and drop-in directories is the caller's.
//
// The syntax is systemd's (systemd.syntax(7)): comments start with '#' or
// ';', a line ending in a backslash continues on the next (the backslash
// becomes a space, comment lines in between are skipped), keys may repeat
// (each is one more value, in order), and surrounding whitespace goes.
#pragma once

#include "base/error.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::quadlet {

struct Entry {
    std::string key;
    std::string value;
    int line = 0;  ///< 1-based, of the line the entry starts on
    std::string file;  ///< the file it came from (a drop-in's own path)
};

struct Section {
    std::string name;  ///< "Container" for [Container]
    std::vector<Entry> entries;
};

class UnitFile {
public:
    /// Parses `text`; `path` names it in errors ("PATH:LINE: ...").
    static Result<UnitFile> parse(std::string const& path, std::string_view text);

    /// Adds a drop-in's entries after this file's own, section by section.
    void merge(UnitFile const& drop_in);

    std::string const& path() const { return m_path; }
    std::vector<Section> const& sections() const { return m_sections; }
    Section const* section(std::string_view name) const;
    /// Every value of `key` in `section`, in order; an empty value resets the list (as systemd's list keys).
    std::vector<std::string> values(std::string_view section, std::string_view key) const;
    /// The last value of `key` in `section`.
    std::optional<std::string> last(std::string_view section, std::string_view key) const;

private:
    std::string m_path;
    std::vector<Section> m_sections;
};

/// Splits a value into words as systemd does for Exec= lines: whitespace
/// separates, "double" and 'single' quotes group, C escapes in double quotes.
Result<std::vector<std::string>> split_words(std::string_view value);

/// The inverse: `word` as one word of such a line, in double quotes (with
/// C escapes) when it is empty or holds whitespace, quotes or backslashes.
/// Specifiers ('%') and variables ('$') are left as they are.
std::string quote_word(std::string const& word);

} // namespace berth::quadlet
