// Secrets: `secret create|ls|inspect|rm|exists`, and what `create`/`run
// --secret` need of them: the secrets' ids at create (the container_secrets
// rows) and, at each start, the files and variables the container gets.
//
// The hard part is ownership rootless: a mounted secret must appear owned by
// uid=/gid= inside the container's user namespace, so its per-container copy
// is chowned to those ids as berth's namespace sees them (the container's own
// mapping with --userns=auto/--uidmap), then given its mode.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/options.h"
#include "container/secret_store.h"
#include "container/spec_builder.h"
#include "engine/context.h"
#include "rootless/idmap.h"

#include <map>
#include <string>
#include <vector>

namespace berth::engine {

/// The store's secrets (tables created when missing).
Result<container::SecretStore> open_secret_store(Context& ctx);

/// `secret create NAME SOURCE`: the contents of file SOURCE, of standard
/// input for "-", or with `from_env` of the environment variable SOURCE.
Result<std::string> read_secret_source(std::string const& source, bool from_env);

struct SecretCreateOptions {
    std::string driver = "file";                        ///< the only driver
    std::map<std::string, std::string> driver_options;  ///< --driver-opts
    std::map<std::string, std::string> labels;          ///< --label
};
Result<container::SecretRecord> create_secret(Context& ctx, std::string const& name, std::string const& data,
    SecretCreateOptions const& options);

/// One `secret ls --filter KEY=VALUE`: name= or id=, a regular expression searched in the name or id.
struct SecretFilter {
    std::string key, value;
};
Result<std::vector<SecretFilter>> parse_secret_filters(std::vector<std::string> const& raw);
/// The secrets that match every filter, oldest first.
Result<std::vector<container::SecretRecord>> list_secrets(Context& ctx, std::vector<SecretFilter> const& filters = {});
/// By name, id or unique id prefix.
Result<container::SecretRecord> get_secret(Context& ctx, std::string const& name_or_id);
/// Podman's `secret inspect` document: ID, CreatedAt, UpdatedAt, Spec {Name, Driver {Name, Options}, Labels}.
Json inspect_secret(Context& ctx, container::SecretRecord const& secret);
/// A `secret ls` row: ID, Name, Driver, CreatedAt and UpdatedAt ("2 minutes ago"), Labels.
Json secret_row(container::SecretRecord const& secret, std::string (*ago)(int64_t));
/// Removes a secret no container uses (EBUSY otherwise); returns its id.
Result<std::string> remove_secret(Context& ctx, std::string const& name_or_id);

/// At create: every --secret parsed and its secret found; returns their ids (the container_secrets rows).
Result<std::vector<std::string>> secrets_for_create(Context& ctx, container::CreateOptions const& options);
/// At start: each mounted secret's data copied to the container's run
/// directory (owned by uid=/gid= in the container, with mode=) as a read-only
/// bind mount; each env secret appended to options.env. A secret removed
/// since create is Podman's "no secret with name or id" error.
Result<std::vector<container::ResolvedMount>> secrets_for_start(Context& ctx, std::string const& container_id,
    container::CreateOptions& options, rootless::ContainerIdMaps const& id_maps);
/// inspect's Config.Secrets: the mounted secrets [{Name, ID, UID, GID, Mode}], or null.
Json inspect_container_secrets(Context& ctx, std::vector<std::string> const& specs);

} // namespace berth::engine
