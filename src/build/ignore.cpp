// Ignore-file matching. A rule's pattern is compiled once into tokens and
// matched by dynamic programming over (token, character), so that patterns
// full of `*` and `**` cannot take exponential time. The table is filled
// forward, so one pass tells whether the path or any of its parent
// directories matches. The `**` token has two meanings, as in Docker: at the
// end of a pattern it matches anything ("a/**"), elsewhere it matches an
// empty string or any string ending in '/' ("**/b" matches "b" and "x/y/b").
// Two shortcuts keep a large context cheap (about 4 us a path for ten
// rules): a path must start with the pattern's literal prefix, and a pattern
// without ** can only match the path's first N segments.
#include "build/ignore.h"

#include "base/fs.h"
#include "base/sys.h"
#include "build/syntax.h"

#include <linux/openat2.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <optional>

namespace berth::build {

namespace {

struct Token {
    enum class Kind { Literal, One, Star, AnyDirs, Anything, Class } kind;
    char literal = 0;
    std::string ranges;   ///< Class: pairs of (low, high) characters
    bool negated = false;
};

/// Reads a [class] starting at pattern[i] == '['; i ends on the ']'.
std::optional<Token> read_class(std::string_view pattern, size_t& i)
{
    Token token { Token::Kind::Class };
    ++i;
    if (i < pattern.size() && pattern[i] == '^') {
        token.negated = true;
        ++i;
    }
    auto next_char = [&]() -> std::optional<char> {
        if (i < pattern.size() && pattern[i] == '\\')
            ++i;
        if (i >= pattern.size())
            return std::nullopt;
        return pattern[i++];
    };
    while (i < pattern.size() && pattern[i] != ']') {
        auto low = next_char();
        if (!low)
            return std::nullopt;
        char high = *low;
        if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
            ++i;
            auto h = next_char();
            if (!h)
                return std::nullopt;
            high = *h;
        }
        token.ranges += *low;
        token.ranges += high;
    }
    if (i >= pattern.size() || token.ranges.empty())
        return std::nullopt;
    return token;
}

std::optional<std::vector<Token>> compile(std::string_view pattern)
{
    std::vector<Token> out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
            ++i;
            // "**/" is "**": the slash belongs to it.
            if (i + 1 < pattern.size() && pattern[i + 1] == '/')
                ++i;
            out.push_back({ i + 1 == pattern.size() ? Token::Kind::Anything : Token::Kind::AnyDirs });
        } else if (c == '*') {
            out.push_back({ Token::Kind::Star });
        } else if (c == '?') {
            out.push_back({ Token::Kind::One });
        } else if (c == '[') {
            auto token = read_class(pattern, i);
            if (!token)
                return std::nullopt;
            out.push_back(std::move(*token));
        } else if (c == '\\' && i + 1 < pattern.size()) {
            out.push_back({ Token::Kind::Literal, pattern[++i] });
        } else {
            out.push_back({ Token::Kind::Literal, c });
        }
    }
    return out;
}

bool class_matches(Token const& token, char c)
{
    bool in = false;
    for (size_t i = 0; i + 1 < token.ranges.size(); i += 2)
        in = in || (c >= token.ranges[i] && c <= token.ranges[i + 1]);
    return in != token.negated;
}

/// Rows of the matching table, kept between calls so that matching does not allocate.
struct MatchBuffers {
    std::vector<char> next;
    std::vector<char> row;
};

enum class Parents { No, Also };

/// Whether tokens match all of text or, with Parents::Also, a parent
/// directory of it (text up to one of its '/'). The table is filled forward,
/// row t holding "tokens[..t] match text[..s]" for every s, so that the last
/// row answers for the text and all its parents at once.
bool match_tokens(std::vector<Token> const& tokens, std::string_view text, MatchBuffers& buffers, Parents parents)
{
    size_t n = text.size();
    auto& prev = buffers.next;
    auto& row = buffers.row;
    prev.assign(n + 1, 0);
    row.assign(n + 1, 0);
    prev[0] = 1;
    for (auto const& token : tokens) {
        // For AnyDirs: some k < s with prev[k], so text[k..s) can end in '/'.
        bool earlier = false;
        row[0] = token.kind == Token::Kind::Star || token.kind == Token::Kind::Anything || token.kind == Token::Kind::AnyDirs
            ? prev[0] : 0;
        for (size_t s = 1; s <= n; ++s) {
            char c = text[s - 1];
            switch (token.kind) {
            case Token::Kind::Literal:
                row[s] = prev[s - 1] && c == token.literal;
                break;
            case Token::Kind::One:
                row[s] = prev[s - 1] && c != '/';
                break;
            case Token::Kind::Class:
                row[s] = prev[s - 1] && c != '/' && class_matches(token, c);
                break;
            case Token::Kind::Star:
                row[s] = prev[s] || (row[s - 1] && c != '/');
                break;
            case Token::Kind::Anything:
                row[s] = prev[s] || row[s - 1];
                break;
            case Token::Kind::AnyDirs:
                earlier = earlier || prev[s - 1];
                row[s] = prev[s] || (c == '/' && earlier);
                break;
            }
        }
        std::swap(prev, row);
    }
    if (prev[n])
        return true;
    if (parents == Parents::Also)
        for (size_t s = 0; s < n; ++s)
            if (text[s] == '/' && prev[s])
                return true;
    return false;
}

