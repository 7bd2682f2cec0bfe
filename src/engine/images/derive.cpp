// derive: the config blob, a manifest naming the base's layer blobs and that
// config, and the image record. No layer is written, so nothing needs the
// store's protection from gc beyond what the base image already references.
#include "engine/images/derive.h"

#include "engine/images/images.h"
#include "engine/images/interchange.h"
#include "image/manifest.h"

namespace berth::engine {

Result<store::ImageRecord> derive_image(Context& ctx, store::ImageRecord const& base, image::ImageConfig const& config)
{
    // A base without layers (FROM scratch: not even stored) has no manifest to start from.
    image::Manifest manifest = base.layers.empty() ? image::Manifest {} : TRY(stored_manifest(ctx, base)).manifest;
    manifest.media_type = image::media_type::oci_manifest;
    manifest = TRY(convert_manifest(manifest, ManifestFormat::Oci));
    return store_image(ctx, config, std::move(manifest), base.layers);
}

Result<store::ImageRecord> store_image(Context& ctx, image::ImageConfig const& config, image::Manifest manifest,
    std::vector<store::LayerInfo> layers)
{
    std::string body = config.serialize();
    auto config_digest = TRY(ctx.store->blobs().put(body));
    bool docker = manifest.media_type == image::media_type::docker_manifest;
    manifest.config = image::Descriptor { docker ? image::media_type::docker_config : image::media_type::oci_config, config_digest,
        static_cast<int64_t>(body.size()), {}, {}, {} };

    store::ImageRecord record;
    record.id = config_digest.hex();
    record.config_digest = config_digest;
    record.manifest_digest = TRY(ctx.store->blobs().put(image::serialize_manifest(manifest)));
    record.manifest_media_type = manifest.media_type;
    record.layers = std::move(layers);
    record.created = parse_time(config.created);
    for (auto const& layer : record.layers)
        record.size += layer.size;
    record.architecture = config.architecture;
    record.os = config.os;
    TRY(ctx.store->put_image(record));
    return TRY(ctx.store->get_image(record.id)).value_or(record);
}

} // namespace berth::engine
