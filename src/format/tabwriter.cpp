// Column alignment like Go's text/tabwriter with minwidth 0, tabwidth 8,
// padding 2, padchar ' ' and no flags, which is what Podman's tables use.
//
// The hard part is Go's notion of a column: a cell is text terminated by a tab,
// so the last cell of a line is never part of a column, and a column is a block
// of consecutive lines that all have a cell at that index. format() below is Go's
// recursive block algorithm: widths are computed per block, so a line with fewer
// cells starts new blocks for the columns it lacks.
#include "format/template.h"
#include "format/value.h"

#include <algorithm>

namespace berth::format {

namespace {

constexpr std::size_t padding = 2;

class TabWriter {
public:
    TabWriter(std::vector<std::vector<std::string>> lines, bool last_has_newline)
        : m_lines(std::move(lines))
        , m_last_has_newline(last_has_newline)
    {
    }

    std::string run()
    {
        format(0, m_lines.size());
        return std::move(m_out);
    }

private:
    // Lines [line0, line1) share the columns left of m_widths.size(); lay out the rest.
    void format(std::size_t line0, std::size_t line1)
    {
        std::size_t column = m_widths.size();
        for (std::size_t line = line0; line < line1; ++line) {
            if (column + 1 >= m_lines[line].size())
                continue;
            // A cell in this column: print the lines before the block, then size the block.
            write_lines(line0, line);
            line0 = line;
            std::size_t width = 0;
            for (; line < line1 && column + 1 < m_lines[line].size(); ++line)
                width = std::max(width, detail::rune_count(m_lines[line][column]) + padding);
            m_widths.push_back(width);
            format(line0, line);
            m_widths.pop_back();
            line0 = line;
            if (line == line1)
                break;
        }
        write_lines(line0, line1);
    }

    void write_lines(std::size_t line0, std::size_t line1)
    {
        for (std::size_t i = line0; i < line1; ++i) {
            auto const& cells = m_lines[i];
            for (std::size_t j = 0; j < cells.size(); ++j) {
                m_out += cells[j];
                if (j < m_widths.size()) {
                    std::size_t w = detail::rune_count(cells[j]);
                    if (m_widths[j] > w)
                        m_out.append(m_widths[j] - w, ' ');
                }
            }
            if (i + 1 < m_lines.size() || m_last_has_newline)
                m_out += '\n';
        }
    }

    std::vector<std::vector<std::string>> m_lines;
    bool m_last_has_newline;
    std::vector<std::size_t> m_widths;
    std::string m_out;
};

std::vector<std::string> split(std::string_view s, char sep)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (auto pos = s.find(sep); pos != std::string_view::npos; pos = s.find(sep, start)) {
        out.emplace_back(s.substr(start, pos - start));
        start = pos + 1;
    }
    out.emplace_back(s.substr(start));
    return out;
}

} // namespace

std::string tabwrite(std::vector<std::vector<std::string>> const& rows)
{
    return TabWriter(rows, true).run();
}

std::string tabwrite_text(std::string_view text)
{
    if (text.empty())
        return {};
    bool newline = text.back() == '\n';
    if (newline)
        text.remove_suffix(1);
    std::vector<std::vector<std::string>> lines;
    for (auto const& line : split(text, '\n'))
        lines.push_back(split(line, '\t'));
    return TabWriter(std::move(lines), newline).run();
}

} // namespace berth::format
