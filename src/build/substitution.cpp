// Variable substitution: one left-to-right pass over a word with an output
// that knows which characters came from quoted text (never split) and which
// from unquoted text or unquoted substitutions (split at whitespace when the
// caller wants a word list).
#include "build/substitution.h"

#include <optional>

namespace berth::build {

namespace {

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/// Collects the words of the substitution, splitting only when asked.
class Output {
public:
    enum class Split { No, AtWhitespace };
    explicit Output(Split split) : m_split(split) {}

    /// Text that never splits: quoted or escaped.
    void add_quoted(std::string_view text)
    {
        m_word += text;
        m_started = true;
    }
    /// Text outside quotes: whitespace ends the word in a word list.
    void add_unquoted(std::string_view text)
    {
        for (char c : text) {
            if (m_split == Split::AtWhitespace && is_blank(c)) {
                end_word();
                continue;
            }
            m_word += c;
            m_started = true;
        }
    }
    void end_word()
    {
        if (m_started)
            m_words.push_back(std::move(m_word));
        m_word.clear();
        m_started = false;
    }
    std::vector<std::string> take_words()
    {
        end_word();
        return std::move(m_words);
    }
    std::string take_text() { return std::move(m_word); }

private:
    Split m_split;
    std::vector<std::string> m_words;
    std::string m_word;
    bool m_started = false;
};

class Substitution {
public:
    Substitution(std::string_view text, Environment const& env, char escape)
        : m_text(text), m_env(env), m_escape(escape)
    {
    }

    /// Processes text up to the end, or up to `stop` (consumed) when given.
    ErrorOr process(Output& out, std::optional<char> stop = std::nullopt)
    {
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (stop && c == *stop) {
                ++m_pos;
                return {};
            }
            if (c == '\'')
                TRY(single_quoted(out));
            else if (c == '"')
                TRY(double_quoted(out));
            else if (c == '$')
                out.add_unquoted(TRY(dollar()));
            else if (c == m_escape) {
                // A trailing escape character is dropped, as Docker does.
                if (m_pos + 1 < m_text.size())
                    out.add_quoted(m_text.substr(m_pos + 1, 1));
                m_pos += 2;
            } else {
                out.add_unquoted(m_text.substr(m_pos, 1));
                ++m_pos;
            }
        }
        if (stop)
            return Error::msg(std::string("missing '") + *stop + "' in \"" + std::string(m_text) + "\"");
        return {};
    }

private:
    ErrorOr single_quoted(Output& out)
    {
        size_t end = m_text.find('\'', m_pos + 1);
        if (end == std::string_view::npos)
            return Error::msg("unterminated single quote in \"" + std::string(m_text) + "\"");
        out.add_quoted(m_text.substr(m_pos + 1, end - m_pos - 1));
        m_pos = end + 1;
        return {};
    }

