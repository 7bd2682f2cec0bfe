// The template lexer: splits text from {{actions}} and actions into tokens, the
// way Go's text/template/parse/lex.go does.
//
// The hard parts are the trim markers ("{{- " eats the blanks before it, " -}}"
// those after it; "{{-3}}" is the number -3) and Podman's escapes: users type \t
// and \n as two characters in the shell, so literal text converts them before
// trimming, exactly as Podman's NormalizeFormat does before Go parses.
#include "format/ast.h"
#include "format/value.h"

#include <cctype>

namespace berth::format::detail {

Error syntax_error(std::string_view source, std::size_t pos, std::string const& what)
{
    pos = std::min(pos, source.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < pos; ++i) {
        if (source[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    std::string where = "column " + std::to_string(pos - line_start + 1);
    if (source.find('\n') != std::string_view::npos)
        where = "line " + std::to_string(line) + ", " + where;
    return Error::msg("template: " + what + " at " + where);
}

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string quote_char(char c)
{
    std::string s = "\"";
    if (c == '"' || c == '\\')
        s += '\\';
    s += c;
    return s + "\"";
}

// Podman users write \t and \n as two characters: make them a tab and a newline.
std::string unescape_text(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 't' || text[i + 1] == 'n')) {
            out += text[i + 1] == 't' ? '\t' : '\n';
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

class Lexer {
public:
    Lexer(std::string_view src, std::size_t start) : m_src(src), m_pos(start) {}

    Result<std::vector<Token>> run()
    {
        while (m_pos < m_src.size()) {
            auto open = m_src.find("{{", m_pos);
            bool trim_left = open != std::string_view::npos && open + 3 < m_src.size() && m_src[open + 2] == '-'
                && is_blank(m_src[open + 3]);
            emit_text(open, trim_left);
            if (open == std::string_view::npos)
                break;
            std::size_t after = open + (trim_left ? 4 : 2);
            if (m_src.substr(after).starts_with("/*")) {
                TRY(lex_comment(open, after));
                continue;
            }
            m_pos = open + (trim_left ? 3 : 2);
            emit(Tok::Open, open, m_pos);
            TRY(lex_action(open));
        }
        emit(Tok::Eof, m_src.size(), m_src.size());
        return std::move(m_tokens);
    }

private:
    void emit(Tok type, std::size_t start, std::size_t end, std::string value = {})
    {
        std::string raw(m_src.substr(start, end - start));
        if (value.empty() && type != Tok::String)
            value = raw;
        m_tokens.push_back(Token { type, std::move(value), start, std::move(raw) });
    }

    // Emits the text from m_pos up to `open` (or the end), applying trim markers.
    void emit_text(std::size_t open, bool trim_left)
    {
        std::size_t end = open == std::string_view::npos ? m_src.size() : open;
        std::string text = unescape_text(m_src.substr(m_pos, end - m_pos));
        if (m_trim_next) {
            std::size_t i = 0;
            while (i < text.size() && is_blank(text[i]))
                ++i;
            text.erase(0, i);
            m_trim_next = false;
        }
        if (trim_left) {
            while (!text.empty() && is_blank(text.back()))
                text.pop_back();
        }
        if (!text.empty())
            m_tokens.push_back(Token { Tok::Text, std::move(text), m_pos, {} });
        m_pos = end;
    }

    // Length of the right delimiter at p ("}}" or " -}}"), 0 if none; sets trim.
    std::size_t right_delim(std::size_t p, bool& trim) const
    {
        std::string_view rest = m_src.substr(std::min(p, m_src.size()));
        trim = rest.size() >= 4 && is_blank(rest[0]) && rest[1] == '-' && rest.substr(2, 2) == "}}";
        if (trim)
            return 4;
        return rest.starts_with("}}") ? 2 : 0;
    }

    ErrorOr lex_comment(std::size_t open, std::size_t start)
    {
        auto end = m_src.find("*/", start + 2);
        if (end == std::string_view::npos)
            return syntax_error(m_src, open, "unclosed comment");
        bool trim = false;
        std::size_t len = right_delim(end + 2, trim);
        if (len == 0)
            return syntax_error(m_src, end + 2, "comment ends before closing delimiter");
        m_trim_next = trim;
        m_pos = end + 2 + len;
        return {};
    }

    ErrorOr lex_action(std::size_t open)
    {
        int parens = 0;
        for (;;) {
            bool trim = false;
            if (std::size_t len = right_delim(m_pos, trim)) {
                if (parens > 0)
                    return syntax_error(m_src, m_pos, "unclosed left paren");
                emit(Tok::Close, m_pos, m_pos + len);
                m_pos += len;
                m_trim_next = trim;
                return {};
            }
            if (m_pos >= m_src.size())
                return syntax_error(m_src, open, "unclosed action");
            TRY(lex_one(parens));
        }
    }

    // Lexes one token inside an action.
    ErrorOr lex_one(int& parens)
    {
        char c = m_src[m_pos];
        std::size_t start = m_pos;
        if (is_blank(c))
            return lex_space();
        if (c == '"' || c == '`')
            return lex_string(c);
        if (c == '\'')
            return lex_char();
        if (c == '$' || (c == '.' && !(m_pos + 1 < m_src.size() && std::isdigit(static_cast<unsigned char>(m_src[m_pos + 1])))))
            return lex_field_or_variable(c);
        if (c == '+' || c == '-' || c == '.' || std::isdigit(static_cast<unsigned char>(c)))
            return lex_number();
        if (is_alnum(c)) {
            while (m_pos < m_src.size() && is_alnum(m_src[m_pos]))
                ++m_pos;
            emit(Tok::Ident, start, m_pos);
            return check_terminator();
        }
        ++m_pos;
        switch (c) {
        case '(': ++parens; emit(Tok::LParen, start, m_pos); return {};
        case ')':
            if (--parens < 0)
                return syntax_error(m_src, start, "unexpected right paren");
            emit(Tok::RParen, start, m_pos);
            return {};
        case '|': emit(Tok::Pipe, start, m_pos); return {};
        case ',': emit(Tok::Comma, start, m_pos); return {};
        case '=': emit(Tok::Assign, start, m_pos); return {};
        case ':':
            if (m_pos < m_src.size() && m_src[m_pos] == '=') {
                ++m_pos;
                emit(Tok::Declare, start, m_pos);
                return {};
            }
            return syntax_error(m_src, start, "expected :=");
        default: break;
        }
        if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
            emit(Tok::Char, start, m_pos);
            return {};
        }
        return syntax_error(m_src, start, "unrecognized character in action: " + quote_char(c));
    }

    ErrorOr lex_space()
    {
        std::size_t start = m_pos, end = m_pos;
        while (end < m_src.size() && is_blank(m_src[end]))
            ++end;
        // Leave the last blank to a trim-marked right delimiter " -}}".
        bool trim = false;
        if (right_delim(end - 1, trim) && trim)
            --end;
        if (end > start)
            emit(Tok::Space, start, end);
        m_pos = end;
        return {};
    }

    // Go's atTerminator: what may follow an identifier, field or variable.
    ErrorOr check_terminator()
    {
        if (m_pos >= m_src.size())
            return {};
        char c = m_src[m_pos];
        bool trim = false;
        if (is_blank(c) || c == '.' || c == ',' || c == '|' || c == ':' || c == ')' || c == '(' || right_delim(m_pos, trim))
            return {};
        return syntax_error(m_src, m_pos, "bad character " + quote_char(c));
    }

    ErrorOr lex_field_or_variable(char sigil)
    {
        std::size_t start = m_pos++;
        while (m_pos < m_src.size() && is_alnum(m_src[m_pos]))
            ++m_pos;
        if (sigil == '$')
            emit(Tok::Variable, start, m_pos);
        else if (m_pos == start + 1)
            emit(Tok::Dot, start, m_pos);
        else
            emit(Tok::Field, start, m_pos, std::string(m_src.substr(start + 1, m_pos - start - 1)));
        return check_terminator();
    }

    ErrorOr lex_number()
    {
        std::size_t start = m_pos;
        auto at = [&](std::size_t i) { return i < m_src.size() ? m_src[i] : '\0'; };
        if (at(m_pos) == '+' || at(m_pos) == '-')
            ++m_pos;
        bool hex = at(m_pos) == '0' && (at(m_pos + 1) == 'x' || at(m_pos + 1) == 'X');
        if (hex || (at(m_pos) == '0' && std::string_view("bBoO").find(at(m_pos + 1)) != std::string_view::npos))
            m_pos += 2;
        auto is_digit = [&](char c) { return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0 : std::isdigit(static_cast<unsigned char>(c)) != 0; };
        while (is_digit(at(m_pos)) || at(m_pos) == '_')
            ++m_pos;
        if (at(m_pos) == '.') {
            ++m_pos;
            while (is_digit(at(m_pos)) || at(m_pos) == '_')
                ++m_pos;
        }
        if (!hex && (at(m_pos) == 'e' || at(m_pos) == 'E')) {
            ++m_pos;
            if (at(m_pos) == '+' || at(m_pos) == '-')
                ++m_pos;
            while (std::isdigit(static_cast<unsigned char>(at(m_pos))))
                ++m_pos;
        }
        bool lone_sign = m_pos == start + 1 && !std::isdigit(static_cast<unsigned char>(at(start)));
        if (is_alnum(at(m_pos)) || at(m_pos) == '.' || lone_sign) {
            while (m_pos < m_src.size() && (is_alnum(m_src[m_pos]) || m_src[m_pos] == '.'))
                ++m_pos;
            return syntax_error(m_src, start, "bad number syntax: \"" + std::string(m_src.substr(start, m_pos - start)) + "\"");
        }
        emit(Tok::Number, start, m_pos);
        return {};
    }

    ErrorOr lex_string(char quote)
    {
        std::size_t start = m_pos++;
        std::string value;
        for (;;) {
            if (m_pos >= m_src.size() || (quote == '"' && m_src[m_pos] == '\n'))
                return syntax_error(m_src, start, quote == '"' ? "unterminated quoted string" : "unterminated raw quoted string");
            char c = m_src[m_pos];
            if (c == quote) {
                ++m_pos;
                break;
            }
            if (c == '\\' && quote == '"') {
                TRY(unescape(value, quote));
                continue;
            }
            value += c;
            ++m_pos;
        }
        emit(Tok::String, start, m_pos, std::move(value));
        return {};
    }

    ErrorOr lex_char()
    {
        std::size_t start = m_pos++;
        std::string value;
        if (m_pos < m_src.size() && m_src[m_pos] == '\\') {
            TRY(unescape(value, '\''));
        } else if (m_pos < m_src.size() && m_src[m_pos] != '\'' && m_src[m_pos] != '\n') {
            Rune r = decode_rune(m_src, m_pos);
            append_utf8(value, r.code);
            m_pos += r.length;
        }
        if (value.empty() || m_pos >= m_src.size() || m_src[m_pos] != '\'')
            return syntax_error(m_src, start, "malformed character constant");
        ++m_pos;
        Rune r = decode_rune(value, 0);
        Token t { Tok::Number, std::to_string(static_cast<unsigned>(r.code)), start, std::string(m_src.substr(start, m_pos - start)) };
        m_tokens.push_back(std::move(t));
        return {};
    }

    // Decodes one Go escape sequence at m_pos (a backslash) into out.
    ErrorOr unescape(std::string& out, char quote)
    {
        std::size_t start = m_pos++;
        if (m_pos >= m_src.size())
            return syntax_error(m_src, start, "unterminated quoted string");
        char c = m_src[m_pos++];
        switch (c) {
        case 'a': out += '\a'; return {};
        case 'b': out += '\b'; return {};
        case 'f': out += '\f'; return {};
        case 'n': out += '\n'; return {};
        case 'r': out += '\r'; return {};
        case 't': out += '\t'; return {};
        case 'v': out += '\v'; return {};
        case '\\': out += '\\'; return {};
        default: break;
        }
        if (c == quote) {
            out += c;
            return {};
        }
        int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : (c >= '0' && c <= '7') ? 2 : 0;
        if (digits == 0)
            return syntax_error(m_src, start, "unknown escape sequence \"\\" + std::string(1, c) + "\"");
        int base = (c >= '0' && c <= '7') ? 8 : 16;
        std::uint32_t code = base == 8 ? static_cast<std::uint32_t>(c - '0') : 0;
        for (int i = 0; i < digits; ++i, ++m_pos) {
            char d = m_pos < m_src.size() ? m_src[m_pos] : '\0';
            int v = std::isdigit(static_cast<unsigned char>(d)) ? d - '0'
                : std::isxdigit(static_cast<unsigned char>(d)) ? std::tolower(d) - 'a' + 10 : 99;
            if (v >= base)
                return syntax_error(m_src, start, "invalid escape sequence");
            code = code * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(v);
        }
        if (c == 'x' || base == 8) {
            if (code > 255)
                return syntax_error(m_src, start, "invalid escape sequence");
            out += static_cast<char>(code);
        } else {
            append_utf8(out, code);
        }
        return {};
    }

    std::string_view m_src;
    std::size_t m_pos = 0;
    bool m_trim_next = false;
    std::vector<Token> m_tokens;
};

} // namespace

Result<std::vector<Token>> lex(std::string_view source, std::size_t start)
{
    return Lexer(source, start).run();
}

} // namespace berth::format::detail