/// The literal start of a pattern, up to its first wildcard.
std::string_view literal_prefix(std::string_view pattern)
{
    return pattern.substr(0, std::min(pattern.size(), pattern.find_first_of("*?[\\")));
}

/// A pattern ready to match, with what lets most paths skip the matching table.
struct Program {
    std::vector<Token> tokens;
    std::string prefix;     ///< the literal text every match starts with
    size_t segments = 0;    ///< how many path segments every match has; 0 when ** makes it vary

    explicit Program(std::vector<Token> t) : tokens(std::move(t))
    {
        size_t i = 0;
        for (; i < tokens.size() && tokens[i].kind == Token::Kind::Literal; ++i)
            prefix += tokens[i].literal;
        segments = 1;
        for (auto const& token : tokens) {
            if (token.kind == Token::Kind::AnyDirs || token.kind == Token::Kind::Anything)
                segments = 0;
            if (token.kind == Token::Kind::Literal && token.literal == '/' && segments)
                ++segments;
        }
    }
};

/// The first `count` segments of `path`, or nullopt if it has fewer.
std::optional<std::string_view> leading_segments(std::string_view path, size_t count)
{
    size_t end = 0;
    for (size_t i = 0; i < count; ++i) {
        if (i > 0) {
            if (end == path.size())
                return std::nullopt;
            ++end;
        }
        end = std::min(path.size(), path.find('/', end));
    }
    return path.substr(0, end);
}

/// Whether `program` matches `file` or one of its parent directories.
bool matches_or_parent(Program const& program, std::string_view file, MatchBuffers& buffers)
{
    // Parents are prefixes of the file, so they share its start.
    if (!file.starts_with(program.prefix))
        return false;
    if (program.segments == 0)
        return match_tokens(program.tokens, file, buffers, Parents::Also);
    // Without ** a match has a fixed number of segments: one candidate.
    auto candidate = leading_segments(file, program.segments);
    if (!candidate)
        return false;
    // Most rules are plain names ("node_modules"): the prefix is the whole pattern.
    if (program.prefix.size() == program.tokens.size())
        return *candidate == program.prefix;
    return match_tokens(program.tokens, *candidate, buffers, Parents::No);
}

} // namespace

std::string clean_path(std::string_view path)
{
    bool rooted = path.starts_with('/');
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        size_t end = std::min(path.size(), path.find('/'));
        auto part = path.substr(0, end);
        path.remove_prefix(end == path.size() ? end : end + 1);
        if (part.empty() || part == ".")
            continue;
        if (part == ".." && !parts.empty() && parts.back() != "..")
            parts.pop_back();
        else if (part == ".." && rooted)
            continue;
        else
            parts.push_back(part);
    }
    std::string out = rooted ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i)
        out.append(i ? "/" : "").append(parts[i]);
    return out.empty() ? "." : out;
}

struct IgnoreMatcher::Compiled {
    std::vector<Program> patterns;   ///< one per rule, in order
};

bool ignore_pattern_match(std::string_view pattern, std::string_view path)
{
    auto tokens = compile(pattern);
    MatchBuffers buffers;
    return tokens && match_tokens(*tokens, path, buffers, Parents::No);
}

namespace {

/// One line of an ignore file as a rule; nullopt for a comment or a blank line.
std::optional<IgnoreRule> read_rule(std::string_view line)
{
    // A comment is a '#' in the very first column; "  #x" is a pattern.
    if (line.starts_with('#'))
        return std::nullopt;
    line = syntax::trim(line);
    if (line.empty())
        return std::nullopt;
    IgnoreRule rule;
    if (line.starts_with('!')) {
        rule.exception = true;
        line = syntax::trim(line.substr(1));
    }
    if (!line.empty()) {
        rule.pattern = clean_path(line);
        if (rule.pattern.size() > 1 && rule.pattern[0] == '/')
            rule.pattern.erase(0, 1);
    }
    return rule;
}

} // namespace

