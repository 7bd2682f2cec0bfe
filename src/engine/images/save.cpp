// save: stored images out to docker-archive, oci-archive, oci-dir and
// docker-dir (the `dir:` transport with a Docker schema 2 manifest).
//
// Every format is written through one small Output interface with two
// implementations, a tar stream (libarchive, pax) and a plain directory, so
// oci-archive and oci-dir share all their code. The hard part is the
// docker-archive: it wants each layer as an uncompressed tar, but the store
// keeps the blob as pulled (usually gzip). A tar entry needs its size in its
// header before its data, so the uncompressed size comes from the layer
// record (or from one counting pass), and the decompressed stream is then
// written straight into the archive, hashed on the way and compared with
// the diff ID: a damaged store never yields a silently wrong archive.
// A layer shared with another image may be stored under that image's blob
// only; stored_manifest() then describes it by that blob (see
// describe_stored_blobs for why, rather than downloading the image's own).
// Files appear under their final name only when complete (temp + rename).
#include "engine/images/interchange.h"

#include "archive/streams.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/scope_guard.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "base/unnamed_file.h"
#include "engine/images/images.h"
#include "image/reference.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <set>
#include <sys/stat.h>

namespace berth::engine {

namespace {

using Chunk = std::function<ErrorOr(char const*, size_t)>;
using Producer = std::function<ErrorOr(Chunk const&)>;

/// Streams a file's bytes into `sink`.
ErrorOr copy_file_to(std::string const& path, Chunk const& sink)
{
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    std::vector<char> buf(1 << 20);
    for (;;) {
        size_t n = TRY(sys::read(fd.get(), buf.data(), buf.size()));
        if (n == 0)
            return {};
        TRY(sink(buf.data(), n));
    }
}

/// Where a saved layout goes: entries of known size, written in order.
class Output {
public:
    virtual ~Output() = default;
    virtual ErrorOr add_dir(std::string const& name) = 0;
    /// Adds a regular file of exactly `size` bytes, fed by `produce`.
    virtual ErrorOr add(std::string const& name, int64_t size, Producer const& produce) = 0;
    virtual ErrorOr finish() = 0;

    ErrorOr add_bytes(std::string const& name, std::string_view data)
    {
        return add(name, static_cast<int64_t>(data.size()), [&](Chunk const& sink) { return sink(data.data(), data.size()); });
    }
    ErrorOr add_file(std::string const& name, std::string const& path)
    {
        auto st = TRY(sys::stat(path));
        return add(name, st.st_size, [&](Chunk const& sink) { return copy_file_to(path, sink); });
    }
};

/// A pax tar stream on a file descriptor; entries are root-owned, mode 0644, mtime 0.
class TarOutput final : public Output {
public:
    explicit TarOutput(int fd) : m_tar(archive::TarWriter::to_fd(fd, archive::TarWriter::Padding::None)) {}

    ErrorOr add_dir(std::string const& name) override { return TRY(tar())->directory(name, 0755); }

    ErrorOr add(std::string const& name, int64_t size, Producer const& produce) override
    {
        archive::TarWriter& out = *TRY(tar());
        TRY(out.header(archive::root_entry(name, AE_IFREG, 0644, size).get(), name));
        int64_t written = 0;
        TRY(produce([&](char const* data, size_t n) -> ErrorOr {
            if (written + static_cast<int64_t>(n) > size)
                return Error::msg("archive entry " + name + ": more data than the " + std::to_string(size) + " bytes expected");
            written += static_cast<int64_t>(n);
            return out.data(data, n, name);
        }));
        if (written != size)
            return Error::msg("archive entry " + name + ": got " + std::to_string(written) + " bytes, expected " + std::to_string(size));
        return {};
    }

    ErrorOr finish() override { return TRY(tar())->finish(); }

private:
    Result<archive::TarWriter*> tar()
    {
        if (!m_tar)
            return Error(m_tar.error());
        return &*m_tar;
    }

