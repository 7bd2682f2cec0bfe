// Session: ping, authentication and the retry loop.
//
// The flow for every call: ping /v2/ once (learning the scheme that answers
// and the auth challenge), attach what the challenge asks for (Basic
// credentials, or a Bearer token for the call's scopes, cached per scope
// set), send with retries, and if the registry still says 401 (token
// expired, wider scope needed) take its new challenge, fetch a fresh token
// and send once more. The hard parts are the redirect rule (registries send
// blob GETs to storage hosts, which must not see our Authorization header)
// and resuming a partly streamed download with Range instead of feeding the
// sink the same bytes twice.
#include "registry/session.h"

#include "base/json.h"
#include "base/log.h"
#include "registry/auth.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace berth::registry {

namespace {

constexpr int max_redirects = 10;

bool is_success(long status) { return status >= 200 && status < 300; }
bool is_transient(long status) { return status == 429 || status >= 500; }

std::string join(std::vector<std::string> const& parts, char const* sep)
{
    std::string out;
    for (auto const& p : parts)
        out += (out.empty() ? "" : sep) + p;
    return out;
}

Error transport_error(std::string const& what, http::Outcome const& out)
{
    return Error { out.os_errno ? out.os_errno : EIO, what + ": " + out.error };
}

std::string login_hint(std::string const& host) { return "log in with \"berth login " + host + "\""; }

} // namespace

std::string registry_error_message(std::string const& body)
{
    auto doc = json::parse(body, "registry error");
    if (!doc.has_value() || !doc->is_object() || !doc->contains("errors") || !(*doc)["errors"].is_array())
        return {};
    std::vector<std::string> messages;
    for (auto const& e : (*doc)["errors"]) {
        if (e.is_object() && e.contains("message") && e["message"].is_string())
            messages.push_back(e["message"].get<std::string>());
        else if (e.is_object() && e.contains("code") && e["code"].is_string())
            messages.push_back(e["code"].get<std::string>());
    }
    return join(messages, "; ");
}

Session::Session(std::string host, ClientOptions options, http::TlsSettings tls)
    : m_host(std::move(host))
    , m_api_host(m_host == "docker.io" ? "registry-1.docker.io" : m_host)
    , m_options(std::move(options))
    , m_tls(std::move(tls))
{
    m_tls.verify = m_options.tls_verify.value_or(!m_options.insecure);
}

std::string Session::scope(std::string const& repository, bool push)
{
    return "repository:" + repository + (push ? ":pull,push" : ":pull");
}

void Session::backoff(int attempt, std::string const& why) const
{
    std::chrono::milliseconds delay = m_options.retry_delay.value_or(std::chrono::seconds(std::min(10, 1 << std::min(attempt, 4))));
    log::debug("{}: {}; retrying in {} ms ({}/{})", m_host, why, delay.count(), attempt + 1, m_options.retries);
    std::this_thread::sleep_for(delay);
}

// ---- ping ------------------------------------------------------------------

Result<std::string> Session::base_url()
{
    TRY(ensure_pinged());
    std::lock_guard lock(m_ping_mutex);
    return m_base_url;
}

ErrorOr Session::ping_round(bool verify, std::vector<std::string> const& bases, bool& transient, http::Outcome& first_failure)
{
    for (auto const& base : bases) {
        http::TlsSettings tls = m_tls;
        tls.verify = verify;
        http::Request req { .url = base + "/v2/", .tls = &tls, .user_agent = m_options.user_agent };
        req.max_body = 64 << 10;
        http::Outcome out = http::perform(req);
        if (!out.ok()) {
            if (first_failure.error.empty())
                first_failure = out;
            transient = transient || out.retryable;
            continue;
        }
        long status = out.response.status;
        if (is_transient(status)) {
            transient = true;
            if (first_failure.error.empty()) {
                first_failure = out;
                first_failure.error = "HTTP " + std::to_string(status);
            }
            return {};
        }
        if (status != 200 && status != 401)
            return Error::msg("pinging container registry " + m_host + ": HTTP " + std::to_string(status) + " from " + base + "/v2/: not an OCI registry?");
        m_base_url = base;
        m_pinged = true;
        if (status == 401)
            update_challenge(out.response);
        log::debug("registry {} answers at {} ({})", m_host, base, status == 401 ? "auth required" : "anonymous");
        return {};
    }
    return {}; // nobody answered: the caller looks at first_failure
}

