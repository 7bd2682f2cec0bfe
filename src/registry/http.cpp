// libcurl plumbing: RAII owners for the easy handle, header lists and URL
// handles, and the callbacks that capture headers, route the body and feed
// uploads. The subtle parts: libcurl reports every response it sees (100
// Continue, redirects), so the header callback starts a fresh header set at
// each status line; the body is only streamed to the sink once we know the
// final status is 2xx, so a registry's JSON error never lands in a layer file;
// and a resumed download (Range) that the server answers with 200 must drop
// the bytes the sink already has.
#include "registry/http.h"

#include "registry/curl_stubs.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unistd.h>

namespace berth::registry::http {

namespace {

struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;
using UrlHandle = std::unique_ptr<CURLU, UrlDeleter>;

/// Per-transfer state shared with the callbacks.
struct Transfer {
    Request const* request = nullptr;
    Response response;
    std::optional<Error> sink_error;
    int64_t to_skip = 0;      // bytes of a 200 answer to a Range request still to drop
    int64_t uploaded = 0;     // body bytes read so far
    bool body_started = false;
};

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

size_t on_header(char* data, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * count);
    line = trim(line);
    if (line.substr(0, 5) == "HTTP/") {
        // A new response (after 100 Continue or a redirect): start over.
        t->response.headers.clear();
        auto sp = line.find(' ');
        t->response.status = sp == std::string_view::npos ? 0 : std::strtol(std::string(line.substr(sp + 1, 3)).c_str(), nullptr, 10);
        return size * count;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos)
        t->response.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    size_t n = size * count;
    Request const& req = *t->request;
    long status = t->response.status;
    if (!t->body_started) {
        t->body_started = true;
        t->to_skip = (status == 200 && req.resume_from > 0) ? req.resume_from : 0;
    }
    if (req.sink && status >= 200 && status < 300) {
        size_t skip = static_cast<size_t>(std::min<int64_t>(t->to_skip, static_cast<int64_t>(n)));
        t->to_skip -= static_cast<int64_t>(skip);
        if (skip == n)
            return n;
        auto r = req.sink(data + skip, n - skip);
        if (!r.has_value()) {
            t->sink_error = std::move(r).error();
            return 0; // aborts with CURLE_WRITE_ERROR
        }
        t->response.delivered += static_cast<int64_t>(n - skip);
        return n;
    }
    if (t->response.body.size() + n > req.max_body) {
        t->sink_error = Error::msg("response body larger than " + std::to_string(req.max_body) + " bytes");
        return 0;
    }
    t->response.body.append(data, n);
    return n;
}

size_t on_read(char* buffer, size_t size, size_t count, void* user)
{
    auto* t = static_cast<Transfer*>(user);
    Body const& body = *t->request->body;
    int64_t left = body.size() - t->uploaded;
    size_t want = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(size * count)));
    if (want == 0)
        return 0;
    if (body.fd < 0) {
        std::copy_n(body.memory.data() + t->uploaded, want, buffer);
        t->uploaded += static_cast<int64_t>(want);
        return want;
    }
    ssize_t got;
    do
        got = ::pread(body.fd, buffer, want, body.offset + t->uploaded);
    while (got < 0 && errno == EINTR);
    if (got <= 0) {
        t->sink_error = got < 0 ? Error::from_errno("reading upload body") : Error::msg("reading upload body: file is shorter than expected");
        return CURL_READFUNC_ABORT;
    }
    t->uploaded += got;
    return static_cast<size_t>(got);
}

int on_progress(void* user, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    auto* t = static_cast<Transfer*>(user);
    Request const& req = *t->request;
    if (req.body)
        req.progress(ulnow, ultotal);
    else
        req.progress(req.resume_from + dlnow, dltotal ? req.resume_from + dltotal : 0);
    return 0;
}

bool is_retryable(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return true;
    default:
        return false;
    }
}

void set_method(CURL* h, Request const& req)
{
    if (req.method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (req.method == "POST") {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body ? req.body->size() : 0));
        if (!req.body)
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    } else if (req.method == "PUT" || req.method == "PATCH") {
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(req.body ? req.body->size() : 0));
        if (req.method == "PATCH")
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PATCH");
    } else if (req.method != "GET") {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
}

void set_tls(CURL* h, TlsSettings const* tls)
{
    if (!tls)
        return;
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls->verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls->verify ? 2L : 0L);
    if (!tls->ca_blob.empty()) {
        curl_blob blob { const_cast<char*>(tls->ca_blob.data()), tls->ca_blob.size(), CURL_BLOB_NOCOPY };
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!tls->cert_file.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, tls->cert_file.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, tls->key_file.c_str());
    }
}

} // namespace

