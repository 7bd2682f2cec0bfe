// `search`: find repositories in registries, or list one repository's tags.
//
// A term with a registry prefix ("localhost:5000/busy") searches that
// registry alone; any other term searches each unqualified-search registry
// of registries.conf. A registry that offers Docker Hub's /v1/search answers
// with descriptions and stars; any other (the distribution registry) is read
// through GET /v2/_catalog, page by page, and the repositories whose name
// contains the term are listed. Limits, the order of the results and the
// filters follow Podman 4.3 (containers/common libimage): at most 25 results
// a registry by default, an exact match first, filters applied after the limit.
#pragma once

#include "base/error.h"
#include "registry/client.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// What `search --filter` asks for.
struct SearchFilter {
    int64_t stars = 0;                 ///< stars=N: at least N stars
    std::optional<bool> automated;     ///< is-automated[=BOOL]
    std::optional<bool> official;      ///< is-official[=BOOL]
};

/// Parses --filter stars=N, is-automated[=BOOL], is-official[=BOOL] as Podman
/// does (a boolean is false only when written "false"). EINVAL names a filter
/// that is unknown or a stars value that is not a whole number.
Result<SearchFilter> parse_search_filters(std::vector<std::string> const& filters);

/// One row of `search`.
struct SearchResult {
    std::string index;        ///< the registry searched: "localhost:5000"
    std::string name;         ///< "localhost:5000/busybox"; Docker Hub's official images as docker.io/library/NAME
    std::string description;
    int64_t stars = 0;
    bool official = false;
    bool automated = false;
    std::string tag;          ///< --list-tags only
};

bool search_filter_matches(SearchFilter const& filter, SearchResult const& result);

/// The registry part of a search term and what to look for there.
struct SearchTerm {
    std::string registry;     ///< "" when the term names none: the search registries are asked
    std::string term;         ///< "busy" (may be "" to list everything)
};
/// Splits "localhost:5000/busy" into registry and term. The first component
/// is a registry when it looks like a host (has '.' or ':', or is
/// "localhost"), as image references are read; "library/alpine" is a term.
SearchTerm split_search_term(std::string const& text);

/// How many repositories to ask a registry for: --limit, or 25.
size_t search_query_limit(int limit);
/// How many of `found` results a registry contributes: up to 25 without
/// --limit, up to --limit with it, none for a negative --limit (as Podman).
size_t search_output_count(int limit, size_t found);

/// Adds the names in one catalog page that contain `term` to `found`, until it
/// holds `limit`; a name equal to the term goes first. Returns whether more are wanted.
bool add_catalog_matches(std::vector<std::string> const& page, std::string const& term, size_t limit,
    std::vector<std::string>& found);

struct SearchOptions {
    int limit = 0;                     ///< --limit; 0: up to 25 a registry
    std::vector<std::string> filters;  ///< --filter
    bool list_tags = false;            ///< --list-tags: the term is one repository
    std::optional<bool> tls_verify;    ///< --tls-verify when given; else registries.conf decides
    std::optional<registry::Credentials> credentials;  ///< --creds
    std::string authfile;              ///< --authfile
    std::string cert_dir;              ///< --cert-dir
};

/// Searches the registries for `term` (or lists its tags). When some registry
/// answered, its results are returned and the others' errors only logged, as
/// Podman does; when none did, the error names each registry that failed.
/// EINVAL: a bad --filter, --filter with --list-tags, or --list-tags of a
/// term that is not a repository.
Result<std::vector<SearchResult>> search(std::string const& term, SearchOptions const& options);

} // namespace berth::engine