ErrorOr Session::ensure_pinged()
{
    std::lock_guard lock(m_ping_mutex);
    if (m_pinged)
        return {};
    // Insecure registries: HTTPS without verification first, then plain HTTP (as Podman).
    std::vector<std::string> bases { "https://" + m_api_host };
    if (!m_tls.verify)
        bases.push_back("http://" + m_api_host);
    for (int attempt = 0;; ++attempt) {
        bool transient = false;
        http::Outcome first_failure;
        TRY(ping_round(m_tls.verify, bases, transient, first_failure));
        if (m_pinged)
            return {};
        if (first_failure.certificate_error)
            first_failure.error += " (add the registry's CA to /etc/containers/certs.d/" + m_host + "/ or use --tls-verify=false)";
        if (!transient || attempt >= m_options.retries)
            return transport_error("pinging container registry " + m_host, first_failure);
        backoff(attempt, first_failure.error);
    }
}

// ---- auth ------------------------------------------------------------------

void Session::update_challenge(http::Response const& response)
{
    auto challenges = parse_www_authenticate(response.header("www-authenticate"));
    AuthChallenge const* chosen = preferred_challenge(challenges);
    std::lock_guard lock(m_mutex);
    if (chosen)
        m_challenge = *chosen;
}

Result<std::optional<Credentials>> Session::credentials(std::string const& repository)
{
    if (m_options.credentials && !m_options.credentials->empty())
        return m_options.credentials;
    std::lock_guard lock(m_mutex);
    auto it = m_credentials.find(repository);
    if (it != m_credentials.end())
        return it->second;
    std::string key = repository.empty() ? m_host : m_host + "/" + repository;
    auto creds = TRY(lookup_credentials(key, m_options.authfile));
    m_credentials.emplace(repository, creds);
    return creds;
}

Result<std::string> Session::fetch_token(AuthChallenge const& challenge, std::vector<std::string> const& scopes, std::optional<Credentials> const& creds)
{
    std::string realm = challenge.param("realm");
    if (realm.empty())
        return Error::msg("registry " + m_host + " asked for a bearer token but named no realm");
    std::string service = challenge.param("service");
    Call call { .what = "requesting bearer token from " + realm, .redirects = Redirects::Follow };
    std::string form;
    if (creds && creds->username == "<token>") {
        // An identity token is exchanged through the OAuth2 refresh-token grant.
        form = "grant_type=refresh_token&client_id=berth&refresh_token=" + http::escape(creds->password);
        if (!service.empty())
            form += "&service=" + http::escape(service);
        for (auto const& s : scopes)
            form += "&scope=" + http::escape(s);
        call.method = "POST";
        call.url = realm;
        call.headers.push_back("Content-Type: application/x-www-form-urlencoded");
        call.body = http::Body { .memory = form };
    } else {
        std::string query;
        if (!service.empty())
            query += "&service=" + http::escape(service);
        for (auto const& s : scopes)
            query += "&scope=" + http::escape(s);
        call.url = query.empty() ? realm : realm + (realm.find('?') == std::string::npos ? "?" : "&") + query.substr(1);
        if (creds)
            call.headers.push_back("Authorization: Basic " + encode_auth(*creds));
    }
    http::Response resp = TRY(send(call, {}));
    if (resp.status == 401 || resp.status == 403) {
        if (creds)
            return Error { EACCES, "invalid username/password for " + m_host + ": " + login_hint(m_host) + " again" };
        return Error { EACCES, "authentication required for " + m_host + ": " + login_hint(m_host) };
    }
    if (!is_success(resp.status))
        return Error::msg(call.what + ": HTTP " + std::to_string(resp.status));
    Json doc = TRY_CTX(json::parse(resp.body, "token response"), call.what);
    for (char const* field : { "token", "access_token" })
        if (doc.is_object() && doc.contains(field) && doc[field].is_string() && !doc[field].get<std::string>().empty())
            return doc[field].get<std::string>();
    return Error::msg(call.what + ": the response has no token");
}

Result<std::string> Session::authorization(Call const& call, bool refresh, AuthUsed& used)
{
    std::optional<AuthChallenge> challenge;
    {
        std::lock_guard lock(m_mutex);
        challenge = m_challenge;
    }
    used = AuthUsed::None;
    if (!challenge)
        return std::string();
    auto creds = TRY(credentials(call.repository));
    if (challenge->scheme == "basic") {
        if (!creds || creds->username == "<token>")
            return std::string();
        used = AuthUsed::Basic;
        return "Authorization: Basic " + encode_auth(*creds);
    }
    used = creds ? AuthUsed::BearerWithCredentials : AuthUsed::BearerAnonymous;
    std::string key = join(call.scopes, " ");
    if (!refresh) {
        std::lock_guard lock(m_mutex);
        if (auto it = m_tokens.find(key); it != m_tokens.end())
            return "Authorization: Bearer " + it->second;
    }
    std::string token = TRY(fetch_token(*challenge, call.scopes, creds));
    std::lock_guard lock(m_mutex);
    m_tokens[key] = token;
    return "Authorization: Bearer " + token;
}

