// load: docker-archive, oci-archive, OCI layout directories and docker-dir
// directories into the store.
//
// An archive (from a file or a pipe, possibly compressed) is first
// extracted with libarchive into a temporary directory under the store's data
// directory, so every later step reads plain files however the input
// arrived. Extraction is confined: names are normalised and may not climb
// out, only directories and regular files are written, and symlinks and hard
// links (old `docker save` archives link duplicate layers) are kept as a
// name map resolved inside the archive, never created on disk.
//
// The hard part is "a corrupted archive stores nothing": every image is
// parsed and every blob hashed (and every layer decompressed and hashed
// against its diff ID) before the first byte goes into the store. Only then
// are blobs copied in, layers extracted and the record written; if that still
// fails, the blobs and layers this image added are removed again.
#include "engine/images/interchange.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/process_stat.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "engine/images/images.h"
#include "archive/streams.h"

#include <archive.h>
#include <archive_entry.h>
#include <csignal>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <sys/file.h>

namespace berth::engine {

namespace {

/// Splits a path into components; ".." pops, "." and "" vanish. nullopt if it climbs out.
std::optional<std::vector<std::string>> components(std::string_view path)
{
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        std::string_view part = path.substr(pos, end - pos);
        if (part == "..") {
            if (out.empty())
                return std::nullopt;
            out.pop_back();
        } else if (!part.empty() && part != ".") {
            out.emplace_back(part);
        }
        pos = end + 1;
    }
    return out;
}

std::string join_components(std::vector<std::string> const& parts, size_t count)
{
    std::string s;
    for (size_t i = 0; i < count; ++i)
        s += (i ? "/" : "") + parts[i];
    return s;
}

/// The files of an extracted archive (or a layout directory given as is).
struct Tree {
    std::string root;
    std::map<std::string, std::string> links;   ///< entry name -> root-relative target

