// A client for the OCI Distribution API over libcurl.
//
// One Client talks to one registry host for one repository at a time; it pings
// /v2/, learns the auth scheme from WWW-Authenticate, and retries a request once
// with credentials (Basic) or a token fetched from the Bearer realm. Transport
// errors and 5xx/429 answers are retried with back-off up to `retries` times.
// HTTPS is used unless the registry is marked insecure (registries.conf or
// --tls-verify=false), in which case HTTPS without verification is tried first
// and plain HTTP second, as Podman does. CAs come from
// /etc/containers/certs.d/<host>/*.crt (and ~/.config/containers/certs.d/ rootless),
// plus /etc/docker/certs.d/<host>/.
#pragma once

#include "base/error.h"
#include "image/digest.h"
#include "image/reference.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::registry {

struct Credentials {
    std::string username;
    std::string password;   ///< or an identity token when username is "<token>"
    bool empty() const { return username.empty() && password.empty(); }
};

struct ClientOptions {
    std::optional<bool> tls_verify;     ///< unset: from registries.conf / default true
    bool insecure = false;              ///< registries.conf says insecure = true
    std::optional<Credentials> credentials;  ///< --creds; else looked up in the auth files
    std::string authfile;               ///< --authfile; else the default auth.json chain
    std::string cert_dir;               ///< --cert-dir; else certs.d lookup
    int retries = 3;                    ///< --retry
    std::optional<std::chrono::milliseconds> retry_delay;  ///< --retry-delay; unset: 1, 2, 4, 8, 10, 10... s
    std::string user_agent = "berth";
    int64_t monolithic_upload_limit = int64_t(64) << 20;  ///< blobs up to this size go in one PUT
    int64_t upload_chunk_size = int64_t(16) << 20;        ///< PATCH size for larger blobs
};

struct ManifestResponse {
    std::string body;
    std::string media_type;             ///< Content-Type (or detected)
    image::Digest digest;               ///< sha256 of body, checked against Docker-Content-Digest and any digest asked for
};

/// A repository as a registry's search API describes it (Docker Hub's /v1/search).
struct RepositoryInfo {
    std::string name;                   ///< "library/alpine", or "alpine" for an official image
    std::string description;
    int64_t stars = 0;
    bool official = false;
    bool automated = false;
};

/// Receives one page of repository names (GET /v2/_catalog); returns false to stop paging.
using CatalogPage = std::function<bool(std::vector<std::string> const& repositories)>;

/// Receives body bytes as they arrive; return an Error to abort the transfer.
using DataSink = std::function<ErrorOr(char const* data, size_t size)>;
/// Reports bytes so far and total (0 if unknown), for progress bars.
using ProgressFn = std::function<void(int64_t done, int64_t total)>;

class Client {
public:
    /// `host` is the registry host as written in references ("docker.io",
    /// "127.0.0.1:5000"); docker.io is contacted as registry-1.docker.io.
    static Result<std::unique_ptr<Client>> create(std::string host, ClientOptions options);
    ~Client();

    /// GET /v2/<repo>/manifests/<ref> with Accept for OCI+Docker manifests and indexes.
    /// Errors: "manifest unknown" (tag or digest not found), 401/403 with a hint to log in.
    Result<ManifestResponse> get_manifest(std::string const& repository, std::string const& ref);
    /// GET a blob, streaming into `sink`. Does NOT verify the digest: callers hash while storing.
    ErrorOr get_blob(std::string const& repository, image::Digest const& digest, DataSink sink, ProgressFn progress = {});
    /// HEAD a blob: true if the registry has it.
    Result<bool> blob_exists(std::string const& repository, image::Digest const& digest);
    /// Uploads a blob read from `path` (POST then PUT monolithic; chunked PATCH for
    /// large blobs), trying a cross-repository mount from `mount_from` first if given.
    ErrorOr put_blob(std::string const& repository, image::Digest const& digest, std::string const& path,
        int64_t size, std::string const& mount_from = {}, ProgressFn progress = {});
    /// PUT /v2/<repo>/manifests/<ref>.
    ErrorOr put_manifest(std::string const& repository, std::string const& ref, std::string_view body, std::string const& media_type);
    /// GET /v2/ with credentials: succeeds iff the credentials are accepted (for login).
    ErrorOr check_login();
    /// GET /v2/<repo>/tags/list.
    Result<std::vector<std::string>> list_tags(std::string const& repository);
    /// GET /v1/search?q=<term>&n=<limit>, the search API of Docker Hub. nullopt
    /// when the registry does not offer it (any answer but 200), as a
    /// distribution registry does not: the caller then reads the catalog.
    Result<std::optional<std::vector<RepositoryInfo>>> search(std::string const& term, int limit);
    /// GET /v2/_catalog (`n` per page when page_size > 0), following each
    /// Link rel="next" until `page` returns false or the registry has no more.
    /// The registry-wide Bearer scope "registry:catalog:*" is asked for.
    ErrorOr list_catalog(CatalogPage const& page, int page_size = 0);

    std::string const& host() const;

private:
    struct Impl;
    explicit Client(std::unique_ptr<Impl>);
    std::unique_ptr<Impl> m_impl;
};

} // namespace berth::registry
