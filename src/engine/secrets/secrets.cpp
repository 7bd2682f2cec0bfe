// Secrets. See secrets.h; the records and data files are
// container/secret_store.cpp's, the --secret grammar container/options.cpp's.
#include "engine/secrets/secrets.h"

#include "base/fs.h"
#include "base/sys.h"
#include "base/timestamp.h"

#include <cerrno>
#include <cstdlib>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::engine {

using container::SecretRecord;

Result<container::SecretStore> open_secret_store(Context& ctx)
{
    return container::SecretStore::open(ctx.store->database(), ctx.paths.layout());
}

Result<std::string> read_secret_source(std::string const& source, bool from_env)
{
    if (from_env) {
        char const* value = std::getenv(source.c_str());
        if (!value)
            return Error { ENOENT, "environment variable " + source + " is not set: export it, or give a file without --env" };
        return std::string(value);
    }
    if (source == "-") {
        std::string data;
        char buf[8192];
        for (;;) {
            ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return Error::from_errno("read the secret from standard input");
            if (n == 0)
                return data;
            data.append(buf, static_cast<size_t>(n));
            if (data.size() >= container::max_secret_size)
                return data;  // create refuses it; no need to read on
        }
    }
    return TRY_CTX(fs::read_file(source), "read the secret from " + source);
}

Result<SecretRecord> create_secret(Context& ctx, std::string const& name, std::string const& data, SecretCreateOptions const& options)
{
    if (options.driver != "file")
        return Error { EINVAL, "secret driver \"" + options.driver + "\" is not supported: use --driver file" };
    auto store = TRY(open_secret_store(ctx));
    auto driver_options = options.driver_options;
    if (!driver_options.count("path"))
        driver_options["path"] = ctx.paths.layout().secrets_dir();  // as Podman records its file driver's directory
    return store.create(name, data, options.driver, std::move(driver_options), options.labels);
}

Result<std::vector<SecretFilter>> parse_secret_filters(std::vector<std::string> const& raw)
{
    std::vector<SecretFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        SecretFilter filter { f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1) };
        if (filter.key != "name" && filter.key != "id")
            return Error { EINVAL, "invalid filter \"" + filter.key + "\": use name=NAME or id=ID" };
        if (eq == std::string::npos)
            return Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" };
        try {
            std::regex check(filter.value);
        } catch (std::regex_error const&) {
            return Error { EINVAL, "invalid filter \"" + f + "\": the value is not a regular expression" };
        }
        out.push_back(std::move(filter));
    }
    return out;
}

Result<std::vector<SecretRecord>> list_secrets(Context& ctx, std::vector<SecretFilter> const& filters)
{
    auto store = TRY(open_secret_store(ctx));
    std::vector<SecretRecord> out;
    for (auto& s : TRY(store.list())) {
        bool match = true;
        for (auto const& f : filters)
            match = match && std::regex_search(f.key == "name" ? s.name : s.id, std::regex(f.value));
        if (match)
            out.push_back(std::move(s));
    }
    return out;
}

Result<SecretRecord> get_secret(Context& ctx, std::string const& name_or_id)
{
    auto store = TRY(open_secret_store(ctx));
    return store.find(name_or_id);
}

Json inspect_secret(Context& ctx, SecretRecord const& s)
{
    (void)ctx;
    Json driver { { "Name", s.driver }, { "Options", Json(s.driver_options) } };
    return Json { { "ID", s.id }, { "CreatedAt", timestamp::rfc3339(s.created) }, { "UpdatedAt", timestamp::rfc3339(s.updated) },
        { "Spec", { { "Name", s.name }, { "Driver", driver }, { "Labels", Json(s.labels) } } } };
}

Json secret_row(SecretRecord const& s, std::string (*ago)(int64_t))
{
    return Json { { "ID", s.id }, { "Name", s.name }, { "Driver", s.driver }, { "CreatedAt", ago(s.created) },
        { "UpdatedAt", ago(s.updated) }, { "Labels", Json(s.labels) } };
}