    /// The real path of entry `name`, following the archive's links inside the root.
    Result<std::string> path(std::string const& name) const
    {
        auto parts = components(name);
        if (!parts || parts->empty())
            return Error::msg("archive entry \"" + name + "\" points outside the archive");
        for (int hops = 0; hops < 40; ++hops) {
            bool replaced = false;
            for (size_t n = 1; n <= parts->size() && !replaced; ++n) {
                auto it = links.find(join_components(*parts, n));
                if (it == links.end())
                    continue;
                auto target = components(it->second);
                if (!target)
                    return Error::msg("archive entry \"" + name + "\" points outside the archive");
                target->insert(target->end(), parts->begin() + static_cast<long>(n), parts->end());
                *parts = std::move(*target);
                replaced = true;
            }
            if (!replaced) {
                std::string full = fs::join(root, join_components(*parts, parts->size()));
                if (!fs::exists(full))
                    return Error { ENOENT, "the archive has no file \"" + name + "\": it is incomplete or not an image archive" };
                return full;
            }
        }
        return Error::msg("archive entry \"" + name + "\": too many levels of links");
    }
    Result<std::string> read(std::string const& name) const { return fs::read_file(TRY(path(name))); }
    bool has(std::string const& name) const { return path(name).has_value(); }
};

/// Writes the data of the current entry to a new file under the root.
ErrorOr extract_file(struct archive* a, std::string const& root, std::vector<std::string> const& parts)
{
    if (parts.size() > 1)
        TRY(fs::mkdir_p(fs::join(root, join_components(parts, parts.size() - 1)), 0700));
    std::string path = fs::join(root, join_components(parts, parts.size()));
    ::unlink(path.c_str());   // a later entry of the same name replaces the earlier one, as tar does
    UniqueFd fd = TRY(sys::open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    void const* block;
    size_t size;
    la_int64_t offset;
    for (;;) {
        int rc = archive_read_data_block(a, &block, &size, &offset);
        if (rc == ARCHIVE_EOF)
            return {};
        if (rc < ARCHIVE_WARN)
            return archive::error(a, "read " + join_components(parts, parts.size()));
        if (::lseek(fd.get(), offset, SEEK_SET) < 0)
            return Error::from_errno("seek " + path);
        TRY(sys::write_all(fd.get(), block, size));
    }
}

/// Records a symlink or hard link entry as a name mapping (never created on disk).
ErrorOr record_link(Tree& tree, std::vector<std::string> const& parts, archive_entry* e)
{
    std::string name = join_components(parts, parts.size());
    if (char const* hard = archive_entry_hardlink(e)) {
        tree.links[name] = hard;
        return {};
    }
    std::string target = archive_entry_symlink(e) ? archive_entry_symlink(e) : "";
    if (!target.empty() && target[0] != '/')
        target = join_components(parts, parts.size() - 1) + "/" + target;
    if (!components(target))
        return Error::msg("archive entry \"" + name + "\" links outside the archive");
    tree.links[name] = target;
    return {};
}

/// Extracts a tar stream (any compression) into `root`, confined to it.
Result<Tree> extract(LoadOptions const& options, std::string root)
{
    Tree tree { std::move(root), {} };
    std::string const what = "not an image archive (a tar, possibly compressed)";
    archive::Reader reader = TRY(options.input.empty() ? archive::open_tar(options.input_fd, what)
                                                       : archive::open_tar_file(options.input, what));
    struct archive* a = reader.get();
    for (;;) {
        archive_entry* e;
        int rc = archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN)
            return archive::error(a, "read archive");
        std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
        auto parts = components(name);
        if (!parts)
            return Error::msg("archive entry \"" + name + "\" points outside the archive: refusing to load it");
        if (parts->empty())
            continue;
        auto type = archive_entry_filetype(e);
        if (archive_entry_hardlink(e) || type == AE_IFLNK)
            TRY(record_link(tree, *parts, e));
        else if (type == AE_IFDIR)
            TRY(fs::mkdir_p(fs::join(tree.root, join_components(*parts, parts->size())), 0700));
        else if (type == AE_IFREG)
            TRY(extract_file(a, tree.root, *parts));
    }
    return tree;
}

// ---- what an input holds, verified ------------------------------------------------

struct PendingBlob {
    std::string path;
    image::Digest digest;
    int64_t size = 0;
};

struct PendingImage {
    std::string config_body;
    image::Digest config_digest;
    image::ImageConfig config;
    std::string manifest_body;
    std::string manifest_media_type;
    std::vector<image::Descriptor> layer_descs;
    std::vector<PendingBlob> layers;
    std::vector<std::string> names;
};

struct FileDigests {
    image::Digest digest;     ///< of the file's bytes
    image::Digest diff_id;    ///< of its decompressed bytes
    int64_t size = 0;
    Compression compression = Compression::None;
};

/// Hashes a file, and its decompressed content when it is compressed.
Result<FileDigests> hash_file(std::string const& path)
{
    FileDigests out;
    image::Sha256 hasher;
    std::string head;
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    std::vector<char> buf(1 << 20);
    for (;;) {
        size_t n = TRY(sys::read(fd.get(), buf.data(), buf.size()));
        if (n == 0)
            break;
        if (head.size() < 8)
            head.append(buf.data(), std::min<size_t>(n, 8 - head.size()));
        hasher.update(buf.data(), n);
        out.size += static_cast<int64_t>(n);
    }
    out.digest = hasher.finish();
    out.compression = detect_compression(head);
    if (out.compression == Compression::None) {
        out.diff_id = out.digest;
        return out;
    }
    image::Sha256 inner;
    TRY(archive::decompress_file(path, [&](char const* data, size_t n) -> ErrorOr {
        inner.update(data, n);
        return {};
    }));
    out.diff_id = inner.finish();
    return out;
}

Error corrupted(std::string const& what, image::Digest const& want, image::Digest const& got)
{
    return Error::msg(what + ": digest mismatch: expected " + want.str() + ", got " + got.str() + ": the archive is corrupted");
}

/// Normalises a name from an archive; a bad one is skipped with a warning.
void add_name(PendingImage& img, std::string const& name)
{
    auto normalized = normalize_tag_name(name);
    if (!normalized) {
        log::warn("load: ignoring image name \"{}\": {}", name, normalized.error().message);
        return;
    }
    if (std::find(img.names.begin(), img.names.end(), *normalized) == img.names.end())
        img.names.push_back(*normalized);
}

/// Reads a config, checks it against `expected` (when known) and the layer count.
ErrorOr read_config(PendingImage& img, std::string body, std::optional<image::Digest> const& expected, size_t layers)
{
    img.config_digest = image::Digest::sha256_of(body);
    if (expected && *expected != img.config_digest)
        return corrupted("image config", *expected, img.config_digest);
    img.config = TRY_CTX(image::ImageConfig::parse(body), "image config " + img.config_digest.str());
    img.config_body = std::move(body);
    if (img.config.diff_ids.size() != layers)
        return Error::msg("image " + img.config_digest.hex().substr(0, 12) + ": " + std::to_string(layers)
            + " layers but the config lists " + std::to_string(img.config.diff_ids.size()) + " diff IDs: the archive is corrupted");
    return {};
}

/// Verifies layer `i` of `img` in file `path`, whose blob digest should be `expected` (if given).
ErrorOr add_layer(PendingImage& img, size_t i, std::string const& path, std::optional<image::Digest> const& expected, std::string const& what)
{
    auto facts = TRY_CTX(hash_file(path), what);
    if (expected && facts.digest != *expected)
        return corrupted(what, *expected, facts.digest);
    if (facts.diff_id != img.config.diff_ids[i])
        return corrupted(what + (facts.compression == Compression::None ? "" : " (uncompressed)"), img.config.diff_ids[i], facts.diff_id);
    img.layers.push_back(PendingBlob { path, facts.digest, facts.size });
    if (img.layer_descs.size() <= i) {
        if (facts.compression == Compression::Xz || facts.compression == Compression::Bzip2)
            return Error::msg(what + ": xz/bzip2-compressed layers cannot be stored: recompress with gzip or zstd");
        img.layer_descs.push_back(image::Descriptor { oci_layer_media_type(facts.compression), facts.digest, facts.size, {}, {}, {} });
    }
    return {};
}

/// A docker-archive: manifest.json lists config and layer files per image.
Result<std::vector<PendingImage>> parse_docker_archive(Tree const& tree, Json const& list)
{
    std::vector<PendingImage> out;
    for (auto const& entry : list) {
        if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() || !entry.contains("Layers") || !entry["Layers"].is_array())
            return Error::msg("manifest.json: an entry lacks Config or Layers: not a docker-archive");
        PendingImage img;
        std::string config_name = entry["Config"];
        // The config file is named after its digest ("<hex>.json" or "blobs/sha256/<hex>").
        std::optional<image::Digest> expected;
        std::string base = config_name.substr(config_name.rfind('/') + 1);
        if (base.size() >= 5 && base.compare(base.size() - 5, 5, ".json") == 0)
            base.resize(base.size() - 5);
        if (auto d = image::Digest::parse("sha256:" + base))
            expected = *d;
        TRY(read_config(img, TRY(tree.read(config_name)), expected, entry["Layers"].size()));
        for (size_t i = 0; i < entry["Layers"].size(); ++i) {
            if (!entry["Layers"][i].is_string())
                return Error::msg("manifest.json: a layer name is not a string: not a docker-archive");
            std::string name = entry["Layers"][i];
            TRY(add_layer(img, i, TRY(tree.path(name)), std::nullopt, "layer " + name));
        }
        image::Manifest m;
        m.media_type = image::media_type::oci_manifest;
        m.config = image::Descriptor { image::media_type::oci_config, img.config_digest, static_cast<int64_t>(img.config_body.size()), {}, {}, {} };
        m.layers = img.layer_descs;
        img.manifest_body = image::serialize_manifest(m);
        img.manifest_media_type = image::media_type::oci_manifest;
        if (entry.contains("RepoTags") && entry["RepoTags"].is_array())
            for (auto const& tag : entry["RepoTags"])
                if (tag.is_string())
                    add_name(img, tag.get<std::string>());
        out.push_back(std::move(img));
    }
    return out;
}