// ---- sending ---------------------------------------------------------------

http::Outcome Session::transfer(Call const& call, std::string const& auth, int64_t resume_from)
{
    std::string url = call.url;
    // Authorization only ever goes to the host the call was addressed to.
    std::string const origin = http::url_authority(call.url);
    bool send_auth = !auth.empty();
    for (int hop = 0;; ++hop) {
        http::Request req { .method = call.method, .url = url, .headers = call.headers, .body = call.body,
            .sink = call.sink, .progress = call.progress, .resume_from = resume_from, .tls = &m_tls,
            .user_agent = m_options.user_agent };
        if (send_auth)
            req.headers.push_back(auth);
        http::Outcome out = http::perform(req);
        long status = out.response.status;
        bool redirect = status >= 300 && status < 400 && !out.response.redirect_url.empty();
        if (!out.ok() || call.redirects == Redirects::Refuse || !redirect)
            return out;
        if (hop >= max_redirects) {
            out.curl_code = -1;
            out.error = "too many redirects";
            return out;
        }
        url = out.response.redirect_url;
        if (http::url_authority(url) != origin)
            send_auth = false;
        log::debug("{} redirected to {}", call.what, url);
    }
}

Result<http::Response> Session::send(Call const& call, std::string const& auth)
{
    int64_t delivered = 0;
    for (int attempt = 0;; ++attempt) {
        http::Outcome out = transfer(call, auth, delivered);
        delivered += out.response.delivered;
        if (out.sink_error)
            return Error(*out.sink_error).with_context(call.what);
        bool transient = out.curl_code ? out.retryable : is_transient(out.response.status);
        if (transient && attempt < m_options.retries) {
            backoff(attempt, out.curl_code ? out.error : "HTTP " + std::to_string(out.response.status));
            continue;
        }
        if (out.curl_code)
            return transport_error(call.what, out);
        return std::move(out.response);
    }
}

Result<Exchange> Session::execute(Call const& call)
{
    // Ping and auth errors are already complete sentences ("pinging container
    // registry h: ...", "authentication required for h: ..."): no extra context.
    TRY(ensure_pinged());
    Exchange ex;
    std::string auth = TRY(authorization(call, false, ex.auth));
    ex.response = TRY(send(call, auth));
    if (ex.response.status != 401)
        return ex;
    // Expired token or a wider scope: take the new challenge and try once more.
    update_challenge(ex.response);
    std::string fresh = TRY(authorization(call, true, ex.auth));
    if (fresh.empty() || (fresh == auth && ex.auth == AuthUsed::Basic))
        return ex;
    ex.response = TRY(send(call, fresh));
    return ex;
}

Error Session::status_error(Exchange const& ex, Call const& call) const
{
    long status = ex.response.status;
    std::string message = registry_error_message(ex.response.body);
    std::string where = call.repository.empty() ? m_host : m_host + "/" + call.repository;
    if (status == 401) {
        if (ex.auth == AuthUsed::Basic)
            return Error { EACCES, "invalid username/password for " + m_host + ": " + login_hint(m_host) + " again" };
        if (ex.auth == AuthUsed::BearerWithCredentials)
            return Error { EACCES, "access to " + where + " denied" + (message.empty() ? "" : " (" + message + ")") + ": check the repository name and your permissions" };
        return Error { EACCES, "authentication required for " + m_host + ": " + login_hint(m_host) };
    }
    if (status == 403)
        return Error { EACCES, "access to " + where + " denied" + (message.empty() ? "" : " (" + message + ")") + ": check the repository name and your permissions" };
    return Error { status == 404 ? ENOENT : 0, call.what + ": HTTP " + std::to_string(status) + (message.empty() ? "" : " (" + message + ")") };
}

ErrorOr Session::check_login()
{
    TRY(ensure_pinged());
    auto creds = TRY(credentials(""));
    if (!creds)
        return Error::msg("logging in to " + m_host + ": no credentials given");
    std::optional<AuthChallenge> challenge;
    {
        std::lock_guard lock(m_mutex);
        challenge = m_challenge;
    }
    if (!challenge) {
        log::debug("{} does not require authentication", m_host);
        return {};
    }
    if (challenge->scheme == "bearer") {
        TRY(fetch_token(*challenge, {}, creds));
        return {};
    }
    Call call { .what = "logging in to " + m_host, .url = TRY(base_url()) + "/v2/" };
    Exchange ex;
    ex.auth = AuthUsed::Basic;
    ex.response = TRY(send(call, "Authorization: Basic " + encode_auth(*creds)));
    if (!is_success(ex.response.status))
        return status_error(ex, call);
    return {};
}

} // namespace berth::registry
