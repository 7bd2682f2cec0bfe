// registries.conf: reading Podman's configuration of registries and turning
// it into answers — which fully qualified names a short name may mean, and
// which hosts to ask for a fully qualified one.
//
// Each file is parsed into a "partial" configuration that remembers which
// settings it actually sets, because drop-ins override per setting: a drop-in
// without unqualified-search-registries must not clear the main file's list.
// The hard part is prefix matching (containers-registries.conf(5)): a prefix
// matches at component boundaries only ("example.com/foo" covers
// "example.com/foo/bar" and "example.com/foo:tag" but not "example.com/foobar",
// and a bare host never matches the same host with a port), "*.example.com"
// covers subdomains, and the longest match wins. The matched part of the
// reference is then replaced by the mirror's or registry's location.
#include "image/registries_conf.h"

#include "config/toml_read.h"

#include "base/fs.h"
#include "base/log.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace berth::image {

namespace {

/// What one file sets; unset optionals leave earlier settings alone.
struct PartialConf {
    std::optional<std::vector<std::string>> search;
    std::optional<ShortNameMode> short_name_mode;
    std::map<std::string, std::string> aliases;   ///< an empty value removes the alias
    std::vector<Registry> registries;
};

Error conf_error(std::string_view what, std::string_view why)
{
    return Error::msg("registries.conf " + std::string(what) + ": " + std::string(why));
}

Result<std::string> get_string(toml::node const& node, std::string_view key, std::string_view what)
{
    return TRY_CTX(config::toml_string(node, key), "registries.conf " + std::string(what));
}

Result<bool> get_bool(toml::node const& node, std::string_view key, std::string_view what)
{
    return TRY_CTX(config::toml_bool(node, key), "registries.conf " + std::string(what));
}

Result<std::vector<std::string>> get_string_array(toml::node const& node, std::string_view key, std::string_view what)
{
    return TRY_CTX(config::toml_string_array(node, key), "registries.conf " + std::string(what));
}

bool has_scheme(std::string_view location)
{
    return location.find("://") != std::string_view::npos;
}

bool is_wildcard(std::string_view prefix)
{
    return prefix.starts_with("*.");
}

/// Trims a trailing '/', refuses schemes and empty values.
Result<std::string> clean_location(std::string location, std::string_view field, std::string_view what)
{
    while (!location.empty() && location.back() == '/')
        location.pop_back();
    if (has_scheme(location))
        return conf_error(what, std::string(field) + " \"" + location
                + "\" must not include a scheme (write host[:port][/path]; set insecure = true for plain HTTP)");
    return location;
}

Result<MirrorPull> parse_mirror_pull(std::string const& text, std::string_view what)
{
    if (text == "all" || text.empty())
        return MirrorPull::All;
    if (text == "digest-only")
        return MirrorPull::DigestOnly;
    if (text == "tag-only")
        return MirrorPull::TagOnly;
    return conf_error(what, "pull-from-mirror \"" + text + "\" must be all, digest-only or tag-only");
}

Result<RegistryMirror> parse_mirror(toml::table const& table, std::string_view what)
{
    RegistryMirror mirror;
    for (auto const& [key, node] : table) {
        if (key == "location")
            mirror.location = TRY(clean_location(TRY(get_string(node, key.str(), what)), "mirror location", what));
        else if (key == "insecure")
            mirror.insecure = TRY(get_bool(node, key.str(), what));
        else if (key == "pull-from-mirror")
            mirror.pull_from = TRY(parse_mirror_pull(TRY(get_string(node, key.str(), what)), what));
        else
            log::debug("{}: ignoring unknown mirror key \"{}\"", what, key.str());
    }
    if (mirror.location.empty())
        return conf_error(what, "[[registry.mirror]] needs a location");
    return mirror;
}

ErrorOr parse_mirrors(toml::node const& node, Registry& reg, std::string_view what)
{
    auto const* array = node.as_array();
    if (!array)
        return conf_error(what, "\"mirror\" must be an array of tables ([[registry.mirror]])");
    for (auto const& element : *array) {
        auto const* table = element.as_table();
        if (!table)
            return conf_error(what, "\"mirror\" must be an array of tables ([[registry.mirror]])");
        reg.mirrors.push_back(TRY(parse_mirror(*table, what)));
    }
    return {};
}

/// Checks a [[registry]] once all its keys are read and fills the prefix default.
ErrorOr finish_registry(Registry& reg, std::string_view what)
{
    if (reg.prefix.empty())
        reg.prefix = reg.location;
    if (reg.prefix.empty())
        return conf_error(what, "[[registry]] needs a prefix or a location");
    if (has_scheme(reg.prefix))
        return conf_error(what, "prefix \"" + reg.prefix + "\" must not include a scheme");
    if (is_wildcard(reg.prefix)) {
        if (reg.prefix.size() < 3 || reg.prefix.find_first_of("/@") != std::string::npos || reg.prefix.find('*', 1) != std::string::npos)
            return conf_error(what, "wildcard prefix \"" + reg.prefix + "\" must look like *.example.com");
        return {};
    }
    if (reg.prefix.find('*') != std::string::npos)
        return conf_error(what, "prefix \"" + reg.prefix + "\": '*' is only allowed as a leading \"*.\"");
    if (reg.location.empty())
        return conf_error(what, "[[registry]] with prefix \"" + reg.prefix + "\" needs a location");
    return {};
}

Result<Registry> parse_registry(toml::table const& table, std::string_view what)
{
    Registry reg;
    for (auto const& [key, node] : table) {
        if (key == "prefix")
            reg.prefix = TRY(clean_location(TRY(get_string(node, key.str(), what)), "prefix", what));
        else if (key == "location")
            reg.location = TRY(clean_location(TRY(get_string(node, key.str(), what)), "location", what));
        else if (key == "insecure")
            reg.insecure = TRY(get_bool(node, key.str(), what));
        else if (key == "blocked")
            reg.blocked = TRY(get_bool(node, key.str(), what));
        else if (key == "mirror-by-digest-only")
            reg.mirror_by_digest_only = TRY(get_bool(node, key.str(), what));
        else if (key == "mirror")
            TRY(parse_mirrors(node, reg, what));
        else
            log::debug("{}: ignoring unknown [[registry]] key \"{}\"", what, key.str());
    }
    TRY(finish_registry(reg, what));
    return reg;
}

ErrorOr validate_alias(std::string const& name, std::string const& value, std::string_view what)
{
    auto key = Reference::parse(name);
    if (!key || !key->is_short_name() || !key->tag.empty() || key->digest)
        return conf_error(what, "alias \"" + name + "\" must be a short name without tag or digest");
    if (value.empty())
        return {};
    auto target = Reference::parse(value);
    if (!target)
        return conf_error(what, "alias \"" + name + "\": " + target.error().message);
    if (target->is_short_name() || !target->tag.empty() || target->digest)
        return conf_error(what, "alias \"" + name + "\" = \"" + value
                + "\" must be a fully qualified name (registry/repository) without tag or digest");
    return {};
}

ErrorOr parse_aliases(toml::node const& node, PartialConf& out, std::string_view what)
{
    auto const* table = node.as_table();
    if (!table)
        return conf_error(what, "[aliases] must be a table of \"name\" = \"registry/repository\"");
    for (auto const& [key, value] : *table) {
        std::string name(key.str());
        std::string target = TRY(get_string(value, name, what));
        TRY(validate_alias(name, target, what));
        out.aliases[name] = target;
    }
    return {};
}

Result<ShortNameMode> parse_short_name_mode(std::string const& text, std::string_view what)
{
    if (text == "enforcing")
        return ShortNameMode::Enforcing;
    if (text == "permissive")
        return ShortNameMode::Permissive;
    if (text == "disabled")
        return ShortNameMode::Disabled;
    return conf_error(what, "short-name-mode \"" + text + "\" must be enforcing, permissive or disabled");
}

/// Adds (or updates) a v1-style registry entry keyed by its host.
Registry& v1_registry(PartialConf& out, std::string const& host)
{
    for (auto& reg : out.registries) {
        if (reg.prefix == host)
            return reg;
    }
    out.registries.push_back(Registry { host, host });
    return out.registries.back();
}

/// The version 1 format: [registries.search], [registries.insecure], [registries.block].
ErrorOr parse_v1(toml::node const& node, PartialConf& out, std::string_view what)
{
    auto const* table = node.as_table();
    if (!table)
        return conf_error(what, "[registries] must be a table");
    for (auto const& [section, value] : *table) {
        auto const* inner = value.as_table();
        auto const* list_node = inner ? inner->get("registries") : nullptr;
        if (!list_node)
            continue;
        auto hosts = TRY(get_string_array(*list_node, "registries." + std::string(section.str()) + ".registries", what));
        if (section == "search") {
            out.search = hosts;
            continue;
        }
        for (auto const& host : hosts) {
            std::string clean = TRY(clean_location(host, "registry", what));
            if (section == "insecure")
                v1_registry(out, clean).insecure = true;
            else if (section == "block")
                v1_registry(out, clean).blocked = true;
        }
    }
    return {};
}

ErrorOr parse_registry_array(toml::node const& node, PartialConf& out, std::string_view what)
{
    auto const* array = node.as_array();
    if (!array)
        return conf_error(what, "\"registry\" must be an array of tables ([[registry]])");
    for (auto const& element : *array) {
        auto const* table = element.as_table();
        if (!table)
            return conf_error(what, "\"registry\" must be an array of tables ([[registry]])");
        out.registries.push_back(TRY(parse_registry(*table, what)));
    }
    return {};
}

ErrorOr parse_top_level(toml::table const& root, PartialConf& out, std::string_view what)
{
    bool v1 = false;
    bool v2 = false;
    for (auto const& [key, node] : root) {
        if (key == "unqualified-search-registries") {
            v2 = true;
            std::vector<std::string> list;
            for (auto& host : TRY(get_string_array(node, key.str(), what)))
                list.push_back(TRY(clean_location(host, "unqualified-search-registries entry", what)));
            out.search = std::move(list);
        } else if (key == "short-name-mode") {
            out.short_name_mode = TRY(parse_short_name_mode(TRY(get_string(node, key.str(), what)), what));
        } else if (key == "registry") {
            v2 = true;
            TRY(parse_registry_array(node, out, what));
        } else if (key == "aliases") {
            TRY(parse_aliases(node, out, what));
        } else if (key == "registries") {
            v1 = true;
            TRY(parse_v1(node, out, what));
        } else {
            log::debug("{}: ignoring unknown key \"{}\"", what, key.str());
        }
    }
    if (v1 && v2)
        return conf_error(what, "mixes the version 1 [registries.*] tables with version 2 keys; use one format");
    return {};
}

Result<PartialConf> parse_partial(std::string_view text, std::string_view what)
{
    auto root = TRY_CTX(config::parse_toml(text, what), "registries.conf " + std::string(what));
    PartialConf out;
    TRY(parse_top_level(root, out, what));
    return out;
}

using config::dropin_files;

std::string host_of(std::string_view location)
{
    return std::string(location.substr(0, location.find('/')));
}

/// Ranking of a match: longer prefixes win; an exact host beats a wildcard of the same length.
int prefix_rank(std::string_view prefix)
{
    return is_wildcard(prefix) ? int(prefix.size()) - 1 : int(prefix.size());
}

bool mirror_serves(RegistryMirror const& mirror, Registry const& reg, Reference const& ref)
{
    bool by_digest = ref.digest.has_value();
    if (reg.mirror_by_digest_only && !by_digest)
        return false;
    switch (mirror.pull_from) {
    case MirrorPull::All: return true;
    case MirrorPull::DigestOnly: return by_digest;
    case MirrorPull::TagOnly: return !by_digest;
    }
    return true;
}

/// `ref` with its first `matched` characters replaced by `location`.
Result<Reference> rewrite(Reference const& ref, int matched, std::string const& location)
{
    std::string full = ref.str();
    std::string rewritten = location + full.substr(size_t(matched));
    auto out = Reference::parse_qualified(rewritten);
    if (!out)
        return Error::msg("registries.conf: location \"" + location + "\" turns " + full + " into an invalid reference: "
            + out.error().message);
    return out;
}

} // namespace