using BlobLocator = std::function<Result<std::string>(image::Digest const&)>;

/// Reads a small blob (manifest, index, config) and checks its digest.
Result<std::string> read_blob(BlobLocator const& locate, image::Digest const& digest, std::string const& what)
{
    auto body = TRY(fs::read_file(TRY(locate(digest))));
    if (auto got = image::Digest::sha256_of(body); got != digest)
        return corrupted(what, digest, got);
    return body;
}

/// One image of an OCI layout or docker-dir, from its manifest descriptor.
Result<PendingImage> parse_manifest_blob(BlobLocator const& locate, image::Descriptor const& desc, std::string body)
{
    PendingImage img;
    auto manifest = TRY_CTX(image::parse_manifest(body), "manifest " + desc.digest.str());
    img.manifest_media_type = !manifest.media_type.empty() ? manifest.media_type : TRY(image::detect_media_type(body, desc.media_type));
    TRY(read_config(img, TRY(read_blob(locate, manifest.config.digest, "config")), manifest.config.digest, manifest.layers.size()));
    img.layer_descs = manifest.layers;
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
        auto const& layer = manifest.layers[i];
        TRY(add_layer(img, i, TRY(locate(layer.digest)), layer.digest, "layer " + layer.digest.str()));
    }
    img.manifest_body = std::move(body);
    return img;
}

