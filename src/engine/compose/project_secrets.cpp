// A project's secrets: at `up`, each top-level secret a selected service uses
// becomes a berth secret named PROJECT_KEY (labelled with the project, like
// its networks and volumes), from its file or variable; `down` removes them.
//
// The hard part is a secret whose file changed: a secret in use cannot be
// removed (the store refuses it), so the project's containers that use it are
// removed first; `up` then creates them again, and they read the new data.
#include "engine/compose/compose.h"

#include "engine/containers/lifecycle.h"
#include "engine/secrets/secrets.h"

namespace berth::engine {

namespace {

/// The secret's data: its file's contents, or its variable's value.
Result<std::string> secret_data(compose::Secret const& s)
{
    if (!s.file.empty())
        return read_secret_source(s.file, false);
    if (!s.value)
        return Error { ENOENT, "environment variable " + s.environment + " is not set: set it, or put it in the .env file" };
    return *s.value;
}

/// Removes the project's containers that use `secret`; one of another project or none is an Error.
ErrorOr remove_users(Context& ctx, container::SecretStore& store, compose::Project const& p, container::SecretRecord const& secret)
{
    for (auto const& id : TRY(store.users(secret.id))) {
        auto rec = TRY(find_container(ctx, id));
        if (container_label(rec, compose::project_label) != p.name)
            return Error { EBUSY, "secret " + secret.name + " changed, but container " + rec.name + " outside project " + p.name + " uses it: remove that container" };
        RemoveOptions ro;
        ro.force = true;
        TRY(remove_container(ctx, rec, ro));
    }
    return {};
}

/// One secret made (or remade when its data changed).
ErrorOr ensure_secret(Context& ctx, container::SecretStore& store, compose::Project const& p, compose::Secret const& s,
    ComposeProgress const& progress)
{
    auto existing = store.find(s.name);
    if (s.external) {
        if (!existing)
            return Error { ENOENT, "secret " + s.name + " declared as external, but could not be found: create it with `berth secret create " + s.name + " FILE`" };
        return {};
    }
    auto data = TRY(secret_data(s));
    if (existing) {
        auto labels = existing->labels;
        if (labels[compose::project_label] != p.name)
            return Error { EEXIST, "secret " + s.name + " exists outside project " + p.name + ": remove it, or declare the secret external" };
        if (TRY(store.data(*existing)) == data)
            return {};
        TRY(remove_users(ctx, store, p, *existing));
        TRY(store.remove(*existing));
    }
    SecretCreateOptions options;
    options.labels[compose::project_label] = p.name;
    options.labels[compose::secret_label] = s.key;
    TRY(create_secret(ctx, s.name, data, options));
    progress("Secret", s.name, existing ? "Recreated" : "Created");
    return {};
}

} // namespace

ErrorOr ensure_compose_secrets(Context& ctx, compose::Project const& p, std::set<std::string> const& services,
    ComposeProgress const& progress)
{
    std::set<std::string> used;
    for (auto const& s : p.services)
        if (services.count(s.name))
            for (auto const& secret : s.secrets)
                used.insert(secret.source);
    if (used.empty())
        return {};
    auto store = TRY(open_secret_store(ctx));
    for (auto const& s : p.secrets)
        if (used.count(s.key))
            TRY_CTX(ensure_secret(ctx, store, p, s, progress), "secret " + s.key);
    return {};
}

ErrorOr remove_compose_secrets(Context& ctx, compose::Project const& p, ComposeProgress const& progress)
{
    auto store = TRY(open_secret_store(ctx));
    for (auto const& secret : TRY(store.list())) {
        auto labels = secret.labels;
        if (labels[compose::project_label] != p.name)
            continue;
        TRY(store.remove(secret));
        progress("Secret", secret.name, "Removed");
    }
    return {};
}

} // namespace berth::engine
