// .containerignore / .dockerignore: which files of the build context COPY
// and ADD may see, with Docker's rules.
//
// Each line is a pattern over '/'-separated paths relative to the context:
// `*` matches within one path segment, `?` one character but '/', `[a-z]`
// (`[^a-z]`) a class, `\` quotes the next character, and `**` any number of
// whole segments, including none. A pattern that matches a directory also
// matches everything below it. `!pattern` is an exception that re-includes
// what it matches; the last rule that matches a path decides. Lines starting
// with '#' are comments; blank lines are skipped; patterns are cleaned like
// Go's filepath.Clean ("./a//b/" is "a/b") and a leading '/' is dropped, so
// "/foo" and "foo" both mean the context's top-level foo.
//
// IgnoreMatcher is pure; find_ignore_file and included_paths read the disk.
#pragma once

#include "base/error.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

struct IgnoreRule {
    std::string pattern;      ///< cleaned, without the '!'
    bool exception = false;   ///< written with a leading '!'
    bool operator==(IgnoreRule const&) const = default;
};

class IgnoreMatcher {
public:
    IgnoreMatcher() = default;

    /// Parses an ignore file's text. An unterminated or empty [class] is an
    /// error naming the line ("line 3: ...").
    static Result<IgnoreMatcher> parse(std::string_view text);

    /// Whether `path` (relative to the context, '/'-separated) is left out.
    bool excludes(std::string_view path) const;
    /// Whether anything below the directory `dir` could be re-included by an
    /// exception; a walker must descend into an excluded directory only then.
    bool may_include_below(std::string_view dir) const;

    std::vector<IgnoreRule> const& rules() const { return m_rules; }

private:
    struct Compiled;
    std::vector<IgnoreRule> m_rules;
    /// The rules' patterns compiled once (shared: the matcher stays cheap to copy).
    std::shared_ptr<Compiled const> m_compiled;
};

/// Whether `pattern` (one cleaned rule) matches `path` exactly, without the
/// parent-directory rule: the building block of IgnoreMatcher::excludes.
bool ignore_pattern_match(std::string_view pattern, std::string_view path);

/// Go's filepath.Clean on '/'-separated paths: no "//", no "." elements, ".."
/// folded where possible, no trailing '/', and "." for an empty result.
std::string clean_path(std::string_view path);

/// The context's ignore file: .containerignore, else .dockerignore (Podman's
/// preference), else "" for none.
std::string find_ignore_file(std::string const& context_dir);

/// The matcher for a context directory's ignore file (or `file`, --ignorefile,
/// when given); none ignores nothing.
Result<IgnoreMatcher> read_ignore_file(std::string const& context_dir, std::string const& file = "");

/// Every file, directory and symlink of the context that `matcher` keeps, as
/// sorted relative paths ("src", "src/main.c"). Symlinks are not followed.
/// A kept path inside an excluded directory is listed without that directory.
Result<std::vector<std::string>> included_paths(std::string const& context_dir, IgnoreMatcher const& matcher);

/// COPY/ADD's source `rel` (a path of the context, as `source` was written):
/// itself, or when it is a symbolic link, the context path it leads to, as
/// Docker follows a source link; an error naming `source` when the link leads
/// out of the context (an absolute target, or ".." past its top) or to nothing.
Result<std::string> follow_source_link(std::string const& context_dir, std::string const& rel, std::string const& source);

} // namespace berth::build