/// An OCI image layout: index.json -> manifests (an inner index picks the host platform).
Result<std::vector<PendingImage>> parse_oci_layout(Tree const& tree)
{
    BlobLocator locate = [&](image::Digest const& d) { return tree.path("blobs/" + d.algorithm() + "/" + d.hex()); };
    auto index = TRY_CTX(image::parse_index(TRY(tree.read("index.json"))), "index.json");
    std::vector<PendingImage> out;
    for (auto const& entry : index.manifests) {
        image::Descriptor desc = entry;
        auto body = TRY(read_blob(locate, desc.digest, "manifest"));
        if (image::is_index_media_type(desc.media_type)) {
            auto inner = TRY_CTX(image::parse_index(body), "index " + desc.digest.str());
            desc = TRY(image::select_platform(inner, image::Platform::host()));
            body = TRY(read_blob(locate, desc.digest, "manifest"));
        }
        auto img = TRY(parse_manifest_blob(locate, desc, std::move(body)));
        // Podman's rule: containerd's full name first, else ref.name.
        auto const& a = entry.annotations;
        if (auto it = a.find("io.containerd.image.name"); it != a.end() && !it->second.empty())
            add_name(img, it->second);
        else if (auto ref = a.find("org.opencontainers.image.ref.name"); ref != a.end() && !ref->second.empty())
            add_name(img, ref->second);
        auto same = std::find_if(out.begin(), out.end(), [&](PendingImage const& p) { return p.config_digest == img.config_digest; });
        if (same == out.end())
            out.push_back(std::move(img));
        else
            for (auto const& n : img.names)
                add_name(*same, n);
    }
    return out;
}

/// The `dir:` transport: manifest.json plus blobs named by their hex digest.
Result<std::vector<PendingImage>> parse_docker_dir(Tree const& tree, std::string body)
{
    BlobLocator locate = [&](image::Digest const& d) { return tree.path(d.hex()); };
    image::Descriptor desc;
    desc.digest = image::Digest::sha256_of(body);
    std::vector<PendingImage> out;
    out.push_back(TRY(parse_manifest_blob(locate, desc, std::move(body))));
    return out;
}

Result<std::vector<PendingImage>> parse_tree(Tree const& tree)
{
    if (tree.has("oci-layout"))
        return parse_oci_layout(tree);
    if (tree.has("manifest.json")) {
        auto body = TRY(tree.read("manifest.json"));
        auto doc = TRY(json::parse(body, "manifest.json"));
        if (doc.is_array())
            return parse_docker_archive(tree, doc);
        if (doc.is_object() && tree.has("version"))
            return parse_docker_dir(tree, std::move(body));
    }
    return Error::msg("neither a docker-archive (manifest.json) nor an OCI layout (oci-layout, index.json)");
}

// ---- into the store ----------------------------------------------------------------

/// What one image added to the store, removed again if it cannot be recorded.
struct Added {
    Context& ctx;
    std::vector<image::Digest> blobs;
    std::vector<image::Digest> layers;
    void roll_back()
    {
        for (auto const& d : layers)
            (void)ctx.store->layers().remove_if_unused(d);
        for (auto const& d : blobs)
            (void)ctx.store->blobs().remove(d);
    }
};

