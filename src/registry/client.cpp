// The OCI Distribution API calls (manifests, blobs, uploads, tags, the
// catalog, and Docker Hub's v1 search) on top of
// Session, which owns ping, auth, retries and redirects.
//
// The hard parts here are integrity and uploads. A manifest's digest is
// computed from the exact bytes received and checked against both
// Docker-Content-Digest and any digest the caller asked for. Uploads follow
// the spec's session protocol: POST opens a session and returns a Location
// (possibly relative, possibly on another host) that changes after every
// PATCH; small blobs go in one PUT, large ones in 16 MiB PATCH chunks with
// Content-Range, and a cross-repository mount is tried first when offered.
#include "registry/client.h"

#include "base/json.h"
#include "base/log.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "image/manifest.h"
#include "registry/http.h"
#include "registry/session.h"
#include "registry/tls.h"

#include <algorithm>
#include <fcntl.h>

namespace berth::registry {

namespace {

constexpr int max_tag_pages = 10000;
constexpr int max_catalog_pages = 10000;

std::string const manifest_accept = std::string("Accept: ") + image::media_type::oci_manifest + ", "
    + image::media_type::oci_index + ", " + image::media_type::docker_manifest + ", " + image::media_type::docker_list;

bool is_success(long status) { return status >= 200 && status < 300; }

/// "name@sha256:..." for digests, "name:tag" for tags.
std::string ref_string(std::string const& repository, std::string const& ref)
{
    return repository + (ref.find(':') == std::string::npos ? ":" : "@") + ref;
}

std::string add_query(std::string const& url, std::string const& query)
{
    return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

/// The media type from Content-Type, or from the body when the server sent a generic one.
std::string manifest_media_type(std::string content_type, std::string const& body)
{
    content_type = content_type.substr(0, content_type.find(';'));
    while (!content_type.empty() && content_type.back() == ' ')
        content_type.pop_back();
    if (!content_type.empty() && content_type != "text/plain" && content_type != "application/json"
        && content_type != "application/octet-stream")
        return content_type;
    auto doc = json::parse(body, "manifest");
    if (!doc.has_value() || !doc->is_object())
        return content_type;
    if (doc->contains("mediaType") && (*doc)["mediaType"].is_string())
        return (*doc)["mediaType"].get<std::string>();
    if (doc->contains("schemaVersion") && (*doc)["schemaVersion"] == 1)
        return "application/vnd.docker.distribution.manifest.v1+prettyjws";
    if (doc->contains("manifests"))
        return image::media_type::oci_index;
    return image::media_type::oci_manifest;
}

} // namespace

struct Client::Impl {
    Impl(std::string host, ClientOptions options, http::TlsSettings tls)
        : session(std::move(host), std::move(options), std::move(tls))
    {
    }
    Session session;