    ErrorOr double_quoted(Output& out)
    {
        out.add_quoted("");
        ++m_pos;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return {};
            }
            if (c == '$') {
                out.add_quoted(TRY(dollar()));
                continue;
            }
            if (c == m_escape && m_pos + 1 < m_text.size()) {
                char next = m_text[m_pos + 1];
                // Inside double quotes only ", $ and the escape itself are escapable.
                if (next == '"' || next == '$' || next == m_escape) {
                    out.add_quoted(m_text.substr(m_pos + 1, 1));
                    m_pos += 2;
                    continue;
                }
            }
            out.add_quoted(m_text.substr(m_pos, 1));
            ++m_pos;
        }
        return Error::msg("unterminated double quote in \"" + std::string(m_text) + "\"");
    }

    /// A name after $ or ${: letters, digits and _, or one positional or
    /// special parameter ($1, $@, $#...), which a build never sets.
    std::string name()
    {
        size_t start = m_pos;
        if (m_pos < m_text.size() && is_digit(m_text[m_pos])) {
            while (m_pos < m_text.size() && is_digit(m_text[m_pos]))
                ++m_pos;
        } else if (m_pos < m_text.size() && std::string_view("@*#?-$!").find(m_text[m_pos]) != std::string_view::npos) {
            ++m_pos;
        } else {
            while (m_pos < m_text.size() && is_name_char(m_text[m_pos]))
                ++m_pos;
        }
        return std::string(m_text.substr(start, m_pos - start));
    }

    std::optional<std::string> lookup(std::string_view name) const
    {
        auto it = m_env.find(name);
        if (it == m_env.end())
            return std::nullopt;
        return it->second;
    }

    /// At '$': the value it stands for.
    Result<std::string> dollar()
    {
        ++m_pos;
        if (m_pos < m_text.size() && m_text[m_pos] == '{')
            return braced();
        auto var = name();
        if (var.empty())
            return std::string("$");
        return lookup(var).value_or("");
    }

    /// The word after a modifier, up to the closing brace, itself substituted.
    Result<std::string> modifier_word()
    {
        Output word(Output::Split::No);
        TRY(process(word, '}'));
        return word.take_text();
    }

    Result<std::string> braced()
    {
        ++m_pos;
        auto var = name();
        if (var.empty())
            return Error::msg("bad substitution in \"" + std::string(m_text) + "\"");
        if (m_pos >= m_text.size())
            return Error::msg("missing '}' in \"" + std::string(m_text) + "\"");
        auto value = lookup(var);
        char c = m_text[m_pos++];
        if (c == '}')
            return value.value_or("");
        bool colon = c == ':';
        if (colon) {
            if (m_pos >= m_text.size())
                return Error::msg("bad substitution in \"" + std::string(m_text) + "\"");
            c = m_text[m_pos++];
        }
        // With ':' an empty value counts as unset, as in the shell.
        bool set = value && !(colon && value->empty());
        switch (c) {
        case '-': {
            auto word = TRY(modifier_word());
            return set ? *value : word;
        }
        case '+': {
            auto word = TRY(modifier_word());
            return set ? word : std::string();
        }
        case '?': {
            auto word = TRY(modifier_word());
            if (set)
                return *value;
            if (word.empty())
                word = colon ? "is not allowed to be empty" : "is not allowed to be unset";
            return Error::msg(var + ": " + word);
        }
        case '#':
        case '%':
            if (!colon)
                return remove_affix(value.value_or(""), c);
            break;
        default:
            break;
        }
        return Error::msg("unsupported modifier (" + std::string(colon ? ":" : "") + c + ") in \"" + std::string(m_text) + "\"");
    }

    /// ${VAR#pat} ${VAR##pat} remove a prefix, ${VAR%pat} ${VAR%%pat} a suffix.
    Result<std::string> remove_affix(std::string const& value, char kind)
    {
        bool longest = m_pos < m_text.size() && m_text[m_pos] == kind;
        if (longest)
            ++m_pos;
        auto pattern = TRY(modifier_word());
        size_t n = value.size();
        for (size_t k = 0; k <= n; ++k) {
            size_t len = longest ? n - k : k;
            std::string_view part = kind == '#' ? std::string_view(value).substr(0, len) : std::string_view(value).substr(n - len);
            if (shell_pattern_match(pattern, part, m_escape))
                return kind == '#' ? value.substr(len) : value.substr(0, n - len);
        }
        return value;
    }

    std::string_view m_text;
    Environment const& m_env;
    char m_escape;
    size_t m_pos = 0;
};

/// One element of a shell pattern: a literal, ?, *, or a [class].
struct PatternToken {
    enum class Kind { Literal, Any, Star, Class } kind;
    std::string chars;   ///< the literal, or the class body
    bool negated = false;
};