ErrorOr put_blob_file(Context& ctx, PendingBlob const& blob, Added& added, LoadOptions const& o)
{
    auto& blobs = ctx.store->blobs();
    if (blobs.has(blob.digest)) {
        if (o.observer)
            o.observer(CopyEvent { CopyEvent::Kind::BlobSkipped, blob.digest.str() });
        return {};
    }
    auto writer = TRY(blobs.begin_write());
    UniqueFd fd = TRY(sys::open(blob.path, O_RDONLY | O_CLOEXEC));
    std::vector<char> buf(1 << 20);
    for (;;) {
        size_t n = TRY(sys::read(fd.get(), buf.data(), buf.size()));
        if (n == 0)
            break;
        TRY(writer.write(buf.data(), n));
    }
    TRY(writer.commit(blob.digest, blob.size));
    added.blobs.push_back(blob.digest);
    if (o.observer)
        o.observer(CopyEvent { CopyEvent::Kind::BlobDone, blob.digest.str() });
    return {};
}

ErrorOr put_small_blob(Context& ctx, std::string const& body, Added& added)
{
    auto digest = image::Digest::sha256_of(body);
    if (ctx.store->blobs().has(digest))
        return {};
    TRY(ctx.store->blobs().put(body));
    added.blobs.push_back(digest);
    return {};
}

Result<store::ImageRecord> store_image(Context& ctx, PendingImage const& img, Added& added, LoadOptions const& o)
{
    if (auto existing = TRY(ctx.store->get_image(img.config_digest.hex()))) {
        // Already stored (pulled or loaded before): only the names are new.
        for (auto const& blob : img.layers)
            if (o.observer)
                o.observer(CopyEvent { CopyEvent::Kind::BlobSkipped, blob.digest.str() });
        store::ImageRecord record = *existing;
        record.names = img.names;
        TRY(ctx.store->put_image(record));
        if (o.observer)
            o.observer(CopyEvent { CopyEvent::Kind::ManifestWritten, {} });
        return record;
    }
    store::ImageRecord record;
    for (size_t i = 0; i < img.layers.size(); ++i) {
        auto const& blob = img.layers[i];
        TRY(put_blob_file(ctx, blob, added, o));
        auto const& diff_id = img.config.diff_ids[i];
        bool had = ctx.store->layers().has(diff_id);
        auto info = TRY(ctx.store->layers().create_from_blob(ctx.store->blobs().path(blob.digest), blob.digest, img.layer_descs[i].media_type, diff_id));
        if (!had)
            added.layers.push_back(diff_id);
        // This image's manifest names this blob, whichever blob the layer was first made from.
        info.blob_digest = blob.digest;
        info.blob_size = blob.size;
        info.media_type = img.layer_descs[i].media_type;
        record.size += info.size;
        record.layers.push_back(std::move(info));
    }
    TRY(put_small_blob(ctx, img.config_body, added));
    if (o.observer)
        o.observer(CopyEvent { CopyEvent::Kind::ConfigDone, img.config_digest.str() });
    TRY(put_small_blob(ctx, img.manifest_body, added));
    record.id = img.config_digest.hex();
    record.config_digest = img.config_digest;
    record.manifest_digest = image::Digest::sha256_of(img.manifest_body);
    record.manifest_media_type = img.manifest_media_type;
    record.names = img.names;
    record.created = parse_time(img.config.created);
    record.architecture = img.config.architecture;
    record.os = img.config.os;
    TRY(ctx.store->put_image(record));
    if (o.observer)
        o.observer(CopyEvent { CopyEvent::Kind::ManifestWritten, {} });
    return record;
}

} // namespace

// A lock file that appears in `dir` already locked (O_TMPFILE, flock, then
// linkat), so that a scratch directory with a .lock nobody holds is surely stale.
static Result<FileLock> create_held_lock(std::string const& dir)
{
    UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (fd.get() < 0)
        return Error::from_errno("create a lock file in " + dir);
    if (::flock(fd.get(), LOCK_EX) < 0)
        return Error::from_errno("lock " + dir);
    std::string self = "/proc/self/fd/" + std::to_string(fd.get());
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, (dir + "/.lock").c_str(), AT_SYMLINK_FOLLOW) < 0)
        return Error::from_errno("create " + dir + "/.lock");
    return FileLock::acquire_from_fd(std::move(fd));
}

