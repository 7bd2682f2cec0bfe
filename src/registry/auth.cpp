// auth.json and Docker config files: finding, reading and writing registry
// credentials compatibly with Podman and Docker. The hard parts are the key
// spellings (Docker writes "https://index.docker.io/v1/", Podman "docker.io",
// and either may be scoped to "host/namespace/repo"), which are normalised on
// read and lookup so that the longest matching key wins within a file; and
// rewriting a file atomically while keeping every entry and field we do not
// understand (credHelpers, other tools' settings).
#include "registry/auth.h"

#include "base/fs.h"
#include "base/json.h"
#include "base/log.h"
#include "base/sys.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace berth::registry {

namespace {

std::string env(char const* name)
{
    char const* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string runtime_auth_file()
{
    // As containers/image: $XDG_RUNTIME_DIR first (root too), else root's /run/containers/0.
    std::string dir = env("XDG_RUNTIME_DIR");
    if (!dir.empty())
        return fs::join(dir, "containers/auth.json");
    return ::geteuid() == 0 ? "/run/containers/0/auth.json" : std::string();
}

std::string config_auth_file()
{
    std::string dir = env("XDG_CONFIG_HOME");
    if (dir.empty())
        dir = fs::join(sys::home_dir(), ".config");
    return fs::join(dir, "containers/auth.json");
}

std::string docker_config_file()
{
    std::string dir = env("DOCKER_CONFIG");
    if (dir.empty())
        dir = fs::join(sys::home_dir(), ".docker");
    return fs::join(dir, "config.json");
}

std::string legacy_dockercfg() { return fs::join(sys::home_dir(), ".dockercfg"); }

std::string base64_encode(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<size_t>(n));
    return out;
}

Result<std::string> base64_decode(std::string_view in)
{
    std::string clean;
    for (char c : in)
        if (c != '\n' && c != '\r' && c != ' ')
            clean += c;
    while (clean.size() % 4)
        clean += '=';
    std::string out(clean.size() / 4 * 3 + 1, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<unsigned char const*>(clean.data()), static_cast<int>(clean.size()));
    if (n < 0)
        return Error::msg("invalid base64 in \"auth\" field");
    // DecodeBlock counts '=' padding as zero bytes; drop them.
    size_t pad = clean.size() - clean.find_last_not_of('=') - 1;
    out.resize(static_cast<size_t>(n) - std::min<size_t>(pad, 2));
    return out;
}

/// "https://index.docker.io/v1/" -> "docker.io"; "quay.io/a/b" stays; aliases of docker.io fold.
std::string normalize_key(std::string key)
{
    bool had_scheme = false;
    for (std::string_view scheme : { "https://", "http://" }) {
        if (key.starts_with(scheme)) {
            key.erase(0, scheme.size());
            had_scheme = true;
        }
    }
    // Keys with a scheme are legacy Docker keys: only the host counts.
    if (had_scheme)
        key = key.substr(0, key.find('/'));
    while (!key.empty() && key.back() == '/')
        key.pop_back();
    std::string host = key.substr(0, key.find('/'));
    std::string rest = key.substr(host.size());
    if (host == "index.docker.io" || host == "registry-1.docker.io")
        host = "docker.io";
    return host + rest;
}

/// "host/a/b" -> {"host/a/b", "host/a", "host"}.
std::vector<std::string> key_candidates(std::string const& key)
{
    std::vector<std::string> out;
    std::string k = normalize_key(key);
    while (true) {
        out.push_back(k);
        auto slash = k.rfind('/');
        if (slash == std::string::npos)
            break;
        k.resize(slash);
    }
    return out;
}

/// The "auths" map of a file with normalised keys (legacy ~/.dockercfg is the map itself).
Result<std::map<std::string, Json>> read_auths(std::string const& path)
{
    std::string text = TRY(fs::read_file(path));
    return parse_auth_entries(text, path, path == legacy_dockercfg());
}

Result<OrderedJson> read_for_update(std::string const& path)
{
    if (!fs::exists(path))
        return OrderedJson::object();
    std::string text = TRY(fs::read_file(path));
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        return OrderedJson::object();
    OrderedJson doc = TRY(json::parse_ordered(text, path));
    if (!doc.is_object())
        return Error::msg(path + ": not a JSON object");
    return doc;
}

ErrorOr write_auth_file(std::string const& path, OrderedJson const& doc)
{
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0)
        TRY(fs::mkdir_p(path.substr(0, slash), 0700));
    std::string text = doc.dump(1, '\t', false, OrderedJson::error_handler_t::replace) + "\n";
    return fs::write_file_atomic(path, text, 0600);
}

std::string target_file(std::string const& authfile) { return authfile.empty() ? default_auth_file() : authfile; }

} // namespace