std::vector<PatternToken> tokenize_pattern(std::string_view pattern, char escape)
{
    std::vector<PatternToken> out;
    for (size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '*') {
            out.push_back({ PatternToken::Kind::Star, {} });
        } else if (c == '?') {
            out.push_back({ PatternToken::Kind::Any, {} });
        } else if (c == escape && i + 1 < pattern.size()) {
            out.push_back({ PatternToken::Kind::Literal, std::string(1, pattern[++i]) });
        } else if (c == '[' && pattern.find(']', i + 2) != std::string_view::npos) {
            size_t j = i + 1;
            bool negated = pattern[j] == '^' || pattern[j] == '!';
            if (negated)
                ++j;
            // A ']' first in the class is a member, not its end.
            size_t end = pattern.find(']', j + 1);
            if (end == std::string_view::npos) {
                out.push_back({ PatternToken::Kind::Literal, "[" });
                continue;
            }
            out.push_back({ PatternToken::Kind::Class, std::string(pattern.substr(j, end - j)), negated });
            i = end;
        } else {
            out.push_back({ PatternToken::Kind::Literal, std::string(1, c) });
        }
    }
    return out;
}

bool class_matches(PatternToken const& token, char c)
{
    bool in = false;
    auto const& s = token.chars;
    for (size_t i = 0; i < s.size(); ++i) {
        if (i + 2 < s.size() && s[i + 1] == '-') {
            in = in || (c >= s[i] && c <= s[i + 2]);
            i += 2;
        } else {
            in = in || c == s[i];
        }
    }
    return in != token.negated;
}

bool token_matches(PatternToken const& token, char c)
{
    switch (token.kind) {
    case PatternToken::Kind::Literal:
        return token.chars[0] == c;
    case PatternToken::Kind::Any:
        return true;
    case PatternToken::Kind::Class:
        return class_matches(token, c);
    case PatternToken::Kind::Star:
        break;
    }
    return false;
}

} // namespace

bool shell_pattern_match(std::string_view pattern, std::string_view text, char escape)
{
    auto tokens = tokenize_pattern(pattern, escape);
    // Every token but * matches one character, so backtracking to the last *
    // is enough (the classic two-pointer wildcard match).
    size_t t = 0, s = 0;
    std::optional<size_t> star_token;
    size_t star_text = 0;
    while (s < text.size()) {
        if (t < tokens.size() && tokens[t].kind == PatternToken::Kind::Star) {
            star_token = t++;
            star_text = s;
        } else if (t < tokens.size() && token_matches(tokens[t], text[s])) {
            ++t;
            ++s;
        } else if (star_token) {
            t = *star_token + 1;
            s = ++star_text;
        } else {
            return false;
        }
    }
    while (t < tokens.size() && tokens[t].kind == PatternToken::Kind::Star)
        ++t;
    return t == tokens.size();
}

Result<std::string> expand_word(std::string_view word, Environment const& env, char escape)
{
    Output out(Output::Split::No);
    TRY(Substitution(word, env, escape).process(out));
    return out.take_text();
}

Result<std::vector<std::string>> expand_words(std::string_view text, Environment const& env, char escape)
{
    Output out(Output::Split::AtWhitespace);
    TRY(Substitution(text, env, escape).process(out));
    return out.take_words();
}

Result<std::string> expand_heredoc(std::string_view text, Environment const& env, char escape)
{
    // The same substitution as a word, with the text escaped so that the word
    // rules keep it as it is: quotes escaped, a lone escape character doubled.
    std::string word;
    word.reserve(text.size() + text.size() / 8);
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"' || c == '\'') {
            word += escape;
            word += c;
        } else if (c == escape) {
            char next = i + 1 < text.size() ? text[i + 1] : '\0';
            if (next == '$' || next == escape) {
                word += escape;
                word += next;
                ++i;
            } else if (next == '\n') {
                ++i;  // a line continuation: both go
            } else {
                word += escape;
                word += escape;
            }
        } else {
            word += c;
        }
    }
    return expand_word(word, env, escape);
}

} // namespace berth::build
