// The unit-file parser (see unit_file.h): one pass over the lines, keeping a
// pending continuation until a line does not end in a backslash.
#include "quadlet/unit_file.h"

#include <algorithm>

namespace berth::quadlet {

namespace {

std::string_view trim(std::string_view s)
{
    auto const* ws = " \t\r";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos)
        return {};
    auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

Error at(std::string const& path, int line, std::string const& what)
{
    return Error { EINVAL, path + ":" + std::to_string(line) + ": " + what };
}

} // namespace

Result<UnitFile> UnitFile::parse(std::string const& path, std::string_view text)
{
    UnitFile file;
    file.m_path = path;
    std::string pending;  // a continued line, so far
    int pending_line = 0;
    int number = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
        auto end = text.find('\n', pos);
        std::string_view raw = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
        ++number;
        std::string_view line = trim(raw);
        if (!line.empty() && (line[0] == '#' || line[0] == ';'))
            continue;  // a comment, also inside a continuation
        if (pending_line == 0 && line.empty())
            continue;
        if (pending_line == 0)
            pending_line = number;
        if (!line.empty() && line.back() == '\\') {
            pending.append(line.substr(0, line.size() - 1)).append(" ");
            if (pos <= text.size())
                continue;
        } else {
            pending.append(line);
        }
        std::string whole = std::string(trim(pending));
        int first = pending_line;
        pending.clear();
        pending_line = 0;
        if (whole.empty())
            continue;
        if (whole.front() == '[') {
            if (whole.back() != ']' || whole.size() < 3)
                return at(path, first, "invalid section header \"" + whole + "\"");
            file.m_sections.push_back(Section { whole.substr(1, whole.size() - 2), {} });
            continue;
        }
        auto eq = whole.find('=');
        if (eq == std::string::npos)
            return at(path, first, "\"" + whole + "\" is not KEY=VALUE");
        std::string key(trim(std::string_view(whole).substr(0, eq)));
        if (key.empty())
            return at(path, first, "a line without a key: \"" + whole + "\"");
        if (file.m_sections.empty())
            return at(path, first, "key " + key + " is outside of any section");
        std::string value(trim(std::string_view(whole).substr(eq + 1)));
        file.m_sections.back().entries.push_back(Entry { key, value, first, path });
    }
    return file;
}

void UnitFile::merge(UnitFile const& drop_in)
{
    for (auto const& s : drop_in.m_sections) {
        auto it = std::find_if(m_sections.begin(), m_sections.end(), [&](Section const& own) { return own.name == s.name; });
        if (it == m_sections.end())
            m_sections.push_back(s);
        else
            it->entries.insert(it->entries.end(), s.entries.begin(), s.entries.end());
    }
}

Section const* UnitFile::section(std::string_view name) const
{
    for (auto const& s : m_sections)
        if (s.name == name)
            return &s;
    return nullptr;
}

std::vector<std::string> UnitFile::values(std::string_view section, std::string_view key) const
{
    std::vector<std::string> out;
    for (auto const& s : m_sections) {
        if (s.name != section)
            continue;
        for (auto const& e : s.entries) {
            if (e.key != key)
                continue;
            if (e.value.empty())
                out.clear();
            else
                out.push_back(e.value);
        }
    }
    return out;
}

std::optional<std::string> UnitFile::last(std::string_view section, std::string_view key) const
{
    std::optional<std::string> out;
    for (auto const& s : m_sections)
        if (s.name == section)
            for (auto const& e : s.entries)
                if (e.key == key)
                    out = e.value;
    return out;
}

Result<std::vector<std::string>> split_words(std::string_view value)
{
    std::vector<std::string> out;
    std::string cur;
    bool have = false;
    char quote = 0;
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        if (quote) {
            if (c == quote) {
                quote = 0;
            } else if (c == '\\' && quote == '"' && i + 1 < value.size()) {
                char n = value[++i];
                cur += n == 'n' ? '\n' : n == 't' ? '\t' : n;
            } else {
                cur += c;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
            have = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (have || !cur.empty())
                out.push_back(cur);
            cur.clear();
            have = false;
        } else if (c == '\\' && i + 1 < value.size()) {
            cur += value[++i];
        } else {
            cur += c;
        }
    }
    if (quote)
        return Error { EINVAL, "unbalanced quotes in \"" + std::string(value) + "\"" };
    if (have || !cur.empty())
        out.push_back(cur);
    return out;
}

std::string quote_word(std::string const& word)
{
    bool quote = word.empty() || std::any_of(word.begin(), word.end(), [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '\\';
    });
    if (!quote)
        return word;
    std::string out = "\"";
    for (char c : word) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else
            out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    }
    return out + "\"";
}

} // namespace berth::quadlet