Result<std::string> remove_secret(Context& ctx, std::string const& name_or_id)
{
    auto store = TRY(open_secret_store(ctx));
    auto secret = TRY(store.find(name_or_id));
    TRY(store.remove(secret));
    return secret.id;
}

// ------------------------------------------------------------------ containers

Result<std::vector<std::string>> secrets_for_create(Context& ctx, container::CreateOptions const& options)
{
    if (options.secrets.empty())
        return std::vector<std::string> {};
    auto store = TRY(open_secret_store(ctx));
    std::vector<std::string> ids;
    for (auto const& spec : options.secrets) {
        auto request = TRY(container::parse_secret(spec));
        ids.push_back(TRY(store.find(request.name)).id);
    }
    return ids;
}

namespace {

/// The per-container copy of a mounted secret, owned by uid/gid as the container sees them, with its mode.
ErrorOr write_secret_copy(std::string const& path, std::string const& data, container::SecretRequest const& request,
    rootless::ContainerIdMaps const& id_maps)
{
    TRY(fs::write_file_atomic(path, data, 0600));
    auto uid = rootless::outside_id(id_maps.private_userns ? id_maps.uid : std::vector<rootless::IdMapping> {}, request.uid);
    auto gid = rootless::outside_id(id_maps.private_userns ? id_maps.gid : std::vector<rootless::IdMapping> {}, request.gid);
    if (!uid || !gid)
        return Error { EINVAL, "--secret " + request.name + ": uid " + std::to_string(request.uid) + " or gid "
                + std::to_string(request.gid) + " is not mapped in the container: use ids of its user namespace" };
    if (::chown(path.c_str(), *uid, *gid) < 0)
        return Error::from_errno("--secret " + request.name + ": chown its copy to " + std::to_string(request.uid) + ":"
            + std::to_string(request.gid) + " (is the id in /etc/subuid's range?)");
    if (::chmod(path.c_str(), request.mode) < 0)
        return Error::from_errno("--secret " + request.name + ": chmod its copy");
    return {};
}

} // namespace

Result<std::vector<container::ResolvedMount>> secrets_for_start(Context& ctx, std::string const& container_id,
    container::CreateOptions& options, rootless::ContainerIdMaps const& id_maps)
{
    std::vector<container::ResolvedMount> mounts;
    if (options.secrets.empty())
        return mounts;
    auto store = TRY(open_secret_store(ctx));
    std::string dir = ctx.paths.layout().container_secrets_dir(container_id);
    TRY(fs::remove_tree(dir));  // the last start's copies
    TRY(fs::mkdir_p(dir, 0711));
    for (auto const& spec : options.secrets) {
        auto request = TRY(container::parse_secret(spec));
        auto secret = TRY(store.find(request.name));
        auto data = TRY(store.data(secret));
        if (request.type == container::SecretRequest::Type::Env) {
            options.env.push_back(request.target + "=" + data);
            continue;
        }
        std::string path = fs::join(dir, std::to_string(mounts.size()) + "-" + secret.id);
        TRY(write_secret_copy(path, data, request, id_maps));
        container::MountRequest m;
        m.type = container::MountRequest::Type::Bind;
        m.source = path;
        m.destination = request.target;
        m.read_only = true;
        mounts.push_back({ m, path, "" });
    }
    return mounts;
}

Json inspect_container_secrets(Context& ctx, std::vector<std::string> const& specs)
{
    Json out = Json::array();
    auto store = open_secret_store(ctx);
    for (auto const& spec : specs) {
        auto request = container::parse_secret(spec);
        if (!request || request->type != container::SecretRequest::Type::Mount)
            continue;
        std::string id;
        if (store)
            if (auto secret = store->find(request->name))
                id = secret->id;
        out.push_back({ { "Name", request->name }, { "ID", id }, { "UID", request->uid }, { "GID", request->gid }, { "Mode", request->mode } });
    }
    return out.empty() ? Json(nullptr) : out;
}

} // namespace berth::engine
