// finalize (finalize.h): a new config, maybe new layers, and a manifest around
// them, stored as an image the way commit stores one.
//
// The new layers are the ones above the base's. --squash packs them as one:
// the image's whole tree, mounted in a created container, diffed against the
// base's layers (--squash-all: against nothing). --timestamp without squash
// packs each new layer again from its extracted diff directory, every entry
// stamped with the time, and stores every step's image again on them, so
// that the steps stay the image's intermediate images as Podman's do. With
// squash the history keeps one entry per step, marked empty_layer except
// the last, so that the entries with a layer still match the layers one for
// one. --annotation replaces an OCI manifest's annotations; without it an
// image the cache gives keeps its manifest (one image ID, one manifest, as in
// Podman). A Docker manifest has none.
//
// -o goes through the same file operations as `cp` and `export`
// (engine/containers/copy.h), on a created container of the final image.
#include "build/finalize.h"

#include "base/fs.h"
#include "base/sys.h"
#include "engine/containers/copy.h"

#include "base/timestamp.h"
#include "build/steps.h"
#include "engine/images/derive.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"
#include "image/manifest.h"
#include "store/layer_stamp.h"

#include <algorithm>
#include <fcntl.h>

namespace berth::build {

namespace {

std::vector<std::string> diff_dirs(engine::Context& ctx, std::vector<store::LayerInfo> const& layers, size_t count)
{
    std::vector<std::string> out;
    for (size_t i = 0; i < count && i < layers.size(); ++i)
        out.push_back(ctx.store->layers().diff_path(layers[i].diff_id));
    return out;
}

/// The image's tree above the base's first `keep` layers as one layer.
Result<store::LayerInfo> squashed_layer(engine::Context& ctx, store::ImageRecord const& image, size_t keep,
    std::optional<int64_t> mtime)
{
    auto mounted = TRY(mounted_container(ctx, image.id));
    store::ChangeSource source;
    source.kind = store::ChangeSource::Kind::FullTree;
    source.dir = mounted.root_dir;
    source.lower_dirs = diff_dirs(ctx, image.layers, keep);
    if (mtime)
        return store::create_layer_at(*ctx.store, source, *mtime);
    return ctx.store->create_layer_from_changes(source);
}

/// Layer `index` of the image packed again with every mtime `mtime`.
Result<store::LayerInfo> restamped_layer(engine::Context& ctx, store::ImageRecord const& image, size_t index, int64_t mtime)
{
    store::ChangeSource source;
    source.kind = store::ChangeSource::Kind::OverlayUpper;
    source.dir = ctx.store->layers().diff_path(image.layers[index].diff_id);
    source.lower_dirs = diff_dirs(ctx, image.layers, index);
    return store::create_layer_at(*ctx.store, source, mtime);
}

image::Descriptor layer_descriptor(store::LayerInfo const& layer)
{
    return image::Descriptor { layer.media_type, layer.blob_digest, layer.blob_size, {}, {}, {} };
}

/// The history entries from `from` on: empty_layer all but the last (none when there is none).
void one_layer_history(std::vector<image::HistoryEntry>& history, size_t from, std::string const& created)
{
    if (from >= history.size()) {
        image::HistoryEntry entry;
        entry.created = created;
        entry.created_by = "/bin/sh -c #(nop) squashed";
        history.push_back(entry);
    }
    for (size_t i = from; i < history.size(); ++i)
        history[i].empty_layer = i + 1 != history.size();
}

/// Whether --annotation gives `manifest` (an OCI one: a Docker manifest has none) annotations it lacks.
bool needs_annotations(image::Manifest const& manifest, OutputOptions const& options)
{
    return !options.annotations.empty() && manifest.media_type != image::media_type::docker_manifest
        && manifest.annotations != options.annotations;
}

/// `manifest` (of the asked format already) with --annotation's annotations, when it needs them.
void annotate(image::Manifest& manifest, OutputOptions const& options)
{
    if (needs_annotations(manifest, options))
        manifest.annotations = options.annotations;
}

/// What shapes every image the build outputs.
struct Shape {
    OutputOptions const& options;
    store::ImageRecord const& base;
    size_t base_layers = 0;
    size_t base_history = 0;
    std::string created;  ///< the image's creation time, --timestamp's when given
};

/// The config changes as the output flags ask: the platform, the Docker-only
/// members dropped for OCI (warning through `warn` when it is set), the times.
void reshape_config(image::ImageConfig& config, Shape const& shape, std::function<void(std::string const&)> const& warn)
{
    auto const& options = shape.options;
    if (options.platform_given()) {
        if (!options.os.empty())
            config.os = options.os;
        if (!options.architecture.empty())
            config.architecture = options.architecture;
        config.variant = options.variant;
    }
    if (!config.raw.is_object())
        config.raw = Json::object();
    if (options.os_version) {
        if (options.os_version->empty())
            config.raw.erase("os.version");
        else
            config.raw["os.version"] = *options.os_version;
    }
    if (!options.os_features.empty()) {
        Json features = os_features(config.raw.value("os.features", Json()), options.os_features);
        if (features.empty())
            config.raw.erase("os.features");
        else
            config.raw["os.features"] = features;
    }
    if (options.omit_history)
        config.history.clear();
    if (options.format == ImageFormat::Oci) {
        for (auto const& w : drop_docker_only(config.raw))
            if (warn)
                warn(w);
        config.on_build.clear();
    }
    if (options.timestamp) {
        // The steps' entries name their parent step's image ("FROM 0123456789ab"), whose ID has
        // its own time in it: they name the base image instead, as Buildah's do.
        config.created = shape.created;
        for (size_t i = shape.base_history; i < config.history.size(); ++i) {
            config.history[i].created = shape.created;
            if (config.history[i].comment.starts_with("FROM "))
                config.history[i].comment = "FROM " + (shape.base.id.empty() ? std::string("scratch") : shape.base.id.substr(0, 12));
        }
    }
}

/// --timestamp without squash: each step's image again, its new layers packed
/// with one mtime, its config reshaped, each built on the one before (as
/// Podman stamps every step), so that they are the image's intermediate
/// images. The last is the image.
Result<store::ImageRecord> stamped_steps(engine::Context& ctx, std::vector<store::ImageRecord> const& steps, Shape const& shape,
    std::function<void(std::string const&)> const& warn)
{
    auto const& last = steps.back();
    std::vector<store::LayerInfo> stamped = last.layers;
    for (size_t i = shape.base_layers; i < stamped.size(); ++i)
        stamped[i] = TRY_CTX(restamped_layer(ctx, last, i, *shape.options.timestamp), "--timestamp");
    bool want_docker = shape.options.format == ImageFormat::Docker;
    store::ImageRecord out;
    for (auto const& step : steps) {
        auto config = TRY(engine::image_config(ctx, step));
        reshape_config(config, shape, &step == &last ? warn : nullptr);
        auto manifest = TRY(engine::stored_manifest(ctx, step)).manifest;
        std::vector<store::LayerInfo> layers = step.layers;
        for (size_t i = shape.base_layers; i < layers.size(); ++i) {
            layers[i] = stamped[i];
            manifest.layers[i] = layer_descriptor(layers[i]);
            config.diff_ids[i] = layers[i].diff_id;
        }
        manifest = TRY(engine::convert_manifest(manifest, want_docker ? engine::ManifestFormat::DockerV2S2 : engine::ManifestFormat::Oci));
        if (&step == &last)
            annotate(manifest, shape.options);
        out = TRY(engine::store_image(ctx, config, std::move(manifest), std::move(layers)));
    }
    return out;
}

} // namespace

Result<store::ImageRecord> finalize_image(engine::Context& ctx, store::ImageRecord const& image, std::vector<store::ImageRecord> const& steps,
    store::ImageRecord const& base, OutputOptions const& options, std::function<void(std::string const&)> const& warn)
{
    auto config = TRY(engine::image_config(ctx, image));
    std::string before = config.serialize();
    Shape shape { options, base };
    shape.base_layers = std::min(base.layers.size(), image.layers.size());
    shape.base_history = base.id.empty() ? 0 : std::min(TRY(engine::image_config(ctx, base)).history.size(), config.history.size());
    shape.created = options.timestamp ? timestamp::rfc3339(*options.timestamp) : config.created;
    size_t new_layers = image.layers.size() - shape.base_layers;
    bool squash = options.squash_all ? image.layers.size() > 1 || new_layers > 0 : options.squash && new_layers > 0;
    bool restamp = options.timestamp && new_layers > 0;

    auto stored = TRY(engine::stored_manifest(ctx, image));
    bool want_docker = options.format == ImageFormat::Docker;
    bool is_docker = stored.media_type == image::media_type::docker_manifest;
    if (restamp && !squash) {
        auto protect = TRY(ctx.store->protect_new_content());
        bool whole_stage = !steps.empty() && steps.back().id == image.id;
        return stamped_steps(ctx, whole_stage ? steps : std::vector { image }, shape, warn);
    }
    reshape_config(config, shape, warn);
    bool config_changed = config.serialize() != before;
    // The base itself, unchanged (a Containerfile of FROM alone), keeps its manifest: it is the pulled image's.
    bool own_manifest = image.id != base.id || config_changed || squash;
    bool new_annotations = own_manifest && !want_docker && needs_annotations(stored.manifest, options);
    if (!squash && !config_changed && want_docker == is_docker && !new_annotations)
        return image;

    auto protect = TRY(ctx.store->protect_new_content());
    std::vector<store::LayerInfo> layers = image.layers;
    image::Manifest manifest = stored.manifest;
    if (squash) {
        size_t keep = options.squash_all ? 0 : shape.base_layers;
        auto layer = TRY_CTX(squashed_layer(ctx, image, keep, options.timestamp), "squash the build's layers");
        layers.resize(keep);
        layers.push_back(layer);
        manifest.layers.resize(keep);
        manifest.layers.push_back(layer_descriptor(layer));
        config.diff_ids.resize(keep);
        config.diff_ids.push_back(layer.diff_id);
        one_layer_history(config.history, options.squash_all ? 0 : shape.base_history, shape.created);
        if (options.omit_history)
            config.history.clear();
    }

    manifest = TRY(engine::convert_manifest(manifest, want_docker ? engine::ManifestFormat::DockerV2S2 : engine::ManifestFormat::Oci));
    if (own_manifest)
        annotate(manifest, options);
    return engine::store_image(ctx, config, std::move(manifest), std::move(layers));
}

ErrorOr export_rootfs(engine::Context& ctx, store::ImageRecord const& image, BuildOutput const& out, int fd)
{
    std::string what = out.kind == BuildOutput::Kind::Local ? "-o type=local,dest=" + out.dest : "-o type=tar,dest=" + out.dest;
    container::CreateOptions spec;
    spec.image = image.id;
    spec.command = { "/" };  // never run
    auto container = TRY(StepContainer::create(ctx, spec));
    if (out.kind == BuildOutput::Kind::Local) {
        TRY_CTX(fs::mkdir_p(out.dest), what);
        TRY_CTX(engine::copy(ctx, container.id() + ":/.", out.dest, engine::CopyOptions {}), what);
        return {};
    }
    if (out.dest == "-") {
        TRY_CTX(engine::export_container(ctx, container.id(), fd), what);
        return {};
    }
    UniqueFd file = TRY_CTX(sys::open(out.dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), what);
    TRY_CTX(engine::export_container(ctx, container.id(), file.get()), what);
    return {};
}

} // namespace berth::build
