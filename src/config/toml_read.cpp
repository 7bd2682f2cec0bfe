#include "config/toml_read.h"

#include <algorithm>
#include <filesystem>

namespace berth::config {

Result<toml::table> parse_toml(std::string_view text, std::string_view source_path)
{
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