    Result<archive::TarWriter> m_tar;
};

/// Files in a directory; each is fsync'd before the next starts.
class DirOutput final : public Output {
public:
    explicit DirOutput(std::string root) : m_root(std::move(root)) {}
    ErrorOr add_dir(std::string const& name) override { return sys::mkdir(fs::join(m_root, name), 0755); }
    ErrorOr add(std::string const& name, int64_t size, Producer const& produce) override
    {
        std::string path = fs::join(m_root, name);
        UniqueFd fd = TRY(sys::open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        int64_t written = 0;
        TRY(produce([&](char const* data, size_t n) -> ErrorOr {
            written += static_cast<int64_t>(n);
            return sys::write_all(fd.get(), data, n);
        }));
        if (written != size)
            return Error::msg(path + ": got " + std::to_string(written) + " bytes, expected " + std::to_string(size));
        return sys::fsync(fd.get());
    }
    ErrorOr finish() override { return fs::fsync_dir(m_root); }

private:
    std::string m_root;
};

std::pair<std::string, std::string> split_path(std::string const& path)
{
    auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return { ".", path };
    return { slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1) };
}

/// Writes an archive to an unnamed file beside `target` and names it when complete.
ErrorOr write_archive_file(std::string const& target, std::function<ErrorOr(Output&)> const& body)
{
    auto [dir, base] = split_path(target);
    auto file = TRY_CTX(UnnamedFile::create(dir, base, 0666), "write " + target);
    {
        TarOutput out(file.fd());
        TRY_CTX(body(out), "write " + target);
        TRY_CTX(out.finish(), "write " + target);
    }
    TRY_CTX(sys::fsync(file.fd()), "write " + target);
    return file.publish(target);
}

/// Builds a directory layout next to `target` and renames it into place; an existing
/// target must be an empty directory.
ErrorOr write_layout_dir(std::string const& target, std::function<ErrorOr(Output&)> const& body)
{
    if (fs::exists(target)) {
        auto entries = fs::list_dir(target);
        if (!entries)
            return Error { ENOTDIR, target + ": exists and is not a directory: remove it or choose another output" };
        if (!entries->empty())
            return Error { EEXIST, target + ": directory exists and is not empty: remove it or choose another output" };
    }
    auto [dir, base] = split_path(target);
    TempDir tmp = TRY(TempDir::create(dir, "." + base + ".tmp-"));
    if (::chmod(tmp.path().c_str(), 0755) < 0)
        return Error::from_errno("chmod " + tmp.path());
    DirOutput out(tmp.path());
    TRY(body(out));
    TRY(out.finish());
    // An existing empty directory is replaced; rmdir refuses a non-empty one.
    if (fs::exists(target)) {
        if (!fs::is_dir(target))
            return Error { EEXIST, target + ": exists and is not a directory: remove it or choose another output" };
        if (::rmdir(target.c_str()) < 0)
            return Error { errno, target + ": directory exists and is not empty: remove it or choose another output" };
    }
    TRY(sys::rename(tmp.path(), target));
    tmp.keep();
    return {};
}

struct SaveItem {
    store::ImageRecord record;
    std::vector<std::string> tags;   ///< full names, "docker.io/library/busybox:latest"
};

Result<std::vector<SaveItem>> resolve_items(Context& ctx, std::vector<std::string> const& names, SaveOptions const& options)
{
    std::vector<SaveItem> items;
    for (auto const& name : names) {
        auto record = TRY(find_image(ctx, name));
        auto tag = name_for_input(record, name);
        auto it = std::find_if(items.begin(), items.end(), [&](SaveItem const& i) { return i.record.id == record.id; });
        if (it == items.end()) {
            items.push_back(SaveItem { record, {} });
            it = items.end() - 1;
        }
        if (tag && std::find(it->tags.begin(), it->tags.end(), *tag) == it->tags.end())
            it->tags.push_back(*tag);
    }
    if (items.empty())
        return Error::msg("save: no image given");
    if (items.size() > 1 && options.format == ArchiveFormat::DockerArchive && !options.multi_image)
        return Error::msg("save: several images in one docker-archive need -m/--multi-image-archive");
    if (items.size() > 1 && options.format == ArchiveFormat::DockerDir)
        return Error::msg("save: docker-dir holds one image: save the others separately or use --format oci-dir");
    return items;
}

void notify(SaveOptions const& o, CopyEvent::Kind kind, std::string digest = {})
{
    if (o.observer)
        o.observer(CopyEvent { kind, std::move(digest) });
}

/// The path of a stored blob, or an error naming the image.
Result<std::string> blob_path(Context& ctx, store::ImageRecord const& record, image::Digest const& digest)
{
    if (!ctx.store->blobs().has(digest))
        return Error { ENOENT, "image " + record.id.substr(0, 12) + ": blob " + digest.str() + " is not in the store: pull or load the image again" };
    return ctx.store->blobs().path(digest);
}

/// A blob holding layer `diff_id`: the manifest's own, else the one the layer was made from.
Result<std::string> layer_source(Context& ctx, store::ImageRecord const& record, image::Descriptor const& desc, image::Digest const& diff_id)
{
    if (ctx.store->blobs().has(desc.digest))
        return ctx.store->blobs().path(desc.digest);
    if (auto info = TRY(ctx.store->layers().get(diff_id)); info && ctx.store->blobs().has(info->blob_digest))
        return ctx.store->blobs().path(info->blob_digest);
    return blob_path(ctx, record, desc.digest);
}

/// The uncompressed size of a layer blob: the file size for a plain tar, the recorded
/// size, or a counting pass.
Result<int64_t> uncompressed_size(Context& ctx, std::string const& path, image::Digest const& diff_id)
{
    auto st = TRY(sys::stat(path));
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    char head[8] = {};
    size_t n = TRY(sys::read(fd.get(), head, sizeof head));
    if (detect_compression(std::string_view(head, n)) == Compression::None)
        return static_cast<int64_t>(st.st_size);
    if (auto info = TRY(ctx.store->layers().get(diff_id)); info && info->size > 0)
        return info->size;
    int64_t total = 0;
    TRY(archive::decompress_file(path, [&](char const*, size_t len) -> ErrorOr {
        total += static_cast<int64_t>(len);
        return {};
    }));
    return total;
}

/// Writes the layer blob at `path` decompressed, as `name`, checking it is `diff_id`;
/// returns its size.
Result<int64_t> add_uncompressed_layer(Context& ctx, Output& out, std::string const& name, std::string const& path,
    image::Digest const& diff_id)
{
    int64_t size = TRY(uncompressed_size(ctx, path, diff_id));
    TRY(out.add(name, size, [&](Chunk const& sink) -> ErrorOr {
        image::Sha256 hasher;
        TRY(archive::decompress_file(path, [&](char const* data, size_t n) -> ErrorOr {
            hasher.update(data, n);
            return sink(data, n);
        }));
        if (auto got = hasher.finish(); got != diff_id)
            return Error::msg("layer " + diff_id.str() + ": the stored blob decompresses to " + got.str() + ": the store is damaged, pull the image again");
        return {};
    }));
    return size;
}

// ---- docker-archive ----------------------------------------------------------

ErrorOr write_docker_archive(Context& ctx, std::vector<SaveItem> const& items, Output& out, SaveOptions const& o)
{
    OrderedJson manifest = OrderedJson::array();
    OrderedJson repositories = OrderedJson::object();
    std::set<std::string> written;
    for (auto const& item : items) {
        auto sm = TRY(stored_manifest(ctx, item.record));
        auto config_text = TRY(ctx.store->blobs().read(item.record.config_digest));
        auto config = TRY_CTX(image::ImageConfig::parse(config_text), "image " + item.record.id.substr(0, 12));
        if (config.diff_ids.size() != sm.manifest.layers.size())
            return Error::msg("image " + item.record.id.substr(0, 12) + ": manifest and config disagree on the number of layers");
        OrderedJson layer_names = OrderedJson::array();
        for (size_t i = 0; i < config.diff_ids.size(); ++i) {
            auto const& diff_id = config.diff_ids[i];
            std::string name = diff_id.hex() + ".tar";
            layer_names.push_back(name);
            if (!written.insert(name).second)
                continue;
            auto path = TRY(layer_source(ctx, item.record, sm.manifest.layers[i], diff_id));
            TRY(add_uncompressed_layer(ctx, out, name, path, diff_id));
            notify(o, CopyEvent::Kind::BlobDone, sm.manifest.layers[i].digest.str());
        }
        std::string config_name = item.record.config_digest.hex() + ".json";
        if (written.insert(config_name).second)
            TRY(out.add_bytes(config_name, config_text));
        notify(o, CopyEvent::Kind::ConfigDone, item.record.config_digest.str());
        manifest.push_back(OrderedJson { { "Config", config_name }, { "RepoTags", item.tags }, { "Layers", layer_names } });
        for (auto const& tag : item.tags) {
            auto [repo, t] = split_name(tag);
            if (!config.diff_ids.empty())
                repositories[repo][t] = config.diff_ids.back().hex();
        }
    }
    TRY(out.add_bytes("manifest.json", json::dump(manifest)));
    TRY(out.add_bytes("repositories", json::dump(repositories)));
    notify(o, CopyEvent::Kind::ManifestWritten);
    return {};
}

// ---- OCI layout --------------------------------------------------------------

/// One image's manifest in OCI form: the stored bytes when already OCI, else converted.
Result<std::pair<std::string, image::Manifest>> oci_manifest_for(StoredManifest const& sm)
{
    auto converted = TRY(convert_manifest(sm.manifest, ManifestFormat::Oci));
    if (sm.media_type == image::media_type::oci_manifest)
        return std::pair { sm.body, converted };
    return std::pair { image::serialize_manifest(converted), converted };
}

ErrorOr write_oci_layout(Context& ctx, std::vector<SaveItem> const& items, Output& out, SaveOptions const& o)
{
    TRY(out.add_bytes("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
    TRY(out.add_dir("blobs"));
    TRY(out.add_dir("blobs/sha256"));
    std::set<image::Digest> written;
    auto add_blob = [&](image::Digest const& digest, std::string const& path) -> ErrorOr {
        if (!written.insert(digest).second)
            return {};
        return out.add_file("blobs/sha256/" + digest.hex(), path);
    };
    image::Index index;
    index.media_type = image::media_type::oci_index;
    for (auto const& item : items) {
        auto sm = TRY(stored_manifest(ctx, item.record));
        auto [body, manifest] = TRY(oci_manifest_for(sm));
        if (o.uncompressed) {
            // --uncompressed: each layer as a plain tar, named by its diff ID; the manifest changes, the image ID does not.
            auto config = TRY_CTX(image::ImageConfig::parse(TRY(ctx.store->blobs().read(item.record.config_digest))),
                "image " + item.record.id.substr(0, 12));
            if (config.diff_ids.size() != manifest.layers.size())
                return Error::msg("image " + item.record.id.substr(0, 12) + ": manifest and config disagree on the number of layers");
            for (size_t i = 0; i < manifest.layers.size(); ++i) {
                auto& layer = manifest.layers[i];
                auto const& diff_id = config.diff_ids[i];
                auto path = TRY(layer_source(ctx, item.record, sm.manifest.layers[i], diff_id));
                int64_t size = layer.size;
                if (written.insert(diff_id).second)
                    size = TRY(add_uncompressed_layer(ctx, out, "blobs/sha256/" + diff_id.hex(), path, diff_id));
                else
                    size = TRY(uncompressed_size(ctx, path, diff_id));
                notify(o, CopyEvent::Kind::BlobDone, layer.digest.str());
                layer = image::Descriptor { image::media_type::oci_layer, diff_id, size, {}, layer.annotations, {} };
            }
            body = image::serialize_manifest(manifest);
        } else {
            for (auto const& layer : sm.manifest.layers) {
                TRY(add_blob(layer.digest, TRY(blob_path(ctx, item.record, layer.digest))));
                notify(o, CopyEvent::Kind::BlobDone, layer.digest.str());
            }
        }
        TRY(add_blob(manifest.config.digest, TRY(blob_path(ctx, item.record, manifest.config.digest))));
        notify(o, CopyEvent::Kind::ConfigDone, manifest.config.digest.str());
        auto digest = image::Digest::sha256_of(body);
        if (written.insert(digest).second)
            TRY(out.add_bytes("blobs/sha256/" + digest.hex(), body));
        image::Descriptor desc { image::media_type::oci_manifest, digest, static_cast<int64_t>(body.size()), {}, {}, {} };
        if (item.tags.empty())
            index.manifests.push_back(desc);
        for (auto const& tag : item.tags) {
            // ref.name holds the tag (as Docker and skopeo's oci:DIR:TAG use it), the
            // containerd annotation the full name, which Podman and Docker load prefer.
            desc.annotations = { { "org.opencontainers.image.ref.name", split_name(tag).second },
                { "io.containerd.image.name", tag } };
            index.manifests.push_back(desc);
        }
    }
    TRY(out.add_bytes("index.json", image::serialize_index(index)));
    notify(o, CopyEvent::Kind::ManifestWritten);
    return {};
}

// ---- docker-dir (the dir: transport) --------------------------------------------

ErrorOr write_docker_dir(Context& ctx, SaveItem const& item, Output& out, SaveOptions const& o)
{
    auto sm = TRY(stored_manifest(ctx, item.record));
    auto manifest = TRY(convert_manifest(sm.manifest, ManifestFormat::DockerV2S2));
    std::string body = sm.media_type == image::media_type::docker_manifest ? sm.body : image::serialize_manifest(manifest);
    TRY(out.add_bytes("version", "Directory Transport Version: 1.1\n"));
    std::set<image::Digest> written;
    for (auto const& layer : sm.manifest.layers) {
        if (written.insert(layer.digest).second)
            TRY(out.add_file(layer.digest.hex(), TRY(blob_path(ctx, item.record, layer.digest))));
        notify(o, CopyEvent::Kind::BlobDone, layer.digest.str());
    }
    if (written.insert(manifest.config.digest).second)
        TRY(out.add_file(manifest.config.digest.hex(), TRY(blob_path(ctx, item.record, manifest.config.digest))));
    notify(o, CopyEvent::Kind::ConfigDone, manifest.config.digest.str());
    TRY(out.add_bytes("manifest.json", body));
    notify(o, CopyEvent::Kind::ManifestWritten);
    return {};
}

bool is_hex_prefix_of(std::string_view input, std::string const& id)
{
    if (input.rfind("sha256:", 0) == 0)
        input.remove_prefix(7);
    if (input.size() < 3 || input.size() > id.size())
        return false;
    return id.compare(0, input.size(), input) == 0;
}

} // namespace

Result<ArchiveFormat> parse_archive_format(std::string_view text)
{
    if (text == "docker-archive")
        return ArchiveFormat::DockerArchive;
    if (text == "oci-archive")
        return ArchiveFormat::OciArchive;
    if (text == "oci-dir")
        return ArchiveFormat::OciDir;
    if (text == "docker-dir")
        return ArchiveFormat::DockerDir;
    return Error::msg("unknown format \"" + std::string(text) + "\": use docker-archive, oci-archive, oci-dir or docker-dir");
}

std::optional<std::string> name_for_input(store::ImageRecord const& record, std::string const& input)
{
    if (auto ref = image::Reference::parse(input)) {
        if (ref->digest)
            return std::nullopt;
        std::string tag = ref->tag.empty() ? "latest" : ref->tag;
        if (!ref->is_short_name()) {
            std::string full = ref->repository() + ":" + tag;
            if (std::find(record.names.begin(), record.names.end(), full) != record.names.end())
                return full;
        } else {
            std::string suffix = "/" + ref->path + ":" + tag;
            for (auto const& name : record.names)
                if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
                    return name;
        }
    }
    if (is_hex_prefix_of(input, record.id) || record.names.empty())
        return std::nullopt;
    return record.names.front();
}

namespace {

/// The blob a layer is stored under, when it is not `desc`'s: the layer store keeps a layer
/// (one diff ID) once, with the blob it was first made from, so an image that shares the
/// layer through another blob (the same tar compressed differently) never gets its own blob
/// downloaded. nullopt when `desc`'s blob is there, or no other blob can stand in.
Result<std::optional<image::Descriptor>> stored_layer_blob(Context& ctx, image::Descriptor const& desc, image::Digest const& diff_id)
{
    auto& blobs = ctx.store->blobs();
    if (blobs.has(desc.digest))
        return std::optional<image::Descriptor>();
    auto info = TRY(ctx.store->layers().get(diff_id));
    if (!info || info->blob_digest.empty() || !blobs.has(info->blob_digest))
        return std::optional<image::Descriptor>();
    std::string path = blobs.path(info->blob_digest);
    auto st = TRY(sys::stat(path));
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    char head[8] = {};
    size_t n = TRY(sys::read(fd.get(), head, sizeof head));
    Compression compression = detect_compression(std::string_view(head, n));
    if (compression != Compression::None && compression != Compression::Gzip && compression != Compression::Zstd)
        return std::optional<image::Descriptor>();
    image::Descriptor out = desc;
    out.digest = info->blob_digest;
    out.size = static_cast<int64_t>(st.st_size);
    out.media_type = oci_layer_media_type(compression);
    return std::optional<image::Descriptor>(std::move(out));
}

/// Rewrites `sm` so that every layer it names by a blob the store lacks names the blob the
/// layer is stored under instead (digest, size and media type of that blob), and the body
/// and digest describe the result. Why not fetch the image's own blob at pull time instead:
/// it would cost a second download of every shared layer, and stores made before would
/// stay broken; Podman itself recompresses layers on push, so its users expect a pushed
/// or saved manifest that differs from the pulled one, as long as it is consistent. The
/// config (diff IDs), and so the image ID, is unchanged. A Docker schema 2 manifest stays
/// one unless a substituted blob is zstd, which only OCI can name.
ErrorOr describe_stored_blobs(Context& ctx, store::ImageRecord const& record, StoredManifest& sm)
{
    if (record.layers.size() != sm.manifest.layers.size())
        return {}; // cannot pair layers with diff IDs: missing blobs fail later, naming themselves
    bool changed = false;
    for (size_t i = 0; i < sm.manifest.layers.size(); ++i) {
        auto& desc = sm.manifest.layers[i];
        auto stand_in = TRY(stored_layer_blob(ctx, desc, record.layers[i].diff_id));
        if (!stand_in)
            continue;
        log::debug("image {}: layer {} is stored under blob {}; describing it by that blob", record.id.substr(0, 12),
            record.layers[i].diff_id.str(), stand_in->digest.str());
        desc = std::move(*stand_in);
        changed = true;
    }
    if (!changed)
        return {};
    bool docker = sm.manifest.media_type == image::media_type::docker_manifest;
    auto converted = convert_manifest(sm.manifest, docker ? ManifestFormat::DockerV2S2 : ManifestFormat::Oci);
    if (!converted && docker)
        converted = convert_manifest(sm.manifest, ManifestFormat::Oci);
    sm.manifest = TRY_CTX(std::move(converted), "image " + record.id.substr(0, 12));
    sm.body = image::serialize_manifest(sm.manifest);
    sm.digest = image::Digest::sha256_of(sm.body);
    sm.media_type = sm.manifest.media_type;
    return {};
}

} // namespace

Result<StoredManifest> stored_manifest(Context& ctx, store::ImageRecord const& record)
{
    auto& blobs = ctx.store->blobs();
    if (!record.manifest_digest.empty() && blobs.has(record.manifest_digest)) {
        StoredManifest sm;
        sm.body = TRY(blobs.read(record.manifest_digest));
        sm.digest = record.manifest_digest;
        sm.media_type = record.manifest_media_type.empty() ? TRY(image::detect_media_type(sm.body, "")) : record.manifest_media_type;
        sm.manifest = TRY_CTX(image::parse_manifest(sm.body), "image " + record.id.substr(0, 12) + ": manifest");
        if (sm.manifest.media_type.empty())
            sm.manifest.media_type = sm.media_type;
        TRY(describe_stored_blobs(ctx, record, sm));
        return sm;
    }
    // No stored manifest: describe the image from its record, with OCI media types.
    log::debug("image {}: no stored manifest, synthesising one", record.id);
    image::Manifest m;
    m.media_type = image::media_type::oci_manifest;
    auto config_path = TRY(blob_path(ctx, record, record.config_digest));
    auto config_st = TRY(sys::stat(config_path));
    m.config = image::Descriptor { image::media_type::oci_config, record.config_digest, config_st.st_size, {}, {}, {} };
    for (auto const& layer : record.layers) {
        auto media = layer.media_type.empty() ? std::string(image::media_type::oci_layer_gzip) : layer.media_type;
        m.layers.push_back(image::Descriptor { media, layer.blob_digest, layer.blob_size, {}, {}, {} });
    }
    m = TRY(convert_manifest(m, ManifestFormat::Oci));
    StoredManifest sm;
    sm.body = image::serialize_manifest(m);
    sm.digest = image::Digest::sha256_of(sm.body);
    sm.media_type = m.media_type;
    sm.manifest = std::move(m);
    TRY(describe_stored_blobs(ctx, record, sm));
    return sm;
}

ErrorOr save_images(Context& ctx, std::vector<std::string> const& names, SaveOptions const& options)
{
    auto items = TRY(resolve_items(ctx, names, options));
    auto body = [&](Output& out) -> ErrorOr {
        switch (options.format) {
        case ArchiveFormat::DockerArchive:
            return write_docker_archive(ctx, items, out, options);
        case ArchiveFormat::OciArchive:
        case ArchiveFormat::OciDir:
            return write_oci_layout(ctx, items, out, options);
        case ArchiveFormat::DockerDir:
            return write_docker_dir(ctx, items.front(), out, options);
        }
        return {};
    };
    bool is_dir = options.format == ArchiveFormat::OciDir || options.format == ArchiveFormat::DockerDir;
    if (is_dir) {
        if (options.output.empty())
            return Error::msg("save: a directory format needs an output directory: use -o DIR");
        TRY_CTX(write_layout_dir(options.output, body), "save to " + options.output);
        return {};
    }
    if (!options.output.empty()) {
        TRY_CTX(write_archive_file(options.output, body), "save to " + options.output);
        return {};
    }
    if (options.output_fd < 0)
        return Error::msg("save: no output: use -o FILE");
    TarOutput out(options.output_fd);
    TRY(body(out));
    return out.finish();
}

} // namespace berth::engine