    Result<std::string> repo_url(std::string const& repository, std::string const& rest)
    {
        return TRY(session.base_url()) + "/v2/" + repository + "/" + rest;
    }
    ErrorOr check_manifest_digest(ManifestResponse const& m, http::Response const& r, std::string const& name, std::string const& ref);
    Result<std::string> start_upload(std::string const& repository, image::Digest const& digest, std::string const& mount_from, bool& mounted);
    Result<std::string> upload_chunks(Call base, std::string location, int fd, int64_t size, int64_t chunk_size, ProgressFn const& progress);
    ErrorOr finish_upload(Call base, std::string const& location, image::Digest const& digest, std::optional<http::Body> body, ProgressFn progress);
};

Client::Client(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::create(std::string host, ClientOptions options)
{
    if (host.empty())
        return Error::msg("registry client: empty registry host");
    http::global_init();
    http::TlsSettings tls = TRY_CTX(load_tls_settings(host, options.cert_dir), "TLS settings for " + host);
    auto impl = std::make_unique<Impl>(std::move(host), std::move(options), std::move(tls));
    return std::unique_ptr<Client>(new Client(std::move(impl)));
}

std::string const& Client::host() const { return m_impl->session.host(); }

ErrorOr Client::check_login() { return m_impl->session.check_login(); }

// ---- manifests ---------------------------------------------------------------

ErrorOr Client::Impl::check_manifest_digest(ManifestResponse const& m, http::Response const& r, std::string const& name, std::string const& ref)
{
    if (std::string header = r.header("docker-content-digest"); !header.empty()) {
        auto sent = image::Digest::parse(header);
        if (!sent.has_value())
            log::debug("{}: ignoring unparsable Docker-Content-Digest \"{}\"", name, header);
        else if (sent->algorithm() == "sha256" && *sent != m.digest)
            return Error::msg("manifest digest mismatch for " + name + " in " + session.host() + ": registry says " + sent->str() + ", content is " + m.digest.str());
    }
    if (ref.find(':') != std::string::npos) {
        image::Digest wanted = TRY_CTX(image::Digest::parse(ref), "fetching manifest " + name);
        if (wanted.algorithm() == "sha256" && wanted != m.digest)
            return Error::msg("manifest digest mismatch for " + name + " in " + session.host() + ": content is " + m.digest.str());
    }
    return {};
}

Result<ManifestResponse> Client::get_manifest(std::string const& repository, std::string const& ref)
{
    std::string name = ref_string(repository, ref);
    Call call { .what = "fetching manifest " + name + " from " + host(), .headers = { manifest_accept },
        .redirects = Redirects::Follow, .repository = repository, .scopes = { Session::scope(repository, false) } };
    call.url = TRY(m_impl->repo_url(repository, "manifests/" + ref));
    Exchange ex = TRY(m_impl->session.execute(call));
    if (ex.response.status == 404)
        return Error { ENOENT, "manifest unknown: " + name + " not found in " + host() };
    if (!is_success(ex.response.status))
        return m_impl->session.status_error(ex, call);
    ManifestResponse m;
    m.media_type = manifest_media_type(ex.response.header("content-type"), ex.response.body);
    m.digest = image::Digest::sha256_of(ex.response.body);
    m.body = std::move(ex.response.body);
    TRY(m_impl->check_manifest_digest(m, ex.response, name, ref));
    return m;
}

ErrorOr Client::put_manifest(std::string const& repository, std::string const& ref, std::string_view body, std::string const& media_type)
{
    std::string name = ref_string(repository, ref);
    Call call { .what = "uploading manifest " + name + " to " + host(), .method = "PUT",
        .headers = { "Content-Type: " + media_type }, .body = http::Body { .memory = body },
        .repository = repository, .scopes = { Session::scope(repository, true) } };
    call.url = TRY(m_impl->repo_url(repository, "manifests/" + ref));
    Exchange ex = TRY(m_impl->session.execute(call));
    if (!is_success(ex.response.status))
        return m_impl->session.status_error(ex, call);
    return {};
}

// ---- blobs -------------------------------------------------------------------

ErrorOr Client::get_blob(std::string const& repository, image::Digest const& digest, DataSink sink, ProgressFn progress)
{
    Call call { .what = "fetching blob " + digest.str() + " from " + host() + "/" + repository, .sink = std::move(sink),
        .progress = std::move(progress), .redirects = Redirects::Follow, .repository = repository,
        .scopes = { Session::scope(repository, false) } };
    call.url = TRY(m_impl->repo_url(repository, "blobs/" + digest.str()));
    Exchange ex = TRY(m_impl->session.execute(call));
    if (ex.response.status == 404)
        return Error { ENOENT, "blob unknown: " + digest.str() + " not found in " + host() + "/" + repository };
    if (!is_success(ex.response.status))
        return m_impl->session.status_error(ex, call);
    return {};
}

Result<bool> Client::blob_exists(std::string const& repository, image::Digest const& digest)
{
    Call call { .what = "checking blob " + digest.str() + " in " + host() + "/" + repository, .method = "HEAD",
        .redirects = Redirects::Follow, .repository = repository, .scopes = { Session::scope(repository, false) } };
    call.url = TRY(m_impl->repo_url(repository, "blobs/" + digest.str()));
    Exchange ex = TRY(m_impl->session.execute(call));
    if (ex.response.status == 404)
        return false;
    if (!is_success(ex.response.status))
        return m_impl->session.status_error(ex, call);
    return true;
}

Result<std::string> Client::Impl::start_upload(std::string const& repository, image::Digest const& digest, std::string const& mount_from, bool& mounted)
{
    mounted = false;
    Call call { .what = "starting upload to " + session.host() + "/" + repository, .method = "POST",
        .repository = repository, .scopes = { Session::scope(repository, true) } };
    std::string uploads = TRY(repo_url(repository, "blobs/uploads/"));
    if (!mount_from.empty() && mount_from != repository) {
        call.url = uploads + "?mount=" + http::escape(digest.str()) + "&from=" + http::escape(mount_from);
        call.scopes.push_back(Session::scope(mount_from, false));
        Exchange ex = TRY(session.execute(call));
        if (ex.response.status == 201) {
            mounted = true;
            return std::string();
        }
        if (ex.response.status == 202 && !ex.response.header("location").empty())
            return http::resolve_url(call.url, ex.response.header("location"));
        log::debug("mounting {} from {} refused (HTTP {}); uploading", digest.str(), mount_from, ex.response.status);
        call.scopes.pop_back();
    }
    call.url = uploads;
    Exchange ex = TRY(session.execute(call));
    if (!is_success(ex.response.status))
        return session.status_error(ex, call);
    std::string location = ex.response.header("location");
    if (location.empty())
        return Error::msg(call.what + ": the registry sent no upload location");
    return http::resolve_url(call.url, location);
}

Result<std::string> Client::Impl::upload_chunks(Call base, std::string location, int fd, int64_t size, int64_t chunk_size, ProgressFn const& progress)
{
    base.method = "PATCH";
    for (int64_t offset = 0; offset < size; offset += chunk_size) {
        int64_t length = std::min(chunk_size, size - offset);
        Call call = base;
        call.url = location;
        call.headers = { "Content-Type: application/octet-stream",
            "Content-Range: " + std::to_string(offset) + "-" + std::to_string(offset + length - 1) };
        call.body = http::Body { .fd = fd, .offset = offset, .length = length };
        if (progress)
            call.progress = [&progress, offset, size](int64_t done, int64_t) { progress(offset + done, size); };
        Exchange ex = TRY(session.execute(call));
        if (!is_success(ex.response.status))
            return session.status_error(ex, call);
        if (std::string next = ex.response.header("location"); !next.empty())
            location = TRY(http::resolve_url(location, next));
    }
    return location;
}

ErrorOr Client::Impl::finish_upload(Call call, std::string const& location, image::Digest const& digest, std::optional<http::Body> body, ProgressFn progress)
{
    call.method = "PUT";
    call.url = add_query(location, "digest=" + http::escape(digest.str()));
    call.headers = { "Content-Type: application/octet-stream" };
    call.body = body ? body : http::Body {};
    call.progress = std::move(progress);
    Exchange ex = TRY(session.execute(call));
    if (!is_success(ex.response.status))
        return session.status_error(ex, call);
    return {};
}

ErrorOr Client::put_blob(std::string const& repository, image::Digest const& digest, std::string const& path,
    int64_t size, std::string const& mount_from, ProgressFn progress)
{
    std::string what = "uploading blob " + digest.str() + " to " + host() + "/" + repository;
    bool mounted = false;
    std::string location = TRY_CTX(m_impl->start_upload(repository, digest, mount_from, mounted), what);
    if (mounted) {
        log::debug("blob {} mounted from {}", digest.str(), mount_from);
        return {};
    }
    UniqueFd fd = TRY_CTX(sys::open(path, O_RDONLY | O_CLOEXEC), what);
    Call base { .what = what, .repository = repository, .scopes = { Session::scope(repository, true) } };
    ClientOptions const& options = m_impl->session.options();
    if (size <= options.monolithic_upload_limit)
        return m_impl->finish_upload(base, location, digest, http::Body { .fd = fd.get(), .offset = 0, .length = size }, std::move(progress));
    location = TRY(m_impl->upload_chunks(base, location, fd.get(), size, std::max<int64_t>(options.upload_chunk_size, 1), progress));
    return m_impl->finish_upload(base, location, digest, std::nullopt, {});
}

// ---- tags --------------------------------------------------------------------

Result<std::vector<std::string>> Client::list_tags(std::string const& repository)
{
    Call call { .what = "listing tags of " + host() + "/" + repository, .repository = repository,
        .scopes = { Session::scope(repository, false) } };
    call.url = TRY(m_impl->repo_url(repository, "tags/list"));
    std::vector<std::string> tags;
    for (int page = 0; page < max_tag_pages; ++page) {
        Exchange ex = TRY(m_impl->session.execute(call));
        if (ex.response.status == 404)
            return Error { ENOENT, "repository " + host() + "/" + repository + " not found" };
        if (!is_success(ex.response.status))
            return m_impl->session.status_error(ex, call);
        Json doc = TRY_CTX(json::parse(ex.response.body, "tag list"), call.what);
        if (doc.is_object() && doc.contains("tags") && doc["tags"].is_array())
            for (auto const& t : doc["tags"])
                if (t.is_string())
                    tags.push_back(t.get<std::string>());
        std::string next = http::next_link(ex.response.header("link"));
        if (next.empty())
            return tags;
        call.url = TRY_CTX(http::resolve_url(call.url, next), call.what);
    }
    return Error::msg(call.what + ": too many pages");
}

// ---- search ------------------------------------------------------------------

namespace {

std::string string_field(Json const& item, char const* key)
{
    return item.contains(key) && item[key].is_string() ? item[key].get<std::string>() : std::string();
}

RepositoryInfo repository_info(Json const& item)
{
    RepositoryInfo info;
    info.name = string_field(item, "name");
    info.description = string_field(item, "description");
    if (item.contains("star_count") && item["star_count"].is_number_integer())
        info.stars = item["star_count"].get<int64_t>();
    info.official = item.contains("is_official") && item["is_official"].is_boolean() && item["is_official"].get<bool>();
    info.automated = item.contains("is_automated") && item["is_automated"].is_boolean() && item["is_automated"].get<bool>();
    return info;
}

} // namespace

Result<std::optional<std::vector<RepositoryInfo>>> Client::search(std::string const& term, int limit)
{
    Call call { .what = "searching " + host() + " for \"" + term + "\"" };
    call.url = TRY(m_impl->session.base_url()) + "/v1/search?q=" + http::escape(term) + "&n=" + std::to_string(limit);
    Exchange ex = TRY(m_impl->session.execute(call));
    if (ex.response.status != 200) {
        log::debug("{}: HTTP {}: no v1 search API", call.what, ex.response.status);
        return std::optional<std::vector<RepositoryInfo>>();
    }
    Json doc = TRY_CTX(json::parse(ex.response.body, "search results"), call.what);
    std::vector<RepositoryInfo> found;
    if (doc.is_object() && doc.contains("results") && doc["results"].is_array())
        for (auto const& item : doc["results"])
            if (item.is_object())
                found.push_back(repository_info(item));
    return std::optional(std::move(found));
}

ErrorOr Client::list_catalog(CatalogPage const& page, int page_size)
{
    Call call { .what = "listing the repositories of " + host(), .scopes = { "registry:catalog:*" } };
    call.url = TRY(m_impl->session.base_url()) + "/v2/_catalog";
    if (page_size > 0)
        call.url += "?n=" + std::to_string(page_size);
    for (int n = 0; n < max_catalog_pages; ++n) {
        Exchange ex = TRY(m_impl->session.execute(call));
        if (!is_success(ex.response.status))
            return m_impl->session.status_error(ex, call);
        Json doc = TRY_CTX(json::parse(ex.response.body, "catalog"), call.what);
        std::vector<std::string> repositories;
        if (doc.is_object() && doc.contains("repositories") && doc["repositories"].is_array())
            for (auto const& r : doc["repositories"])
                if (r.is_string())
                    repositories.push_back(r.get<std::string>());
        if (!page(repositories))
            return {};
        std::string next = http::next_link(ex.response.header("link"));
        if (next.empty())
            return {};
        call.url = TRY_CTX(http::resolve_url(call.url, next), call.what);
    }
    return Error::msg(call.what + ": too many pages");
}

} // namespace berth::registry
