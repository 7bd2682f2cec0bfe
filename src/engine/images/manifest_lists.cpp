// `berth manifest`: see manifest_lists.h. The list records are in
// store/manifest_lists.h; the pure list rules in image/manifest_list.h.
#include "engine/images/manifest_lists.h"

#include "container/container_store.h"
#include "image/reference.h"
#include "store/manifest_lists.h"

#include <ctime>

namespace berth::engine {

namespace {

constexpr std::string_view local_prefix = "containers-storage:";
constexpr std::string_view docker_prefix = "docker://";

/// One instance to add: its descriptor and where it came from.
struct Instance {
    image::Descriptor descriptor;
    std::string source;  ///< "containers-storage:ID" or "host/repo@sha256:..."
};

Result<store::ManifestListStore> list_records(Context& ctx)
{
    return store::ManifestListStore::open(ctx.store->database());
}

/// The list a user names: by its normalized name ("ml" -> localhost/ml:latest), else by ID.
Result<std::optional<store::ManifestListRecord>> find_list(store::ManifestListStore& lists, std::string const& text)
{
    if (auto name = normalize_tag_name(text))
        if (auto found = TRY(lists.find(*name)))
            return found;
    return lists.find(text);
}

Result<store::ManifestListRecord> require_list(store::ManifestListStore& lists, std::string const& text)
{
    auto found = TRY(find_list(lists, text));
    if (!found)
        return Error { ENOENT, text + ": no such manifest list: create it with `berth manifest create " + text + "`" };
    return std::move(*found);
}

/// The registry access of add, create and inspect, as push has it.
PushOptions as_push(ManifestRegistryOptions const& o)
{
    PushOptions p;
    p.tls_verify = o.tls_verify;
    p.credentials = o.credentials;
    p.authfile = o.authfile;
    p.cert_dir = o.cert_dir;
    return p;
}

Result<Instance> local_instance(Context& ctx, store::ImageRecord const& record)
{
    auto sm = TRY(stored_manifest(ctx, record));
    image::Descriptor d;
    d.media_type = sm.media_type;
    d.digest = sm.digest;
    d.size = static_cast<int64_t>(sm.body.size());
    image::Platform p;
    p.os = record.os.empty() ? "linux" : record.os;
    p.architecture = record.architecture;
    if (auto config = image_config(ctx, record))
        p.variant = config->variant;
    d.platform = p;
    return Instance { std::move(d), std::string(local_prefix) + record.id };
}

/// A registry's manifest or index under `text`, with the reference it was found at.
struct RemoteDocument {
    image::Reference ref;
    registry::ManifestResponse response;
    std::unique_ptr<registry::Client> client;
};

Result<RemoteDocument> fetch_remote(Context& ctx, std::string const& text, ManifestRegistryOptions const& options)
{
    auto ref = TRY(image::Reference::parse(text));
    auto const* registries = TRY(ctx.registries());
    auto candidates = TRY(registries->resolve(ref));
    std::optional<Error> last;
    for (auto candidate : candidates) {
        candidate = candidate.with_default_tag();
        if (registries->is_blocked(candidate.domain)) {
            last = Error::msg(candidate.str() + ": registry " + candidate.domain + " is blocked in registries.conf");
            continue;
        }
        auto client = registry::Client::create(candidate.domain, TRY(push_client_options(ctx, as_push(options), candidate.domain)));
        if (!client) {
            last = std::move(client).error();
            continue;
        }
        auto response = (*client)->get_manifest(candidate.path, candidate.manifest_ref());
        if (!response) {
            last = Error::msg("reading " + candidate.str() + ": " + response.error().message);
            continue;
        }
        return RemoteDocument { candidate, std::move(*response), std::move(*client) };
    }
    if (!last)
        return Error::msg(text + ": short name did not resolve to any registry: set unqualified-search-registries in registries.conf");
    return std::move(*last);
}

/// The platform of a registry image: from its config blob.
Result<image::Platform> remote_platform(RemoteDocument& doc, image::Manifest const& manifest)
{
    std::string body;
    TRY_CTX(doc.client->get_blob(doc.ref.path, manifest.config.digest, [&](char const* data, size_t size) -> ErrorOr {
        if (body.size() + size > (size_t(8) << 20))
            return Error::msg("image config larger than 8 MiB");
        body.append(data, size);
        return {};
    }), "read the config of " + doc.ref.str());
    auto config = TRY(image::ImageConfig::parse(body));
    image::Platform p;
    p.os = config.os.empty() ? "linux" : config.os;
    p.architecture = config.architecture;
    p.variant = config.variant;
    return p;
}

Result<std::vector<Instance>> remote_instances(Context& ctx, std::string const& text, ManifestAddOptions const& options)
{
    auto doc = TRY(fetch_remote(ctx, text, options.registry));
    auto repo = doc.ref.repository();
    auto const& response = doc.response;
    std::vector<Instance> out;
    if (image::is_index_media_type(response.media_type)) {
        auto index = TRY_CTX(image::parse_index(response.body), doc.ref.str());
        if (options.all) {
            for (auto const& d : index.manifests)
                out.push_back(Instance { d, repo + "@" + d.digest.str() });
        } else {
            auto d = TRY_CTX(image::select_platform(index, image::Platform::host()), doc.ref.str());
            out.push_back(Instance { d, repo + "@" + d.digest.str() });
        }
        return out;
    }
    auto manifest = TRY_CTX(image::parse_manifest(response.body), doc.ref.str());
    image::Descriptor d;
    d.media_type = response.media_type;
    d.digest = response.digest;
    d.size = static_cast<int64_t>(response.body.size());
    d.platform = TRY(remote_platform(doc, manifest));
    out.push_back(Instance { std::move(d), repo + "@" + response.digest.str() });
    return out;
}

/// The instances an image argument stands for (see the header).
Result<std::vector<Instance>> resolve_instances(Context& ctx, std::string const& text, ManifestAddOptions const& options)
{
    if (text.starts_with(local_prefix)) {
        auto record = TRY(find_image(ctx, text.substr(local_prefix.size())));
        return std::vector { TRY(local_instance(ctx, record)) };
    }
    if (text.starts_with(docker_prefix))
        return remote_instances(ctx, text.substr(docker_prefix.size()), options);
    if (TRY(image_exists(ctx, text))) {
        auto record = TRY(find_image(ctx, text));
        return std::vector { TRY(local_instance(ctx, record)) };
    }
    return remote_instances(ctx, text, options);
}

/// Resolves every image first (network and store reads), then changes the
/// list in one transaction: a failed add changes nothing.
Result<std::string> add_instances(Context& ctx, store::ManifestListStore& lists, std::string const& id,
    std::vector<std::string> const& images, ManifestAddOptions const& options)
{
    std::vector<Instance> instances;
    for (auto const& text : images) {
        auto found = TRY_CTX(resolve_instances(ctx, text, options), "add " + text);
        for (auto& instance : found)
            instances.push_back(std::move(instance));
    }
    auto updated = TRY(lists.update(id, [&](store::ManifestListRecord& r) -> ErrorOr {
        for (auto& instance : instances) {
            image::apply_override(instance.descriptor, options.change);
            r.sources[instance.descriptor.digest.str()] = instance.source;
            image::add_instance(r.index, instance.descriptor);
        }
        return {};
    }));
    return updated.id;
}

/// The digest INSTANCE names in `list`: a digest, or a local image whose manifest is in it.
Result<image::Digest> instance_digest(Context& ctx, store::ManifestListRecord const& list, std::string const& instance)
{
    if (auto digest = image::Digest::parse(instance))
        return *digest;
    auto record = find_image(ctx, instance);
    if (record) {
        auto local = TRY(local_instance(ctx, *record));
        for (auto const& d : list.index.manifests)
            if (d.digest == local.descriptor.digest)
                return d.digest;
    }
    return Error { ENOENT, instance + " is not an instance of manifest list " + list.name
        + ": give a digest that `berth manifest inspect " + list.name + "` shows" };
}

/// The local image an instance came from, when it still is in the store with that manifest.
Result<std::optional<store::ImageRecord>> local_source(Context& ctx, store::ManifestListRecord const& list, image::Descriptor const& d)
{
    auto source = list.sources.find(d.digest.str());
    if (source == list.sources.end() || !source->second.starts_with(local_prefix))
        return std::optional<store::ImageRecord> {};
    auto record = TRY(ctx.store->get_image(source->second.substr(local_prefix.size())));
    if (!record)
        return Error { ENOENT, "instance " + d.digest.str() + " of manifest list " + list.name + " came from image "
            + source->second.substr(local_prefix.size(), 12) + ", which is no longer in local storage: add the image again or push with --all=false" };
    auto sm = TRY(stored_manifest(ctx, *record));
    if (sm.digest != d.digest)
        return Error { EINVAL, "instance " + d.digest.str() + " of manifest list " + list.name + ": image "
            + record->id.substr(0, 12) + " now has manifest " + sm.digest.str() + ": add the image again" };
    return record;
}

ManifestFormat push_format_for(std::string const& media_type)
{
    return media_type == image::media_type::oci_index ? ManifestFormat::Oci : ManifestFormat::DockerV2S2;
}

/// Pushes one instance to `repo`; returns the descriptor the index must name
/// (a different digest when the manifest was converted to the list's format).
Result<image::Descriptor> push_instance(Context& ctx, store::ManifestListRecord const& list, image::Descriptor d,
    image::Reference const& dest, std::string const& list_type, ManifestPushOptions const& options)
{
    auto record = TRY(local_source(ctx, list, d));
    if (!record) {
        // From a registry: copy it through the local store when the destination lacks it.
        auto source = list.sources.find(d.digest.str());
        auto client = TRY(registry::Client::create(dest.domain, TRY(push_client_options(ctx, options.push, dest.domain))));
        if (client->get_manifest(dest.path, d.digest.str()))
            return d;
        if (source == list.sources.end())
            return Error { ENOENT, "instance " + d.digest.str() + " of manifest list " + list.name
                + " is not in " + dest.repository() + " and berth does not know where it came from: add it again" };
        PullOptions pull_options;
        pull_options.tls_verify = options.push.tls_verify;
        pull_options.credentials = options.push.credentials;
        pull_options.authfile = options.push.authfile;
        pull_options.cert_dir = options.push.cert_dir;
        if (d.platform)
            pull_options.platform = d.platform->str();
        record = TRY_CTX(pull(ctx, source->second, pull_options), "copy instance " + d.digest.str());
    }
    // Convert an instance whose manifest type the list's type cannot name.
    auto sm = TRY(stored_manifest(ctx, *record));
    bool oci_list = list_type == image::media_type::oci_index;
    bool oci_manifest = sm.media_type == image::media_type::oci_manifest;
    ManifestFormat format = (options.format.empty() || oci_list == oci_manifest) ? ManifestFormat::AsStored : push_format_for(list_type);
    auto digest = sm.digest;
    std::string media_type = sm.media_type;
    int64_t size = static_cast<int64_t>(sm.body.size());
    if (format != ManifestFormat::AsStored) {
        auto converted = TRY(convert_manifest(sm.manifest, format));
        auto body = image::serialize_manifest(converted);
        digest = image::Digest::sha256_of(body);
        media_type = converted.media_type;
        size = static_cast<int64_t>(body.size());
    }
    PushOptions po = options.push;
    po.format = format;
    TRY(push_image(ctx, record->id, dest.repository() + "@" + digest.str(), po));
    d.digest = digest;
    d.media_type = media_type;
    d.size = size;
    return d;
}

} // namespace

Result<std::string> create_manifest_list(Context& ctx, std::string const& name, std::vector<std::string> const& images,
    ManifestAddOptions const& options, bool amend)
{
    auto lists = TRY(list_records(ctx));
    auto normalized = TRY_CTX(normalize_tag_name(name), "manifest create");
    auto existing = TRY(lists.find(normalized));
    std::string id;
    if (existing && amend) {
        id = existing->id;
    } else {
        store::ManifestListRecord r;
        r.id = container::generate_id();
        r.name = normalized;
        r.created = static_cast<int64_t>(::time(nullptr));
        r.index = image::new_manifest_list();
        // Resolve the images before the list exists, so a bad image leaves no empty list behind.
        std::vector<Instance> instances;
        for (auto const& text : images) {
            auto found = TRY_CTX(resolve_instances(ctx, text, options), "add " + text);
            for (auto& instance : found)
                instances.push_back(std::move(instance));
        }
        for (auto& instance : instances) {
            image::apply_override(instance.descriptor, options.change);
            r.sources[instance.descriptor.digest.str()] = instance.source;
            image::add_instance(r.index, instance.descriptor);
        }
        TRY_CTX(lists.insert(r), "manifest create");
        return r.id;
    }
    if (images.empty())
        return id;
    return add_instances(ctx, lists, id, images, options);
}

Result<std::string> add_to_manifest_list(Context& ctx, std::string const& list, std::vector<std::string> const& images,
    ManifestAddOptions const& options)
{
    auto lists = TRY(list_records(ctx));
    auto record = TRY(require_list(lists, list));
    return add_instances(ctx, lists, record.id, images, options);
}

Result<std::string> annotate_manifest_list(Context& ctx, std::string const& list, std::string const& instance,
    image::PlatformOverride const& change)
{
    auto lists = TRY(list_records(ctx));
    auto record = TRY(require_list(lists, list));
    auto digest = TRY(instance_digest(ctx, record, instance));
    auto updated = TRY(lists.update(record.id, [&](store::ManifestListRecord& r) {
        return image::annotate_instance(r.index, digest, change);
    }));
    return updated.id;
}

Result<std::string> remove_from_manifest_list(Context& ctx, std::string const& list, std::string const& digest_text)
{
    auto lists = TRY(list_records(ctx));
    auto record = TRY(require_list(lists, list));
    auto digest = TRY_CTX(image::Digest::parse(digest_text), "manifest remove " + list);
    auto updated = TRY(lists.update(record.id, [&](store::ManifestListRecord& r) -> ErrorOr {
        TRY(image::remove_instance(r.index, digest));
        r.sources.erase(digest.str());
        return {};
    }));
    return updated.id;
}

std::vector<RemoveReport> remove_manifest_lists(Context& ctx, std::vector<std::string> const& names)
{
    std::vector<RemoveReport> out;
    auto lists = list_records(ctx);
    for (auto const& name : names) {
        RemoveReport report;
        report.name = name;
        if (!lists) {
            report.error = lists.error();
        } else if (auto found = find_list(*lists, name); !found) {
            report.error = found.error();
        } else if (!*found) {
            report.error = Error { ENOENT, name + ": no such manifest list" };
        } else if (auto removed = lists->remove((*found)->id); !removed) {
            report.error = removed.error();
        } else {
            report.untagged.push_back((*found)->name);
            report.deleted = (*found)->id;
        }
        out.push_back(std::move(report));
    }
    return out;
}

Result<bool> manifest_list_exists(Context& ctx, std::string const& list)
{
    auto lists = TRY(list_records(ctx));
    return TRY(find_list(lists, list)).has_value();
}

Result<std::vector<store::ImageRecord>> manifest_lists_as_images(Context& ctx)
{
    auto lists = TRY(list_records(ctx));
    std::vector<store::ImageRecord> out;
    for (auto const& list : TRY(lists.list())) {
        auto body = image::serialize_index(list.index);
        store::ImageRecord r;
        r.id = list.id;
        r.names = { list.name };
        r.manifest_digest = image::Digest::sha256_of(body);
        r.manifest_media_type = list.index.media_type;
        r.digests = { split_name(list.name).first + "@" + r.manifest_digest.str() };
        r.created = r.added = list.created;
        // As Podman counts a list image: its index and what it knows of the instances' sources.
        r.size = static_cast<int64_t>(body.size() + json::dump(Json(list.sources)).size());
        out.push_back(std::move(r));
    }
    return out;
}

Result<std::optional<store::ImageRecord>> manifest_list_instance(Context& ctx, std::string const& name)
{
    auto lists = TRY(list_records(ctx));
    auto list = TRY(find_list(lists, name));
    if (!list)
        return std::optional<store::ImageRecord> {};
    auto host = image::Platform::host();
    auto none_here = [&] {
        return Error { ENOENT, name + ": manifest list " + list->name + " names no image for " + host.str()
            + " in local storage: pull one, or add one with `berth manifest add`" };
    };
    auto chosen = image::select_platform(list->index, host);
    if (!chosen)
        return none_here();
    // The image it was added from, while it still has that manifest; else any image with the digest.
    if (auto source = local_source(ctx, *list, *chosen); source && *source)
        return std::move(*source);
    for (auto& record : TRY(ctx.store->list_images()))
        if (record.manifest_digest == chosen->digest)
            return std::optional<store::ImageRecord> { std::move(record) };
    return none_here();
}

Result<std::string> inspect_manifest_list(Context& ctx, std::string const& name, ManifestRegistryOptions const& options)
{
    auto lists = TRY(list_records(ctx));
    if (auto found = TRY(find_list(lists, name)))
        return image::inspect_text(found->index);
    auto doc = TRY_CTX(fetch_remote(ctx, name, options), name + " is no local manifest list");
    auto body = TRY(json::parse(doc.response.body, "manifest of " + doc.ref.str()));
    return json::dump(body, 4);
}

Result<PushResult> push_manifest_list(Context& ctx, std::string const& list, std::string const& destination,
    ManifestPushOptions const& options)
{
    auto lists = TRY(list_records(ctx));
    auto record = TRY(require_list(lists, list));
    std::string dest_text = destination;
    if (dest_text.starts_with(docker_prefix))
        dest_text = dest_text.substr(docker_prefix.size());
    auto dest = TRY_CTX(image::Reference::parse_normalized(dest_text), "manifest push destination");
    std::string what = "push " + record.name + " to " + dest.str();
    if (TRY(ctx.registries())->is_blocked(dest.domain))
        return Error::msg(what + ": registry " + dest.domain + " is blocked in registries.conf");
    auto media_type = TRY_CTX(image::push_media_type(record.index, options.format), what);

    image::Index index = record.index;
    if (options.all)
        for (auto& d : index.manifests)
            d = TRY_CTX(push_instance(ctx, record, d, dest, media_type, options), what);
    auto body = image::push_body(index, media_type);
    auto client = TRY_CTX(registry::Client::create(dest.domain, TRY(push_client_options(ctx, options.push, dest.domain))), what);
    TRY_CTX(client->put_manifest(dest.path, dest.manifest_ref(), body, media_type), what);
    if (options.remove)
        TRY_CTX(lists.remove(record.id), "remove manifest list " + record.name + " after its push");
    return PushResult { dest.str(), image::Digest::sha256_of(body) };
}

} // namespace berth::engine