std::string Response::header(std::string_view name) const
{
    for (auto const& [k, v] : headers)
        if (k == name)
            return v;
    return {};
}

std::vector<std::string> Response::header_all(std::string_view name) const
{
    std::vector<std::string> out;
    for (auto const& [k, v] : headers)
        if (k == name)
            out.push_back(v);
    return out;
}

void global_init()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Outcome perform(Request const& req)
{
    global_init();
    Outcome out;
    EasyHandle handle(curl_easy_init());
    if (!handle) {
        out.curl_code = CURLE_FAILED_INIT;
        std::string why = curl_library_error();
        out.error = "cannot initialise libcurl" + (why.empty() ? std::string() : ": " + why);
        return out;
    }
    CURL* h = handle.get();
    Transfer t;
    t.request = &req;
    char errbuf[CURL_ERROR_SIZE] = {};

    // Headers: ours, plus "Expect:" so uploads do not wait for 100 Continue.
    HeaderList headers;
    for (auto const& line : req.headers)
        headers.reset(curl_slist_append(headers.release(), line.c_str()));
    headers.reset(curl_slist_append(headers.release(), "Expect:"));
    if (req.resume_from > 0)
        headers.reset(curl_slist_append(headers.release(), ("Range: bytes=" + std::to_string(req.resume_from) + "-").c_str()));

    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, req.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
    // A stalled connection (under 1 byte/s for 2 minutes) counts as a timeout.
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    // Layer blobs are megabytes: a 512 KiB receive buffer (curl's default is 16 KiB)
    // cuts the read/poll/write calls of a pull by an order of magnitude.
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 512L * 1024L);
    if (req.body) {
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &t);
    }
    if (req.progress) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    }
    set_method(h, req);
    set_tls(h, req.tls);

    CURLcode code = curl_easy_perform(h);
    out.sink_error = std::move(t.sink_error);
    out.response = std::move(t.response);
    if (code != CURLE_OK && !out.sink_error) {
        long os_errno = 0;
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
        out.curl_code = code;
        out.os_errno = static_cast<int>(os_errno);
        out.error = errbuf[0] ? std::string(trim(errbuf)) : curl_easy_strerror(code);
        out.retryable = is_retryable(code);
        out.certificate_error = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE;
        return out;
    }
    char* redirect = nullptr;
    if (out.response.status >= 300 && out.response.status < 400
        && curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect)
        out.response.redirect_url = redirect;
    return out;
}

std::string escape(std::string_view text)
{
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            static char const hex[] = "0123456789ABCDEF";
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

Result<std::string> resolve_url(std::string const& base, std::string const& ref)
{
    UrlHandle u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK)
        return Error::msg("invalid URL \"" + base + "\"");
    if (curl_url_set(u.get(), CURLUPART_URL, ref.c_str(), 0) != CURLUE_OK)
        return Error::msg("invalid URL \"" + ref + "\" relative to \"" + base + "\"");
    char* out = nullptr;
    if (curl_url_get(u.get(), CURLUPART_URL, &out, 0) != CURLUE_OK)
        return Error::msg("invalid URL \"" + ref + "\"");
    std::string result(out);
    curl_free(out);
    return result;
}

std::string next_link(std::string_view link)
{
    // RFC 8288: `<target>; param; param, <target>; ...`. The target is
    // delimited by angle brackets, so a comma inside it does not end the entry.
    size_t pos = 0;
    while ((pos = link.find('<', pos)) != std::string_view::npos) {
        size_t close = link.find('>', pos);
        if (close == std::string_view::npos)
            return {};
        std::string_view target = link.substr(pos + 1, close - pos - 1);
        size_t end = std::min(link.find('<', close), link.size());
        std::string params = lower(std::string(link.substr(close + 1, end - close - 1)));
        size_t rel = params.find("rel=");
        if (rel != std::string::npos) {
            std::string value = params.substr(rel + 4);
            value = value.substr(0, value.find_first_of(";,"));
            std::erase(value, '"');
            // rel may name several relation types: rel="next last".
            for (size_t at = 0; at < value.size();) {
                size_t space = std::min(value.find(' ', at), value.size());
                if (value.substr(at, space - at) == "next")
                    return std::string(target);
                at = space + 1;
            }
        }
        pos = close;
    }
    return {};
}

std::string url_authority(std::string const& url)
{
    UrlHandle u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
        return {};
    char* host = nullptr;
    char* port = nullptr;
    if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK)
        return {};
    std::string out = lower(host);
    curl_free(host);
    if (curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        out.append(":").append(port);
        curl_free(port);
    }
    return out;
}

} // namespace berth::registry::http
