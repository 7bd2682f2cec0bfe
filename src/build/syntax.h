// The Containerfile's lexical layer, shared by the parser and its tests:
// physical lines into logical ones (directives, comments, continuations,
// heredoc bodies), and the splitting of an instruction's arguments into
// words and flags. Internal to src/build.
#pragma once

#include "base/error.h"
#include "build/containerfile.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build::syntax {

/// "file:line: message", the form of every parse error.
Error located(std::string_view file, int line, std::string_view message);

/// One instruction as the lexer sees it.
struct LogicalLine {
    int line = 0;                  ///< the first physical line
    std::string text;              ///< keyword and arguments, continuations joined
    std::vector<Heredoc> heredocs; ///< bodies read after it, in marker order
};

struct Lexed {
    char escape = '\\';
    std::string syntax;
    std::vector<LogicalLine> lines;
};

/// Reads directives at the top, then every instruction's logical line.
Result<Lexed> lex(std::string_view text, std::string_view file);

/// Whether a keyword takes heredocs (RUN, COPY, ADD).
bool takes_heredocs(std::string_view keyword);

/// A heredoc marker word ("<<EOF", "<<-EOF", "<<'EOF'", "3<<EOF"): the heredoc
/// it announces, still without content; nullopt for any other word.
std::optional<Heredoc> heredoc_marker(std::string_view word);

/// Reads an instruction's arguments one unit at a time as Docker's word
/// splitting sees them: quotes (single quotes take the escape character
/// literally), escaped characters, and whitespace outside quotes.
class QuoteScanner {
public:
    enum class Unit { Blank, Escaped, OpenQuote, CloseQuote, Char };
    QuoteScanner(std::string_view text, char escape) : m_text(text), m_escape(escape) {}

    bool done() const { return m_pos >= m_text.size(); }
    /// Reads one unit: a character, or the escape character and the one it escapes.
    Unit next();
    /// The text of the unit just read ("\\ " for an escaped blank).
    std::string_view unit() const { return m_text.substr(m_start, m_pos - m_start); }
    size_t unit_start() const { return m_start; }
    bool in_quotes() const { return m_quote != 0; }

private:
    std::string_view m_text;
    char m_escape;
    size_t m_pos = 0;
    size_t m_start = 0;
    char m_quote = 0;
};

/// The index of the first '=' outside quotes and escapes, or npos.
size_t unquoted_equals(std::string_view word, char escape);

/// Splits at whitespace outside quotes; quotes and escapes stay in the words.
std::vector<std::string> split_words(std::string_view text, char escape);

/// Leading `--name[=value]` words (quotes removed), up to the first other
/// word or a bare "--"; `rest` is what follows, left-trimmed.
struct FlagSplit {
    std::vector<Flag> flags;
    std::string_view rest;
};
FlagSplit split_flags(std::string_view text, char escape);

/// The text with leading and trailing whitespace removed.
std::string_view trim(std::string_view text);

} // namespace berth::build::syntax