int match_prefix(std::string_view ref, std::string_view prefix)
{
    if (is_wildcard(prefix)) {
        std::string_view suffix = prefix.substr(1);  // ".example.com"
        size_t host_end = std::min(ref.find('/'), ref.size());
        std::string_view host = ref.substr(0, host_end);
        std::string_view hostname = host.substr(0, host.find(':'));
        if (hostname.size() <= suffix.size() || !hostname.ends_with(suffix))
            return -1;
        return int(host_end);
    }
    if (prefix.empty() || !ref.starts_with(prefix))
        return -1;
    if (ref.size() == prefix.size())
        return int(prefix.size());
    char next = ref[prefix.size()];
    if (next == '/')
        return int(prefix.size());
    // After a repository path, ':' and '@' start a tag or digest; after a bare
    // host, ':' would start a port, which is a different registry.
    bool prefix_has_path = prefix.find('/') != std::string_view::npos;
    if (prefix_has_path && (next == ':' || next == '@'))
        return int(prefix.size());
    return -1;
}

RegistriesConfPaths RegistriesConfPaths::defaults(bool rootless)
{
    RegistriesConfPaths paths;
    if (char const* env = std::getenv("CONTAINERS_REGISTRIES_CONF"); env && *env) {
        paths.main = env;
        paths.main_required = true;
        return paths;
    }
    paths.main = "/etc/containers/registries.conf";
    paths.dropin_dirs.push_back("/etc/containers/registries.conf.d");
    if (!rootless)
        return paths;
    std::string config_home;
    if (char const* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg)
        config_home = xdg;
    else if (char const* home = std::getenv("HOME"); home && *home)
        config_home = fs::join(home, ".config");
    if (config_home.empty())
        return paths;
    std::string user_main = fs::join(config_home, "containers/registries.conf");
    if (fs::exists(user_main))
        paths.main = user_main;
    paths.dropin_dirs.push_back(fs::join(config_home, "containers/registries.conf.d"));
    return paths;
}

