// `search`: the registries to ask, the two ways of asking (Docker Hub's v1
// search, else the v2 catalog filtered by name), --list-tags, and Podman's
// rules for limits and filters. Nothing here prints; the CLI renders the rows.
#include "engine/images/search.h"

#include "base/log.h"
#include "image/reference.h"
#include "image/registries_conf.h"

#include <algorithm>
#include <charconv>
#include <unistd.h>

namespace berth::engine {

namespace {

/// Podman's default number of results a registry (libimage searchMaxQueries).
constexpr size_t default_search_limit = 25;

/// Docker Hub serves its search API on the v1 index host, not on registry-1.
std::string search_host(std::string const& registry)
{
    return registry == "docker.io" ? "index.docker.io" : registry;
}

Result<std::unique_ptr<registry::Client>> make_client(std::string const& host, SearchOptions const& options,
    image::RegistriesConf const& conf)
{
    registry::ClientOptions client_options;
    client_options.insecure = conf.is_insecure(host);
    client_options.tls_verify = options.tls_verify;
    client_options.credentials = options.credentials;
    client_options.authfile = options.authfile;
    client_options.cert_dir = options.cert_dir;
    client_options.retries = 0;   // Podman's search does not retry: an unreachable registry fails at once
    return registry::Client::create(host, client_options);
}

/// The repositories of `registry` that match `term`: from its v1 search API
/// when it has one, else from its catalog.
Result<std::vector<registry::RepositoryInfo>> find_repositories(registry::Client& client, std::string const& term, size_t limit)
{
    // An empty term lists the catalog: Docker Hub's search wants a query.
    if (!term.empty()) {
        auto found = TRY(client.search(term, static_cast<int>(limit)));
        if (found)
            return std::move(*found);
    }
    std::vector<std::string> names;
    TRY(client.list_catalog([&](std::vector<std::string> const& page) {
        return add_catalog_matches(page, term, limit, names);
    }));
    std::vector<registry::RepositoryInfo> found;
    for (auto& name : names)
        found.push_back(registry::RepositoryInfo { .name = std::move(name) });
    return found;
}

Result<std::vector<SearchResult>> search_registry(std::string const& registry, std::string const& term,
    SearchOptions const& options, SearchFilter const& filter, image::RegistriesConf const& conf)
{
    auto client = TRY(make_client(search_host(registry), options, conf));
    auto found = TRY(find_repositories(*client, term, search_query_limit(options.limit)));
    std::vector<SearchResult> results;
    size_t count = search_output_count(options.limit, found.size());
    for (size_t i = 0; i < count; ++i) {
        auto const& repo = found[i];
        SearchResult result { .index = registry, .name = registry + "/" + repo.name, .description = repo.description,
            .stars = repo.stars, .official = repo.official, .automated = repo.automated };
        if (registry == "docker.io" && repo.name.find('/') == std::string::npos)
            result.name = "docker.io/library/" + repo.name;
        if (search_filter_matches(filter, result))
            results.push_back(std::move(result));
    }
    return results;
}

Result<std::vector<SearchResult>> list_registry_tags(std::string const& registry, std::string const& term,
    SearchOptions const& options, image::RegistriesConf const& conf)
{
    std::string text = registry + "/" + term;
    auto ref = image::Reference::parse_qualified(text);
    if (!ref || term.empty())
        return Error { EINVAL, "reference \"" + text + "\" must be a docker reference: --list-tags lists the tags of one repository, e.g. " + registry + "/busybox" };
    auto client = TRY(make_client(ref->domain, options, conf));
    auto tags = TRY_CTX(client->list_tags(ref->path), "getting repository tags");
    std::vector<SearchResult> results;
    size_t count = search_output_count(options.limit, tags.size());
    for (size_t i = 0; i < count; ++i)
        results.push_back(SearchResult { .index = registry, .name = ref->repository(), .tag = tags[i] });
    return results;
}

/// is-automated and is-official as Podman reads them: no value, or any value
/// but "false", means true.
bool filter_bool(std::string_view value, bool has_value) { return !(has_value && value == "false"); }

} // namespace

Result<SearchFilter> parse_search_filters(std::vector<std::string> const& filters)
{
    SearchFilter filter;
    for (auto const& f : filters) {
        auto eq = f.find('=');
        std::string key = f.substr(0, eq);
        std::string value = eq == std::string::npos ? std::string() : f.substr(eq + 1);
        bool has_value = eq != std::string::npos;
        if (key == "stars") {
            if (!has_value)
                return Error { EINVAL, "invalid filter \"" + f + "\", should be stars=<value>" };
            int64_t stars = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), stars);
            if (ec != std::errc() || end != value.data() + value.size() || value.empty())
                return Error { EINVAL, "incorrect value type for stars filter: \"" + value + "\" is not a whole number" };
            filter.stars = stars;
        } else if (key == "is-automated") {
            filter.automated = filter_bool(value, has_value);
        } else if (key == "is-official") {
            filter.official = filter_bool(value, has_value);
        } else {
            return Error { EINVAL, "invalid filter type \"" + f + "\": use stars=N, is-automated=BOOL or is-official=BOOL" };
        }
    }
    return filter;
}

