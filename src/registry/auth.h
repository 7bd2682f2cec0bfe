// Credentials files as Podman reads and writes them.
//
// Lookup: --authfile, else $REGISTRY_AUTH_FILE, is the ONLY file read when set
// (as containers/image). Otherwise, first hit wins:
// ${XDG_RUNTIME_DIR}/containers/auth.json (rootless) or /run/containers/0/auth.json (root);
// $XDG_CONFIG_HOME/containers/auth.json (~/.config/containers/auth.json);
// ~/.docker/config.json; ~/.dockercfg. login writes the first of: --authfile,
// $REGISTRY_AUTH_FILE, the runtime-dir auth.json; mode 0600, parent 0700.
// Entries are {"auths": {"host[/repo]": {"auth": base64("user:pass")}}}; a
// lookup for repository "host/a/b" tries "host/a/b", "host/a", "host" in that order.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "registry/client.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::registry {

/// The file login writes to by default.
std::string default_auth_file();
/// The files credentials are read from, in lookup order (only those that exist are read):
/// just the named file when `authfile_flag` or $REGISTRY_AUTH_FILE is set.
std::vector<std::string> auth_file_chain(std::string const& authfile_flag);
/// Finds credentials for `key` ("host" or "host/repo"); nullopt if none.
Result<std::optional<Credentials>> lookup_credentials(std::string const& key, std::string const& authfile_flag);
/// Writes credentials for `key` (atomic, 0600). `authfile` empty: default_auth_file().
ErrorOr store_credentials(std::string const& key, Credentials const& creds, std::string const& authfile);
/// Removes `key` (or all entries when `all`); returns false if there was nothing to remove.
Result<bool> remove_credentials(std::string const& key, std::string const& authfile, bool all);
/// The entries of one credentials file's text: the "auths" object (the whole object for the
/// legacy ~/.dockercfg, `legacy`), keys normalised ("https://index.docker.io/v1/" -> "docker.io").
/// `path` names the file in errors.
Result<std::map<std::string, Json>> parse_auth_entries(std::string_view text, std::string const& path, bool legacy);
/// One entry's credentials ("auth": base64("user:pass"), "identitytoken", or "username"/"password");
/// nullopt when it holds none.
Result<std::optional<Credentials>> decode_auth_entry(Json const& entry);
/// "user:pass" -> Credentials; errors on missing ':' with a hint.
Result<Credentials> parse_creds_flag(std::string const& text);
/// base64("user:pass"), the "auth" field of auth.json and the Basic auth value.
std::string encode_auth(Credentials const& creds);

} // namespace berth::registry
