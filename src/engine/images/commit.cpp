// commit: the container's writable layer (overlay's upper directory, or for
// vfs and --squash its whole root filesystem diffed against nothing or its
// image's layers) is packed into a layer blob by the store, and an image is
// written around it: the image's layers plus the new one, the image's config
// updated as Podman's commit updates it, a history entry, a manifest.
//
// The subtle parts are ownership and consistency. The upper directory holds
// owners as the layers hold them: berth's namespace's ids are the container's
// when it shares that namespace, and a container with a namespace of its own
// always runs on fuse-overlayfs, which stores files with their unmapped ids
// (uidmapping=, container/rootfs.h). So owners go into the layer as they are.
// A stopped container is locked for the read, so start and rm wait; a
// running one keeps writing unless --pause, as in Podman, and what the layer
// gets of a file written meanwhile is whatever the read saw. New content is
// protected from gc until put_image() references it.
#include "engine/images/commit.h"

#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/temp_dir.h"
#include "container/options.h"
#include "container/rootfs.h"
#include "container/spec_builder.h"
#include "engine/containers/container_query.h"
#include "engine/containers/containers.h"
#include "engine/containers/copy.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/images.h"
#include "image/manifest.h"

#include <algorithm>
#include <optional>

namespace berth::engine {

namespace {

bool is_active(container::ContainerRecord const& rec)
{
    return rec.state == container::State::Running || rec.state == container::State::Paused;
}

/// The whole root filesystem as one tree: vfs's copy, or (--squash) any driver's mount.
/// Unmounted again when this call mounted it and the container is not running.
Result<store::LayerInfo> layer_of_tree(Context& ctx, container::ContainerRecord const& rec, store::ChangeSource source)
{
    std::string merged = fs::join(ctx.paths.layout().bundle_dir(rec.id), "merged");
    bool was_mounted = container::is_mount_point(merged) || (rec.driver == "vfs" && fs::is_dir(merged));
    source.kind = store::ChangeSource::Kind::FullTree;
    source.dir = TRY(mount_container(ctx, rec.id));
    ScopeGuard unmount([&] {
        if (!was_mounted && !is_active(rec))
            (void)unmount_container(ctx, rec.id);
    });
    return ctx.store->create_layer_from_changes(source);
}

/// The new layer: the container's changes, or everything with --squash.
Result<store::LayerInfo> commit_layer(Context& ctx, container::ContainerRecord const& rec, store::ImageRecord const& base,
    bool squash)
{
    store::ChangeSource source;
    for (auto const& layer : base.layers)
        source.lower_dirs.push_back(ctx.store->layers().diff_path(layer.diff_id));
    if (squash) {
        source.lower_dirs.clear();
        return layer_of_tree(ctx, rec, std::move(source));
    }
    if (rec.driver == "vfs")
        return layer_of_tree(ctx, rec, std::move(source));
    // A stopped container's upper directory is read under its lock, so start and rm wait.
    std::optional<FileLock> lock;
    if (!is_active(rec))
        lock = TRY(TRY(container_records(ctx)).lock(rec.id));
    source.dir = fs::join(ctx.paths.layout().bundle_dir(rec.id), "upper");
    std::optional<TempDir> nothing;
    if (!fs::is_dir(source.dir)) { // never mounted: no changes, an empty layer (as Podman makes)
        nothing.emplace(TRY(TempDir::create(ctx.store->layout().data_dir(), ".tmp-commit-")));
        source.dir = nothing->path();
    }
    return ctx.store->create_layer_from_changes(source);
}

/// -v destinations that become image volumes: all with --include-volumes, else the anonymous ones.
Result<std::vector<std::string>> committed_volumes(container::ContainerRecord const& rec, bool include_volumes)
{
    std::vector<std::string> out;
    auto options = TRY(container::CreateOptions::from_json(rec.config));
    for (auto const& m : TRY(container::mount_requests(options))) {
        using Type = container::MountRequest::Type;
        bool anonymous = m.type == Type::Volume && m.source.empty();
        if (m.type != Type::Tmpfs && (include_volumes || anonymous))
            out.push_back(m.destination);
    }
    return out;
}

/// `config` with the new layer and its history entry, created now.
image::ImageConfig with_layer(image::ImageConfig config, container::ContainerRecord const& rec, store::LayerInfo const& layer,
    CommitOptions const& options)
{
    config.created = now_rfc3339();
    image::HistoryEntry entry;
    entry.created = config.created;
    entry.created_by = options.created_by.empty() ? "/bin/sh" : options.created_by; // "/bin/sh": what Podman records for a commit
    entry.author = options.author;
    entry.comment = "FROM " + (rec.image_name.empty() ? rec.image_id : rec.image_name);
    if (options.squash) {
        config.diff_ids.clear();
        config.history.clear();
    }
    config.diff_ids.push_back(layer.diff_id);
    config.history.push_back(entry);
    return config;
}

/// The base image's config with the container's settings, the changes, author, message, history.
Result<image::ImageConfig> commit_config(Context& ctx, container::ContainerRecord const& rec, store::ImageRecord const& base,
    store::LayerInfo const& layer, CommitOptions const& options)
{
    if (options.config)
        return with_layer(*options.config, rec, layer, options);
    image::ImageConfig config = committed_config(rec, TRY(image_config(ctx, base)));
    for (auto const& volume : TRY(committed_volumes(rec, options.include_volumes)))
        if (std::find(config.volumes.begin(), config.volumes.end(), volume) == config.volumes.end())
            config.volumes.push_back(volume);
    size_t had_on_build = config.on_build.size();
    for (auto const& change : options.changes)
        TRY(apply_change(config, change));
    if (options.format == CommitFormat::Oci && config.on_build.size() > had_on_build) {
        for (size_t i = had_on_build; i < config.on_build.size(); ++i)
            if (options.warn)
                options.warn("ONBUILD is not supported for OCI image format, " + config.on_build[i]
                    + " will be ignored. Must use `docker` format");
        config.on_build.resize(had_on_build);
    }
    if (!options.author.empty())
        config.author = options.author;
    config.comment = options.message;
    return with_layer(std::move(config), rec, layer, options);
}

/// The manifest: the base image's layer blobs (none with --squash), the new layer, the config.
Result<image::Manifest> commit_manifest(Context& ctx, store::ImageRecord const& base, store::LayerInfo const& layer,
    image::Descriptor config, CommitOptions const& options)
{
    image::Manifest m;
    m.media_type = image::media_type::oci_manifest;
    m.config = std::move(config);
    if (!options.squash)
        m.layers = TRY(stored_manifest(ctx, base)).manifest.layers;
    m.layers.push_back(image::Descriptor { layer.media_type, layer.blob_digest, layer.blob_size, {}, {}, {} });
    return convert_manifest(m, options.format == CommitFormat::Docker ? ManifestFormat::DockerV2S2 : ManifestFormat::Oci);
}

/// Refuses what Podman refuses before anything is read: -m with OCI, a bad name or change.
Result<std::string> check_options(CommitOptions const& options)
{
    if (!options.message.empty() && options.format == CommitFormat::Oci)
        return Error { EINVAL, "messages are only compatible with the docker image format (-f docker)" };
    std::string name = options.reference.empty() ? "" : TRY(normalize_tag_name(options.reference));
    image::ImageConfig probe;
    for (auto const& change : options.changes)
        TRY(apply_change(probe, change));
    return name;
}

/// Pauses a running container for the commit (-p) and unpauses it after, whatever happens.
class PausedForCommit {
public:
    ErrorOr pause(Context& ctx, container::ContainerRecord const& rec)
    {
        if (rec.state != container::State::Running)
            return {};
        TRY(pause_container(ctx, rec));
        m_ctx = &ctx;
        m_id = rec.id;
        return {};
    }
    ~PausedForCommit()
    {
        if (!m_ctx)
            return;
        auto rec = find_container(*m_ctx, m_id);
        if (rec)
            (void)unpause_container(*m_ctx, *rec);
    }

private:
    Context* m_ctx = nullptr;
    std::string m_id;
};

} // namespace

Result<CommitFormat> parse_commit_format(std::string_view text)
{
    if (text == "oci")
        return CommitFormat::Oci;
    if (text == "docker")
        return CommitFormat::Docker;
    return Error { EINVAL, "unrecognized image type \"" + std::string(text) + "\": use oci or docker" };
}

Result<store::ImageRecord> commit_container(Context& ctx, std::string const& name_or_id, CommitOptions const& options)
{
    std::string name = TRY(check_options(options));
    auto rec = TRY(find_container(ctx, name_or_id));
    std::string what = "commit " + rec.name;
    auto base = TRY_CTX(find_image(ctx, rec.image_id), what);

    // The layer, then the config and manifest around it; gc keeps its hands off until put_image.
    auto protect = TRY(ctx.store->protect_new_content());
    PausedForCommit paused;
    if (options.pause)
        TRY_CTX(paused.pause(ctx, rec), what);
    auto layer = TRY_CTX(commit_layer(ctx, rec, base, options.squash), what);
    auto config = TRY_CTX(commit_config(ctx, rec, base, layer, options), what);
    std::string config_body = config.serialize();
    auto config_digest = TRY(ctx.store->blobs().put(config_body));
    auto config_type = options.format == CommitFormat::Docker ? image::media_type::docker_config : image::media_type::oci_config;
    auto manifest = TRY_CTX(commit_manifest(ctx, base, layer,
        image::Descriptor { config_type, config_digest, static_cast<int64_t>(config_body.size()), {}, {}, {} }, options), what);
    if (options.observer) {
        for (auto const& blob : manifest.layers)
            options.observer(CopyEvent { CopyEvent::Kind::BlobDone, blob.digest.str() });
        options.observer(CopyEvent { CopyEvent::Kind::ConfigDone, config_digest.str() });
    }

    store::ImageRecord record;
    record.id = config_digest.hex();
    record.config_digest = config_digest;
    record.manifest_digest = TRY(ctx.store->blobs().put(image::serialize_manifest(manifest)));
    record.manifest_media_type = manifest.media_type;
    if (!name.empty())
        record.names.push_back(name);
    if (!options.squash)
        record.layers = base.layers;
    record.layers.push_back(layer);
    record.created = parse_time(config.created);
    for (auto const& l : record.layers)
        record.size += l.size;
    record.architecture = config.architecture;
    record.os = config.os;
    TRY_CTX(ctx.store->put_image(record), what);
    if (options.observer)
        options.observer(CopyEvent { CopyEvent::Kind::ManifestWritten, {} });
    return TRY(ctx.store->get_image(record.id)).value_or(record);
}

} // namespace berth::engine