bool search_filter_matches(SearchFilter const& filter, SearchResult const& result)
{
    if (result.stars < filter.stars)
        return false;
    if (filter.automated && *filter.automated != result.automated)
        return false;
    return !filter.official || *filter.official == result.official;
}

SearchTerm split_search_term(std::string const& text)
{
    auto slash = text.find('/');
    if (slash == std::string::npos)
        return { {}, text };
    std::string first = text.substr(0, slash);
    if (first.find_first_of(".:") == std::string::npos && first != "localhost")
        return { {}, text };
    return { first, text.substr(slash + 1) };
}

size_t search_query_limit(int limit) { return limit > 0 ? static_cast<size_t>(limit) : default_search_limit; }

size_t search_output_count(int limit, size_t found)
{
    if (limit < 0)
        return 0;
    return std::min(found, limit == 0 ? default_search_limit : static_cast<size_t>(limit));
}

bool add_catalog_matches(std::vector<std::string> const& page, std::string const& term, size_t limit,
    std::vector<std::string>& found)
{
    for (auto const& name : page) {
        if (found.size() >= limit)
            break;
        if (name.find(term) == std::string::npos)
            continue;
        // An exact match goes first (Podman, bugzilla 1976283), if the limit lets us see it.
        if (name == term)
            found.insert(found.begin(), name);
        else
            found.push_back(name);
    }
    return found.size() < limit;
}

Result<std::vector<SearchResult>> search(std::string const& text, SearchOptions const& options)
{
    if (options.list_tags && !options.filters.empty())
        return Error { EINVAL, "filters are not applicable to list tags result" };
    SearchFilter filter = TRY(parse_search_filters(options.filters));
    auto conf = TRY(image::RegistriesConf::load(::geteuid() != 0));
    SearchTerm term = split_search_term(text);
    std::vector<std::string> registries { term.registry };
    if (term.registry.empty()) {
        registries = conf.search_registries();
        // No search registries configured: Docker Hub, as pull resolves short names.
        if (registries.empty())
            registries = { "docker.io" };
    }
    std::vector<SearchResult> results;
    std::string errors;
    for (auto const& registry : registries) {
        auto found = options.list_tags ? list_registry_tags(registry, term.term, options, conf)
                                       : search_registry(registry, term.term, options, filter, conf);
        if (!found) {
            if (found.error().code == EINVAL)
                return std::move(found).error();
            std::string message = options.list_tags ? found.error().message
                                                    : "couldn't search registry \"" + registry + "\": " + found.error().message;
            log::debug("search: {}", message);
            errors += (errors.empty() ? "" : "; ") + message;
            continue;
        }
        std::move(found->begin(), found->end(), std::back_inserter(results));
    }
    // One registry that answered is taken to hold what the user looks for.
    if (results.empty() && !errors.empty())
        return Error::msg(errors);
    return results;
}

} // namespace berth::engine
