// berth search: find repositories in registries (or list one repository's
// tags) and print them as Podman 4.3 does: NAME and DESCRIPTION by default,
// the Docker columns with --compatible, NAME and TAG with --list-tags, a JSON
// array or a Go template with --format. No results print nothing.
#include "cli/commands.h"
#include "engine/images/images.h"
#include "engine/images/search.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace berth::cli {

namespace {

/// Podman cuts descriptions after this many bytes unless --no-trunc.
constexpr size_t description_width = 44;

struct SearchArgs {
    std::string term;
    std::string authfile, cert_dir, creds, format;
    std::vector<std::string> filters;
    int limit = 0;
    bool list_tags = false, no_trunc = false, compatible = false, tls_verify = true;
    CLI::Option* tls_option = nullptr;
};

/// A description on one line, cut to 44 bytes with "..." (unless --no-trunc or
/// JSON), as Podman cuts it, but never inside a UTF-8 sequence.
std::string shown_description(std::string text, bool truncate)
{
    std::replace(text.begin(), text.end(), '\n', ' ');
    if (truncate && text.size() > description_width) {
        size_t cut = description_width;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        text.resize(cut);
        auto first = text.find_first_not_of(' ');
        auto last = text.find_last_not_of(' ');
        text = (first == std::string::npos ? std::string() : text.substr(first, last - first + 1)) + "...";
    }
    return text;
}

/// --list-tags --format json: one {"Name", "Tags"} object a repository.
Json tags_json(std::vector<engine::SearchResult> const& results)
{
    Json out = Json::array();
    for (auto const& r : results) {
        if (out.empty() || out.back()["Name"] != r.name)
            out.push_back(Json { { "Name", r.name }, { "Tags", Json::array() } });
        out.back()["Tags"].push_back(r.tag);
    }
    return out;
}

/// A result with Podman's field names: Json for templates, OrderedJson for
/// --format json, which keeps Podman's field order.
template<typename J>
J result_json(engine::SearchResult const& r, bool truncate)
{
    return J {
        { "Index", r.index },
        { "Name", r.name },
        { "Description", shown_description(r.description, truncate) },
        { "Stars", r.stars },
        { "Official", r.official ? "[OK]" : "" },
        { "Automated", r.automated ? "[OK]" : "" },
        { "Tag", r.tag },
    };
}

Result<engine::SearchOptions> search_options(SearchArgs const& a)
{
    engine::SearchOptions options { .limit = a.limit, .filters = a.filters, .list_tags = a.list_tags,
        .authfile = a.authfile, .cert_dir = a.cert_dir };
    if (a.tls_option && a.tls_option->count())
        options.tls_verify = a.tls_verify;
    if (!a.creds.empty())
        options.credentials = TRY(engine::parse_creds_flag(a.creds));
    if (!a.authfile.empty() && ::access(a.authfile.c_str(), F_OK) != 0)
        return Error { errno, "--authfile " + a.authfile + ": " + std::strerror(errno) };
    return options;
}

int run_search(SearchArgs const& a, Globals const&)
{
    auto options = search_options(a);
    if (!options)
        return report(options.error());
    auto results = engine::search(a.term, *options);
    if (!results)
        return report(results.error());
    if (results->empty())
        return 0;
    bool json = false;
    if (!a.format.empty()) {
        auto tmpl = format::Template::parse(a.format);
        if (!tmpl)
            return report(tmpl.error());
        json = tmpl->is_json();
    }
    if (a.list_tags) {
        // Podman lists tags as NAME TAG whatever the template, unless it asks for JSON.
        if (json) {
            print_json(tags_json(*results));
            return 0;
        }
        std::vector<Json> rows;
        for (auto const& r : *results)
            rows.push_back(Json { { "Name", r.name }, { "Tag", r.tag } });
        return print_formatted("table {{.Name}}\t{{.Tag}}", rows);
    }
    if (json) {
        OrderedJson docs = OrderedJson::array();
        for (auto const& r : *results)
            docs.push_back(result_json<OrderedJson>(r, false));
        print_json(docs);
        return 0;
    }
    std::vector<Json> rows;
    for (auto const& r : *results)
        rows.push_back(result_json<Json>(r, !a.no_trunc));
    std::string format = a.format;
    if (format.empty())
        format = a.compatible ? "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}"
                              : "table {{.Name}}\t{{.Description}}";
    return print_formatted(format, rows);
}

} // namespace

void setup_search(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<SearchArgs>();
    auto* cmd = parent.add_subcommand("search", "Search registries for an image");
    cmd->add_option("term", a->term,
           "What to look for: a name part, or REGISTRY/TERM to search REGISTRY alone (REGISTRY/ lists its repositories)")
        ->required();
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
    cmd->add_option("--cert-dir", a->cert_dir, "Directory with certificates (*.crt, *.cert, *.key) for the registry");
    cmd->add_flag("--compatible", a->compatible, "List the stars, official and automated columns too (Docker compatibility)");
    cmd->add_option("--creds", a->creds, "Credentials USERNAME[:PASSWORD] for the registry");
    cmd->add_option("-f,--filter", a->filters, "Filter: stars=N, is-automated[=BOOL], is-official[=BOOL]")->allow_extra_args(false);
    cmd->add_option("--format", a->format, "Go template for each result, 'table ...' for a table, or 'json'");
    cmd->add_option("--limit", a->limit, "At most this many results a registry (default 25)");
    cmd->add_flag("--list-tags", a->list_tags, "List the tags of the repository TERM names");
    cmd->add_flag("--no-trunc", a->no_trunc, "Do not truncate descriptions");
    a->tls_option = cmd->add_flag("--tls-verify", a->tls_verify,
        "Require HTTPS and verify certificates (--tls-verify=false to allow HTTP and unverified TLS)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_search(*a, globals); });
}

} // namespace berth::cli