Result<RegistriesConf> RegistriesConf::load(bool rootless)
{
    return load(RegistriesConfPaths::defaults(rootless));
}

Result<RegistriesConf> RegistriesConf::load(RegistriesConfPaths const& paths)
{
    RegistriesConf conf;
    if (fs::exists(paths.main))
        TRY(conf.merge_file(paths.main));
    else if (paths.main_required)
        return Error::msg("registries.conf " + paths.main + " (from $CONTAINERS_REGISTRIES_CONF) does not exist");
    for (auto const& dir : paths.dropin_dirs) {
        for (auto const& file : dropin_files(dir))
            TRY(conf.merge_file(file));
    }
    return conf;
}

Result<RegistriesConf> RegistriesConf::parse(std::string_view toml_text, std::string_view what)
{
    RegistriesConf conf;
    TRY(conf.merge_text(toml_text, what));
    return conf;
}

ErrorOr RegistriesConf::merge_file(std::string const& path)
{
    std::string text = TRY_CTX(fs::read_file(path), "registries.conf");
    log::debug("reading registries configuration {}", path);
    return merge_text(text, path);
}

ErrorOr RegistriesConf::merge_text(std::string_view toml_text, std::string_view what)
{
    PartialConf partial = TRY(parse_partial(toml_text, what));
    if (partial.search)
        m_search = std::move(*partial.search);
    if (partial.short_name_mode)
        m_short_name_mode = *partial.short_name_mode;
    for (auto& [name, target] : partial.aliases) {
        if (target.empty())
            m_aliases.erase(name);
        else
            m_aliases[name] = target;
    }
    for (auto& reg : partial.registries) {
        auto same = std::find_if(m_registries.begin(), m_registries.end(),
            [&](Registry const& r) { return r.prefix == reg.prefix; });
        if (same != m_registries.end())
            *same = std::move(reg);
        else
            m_registries.push_back(std::move(reg));
    }
    return {};
}

