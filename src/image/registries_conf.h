// registries.conf (containers-registries.conf(5), version 2, and the old v1
// tables): short-name search registries, aliases, per-registry mirrors,
// location rewriting, insecure and blocked registries, with drop-in files
// from registries.conf.d merged in lexical order.
#pragma once

#include "base/error.h"
#include "image/reference.h"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::image {

/// One place to fetch an image from.
struct Endpoint {
    std::string location;        ///< "127.0.0.1:5000" or "mirror.example/ns", as configured
    bool insecure = false;       ///< plain HTTP / unverified TLS allowed
    bool mirror = false;         ///< a [[registry.mirror]] rather than the registry itself
    Reference reference;         ///< the image to fetch there: the input rewritten with prefix -> location
};

/// Where to fetch a fully qualified reference from.
struct PullSource {
    Reference reference;             ///< the reference as asked for (what the image is stored as)
    std::vector<Endpoint> endpoints; ///< mirrors first (in order), then the primary location
};

enum class ShortNameMode { Disabled, Permissive, Enforcing };

/// Which references a mirror serves ("pull-from-mirror").
enum class MirrorPull { All, DigestOnly, TagOnly };

struct RegistryMirror {
    std::string location;
    bool insecure = false;
    MirrorPull pull_from = MirrorPull::All;
};

/// One [[registry]] table.
struct Registry {
    std::string prefix;          ///< "example.com/foo", "*.example.com"; defaults to location
    std::string location;        ///< empty only for a wildcard prefix (no rewriting)
    bool insecure = false;
    bool blocked = false;
    bool mirror_by_digest_only = false;
    std::vector<RegistryMirror> mirrors;
};

/// Default file locations used by RegistriesConf::load.
struct RegistriesConfPaths {
    std::string main;                      ///< the registries.conf to read (may not exist)
    bool main_required = false;            ///< named by $CONTAINERS_REGISTRIES_CONF: must exist
    std::vector<std::string> dropin_dirs;  ///< registries.conf.d directories, lowest priority first

    /// $CONTAINERS_REGISTRIES_CONF (only that file); else for rootless
    /// $XDG_CONFIG_HOME/containers/registries.conf (~/.config/...) if it exists,
    /// else /etc/containers/registries.conf; drop-ins from /etc/containers/registries.conf.d
    /// and, rootless, ~/.config/containers/registries.conf.d.
    static RegistriesConfPaths defaults(bool rootless);
};

class RegistriesConf {
public:
    /// Reads the configuration from the default locations; missing files mean defaults.
    static Result<RegistriesConf> load(bool rootless);
    /// Reads the main file and drop-ins named by `paths`.
    static Result<RegistriesConf> load(RegistriesConfPaths const& paths);
    /// Parses one TOML document; `what` names it in errors (a path, or "test").
    static Result<RegistriesConf> parse(std::string_view toml_text, std::string_view what);
    /// Merges a drop-in file over this configuration: search registries and
    /// short-name-mode are replaced when set, aliases are merged per key, and a
    /// [[registry]] replaces an earlier one with the same prefix.
    ErrorOr merge_file(std::string const& path);
    /// Like merge_file, from text.
    ErrorOr merge_text(std::string_view toml_text, std::string_view what);

    /// Short name -> candidates: when an alias matches, its target alone (the
    /// search registries are not tried, as in Podman); otherwise each
    /// unqualified-search registry (docker.io adds library/ for single-component
    /// names); with no search registries configured, docker.io as Docker does.
    /// Candidates get :latest when the input has neither tag nor digest.
    /// A fully qualified reference resolves to itself.
    Result<std::vector<Reference>> resolve(Reference const& ref) const;
    /// Where to fetch a fully qualified reference from: mirrors (in order)
    /// then the registry itself, with location rewriting by the longest
    /// matching prefix; an error if the registry is blocked.
    Result<PullSource> pull_source(Reference const& ref) const;
    /// Whether `host` ("127.0.0.1:5000") is marked insecure, as a registry or as a mirror.
    bool is_insecure(std::string const& host) const;
    /// Whether pulling from `host` is forbidden.
    bool is_blocked(std::string const& host) const;
    /// The [[registry]] whose prefix best matches `ref` ("host/path:tag"), or nullptr.
    Registry const* find_registry(std::string_view ref) const;

    std::vector<std::string> const& search_registries() const { return m_search; }
    std::map<std::string, std::string> const& aliases() const { return m_aliases; }
    std::vector<Registry> const& registries() const { return m_registries; }
    ShortNameMode short_name_mode() const { return m_short_name_mode; }

private:
    std::vector<std::string> m_search;
    std::map<std::string, std::string> m_aliases;
    std::vector<Registry> m_registries;
    ShortNameMode m_short_name_mode = ShortNameMode::Permissive;
};

/// Length of `ref`'s match against a registries.conf prefix, or -1 if it does
/// not match: "example.com/foo" matches "example.com/foo/bar" and
/// "example.com/foo:tag" but not "example.com/foobar"; "*.example.com" matches
/// any subdomain's references.
int match_prefix(std::string_view ref, std::string_view prefix);

} // namespace berth::image