Result<IgnoreMatcher> IgnoreMatcher::parse(std::string_view text)
{
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    IgnoreMatcher out;
    auto compiled = std::make_shared<Compiled>();
    for (int line_number = 1; !text.empty(); ++line_number) {
        size_t end = std::min(text.size(), text.find('\n'));
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == text.size() ? end : end + 1);
        auto rule = read_rule(line);
        if (!rule)
            continue;
        auto tokens = compile(rule->pattern);
        if (!tokens)
            return Error::msg(fmt::format("line {}: bad pattern \"{}\": close every [ with ] and put something inside",
                line_number, syntax::trim(line)));
        compiled->patterns.emplace_back(std::move(*tokens));
        out.m_rules.push_back(std::move(*rule));
    }
    out.m_compiled = std::move(compiled);
    return out;
}

bool IgnoreMatcher::excludes(std::string_view path) const
{
    if (m_rules.empty())
        return false;
    auto file = clean_path(path);
    MatchBuffers buffers;
    bool excluded = false;
    for (size_t i = 0; i < m_rules.size(); ++i) {
        // A rule that matches a parent directory matches everything below it.
        if (matches_or_parent(m_compiled->patterns[i], file, buffers))
            excluded = !m_rules[i].exception;
    }
    return excluded;
}

bool IgnoreMatcher::may_include_below(std::string_view dir) const
{
    auto below = clean_path(dir) + "/";
    for (auto const& rule : m_rules) {
        if (!rule.exception)
            continue;
        auto prefix = literal_prefix(rule.pattern);
        if (prefix.starts_with(below) || below.starts_with(prefix))
            return true;
    }
    return false;
}

std::string find_ignore_file(std::string const& context_dir)
{
    for (auto const* name : { ".containerignore", ".dockerignore" }) {
        auto path = fs::join(context_dir, name);
        if (fs::exists(path))
            return path;
    }
    return {};
}

Result<IgnoreMatcher> read_ignore_file(std::string const& context_dir, std::string const& file)
{
    auto path = file.empty() ? find_ignore_file(context_dir) : file;
    if (path.empty())
        return IgnoreMatcher();
    auto text = TRY(fs::read_file(path));
    auto matcher = IgnoreMatcher::parse(text);
    if (!matcher)
        return std::move(matcher).error().with_context(path);
    return matcher;
}

Result<std::vector<std::string>> included_paths(std::string const& context_dir, IgnoreMatcher const& matcher)
{
    namespace stdfs = std::filesystem;
    std::vector<std::string> out;
    std::error_code ec;
    stdfs::recursive_directory_iterator it(context_dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
        auto relative = it->path().lexically_relative(context_dir).generic_string();
        bool is_dir = it->is_directory(ec) && !it->is_symlink(ec);
        if (!matcher.excludes(relative))
            out.push_back(relative);
        else if (is_dir && !matcher.may_include_below(relative))
            it.disable_recursion_pending();
    }
    if (ec)
        return Error::from_errno("walk build context " + context_dir, ec.value());
    std::sort(out.begin(), out.end());
    return out;
}

/// A source that is a symbolic link is followed, as Docker does, but only
/// within the context: the context path it leads to, or an error naming it
/// when it leads out (an absolute target, or ".." past the context's top).
Result<std::string> follow_source_link(std::string const& context_dir, std::string const& rel, std::string const& source)
{
    struct stat st {};
    if (::lstat(fs::join(context_dir, rel).c_str(), &st) < 0 || !S_ISLNK(st.st_mode))
        return rel;
    UniqueFd top = TRY(sys::open(context_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto target = sys::openat2(top.get(), rel, O_PATH | O_CLOEXEC, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
    if (!target && target.error().code == EXDEV)
        return Error { EPERM, "source \"" + source + "\" is a symbolic link that leads out of the build context: "
                "copy what it points to into the context" };
    if (!target)
        return Error { target.error().code, "source \"" + source + "\" is a symbolic link to nothing in the build context" };
    auto resolved = TRY(sys::readlink("/proc/self/fd/" + std::to_string(target->get())));
    auto top_path = TRY(sys::readlink("/proc/self/fd/" + std::to_string(top.get())));
    if (resolved == top_path)
        return std::string(".");
    if (!resolved.starts_with(top_path + "/"))  // cannot happen beneath RESOLVE_BENEATH
        return Error { EPERM, "source \"" + source + "\" leads out of the build context" };
    return resolved.substr(top_path.size() + 1);
}

} // namespace berth::build
