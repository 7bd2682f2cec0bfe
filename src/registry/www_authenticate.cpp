// WWW-Authenticate parsing: a small hand-written scanner over the RFC 7235
// grammar. challenge = scheme [ 1*SP ( token68 / #auth-param ) ], and a
// header is a comma-separated list of challenges. Deciding whether a token
// after a comma starts a new challenge or another parameter is the only
// subtle part: a parameter is always `name=`, a new scheme is a token that is
// followed by whitespace or the end, never by '='.
#include "registry/www_authenticate.h"

#include <cctype>

namespace berth::registry {

namespace {

class Scanner {
public:
    explicit Scanner(std::string_view text) : m_text(text) {}

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }
    void skip_spaces()
    {
        while (!at_end() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
    }
    /// Skips whitespace and commas (empty list elements are allowed).
    void skip_separators()
    {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == ','))
            ++m_pos;
    }
    std::string token()
    {
        size_t start = m_pos;
        while (!at_end() && is_token_char(peek()))
            ++m_pos;
        return std::string(m_text.substr(start, m_pos - start));
    }
    /// A quoted string (the opening quote not yet consumed) with \-escapes undone.
    std::string quoted()
    {
        std::string out;
        ++m_pos; // opening quote
        while (!at_end() && peek() != '"') {
            if (peek() == '\\' && m_pos + 1 < m_text.size())
                ++m_pos;
            out += m_text[m_pos++];
        }
        if (!at_end())
            ++m_pos; // closing quote
        return out;
    }
    /// True if the next non-space character after the current token is '='.
    bool token_followed_by_equals() const
    {
        size_t p = m_pos;
        while (p < m_text.size() && is_token_char(m_text[p]))
            ++p;
        while (p < m_text.size() && (m_text[p] == ' ' || m_text[p] == '\t'))
            ++p;
        // token68 may end in '=' padding followed by ',' or end; a parameter's '=' is followed by a value.
        return p < m_text.size() && m_text[p] == '=';
    }
    size_t pos() const { return m_pos; }
    void advance() { ++m_pos; }

private:
    static bool is_token_char(char c)
    {
        if (std::isalnum(static_cast<unsigned char>(c)))
            return true;
        return std::string_view("!#$%&'*+-.^_`|~/").find(c) != std::string_view::npos;
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

std::string lower(std::string s)
{
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Parses `name=value` pairs into `challenge` until a token that starts a new challenge.
void parse_params(Scanner& s, AuthChallenge& challenge)
{
    while (true) {
        s.skip_separators();
        if (s.at_end() || !s.token_followed_by_equals())
            return;
        std::string name = lower(s.token());
        if (name.empty())
            return;
        s.skip_spaces();
        s.advance(); // '='
        s.skip_spaces();
        std::string value = s.peek() == '"' ? s.quoted() : s.token();
        challenge.params[name] = value;
    }
}

} // namespace

std::string AuthChallenge::param(std::string const& key) const
{
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
}

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header)
{
    std::vector<AuthChallenge> out;
    Scanner s(header);
    while (true) {
        s.skip_separators();
        if (s.at_end())
            break;
        size_t before = s.pos();
        AuthChallenge challenge;
        challenge.scheme = lower(s.token());
        if (challenge.scheme.empty()) {
            // Not a token: skip one character so malformed input cannot loop.
            if (s.pos() == before)
                s.advance();
            continue;
        }
        s.skip_spaces();
        parse_params(s, challenge);
        out.push_back(std::move(challenge));
    }
    return out;
}

AuthChallenge const* preferred_challenge(std::vector<AuthChallenge> const& challenges)
{
    for (auto const& c : challenges)
        if (c.scheme == "bearer")
            return &c;
    for (auto const& c : challenges)
        if (c.scheme == "basic")
            return &c;
    return nullptr;
}

} // namespace berth::registry
