// The connection-level half of the registry client (internal to registry/):
// which base URL answers (HTTPS, or HTTP for insecure registries), what auth
// scheme the registry asked for, the Bearer tokens obtained so far, and the
// retry/redirect loop every request goes through. client.cpp builds the
// Distribution API calls on top of Session::execute().
#pragma once

#include "base/error.h"
#include "registry/client.h"
#include "registry/http.h"
#include "registry/www_authenticate.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace berth::registry {

enum class Redirects { Refuse, Follow };

/// One logical request; Session adds auth, retries and redirects.
struct Call {
    std::string what;                   ///< error context: "fetching blob sha256:..."
    std::string method = "GET";
    std::string url;                    ///< absolute
    std::vector<std::string> headers;
    std::optional<http::Body> body;
    DataSink sink;
    ProgressFn progress;
    Redirects redirects = Redirects::Refuse;
    std::string repository;             ///< for credentials and messages ("" = registry-wide)
    std::vector<std::string> scopes;    ///< Bearer token scopes
};

/// How a request was authorised, for choosing the error message.
enum class AuthUsed { None, Basic, BearerAnonymous, BearerWithCredentials };

struct Exchange {
    http::Response response;
    AuthUsed auth = AuthUsed::None;
};

class Session {
public:
    Session(std::string host, ClientOptions options, http::TlsSettings tls);

    std::string const& host() const { return m_host; }
    ClientOptions const& options() const { return m_options; }
    /// The base URL ("https://host") after pinging; pings on first use.
    Result<std::string> base_url();
    /// Pings if needed, authorises, sends with retries, and re-authorises once on 401.
    Result<Exchange> execute(Call const& call);
    /// The error for a non-success answer: auth hints for 401/403, else "what: HTTP n: message".
    Error status_error(Exchange const& exchange, Call const& call) const;
    /// For login: succeeds iff the registry accepts the credentials.
    ErrorOr check_login();
    /// "repository:<repo>:pull" / ":pull,push".
    static std::string scope(std::string const& repository, bool push);

private:
    ErrorOr ensure_pinged();
    /// Tries each base URL once. Ok with m_pinged set: one answered. Ok without:
    /// all failed (see first_failure, transient). Error: an answer that is not a registry.
    ErrorOr ping_round(bool verify, std::vector<std::string> const& bases, bool& transient, http::Outcome& first_failure);
    Result<std::optional<Credentials>> credentials(std::string const& repository);
    Result<std::string> authorization(Call const& call, bool refresh, AuthUsed& used);
    Result<std::string> fetch_token(AuthChallenge const& challenge, std::vector<std::string> const& scopes, std::optional<Credentials> const& creds);
    Result<http::Response> send(Call const& call, std::string const& auth);
    http::Outcome transfer(Call const& call, std::string const& auth, int64_t resume_from);
    void update_challenge(http::Response const& response);
    void backoff(int attempt, std::string const& why) const;

    std::string m_host;       // as in references: "docker.io"
    std::string m_api_host;   // what we connect to: "registry-1.docker.io"
    ClientOptions m_options;
    http::TlsSettings m_tls;

    std::mutex m_ping_mutex;  // held while pinging; guards the two below
    bool m_pinged = false;
    std::string m_base_url;

    std::mutex m_mutex;       // guards everything below
    std::optional<AuthChallenge> m_challenge;
    std::map<std::string, std::string> m_tokens;   // scopes -> token
    std::map<std::string, std::optional<Credentials>> m_credentials;  // repository -> looked-up credentials
};

/// The registry's own error text from a {"errors":[{"message":...}]} body, or "".
std::string registry_error_message(std::string const& body);

} // namespace berth::registry
