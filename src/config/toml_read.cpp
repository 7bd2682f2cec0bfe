#include "config/toml_read.h"

#include <algorithm>
#include <filesystem>
#include <optional>

namespace berth::config {

std::optional<std::string> blank_comment_lines(std::string_view text)
{
    // Inside a multi-line string a line may start with '#' and is not a comment.
    if (text.find(R"(""")") != std::string_view::npos || text.find("'''") != std::string_view::npos)
        return std::nullopt;
    std::string out;
    out.reserve(text.size());
    bool blanked = false;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        size_t first = line.find_first_not_of(" \t");
        if (first != std::string_view::npos && line[first] == '#') {
            blanked = true;
            line = line.substr(0, first);
        }
        out += line;
        if (end == std::string_view::npos)
            break;
        out += '\n';
        text.remove_prefix(end + 1);
    }
    if (!blanked)
        return std::nullopt;
    return out;
}

Result<toml::table> parse_toml(std::string_view text, std::string_view source_path)
{
    // Podman's shipped containers.conf is 24 KB of comments around a few
    // lines, and tomlplusplus reads comments a character at a time: three
    // quarters of a millisecond on every berth command. The lines stay, so
    // an error's line number is the file's.
    auto blanked = blank_comment_lines(text);
    if (blanked)
        text = *blanked;
    try {
        return toml::parse(text, source_path);
    } catch (toml::parse_error const& e) {
        return Error::msg("line " + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
    }
}

Result<std::string> toml_string(toml::node const& node, std::string_view key)
{
    if (auto const* s = node.as_string())
        return s->get();
    return Error::msg("\"" + std::string(key) + "\" must be a string");
}

Result<bool> toml_bool(toml::node const& node, std::string_view key)
{
    if (node.is_boolean())
        return *node.value<bool>();
    return Error::msg("\"" + std::string(key) + "\" must be true or false");
}

Result<int64_t> toml_integer(toml::node const& node, std::string_view key)
{
    if (node.is_integer())
        return *node.value<int64_t>();
    return Error::msg("\"" + std::string(key) + "\" must be an integer");
}

Result<std::vector<std::string>> toml_string_array(toml::node const& node, std::string_view key)
{
    auto const* array = node.as_array();
    if (!array)
        return Error::msg("\"" + std::string(key) + "\" must be an array of strings");
    std::vector<std::string> out;
    for (auto const& element : *array)
        out.push_back(TRY(toml_string(element, key)));
    return out;
}

std::vector<std::string> dropin_files(std::string const& dir)
{
    namespace stdfs = std::filesystem;
    std::vector<std::string> files;
    std::error_code ec;
    for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code type_ec;
        if (it->path().extension() == ".conf" && it->is_regular_file(type_ec))
            files.push_back(it->path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace berth::config
