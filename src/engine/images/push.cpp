// push: a stored image to a registry, and the manifest conversion between
// Docker schema 2 and OCI that push --format and save share.
//
// The order is the one registries require: every layer blob, then the
// config, then the manifest that references them (a registry may refuse a
// manifest whose blobs it does not have). A blob the registry already has is
// skipped after a HEAD. The manifest is uploaded byte for byte as stored
// unless a conversion is asked for, so the digest the registry reports is
// the digest `berth images --digests` shows; the exception is a layer stored
// under another image's blob, where stored_manifest() (save.cpp) rewrites
// the manifest to name the blob the store has, and that manifest is pushed. Conversion changes media types
// only: a Docker gzip layer is the same bytes as an OCI tar+gzip layer.
#include "engine/images/interchange.h"

#include "engine/images/images.h"
#include "image/reference.h"
#include "store/recompress.h"

#include <map>
#include <optional>

namespace berth::engine {

namespace {

constexpr char const* docker_layer_tar = "application/vnd.docker.image.rootfs.diff.tar";
constexpr char const* docker_foreign_gzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
constexpr char const* oci_nondistributable_gzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";

Result<std::string> layer_type_for(std::string const& type, ManifestFormat format)
{
    using namespace image::media_type;
    if (format == ManifestFormat::Oci) {
        if (type == docker_layer_gzip)
            return std::string(oci_layer_gzip);
        if (type == docker_layer_tar)
            return std::string(oci_layer);
        if (type == docker_foreign_gzip)
            return std::string(oci_nondistributable_gzip);
        return type;
    }
    if (type == oci_layer_gzip)
        return std::string(docker_layer_gzip);
    if (type == oci_layer)
        return std::string(docker_layer_tar);
    if (type == oci_nondistributable_gzip)
        return std::string(docker_foreign_gzip);
    if (type == oci_layer_zstd)
        return Error::msg("a zstd-compressed layer cannot be described by a Docker schema 2 manifest: use --format oci");
    return type;
}

void notify(PushOptions const& o, CopyEvent::Kind kind, std::string digest = {})
{
    if (o.observer)
        o.observer(CopyEvent { kind, std::move(digest) });
}

/// The reference to push to: the destination given, or the image's own name.
Result<image::Reference> destination_for(store::ImageRecord const& record, std::string const& image, std::string destination)
{
    if (destination.rfind("docker://", 0) == 0)
        destination = destination.substr(9);
    if (destination.empty()) {
        auto name = name_for_input(record, image);
        if (!name)
            return Error::msg("push " + image + ": no destination: give one, e.g. berth push " + image + " registry.example.com/repo:tag");
        destination = *name;
    }
    auto ref = TRY_CTX(image::Reference::parse_normalized(destination), "push destination");
    return ref;
}

} // namespace

Result<registry::ClientOptions> push_client_options(Context& ctx, PushOptions const& options, std::string const& host)
{
    registry::ClientOptions co;
    co.tls_verify = options.tls_verify;
    co.insecure = TRY(ctx.registries())->is_insecure(host);
    co.credentials = options.credentials;
    co.authfile = options.authfile;
    co.cert_dir = options.cert_dir;
    co.retries = options.retries;
    return co;
}

namespace {

/// Where in the registry `host`, other than `repo`, the store knows each blob to be: the
/// repositories of the repo digests of the images holding it (pulled from there). Push asks
/// the registry to mount a blob from there instead of uploading it.
Result<std::map<image::Digest, std::string>> mount_sources(Context& ctx, std::string const& host, std::string const& repo)
{
    std::map<image::Digest, std::string> out;
    for (auto const& image : TRY(ctx.store->list_images()))
        for (auto const& repo_digest : image.digests) {
            std::string name = repo_digest.substr(0, repo_digest.find('@'));
            auto slash = name.find('/');
            if (slash == std::string::npos || name.substr(0, slash) != host || name.substr(slash + 1) == repo)
                continue;
            for (auto const& layer : image.layers)
                out.emplace(layer.blob_digest, name.substr(slash + 1));
            out.emplace(image.config_digest, name.substr(slash + 1));
        }
    return out;
}

/// Uploads one stored blob unless the registry has it, mounting it from `mount_from` (a
/// repository of the same registry) when given and the registry allows.
ErrorOr push_blob(Context& ctx, registry::Client& client, std::string const& repo, image::Descriptor const& desc, PushOptions const& o,
    bool is_config, std::string const& mount_from = {})
{
    if (!ctx.store->blobs().has(desc.digest))
        return Error { ENOENT, "blob " + desc.digest.str() + " is not in the store: pull or load the image again" };
    auto done = is_config ? CopyEvent::Kind::ConfigDone : CopyEvent::Kind::BlobDone;
    if (TRY(client.blob_exists(repo, desc.digest))) {
        notify(o, is_config ? done : CopyEvent::Kind::BlobSkipped, desc.digest.str());
        return {};
    }
    registry::ProgressFn progress;
    if (o.observer)
        progress = [&o, digest = desc.digest.str()](int64_t sent, int64_t total) {
            o.observer(CopyEvent { CopyEvent::Kind::BlobProgress, digest, sent, total });
        };
    TRY_CTX(client.put_blob(repo, desc.digest, ctx.store->blobs().path(desc.digest), desc.size, mount_from, std::move(progress)),
        "upload blob " + desc.digest.str());
    notify(o, done, desc.digest.str());
    return {};
}

} // namespace

Result<image::Manifest> convert_manifest(image::Manifest const& manifest, ManifestFormat format)
{
    if (format == ManifestFormat::AsStored)
        return manifest;
    image::Manifest out = manifest;
    bool oci = format == ManifestFormat::Oci;
    out.media_type = oci ? image::media_type::oci_manifest : image::media_type::docker_manifest;
    if (oci && out.config.media_type == image::media_type::docker_config)
        out.config.media_type = image::media_type::oci_config;
    if (!oci && out.config.media_type == image::media_type::oci_config)
        out.config.media_type = image::media_type::docker_config;
    for (auto& layer : out.layers)
        layer.media_type = TRY_CTX(layer_type_for(layer.media_type, format), "layer " + layer.digest.str());
    if (!oci) {
        // Docker schema 2 has no annotations.
        out.annotations.clear();
        out.config.annotations.clear();
        for (auto& layer : out.layers)
            layer.annotations.clear();
    }
    return out;
}

namespace {

/// --compression-format: every layer not yet in that compression is recompressed into a new
/// blob of the store, and the manifest names it (+zstd needs OCI: a manifest pushed as stored
/// becomes OCI; Docker asked for is an error).
ErrorOr recompress_layers(Context& ctx, image::Manifest& manifest, PushOptions const& options)
{
    auto to = TRY(store::parse_compression(options.compression_format));
    if (to == store::Compression::Zstd && manifest.media_type == image::media_type::docker_manifest) {
        if (options.format != ManifestFormat::AsStored)
            return Error { EINVAL, "--compression-format zstd needs the OCI format: use --format oci" };
        manifest = TRY(convert_manifest(manifest, ManifestFormat::Oci));
    }
    bool docker = manifest.media_type == image::media_type::docker_manifest;
    for (auto& layer : manifest.layers) {
        if (store::compression_of(layer.media_type) == to)
            continue;
        auto blob = TRY(store::recompress_blob(ctx.store->blobs(), layer.digest, to, options.compression_level));
        layer.digest = blob.digest;
        layer.size = blob.size;
        layer.media_type = to == store::Compression::Zstd ? image::media_type::oci_layer_zstd
            : docker ? image::media_type::docker_layer_gzip : image::media_type::oci_layer_gzip;
    }
    return {};
}

} // namespace

Result<PushResult> push_image(Context& ctx, std::string const& image, std::string const& destination, PushOptions const& options)
{
    auto record = TRY(find_image(ctx, image));
    auto ref = TRY(destination_for(record, image, destination));
    std::string what = "push " + ref.str();
    if (TRY(ctx.registries())->is_blocked(ref.domain))
        return Error::msg(what + ": registry " + ref.domain + " is blocked in registries.conf");

    auto sm = TRY_CTX(stored_manifest(ctx, record), what);
    auto manifest = TRY_CTX(convert_manifest(sm.manifest, options.format), what);
    std::optional<FileLock> protect;  // the recompressed blobs are referenced by nothing
    if (!options.compression_format.empty()) {
        protect = TRY(ctx.store->protect_new_content());
        TRY_CTX(recompress_layers(ctx, manifest, options), what);
    }
    std::string body = sm.body;
    std::string media_type = sm.media_type;
    if (manifest.media_type != sm.media_type || !options.compression_format.empty()) {
        body = image::serialize_manifest(manifest);
        media_type = manifest.media_type;
    }
    auto digest = image::Digest::sha256_of(body);
    if (ref.digest && *ref.digest != digest)
        return Error::msg(what + ": the manifest to push has digest " + digest.str() + ", not the one in the destination");

    auto client = TRY_CTX(registry::Client::create(ref.domain, TRY(push_client_options(ctx, options, ref.domain))), what);
    auto sources = TRY_CTX(mount_sources(ctx, ref.domain, ref.path), what);
    auto source_of = [&sources](image::Digest const& digest) {
        auto it = sources.find(digest);
        return it == sources.end() ? std::string() : it->second;
    };
    for (auto const& layer : manifest.layers)
        TRY_CTX(push_blob(ctx, *client, ref.path, layer, options, false, source_of(layer.digest)), what);
    TRY_CTX(push_blob(ctx, *client, ref.path, manifest.config, options, true, source_of(manifest.config.digest)), what);
    TRY_CTX(client->put_manifest(ref.path, ref.manifest_ref(), body, media_type), what);
    notify(options, CopyEvent::Kind::ManifestWritten);
    return PushResult { ref.str(), digest };
}

} // namespace berth::engine
