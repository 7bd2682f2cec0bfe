// A thin RAII layer over one libcurl easy handle per transfer: it sends one
// request, captures the status and headers of the final response, and either
// streams a 2xx body into a DataSink or keeps (a bounded amount of) it in
// memory. It never follows redirects and knows nothing about registries,
// auth or retries; client.cpp builds those on top.
#pragma once

#include "base/error.h"
#include "registry/client.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::registry::http {

/// TLS settings for one registry host (see tls.h).
struct TlsSettings {
    bool verify = true;
    std::string ca_blob;     ///< PEM bundle (system CAs + certs.d); empty: libcurl's default
    std::string cert_file;   ///< client certificate (PEM), optional
    std::string key_file;    ///< its key
};

/// A request body: either a region of a file or a buffer in memory.
struct Body {
    int fd = -1;               ///< read with pread from `offset`, `length` bytes
    int64_t offset = 0;
    int64_t length = 0;
    std::string_view memory;   ///< used when fd < 0
    int64_t size() const { return fd >= 0 ? length : static_cast<int64_t>(memory.size()); }
};

struct Request {
    std::string method = "GET";        ///< GET, HEAD, POST, PUT, PATCH, DELETE
    std::string url;
    std::vector<std::string> headers;  ///< "Name: value"
    std::optional<Body> body;
    DataSink sink;                     ///< receives a 2xx body if set
    ProgressFn progress;
    int64_t resume_from = 0;           ///< a 200 (not 206) answer skips this many body bytes
    size_t max_body = 4 << 20;         ///< limit for bodies kept in memory
    TlsSettings const* tls = nullptr;
    std::string user_agent = "berth";
};

struct Response {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  ///< names lowercased, in order
    std::string body;                  ///< non-2xx bodies, or all bodies when no sink
    std::string redirect_url;          ///< absolute Location of a 3xx, resolved by libcurl
    int64_t delivered = 0;             ///< bytes handed to the sink in this transfer

    /// First header `name` (lowercase), or "".
    std::string header(std::string_view name) const;
    std::vector<std::string> header_all(std::string_view name) const;
};

/// What one transfer produced: a response, a transport failure, or a sink error.
struct Outcome {
    int curl_code = 0;                 ///< CURLcode; 0 = the response is complete
    int os_errno = 0;
    std::string error;                 ///< one-line libcurl message
    bool retryable = false;            ///< transient transport error worth retrying
    bool certificate_error = false;    ///< the server's certificate could not be verified
    std::optional<Error> sink_error;   ///< the sink (or the body limit) aborted the transfer
    Response response;
    bool ok() const { return curl_code == 0 && !sink_error; }
};

/// Initialises libcurl once per process (thread-safe).
void global_init();
/// Performs one request on a fresh easy handle.
Outcome perform(Request const& request);
/// Percent-encodes a query value.
std::string escape(std::string_view text);
/// Resolves `ref` (absolute or relative, e.g. a Location header) against `base`.
Result<std::string> resolve_url(std::string const& base, std::string const& ref);
/// The target of a Link header's `rel="next"` entry (pagination of tags/list
/// and _catalog): `</v2/_catalog?last=a&n=3>; rel="next"` -> "/v2/_catalog?last=a&n=3";
/// "" when there is none.
std::string next_link(std::string_view link);
/// "host[:port]" of an absolute URL, lowercased; "" if it cannot be parsed.
std::string url_authority(std::string const& url);

} // namespace berth::registry::http
