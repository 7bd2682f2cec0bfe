// certs.d lookup. The hard part is keeping the system trust store: libcurl's
// CAINFO replaces the default bundle, so when a certs.d directory adds CAs we
// build one in-memory PEM bundle of the system bundle (OpenSSL's default file
// or $SSL_CERT_FILE) followed by the extra certificates.
#include "registry/tls.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"

#include <openssl/x509.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

namespace berth::registry {

namespace {

std::string user_config_dir()
{
    if (char const* x = std::getenv("XDG_CONFIG_HOME"); x && *x)
        return x;
    return fs::join(sys::home_dir(), ".config");
}

/// Names of regular files in `dir`, sorted, ending in `suffix`.
std::vector<std::string> files_with_suffix(std::string const& dir, std::string_view suffix)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (auto const& entry : std::filesystem::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        if (name.size() > suffix.size() && name.ends_with(suffix))
            out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string system_ca_bundle()
{
    std::vector<std::string> candidates;
    if (char const* env = std::getenv("SSL_CERT_FILE"); env && *env)
        candidates.emplace_back(env);
    candidates.emplace_back(X509_get_default_cert_file());
    candidates.emplace_back("/etc/ssl/certs/ca-certificates.crt");
    candidates.emplace_back("/etc/pki/tls/certs/ca-bundle.crt");
    for (auto const& path : candidates) {
        auto data = fs::read_file(path);
        if (data.has_value())
            return std::move(data).value();
    }
    log::debug("no system CA bundle found; using only certs.d CAs");
    return {};
}

ErrorOr load_client_cert(std::string const& dir, http::TlsSettings& tls)
{
    for (auto const& cert : files_with_suffix(dir, ".cert")) {
        std::string key = cert.substr(0, cert.size() - 5) + ".key";
        if (!fs::exists(fs::join(dir, key)))
            return Error::msg("missing key " + key + " for client certificate " + fs::join(dir, cert));
        if (!tls.cert_file.empty()) {
            log::warn("{}: more than one client certificate; using {}", dir, tls.cert_file);
            continue;
        }
        tls.cert_file = fs::join(dir, cert);
        tls.key_file = fs::join(dir, key);
    }
    for (auto const& key : files_with_suffix(dir, ".key")) {
        std::string cert = key.substr(0, key.size() - 4) + ".cert";
        if (!fs::exists(fs::join(dir, cert)))
            return Error::msg("missing client certificate " + cert + " for key " + fs::join(dir, key));
    }
    return {};
}

} // namespace

std::vector<std::string> cert_dir_candidates(std::string const& host, std::string const& cert_dir_flag)
{
    if (!cert_dir_flag.empty())
        return { cert_dir_flag };
    std::vector<std::string> dirs;
    if (::geteuid() != 0)
        dirs.push_back(fs::join(user_config_dir(), "containers/certs.d/" + host));
    dirs.push_back("/etc/containers/certs.d/" + host);
    dirs.push_back("/etc/docker/certs.d/" + host);
    return dirs;
}

Result<http::TlsSettings> load_tls_settings(std::string const& host, std::string const& cert_dir_flag)
{
    http::TlsSettings tls;
    auto candidates = cert_dir_candidates(host, cert_dir_flag);
    auto found = std::find_if(candidates.begin(), candidates.end(), [](auto const& d) { return fs::is_dir(d); });
    if (found == candidates.end())
        return tls;
    std::string const& dir = *found;
    log::debug("TLS material for {} from {}", host, dir);

    std::string extra;
    for (auto const& name : files_with_suffix(dir, ".crt")) {
        std::string pem = TRY_CTX(fs::read_file(fs::join(dir, name)), "reading CA certificate");
        extra += pem;
        if (!pem.empty() && pem.back() != '\n')
            extra += '\n';
    }
    if (!extra.empty()) {
        tls.ca_blob = system_ca_bundle();
        if (!tls.ca_blob.empty() && tls.ca_blob.back() != '\n')
            tls.ca_blob += '\n';
        tls.ca_blob += extra;
    }
    TRY(load_client_cert(dir, tls));
    return tls;
}

} // namespace berth::registry
