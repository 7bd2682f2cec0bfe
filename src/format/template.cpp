// Template: Podman's format conventions on top of the parser and executor
// ("table" and "json" shortcuts, one line per row, aligned tables).
//
// The hard part is the table header. Podman renders the template once against a
// map of header names; here the header row is derived from the tree instead:
// text is kept (so the tabs that separate columns stay where they are) and each
// action becomes the header of the first field it uses, which also covers
// {{.Size | upper}}, {{json .Labels}} and {{range .Names}}...{{end}}.
#include "format/template.h"
#include "format/ast.h"
#include "format/eval.h"

#include <cctype>

namespace berth::format {

namespace {

using detail::Node;
using detail::Operand;
using detail::Pipeline;
using Headers = std::map<std::string, std::string>;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s)
{
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Podman's IsJSON: "json", or "{{json .}}" / "{{ json }}" with any spaces.
bool is_json_format(std::string_view s)
{
    s = trim(s);
    if (s == "json")
        return true;
    if (!s.starts_with("{{") || !s.ends_with("}}") || s.size() < 4)
        return false;
    s = trim(s.substr(2, s.size() - 4));
    if (!s.starts_with("json"))
        return false;
    s = trim(s.substr(4));
    return s.empty() || s == ".";
}

// "table", "table {{.ID}}" and "table{{.ID}}" are table mode; "tablet" is not.
bool is_table_format(std::string_view s)
{
    if (!s.starts_with("table"))
        return false;
    std::string_view rest = s.substr(5);
    return rest.empty() || is_blank(rest[0]) || rest.starts_with("{{") || rest.starts_with("\\t") || rest.starts_with("\\n");
}

// The field chain an action is about: the first one any of its commands uses.
std::vector<std::string> const* first_field(Pipeline const& p)
{
    for (auto const& cmd : p.cmds) {
        for (auto const& op : cmd.args) {
            if ((op.kind == Operand::Kind::Field || op.kind == Operand::Kind::Variable) && !op.fields.empty())
                return &op.fields;
            if (op.kind == Operand::Kind::Pipe)
                if (auto const* f = first_field(*op.pipe))
                    return f;
        }
    }
    return nullptr;
}

std::string header_for(std::vector<std::string> const& fields, Headers const& headers)
{
    std::string path;
    for (auto const& f : fields)
        path += (path.empty() ? "" : ".") + f;
    if (auto it = headers.find(path); it != headers.end())
        return it->second;
    if (auto it = headers.find(fields.back()); it != headers.end())
        return it->second;
    return header_from_field(fields.back());
}

// Appends the header text of nodes; returns whether any action named a field.
bool header_walk(std::vector<Node> const& nodes, Headers const& headers, std::string& out)
{
    bool found = false;
    for (auto const& n : nodes) {
        auto const* field = first_field(n.pipe);
        switch (n.kind) {
        case Node::Kind::Text: out += n.text; break;
        case Node::Kind::Action:
            if (field && n.pipe.decls.empty()) {
                out += header_for(*field, headers);
                found = true;
            }
            break;
        case Node::Kind::If: {
            // {{if .A}}{{.B}}{{end}} is headed B; {{if .A}}yes{{end}} is headed A.
            std::string body;
            if (header_walk(n.body, headers, body) || !field) {
                out += body;
            } else {
                out += header_for(*field, headers);
            }
            found = true;
            break;
        }
        case Node::Kind::Range:
        case Node::Kind::With:
            if (field)
                out += header_for(*field, headers);
            else
                header_walk(n.body, headers, out);
            found = true;
            break;
        case Node::Kind::Break:
        case Node::Kind::Continue: break;
        }
    }
    return found;
}

} // namespace

std::string header_from_field(std::string_view field)
{
    std::string out;
    auto up = [](char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; };
    auto low = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
    for (std::size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        if (i > 0 && up(c) && (low(field[i - 1]) || (up(field[i - 1]) && i + 1 < field.size() && low(field[i + 1]))))
            out += ' ';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

Result<Template> Template::parse(std::string_view text)
{
    Template t;
    std::string source(text);
    std::size_t start = 0;
    t.m_json = is_json_format(text);
    if (trim(text) == "json") {
        source = "{{json .}}";
    } else if (is_table_format(text)) {
        t.m_table = true;
        for (start = 5; start < text.size() && text[start] == ' ';)
            ++start;
    }
    auto nodes = TRY(detail::parse(source, start));
    t.m_ends_with_newline = !nodes.empty() && nodes.back().kind == Node::Kind::Text && nodes.back().text.ends_with('\n');
    t.m_nodes = std::make_shared<std::vector<Node> const>(std::move(nodes));
    return t;
}

Result<std::string> Template::render(Json const& data) const
{
    std::string out;
    auto r = detail::execute(*m_nodes, data, out, m_field_names.get());
    if (!r.has_value())
        return std::move(r).error().with_context("template");
    return out;
}

Result<std::string> Template::render_row(Json const& data) const
{
    std::string out = TRY(render(data));
    if (!m_ends_with_newline)
        out += '\n';
    return out;
}

Result<std::string> Template::render_lines(std::vector<Json> const& rows) const
{
    std::string out;
    for (auto const& row : rows)
        out += TRY(render_row(row));
    return out;
}

std::string Template::header(Headers const& headers) const
{
    std::string out;
    header_walk(*m_nodes, headers, out);
    return out;
}

Result<std::string> Template::render_table(std::vector<Json> const& rows, Headers const& headers) const
{
    return render_table(rows, headers, Heading::Show);
}

Result<std::string> Template::render_table(std::vector<Json> const& rows, Headers const& headers, Heading heading) const
{
    std::string text;
    if (heading == Heading::Show) {
        text = header(headers);
        if (!m_ends_with_newline)
            text += '\n';
    }
    for (auto const& row : rows)
        text += TRY(render_row(row));
    return tabwrite_text(text);
}

} // namespace berth::format
