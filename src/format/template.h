// Go-template engine for `--format`: the subset of Go's text/template that
// Podman users write, evaluated against JSON values that carry Podman's field
// names, plus Podman's "table" mode (a header row derived from the template and
// columns aligned like Go's text/tabwriter).
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace berth::format {

namespace detail {
struct Node;
}

/// Go field names whose JSON keys are not the name with a lower-case first
/// letter, e.g. {"CgroupsVersion", "cgroupVersion"}, {"OCIRuntime", "ociRuntime"}.
using FieldNames = std::map<std::string, std::string>;

/// Whether render_table prints the header row (Podman's --noheading omits it).
enum class Heading { Show, Omit };

class Template {
public:
    /// Parses a template. "table ..." prefix marks table mode. Podman's shortcuts: a format of exactly "json" means {{json .}}.
    /// Parse errors: one line naming the position and problem, e.g. `template: unexpected "}" in operand at column 7`.
    static Result<Template> parse(std::string_view text);
    /// Renders against one value (a JSON object with Podman's field names, e.g. {"ID":..., "Repository":...}).
    /// A field that does not exist is an ERROR naming it: `template: can't evaluate field Foo in type object` (never empty output).
    /// (A missing field whose name starts with a lower-case letter, below the root value, is a map key and prints "<no value>".)
    Result<std::string> render(Json const& data) const;
    /// Lets templates name keys by Go field names that the lower-camel rule
    /// does not map (Podman's `.Host.OCIRuntime` for the key "ociRuntime").
    void set_field_names(FieldNames names) { m_field_names = std::make_shared<FieldNames const>(std::move(names)); }
    bool is_table() const { return m_table; }
    /// Whether the format is Podman's JSON shortcut ("json" or "{{json .}}"); the CLI prints a JSON array for it.
    bool is_json() const { return m_json; }
    /// For table mode: renders header + rows aligned like Go's tabwriter (minwidth 0, tabwidth 8, padding 2, padchar ' ')
    /// — '\t' in the template (literal tab or the two characters backslash-t) separates columns. The header row is derived
    /// from the template: each {{.Field}} action becomes a header given by `headers` (map field name -> header text,
    /// e.g. "ID" -> "IMAGE ID"), else the field name converted to upper case with CamelCase split by spaces
    /// ("CreatedAt" -> "CREATED AT"). Rows end with '\n'.
    Result<std::string> render_table(std::vector<Json> const& rows, std::map<std::string, std::string> const& headers = {}) const;
    /// As above; Heading::Omit leaves out the header row.
    Result<std::string> render_table(std::vector<Json> const& rows, std::map<std::string, std::string> const& headers, Heading heading) const;
    /// Renders every row, each followed by '\n' (non-table mode, like `podman images --format '{{.ID}}'`).
    /// A template whose text already ends with a newline gets no second one, as in Podman.
    Result<std::string> render_lines(std::vector<Json> const& rows) const;
    /// The header row alone (no alignment), e.g. "IMAGE ID\tREPOSITORY".
    std::string header(std::map<std::string, std::string> const& headers = {}) const;

private:
    Template() = default;
    Result<std::string> render_row(Json const& data) const;

    std::shared_ptr<std::vector<detail::Node> const> m_nodes;
    std::shared_ptr<FieldNames const> m_field_names;
    bool m_table = false;
    bool m_json = false;
    bool m_ends_with_newline = false;
};

/// Aligns tab-separated cells into columns like Go's text/tabwriter with padding 2 (used by the CLI's default tables too).
/// Each row becomes one line ending in '\n'; the last cell of a row is not padded.
std::string tabwrite(std::vector<std::vector<std::string>> const& rows);
/// The same for text whose lines are separated by '\n' and cells by '\t'.
std::string tabwrite_text(std::string_view text);

/// A field name as a table header: "CreatedAt" -> "CREATED AT", "ImageID" -> "IMAGE ID".
std::string header_from_field(std::string_view field);

} // namespace berth::format