// The pid in ".tmp-<kind>-<pid>-XXXXXX", or 0 for a name without one.
static pid_t scratch_owner(std::string const& name)
{
    auto first = name.find('-', 5);
    auto second = first == std::string::npos ? first : name.find('-', first + 1);
    if (second == std::string::npos)
        return 0;
    pid_t pid = 0;
    for (size_t i = first + 1; i < second; ++i) {
        if (name[i] < '0' || name[i] > '9')
            return 0;
        pid = pid * 10 + (name[i] - '0');
    }
    return pid;
}

void remove_stale_scratch(std::string const& data_dir)
{
    auto names = fs::list_dir(data_dir);
    if (!names)
        return;
    for (auto const& name : *names) {
        if (name.rfind(".tmp-load-", 0) != 0 && name.rfind(".tmp-import-", 0) != 0)
            continue;
        std::string path = fs::join(data_dir, name);
        auto st = sys::lstat(path);
        if (!st || !S_ISDIR(st->st_mode))
            continue;
        if (fs::exists(path + "/.lock")) {
            if (!FileLock::try_acquire(path + "/.lock"))
                continue;
        } else {
            // Between mkdtemp and linkat there is no .lock yet: stale once its creator is gone.
            pid_t owner = scratch_owner(name);
            if (owner > 0 ? process_alive(owner) : st->st_mtime > ::time(nullptr) - 60)
                continue;
        }
        log::debug("removing scratch directory {} left by a killed process", path);
        (void)fs::remove_tree(path);
    }
}

Result<Scratch> make_scratch(Context& ctx, std::string const& kind)
{
    auto dir = TRY(TempDir::create(ctx.paths.data_dir, ".tmp-" + kind + "-" + std::to_string(::getpid()) + "-"));
    auto lock = TRY(create_held_lock(dir.path()));
    return Scratch { std::move(lock), std::move(dir) };
}

Compression detect_compression(std::string_view h)
{
    auto starts = [&](std::string_view magic) { return h.size() >= magic.size() && h.substr(0, magic.size()) == magic; };
    if (starts("\x1f\x8b"))
        return Compression::Gzip;
    if (starts("\x28\xb5\x2f\xfd"))
        return Compression::Zstd;
    if (starts("\xfd" "7zXZ"))
        return Compression::Xz;
    if (starts("BZh"))
        return Compression::Bzip2;
    return Compression::None;
}

char const* oci_layer_media_type(Compression compression)
{
    switch (compression) {
    case Compression::Gzip:
        return image::media_type::oci_layer_gzip;
    case Compression::Zstd:
        return image::media_type::oci_layer_zstd;
    default:
        return image::media_type::oci_layer;
    }
}

Result<std::vector<std::string>> load_images(Context& ctx, LoadOptions const& options)
{
    std::string what = options.input.empty() ? "standard input" : options.input;
    std::optional<Scratch> scratch;
    Tree tree;
    if (!options.input.empty() && !fs::exists(options.input))
        return Error { ENOENT, "load " + what + ": no such file or directory" };
    if (!options.input.empty() && fs::is_dir(options.input)) {
        tree.root = options.input;
    } else {
        scratch.emplace(TRY(make_scratch(ctx, "load")));
        std::string root = scratch->path() + "/tree";   // beside, not over, the scratch lock
        TRY(sys::mkdir(root, 0700));
        tree = TRY_CTX(extract(options, root), "load " + what);
    }
    // Verify everything before storing anything.
    auto images = TRY_CTX(parse_tree(tree), "load " + what);
    if (images.empty())
        return Error::msg("load " + what + ": the archive holds no image");

    auto protect = TRY(ctx.store->protect_new_content());
    std::vector<std::string> loaded;
    for (auto const& img : images) {
        Added added { ctx, {}, {} };
        auto record = store_image(ctx, img, added, options);
        if (!record) {
            added.roll_back();
            return std::move(record).error().with_context("load " + what);
        }
        if (record->names.empty())
            loaded.push_back("sha256:" + record->id);
        for (auto const& n : record->names)
            loaded.push_back(n);
    }
    return loaded;
}

} // namespace berth::engine