Result<std::vector<Reference>> RegistriesConf::resolve(Reference const& ref) const
{
    if (!ref.is_short_name())
        return std::vector<Reference> { ref.with_default_tag() };
    std::vector<Reference> candidates;
    auto add = [&](Reference candidate) {
        if (std::find(candidates.begin(), candidates.end(), candidate) == candidates.end())
            candidates.push_back(std::move(candidate));
    };
    // As containers/image: a matching alias is the one and only candidate, in
    // every short-name-mode; the search registries are not tried after it.
    if (auto alias = m_aliases.find(ref.path); alias != m_aliases.end()) {
        Reference target = TRY_CTX(Reference::parse(alias->second), "registries.conf alias \"" + alias->first + "\"");
        target.tag = ref.tag;
        target.digest = ref.digest;
        return std::vector<Reference> { target.with_default_tag() };
    }
    if (m_search.empty()) {
        add(ref.with_domain("docker.io"));
        return candidates;
    }
    for (auto const& registry : m_search)
        add(ref.with_domain(registry));
    return candidates;
}

Registry const* RegistriesConf::find_registry(std::string_view ref) const
{
    Registry const* best = nullptr;
    int best_rank = -1;
    for (auto const& reg : m_registries) {
        if (match_prefix(ref, reg.prefix) < 0)
            continue;
        int rank = prefix_rank(reg.prefix);
        if (rank > best_rank) {
            best = &reg;
            best_rank = rank;
        }
    }
    return best;
}