Result<std::optional<Credentials>> decode_auth_entry(Json const& entry)
{
    if (!entry.is_object())
        return std::optional<Credentials>();
    auto str = [&](char const* name) {
        auto it = entry.find(name);
        return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (std::string token = str("identitytoken"); !token.empty())
        return std::optional<Credentials>(Credentials { "<token>", token });
    if (std::string auth = str("auth"); !auth.empty()) {
        std::string decoded = TRY(base64_decode(auth));
        auto colon = decoded.find(':');
        if (colon == std::string::npos)
            return Error::msg("\"auth\" field does not decode to USERNAME:PASSWORD");
        return std::optional<Credentials>(Credentials { decoded.substr(0, colon), decoded.substr(colon + 1) });
    }
    if (std::string user = str("username"); !user.empty())
        return std::optional<Credentials>(Credentials { user, str("password") });
    return std::optional<Credentials>();
}

Result<std::map<std::string, Json>> parse_auth_entries(std::string_view text, std::string const& path, bool legacy)
{
    Json doc = TRY(json::parse(text, path));
    if (!doc.is_object())
        return Error::msg(path + ": not a JSON object");
    if (doc.contains("credsStore") || doc.contains("credHelpers"))
        log::debug("{}: credential helpers are not supported; ignoring credsStore/credHelpers", path);
    Json const* auths = &doc;
    if (!legacy) {
        auto it = doc.find("auths");
        if (it == doc.end() || !it->is_object())
            return std::map<std::string, Json>();
        auths = &*it;
    }
    std::map<std::string, Json> out;
    for (auto const& [key, value] : auths->items())
        out.emplace(normalize_key(key), value);
    return out;
}

std::string default_auth_file()
{
    if (std::string e = env("REGISTRY_AUTH_FILE"); !e.empty())
        return e;
    if (std::string r = runtime_auth_file(); !r.empty())
        return r;
    // FIXME: Podman falls back to /run/user/<uid>; without XDG_RUNTIME_DIR we use the persistent file.
    return config_auth_file();
}

std::vector<std::string> auth_file_chain(std::string const& authfile_flag)
{
    // A file the user named (--authfile, else $REGISTRY_AUTH_FILE, which Podman
    // uses as --authfile's default) is the only one consulted, as in
    // containers/image: credentials must not leak in from files the user
    // deliberately pointed away from.
    if (!authfile_flag.empty())
        return { authfile_flag };
    if (std::string e = env("REGISTRY_AUTH_FILE"); !e.empty())
        return { e };
    std::vector<std::string> chain;
    for (std::string const& p : { runtime_auth_file(), config_auth_file(), docker_config_file(), legacy_dockercfg() })
        if (!p.empty() && std::find(chain.begin(), chain.end(), p) == chain.end())
            chain.push_back(p);
    return chain;
}

Result<std::optional<Credentials>> lookup_credentials(std::string const& key, std::string const& authfile_flag)
{
    auto candidates = key_candidates(key);
    for (auto const& path : auth_file_chain(authfile_flag)) {
        if (!fs::exists(path))
            continue;
        auto auths = TRY_CTX(read_auths(path), "reading credentials");
        for (auto const& candidate : candidates) {
            auto it = auths.find(candidate);
            if (it == auths.end())
                continue;
            auto creds = TRY_CTX(decode_auth_entry(it->second), "reading credentials for " + candidate + " from " + path);
            if (creds) {
                log::debug("credentials for {} from {} ({})", key, path, candidate);
                return creds;
            }
        }
    }
    return std::optional<Credentials>();
}

ErrorOr store_credentials(std::string const& key, Credentials const& creds, std::string const& authfile)
{
    std::string path = target_file(authfile);
    OrderedJson doc = TRY_CTX(read_for_update(path), "storing credentials");
    if (!doc.contains("auths") || !doc["auths"].is_object())
        doc["auths"] = OrderedJson::object();
    std::string k = normalize_key(key);
    OrderedJson entry = OrderedJson::object();
    if (creds.username == "<token>")
        entry["identitytoken"] = creds.password;
    else
        entry["auth"] = encode_auth(creds);
    doc["auths"][k] = entry;
    TRY_CTX(write_auth_file(path, doc), "storing credentials");
    return {};
}

Result<bool> remove_credentials(std::string const& key, std::string const& authfile, bool all)
{
    std::string path = target_file(authfile);
    if (!fs::exists(path))
        return false;
    OrderedJson doc = TRY_CTX(read_for_update(path), "removing credentials");
    auto it = doc.find("auths");
    if (it == doc.end() || !it->is_object() || it->empty())
        return false;
    bool removed = false;
    if (all) {
        *it = OrderedJson::object();
        removed = true;
    } else {
        std::string k = normalize_key(key);
        for (auto entry = it->begin(); entry != it->end();) {
            if (normalize_key(entry.key()) == k) {
                entry = it->erase(entry);
                removed = true;
            } else {
                ++entry;
            }
        }
    }
    if (removed)
        TRY_CTX(write_auth_file(path, doc), "removing credentials");
    return removed;
}

std::string encode_auth(Credentials const& creds) { return base64_encode(creds.username + ":" + creds.password); }

Result<Credentials> parse_creds_flag(std::string const& text)
{
    auto colon = text.find(':');
    if (colon == std::string::npos)
        return Error::msg("invalid --creds \"" + text + "\": expected USERNAME:PASSWORD");
    Credentials creds { text.substr(0, colon), text.substr(colon + 1) };
    if (creds.username.empty())
        return Error::msg("invalid --creds: the username is empty; expected USERNAME:PASSWORD");
    return creds;
}

} // namespace berth::registry
