// The Containerfile lexer. Directives are looked for only until the first
// line that is not one (a blank line, a comment, an instruction, an unknown
// directive). After that, comment lines and blank lines are skipped, even in
// the middle of a continued instruction, while heredoc bodies are taken
// verbatim: a '#' line inside a heredoc is content, not a comment. That
// ordering, continuation first and heredocs after the whole line, is the
// part to keep in mind when changing this file.
#include "build/syntax.h"

#include <fmt/format.h>

namespace berth::build::syntax {

namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

std::string_view trim_left(std::string_view text)
{
    size_t i = 0;
    while (i < text.size() && is_blank(text[i]))
        ++i;
    return text.substr(i);
}

std::string lower(std::string_view text)
{
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// The input's physical lines, without their "\n" or "\r\n"; a UTF-8 BOM is dropped.
std::vector<std::string_view> physical_lines(std::string_view text)
{
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<std::string_view> out;
    while (!text.empty()) {
        size_t end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        out.push_back(line);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return out;
}

bool is_comment(std::string_view line)
{
    return trim_left(line).starts_with('#');
}

bool is_empty(std::string_view line)
{
    return trim_left(line).empty();
}

/// `# key=value` at the top of the file: the key (lower-case) and value.
std::optional<std::pair<std::string, std::string>> directive(std::string_view line)
{
    if (!line.starts_with('#'))
        return std::nullopt;
    auto rest = trim_left(line.substr(1));
    size_t i = 0;
    if (rest.empty() || !is_alpha(rest[0]))
        return std::nullopt;
    while (i < rest.size() && (is_alpha(rest[i]) || is_digit(rest[i])))
        ++i;
    auto key = rest.substr(0, i);
    rest = trim_left(rest.substr(i));
    if (!rest.starts_with('='))
        return std::nullopt;
    auto value = trim(rest.substr(1));
    if (value.empty())
        return std::nullopt;
    return std::pair { lower(key), std::string(value) };
}

/// Reads the directives; `next` ends at the first line that is not one.
ErrorOr read_directives(std::vector<std::string_view> const& lines, size_t& next, Lexed& out, std::string_view file)
{
    bool seen_escape = false, seen_syntax = false, seen_check = false;
    for (; next < lines.size(); ++next) {
        auto d = directive(lines[next]);
        if (!d || (d->first != "escape" && d->first != "syntax" && d->first != "check"))
            return {};
        int line = static_cast<int>(next + 1);
        bool& seen = d->first == "escape" ? seen_escape : d->first == "syntax" ? seen_syntax : seen_check;
        if (seen)
            return located(file, line, fmt::format("only one \"{}\" parser directive can be used: remove this one", d->first));
        seen = true;
        if (d->first == "escape") {
            if (d->second != "\\" && d->second != "`")
                return located(file, line, fmt::format("invalid escape character \"{}\": use \\ or `", d->second));
            out.escape = d->second[0];
        } else if (d->first == "syntax") {
            out.syntax = d->second;
        }
    }
    return {};
}

/// Removes a trailing escape character (and blanks after it); true if there was one.
bool strip_continuation(std::string& text, char escape)
{
    size_t end = text.size();
    while (end > 0 && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        --end;
    if (end == 0 || text[end - 1] != escape)
        return false;
    text.resize(end - 1);
    return true;
}

/// The keyword of a logical line, upper-cased.
std::string keyword_of(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (is_blank(c))
            break;
        out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    }
    return out;
}

/// Reads the bodies of the heredocs that `line` announces from `next` on.
ErrorOr read_heredocs(std::vector<std::string_view> const& lines, size_t& next, LogicalLine& line, char escape,
    std::string_view file)
{
    auto keyword = keyword_of(line.text);
    if (!takes_heredocs(keyword) || line.text.find("<<") == std::string::npos)
        return {};
    for (auto const& word : split_words(std::string_view(line.text).substr(keyword.size()), escape)) {
        auto heredoc = heredoc_marker(word);
        if (!heredoc)
            continue;
        bool closed = false;
        for (; next < lines.size() && !closed; ++next) {
            auto body_line = lines[next];
            if (heredoc->strip_tabs)
                while (body_line.starts_with('\t'))
                    body_line.remove_prefix(1);
            closed = body_line == heredoc->name;
            if (!closed)
                heredoc->content.append(body_line).append("\n");
        }
        if (!closed)
            return located(file, line.line,
                fmt::format("{}: heredoc <<{} is not closed: end it with a line \"{}\"", keyword, heredoc->name, heredoc->name));
        line.heredocs.push_back(std::move(*heredoc));
    }
    return {};
}

} // namespace

Error located(std::string_view file, int line, std::string_view message)
{
    return Error::msg(fmt::format("{}:{}: {}", file, line, message));
}

std::string_view trim(std::string_view text)
{
    text = trim_left(text);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    return text;
}

// FIXME: ONBUILD RUN <<EOF is not read as a heredoc: its body lines would be
// parsed as instructions. Whether Docker accepts it is unchecked.
bool takes_heredocs(std::string_view keyword)
{
    return keyword == "RUN" || keyword == "COPY" || keyword == "ADD";
}

std::optional<Heredoc> heredoc_marker(std::string_view word)
{
    while (!word.empty() && is_digit(word[0]))
        word.remove_prefix(1);
    if (!word.starts_with("<<"))
        return std::nullopt;
    word.remove_prefix(2);
    Heredoc out;
    if (word.starts_with('-')) {
        out.strip_tabs = true;
        word.remove_prefix(1);
    }
    if (word.size() >= 2 && (word[0] == '"' || word[0] == '\'') && word.back() == word[0]) {
        out.expand = false;
        word = word.substr(1, word.size() - 2);
    }
    if (word.empty() || is_digit(word[0]))
        return std::nullopt;
    for (char c : word)
        if (!is_alpha(c) && !is_digit(c) && c != '_')
            return std::nullopt;
    out.name = std::string(word);
    return out;
}

Result<Lexed> lex(std::string_view text, std::string_view file)
{
    auto lines = physical_lines(text);
    Lexed out;
    size_t next = 0;
    // 1. Parser directives, only at the very top.
    TRY(read_directives(lines, next, out, file));
    while (next < lines.size()) {
        // 2. Comments and blank lines between instructions.
        if (is_comment(lines[next]) || is_empty(lines[next])) {
            ++next;
            continue;
        }
        // 3. The instruction and its continuation lines; comment and blank lines inside are dropped.
        LogicalLine line { static_cast<int>(next + 1), std::string(trim_left(lines[next])), {} };
        bool continued = strip_continuation(line.text, out.escape);
        ++next;
        for (; continued && next < lines.size(); ++next) {
            if (is_comment(lines[next]) || is_empty(lines[next]))
                continue;
            std::string piece(lines[next]);
            continued = strip_continuation(piece, out.escape);
            line.text += piece;
        }
        // 4. Heredoc bodies follow the complete line.
        TRY(read_heredocs(lines, next, line, out.escape, file));
        out.lines.push_back(std::move(line));
    }
    return out;
}

QuoteScanner::Unit QuoteScanner::next()
{
    m_start = m_pos;
    char c = m_text[m_pos++];
    if (m_quote == 0 && is_blank(c))
        return Unit::Blank;
    if (c == m_escape && m_quote != '\'' && m_pos < m_text.size()) {
        ++m_pos;
        return Unit::Escaped;
    }
    if (m_quote == 0 && (c == '\'' || c == '"')) {
        m_quote = c;
        return Unit::OpenQuote;
    }
    if (c == m_quote) {
        m_quote = 0;
        return Unit::CloseQuote;
    }
    return Unit::Char;
}

size_t unquoted_equals(std::string_view word, char escape)
{
    QuoteScanner scan(word, escape);
    while (!scan.done())
        if (scan.next() == QuoteScanner::Unit::Char && !scan.in_quotes() && scan.unit() == "=")
            return scan.unit_start();
    return std::string_view::npos;
}

std::vector<std::string> split_words(std::string_view text, char escape)
{
    std::vector<std::string> out;
    std::optional<std::string> word;
    QuoteScanner scan(text, escape);
    while (!scan.done()) {
        if (scan.next() == QuoteScanner::Unit::Blank) {
            if (word)
                out.push_back(std::move(*word));
            word.reset();
            continue;
        }
        if (!word)
            word.emplace();
        word->append(scan.unit());
    }
    if (word)
        out.push_back(std::move(*word));
    return out;
}

FlagSplit split_flags(std::string_view text, char escape)
{
    FlagSplit out;
    text = trim_left(text);
    while (text.starts_with("--")) {
        // One flag word, its quotes removed, up to unquoted whitespace.
        std::string word;
        QuoteScanner scan(text, escape);
        size_t end = text.size();
        while (!scan.done()) {
            auto unit = scan.next();
            if (unit == QuoteScanner::Unit::Blank) {
                end = scan.unit_start();
                break;
            }
            if (unit == QuoteScanner::Unit::Escaped)
                word += scan.unit().substr(1);
            else if (unit == QuoteScanner::Unit::Char)
                word += scan.unit();
        }
        text = trim_left(text.substr(end));
        if (word == "--")
            break;
        auto body = std::string_view(word).substr(2);
        size_t eq = body.find('=');
        if (eq == std::string_view::npos)
            out.flags.push_back({ std::string(body), std::nullopt });
        else
            out.flags.push_back({ std::string(body.substr(0, eq)), std::string(body.substr(eq + 1)) });
    }
    out.rest = text;
    return out;
}

} // namespace berth::build::syntax