Result<PullSource> RegistriesConf::pull_source(Reference const& ref) const
{
    if (ref.is_short_name())
        return Error::msg("pull " + ref.str() + ": a short name must be resolved to registry/repository first");
    PullSource source { ref, {} };
    std::string full = ref.str();
    Registry const* reg = find_registry(full);
    if (!reg) {
        source.endpoints.push_back(Endpoint { ref.domain, false, false, ref });
        return source;
    }
    if (reg->blocked)
        return Error::msg("pull " + full + ": registry \"" + reg->prefix
            + "\" is blocked in registries.conf (blocked = true)");
    int matched = match_prefix(full, reg->prefix);
    for (auto const& mirror : reg->mirrors) {
        if (!mirror_serves(mirror, *reg, ref))
            continue;
        Reference at_mirror = TRY(rewrite(ref, matched, mirror.location));
        source.endpoints.push_back(Endpoint { mirror.location, mirror.insecure, true, std::move(at_mirror) });
    }
    if (reg->location.empty()) {
        source.endpoints.push_back(Endpoint { ref.domain, reg->insecure, false, ref });
        return source;
    }
    Reference primary = TRY(rewrite(ref, matched, reg->location));
    source.endpoints.push_back(Endpoint { reg->location, reg->insecure, false, std::move(primary) });
    return source;
}

bool RegistriesConf::is_insecure(std::string const& host) const
{
    if (Registry const* reg = find_registry(host); reg && reg->insecure)
        return true;
    for (auto const& reg : m_registries) {
        if (reg.insecure && !reg.location.empty() && host_of(reg.location) == host)
            return true;
        for (auto const& mirror : reg.mirrors) {
            if (mirror.insecure && host_of(mirror.location) == host)
                return true;
        }
    }
    return false;
}

bool RegistriesConf::is_blocked(std::string const& host) const
{
    Registry const* reg = find_registry(host);
    return reg && reg->blocked;
}

} // namespace berth::image
