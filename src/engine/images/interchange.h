// Image interchange: save (docker-archive, oci-archive, oci-dir, docker-dir),
// load, import of a root filesystem tarball, and push to a registry.
//
// All four move the same three kinds of content between the store and the
// outside: a manifest, a config and layer blobs. The hard parts are in the
// details each format expects: docker-archive wants uncompressed layer tars
// named by diff ID (decompressed here on the fly, never whole in memory),
// OCI layouts want OCI media types (a Docker schema 2 manifest is converted;
// layer bytes are unchanged), and whatever comes in from outside is verified
// against its digests before anything reaches the store, so a corrupted
// archive leaves the store as it was.
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/temp_dir.h"
#include "engine/context.h"
#include "image/digest.h"
#include "image/config.h"
#include "image/manifest.h"
#include "registry/client.h"
#include "store/store.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::engine {

/// Progress of a copy (save, load, import, push), for Podman-like output.
struct CopyEvent {
    enum class Kind { BlobProgress, BlobDone, BlobSkipped, ConfigDone, ManifestWritten } kind;
    std::string digest;   ///< "sha256:..." of the blob or config; empty for ManifestWritten
    int64_t done = 0;     ///< BlobProgress: bytes so far
    int64_t total = 0;    ///< BlobProgress: the blob's size (0 if unknown)
};
using CopyObserver = std::function<void(CopyEvent const&)>;

// ---- save ------------------------------------------------------------------

enum class ArchiveFormat { DockerArchive, OciArchive, OciDir, DockerDir };

/// Parses "docker-archive", "oci-archive", "oci-dir", "docker-dir".
Result<ArchiveFormat> parse_archive_format(std::string_view text);

struct SaveOptions {
    ArchiveFormat format = ArchiveFormat::DockerArchive;
    std::string output;        ///< file (archives) or directory (dir formats); empty: write to output_fd
    int output_fd = -1;        ///< used when output is empty (archives only)
    bool multi_image = false;  ///< -m: several images in one docker-archive
    bool uncompressed = false; ///< oci-archive, oci-dir: layers as plain tars (their diff IDs), not as stored
    CopyObserver observer;
};

/// Writes the images named by `names` (names, IDs, ID prefixes) in `options.format`.
/// A file is written beside its target under a temporary name and renamed at the end;
/// a directory target must not exist or be empty. docker-archive with several different
/// images needs multi_image; docker-dir holds exactly one image.
ErrorOr save_images(Context& ctx, std::vector<std::string> const& names, SaveOptions const& options);

// ---- load ------------------------------------------------------------------

struct LoadOptions {
    std::string input;         ///< archive file or layout directory; empty: read the archive from input_fd
    int input_fd = -1;
    CopyObserver observer;
};

/// Loads every image of a docker-archive, oci-archive (tar, possibly gzip/zstd/xz compressed),
/// OCI layout directory or docker-dir directory. Everything is verified first; on any error
/// nothing new stays in the store. Returns the names loaded ("sha256:<id>" for an unnamed image).
Result<std::vector<std::string>> load_images(Context& ctx, LoadOptions const& options);

// ---- import ----------------------------------------------------------------

struct ImportOptions {
    std::string source;                  ///< file path, "-" (source_fd), or an http(s):// URL
    int source_fd = 0;                   ///< read when source is "-"
    std::string reference;               ///< name to give the image; empty: unnamed
    std::vector<std::string> changes;    ///< Dockerfile-like instructions: CMD, ENV, ...
    std::string message;                 ///< history comment
    std::string os, architecture, variant;  ///< empty: the host's
    CopyObserver observer;
};

/// Sets options.os, architecture and variant from --platform "os/arch[/variant]"
/// ("arch" alone means linux/arch); an Error for text that is no platform.
ErrorOr set_import_platform(ImportOptions& options, std::string_view platform);

/// Makes a one-layer image from a root filesystem tarball (tar, tar.gz, tar.zst kept as
/// is; xz/bzip2 stored decompressed). Returns the stored image.
Result<store::ImageRecord> import_image(Context& ctx, ImportOptions const& options);

/// Applies one --change instruction ("CMD [\"sh\"]", "ENV A=b", "LABEL k=v", "EXPOSE 80/udp",
/// "VOLUME /data", "WORKDIR /app", "USER u", "ENTRYPOINT ...", "STOPSIGNAL SIGTERM", "ONBUILD RUN x") to `config`.
/// "KEY=VALUE" is accepted for "KEY VALUE". Errors name the change and the expected form.
ErrorOr apply_change(image::ImageConfig& config, std::string const& change);
/// The time now as an image config writes it: RFC 3339, UTC, nanoseconds.
std::string now_rfc3339();

/// Whether `s` is an http:// or https:// URL.
bool is_url(std::string const& s);
/// Downloads `url` into the file `path` (made 0600), following up to 10
/// redirects; an HTTP status outside 2xx is an error naming the URL.
ErrorOr download(std::string url, std::string const& path);

// ---- push ------------------------------------------------------------------

enum class ManifestFormat { AsStored, Oci, DockerV2S2 };

struct PushOptions {
    std::optional<bool> tls_verify;
    std::optional<registry::Credentials> credentials;
    std::string authfile;
    std::string cert_dir;
    int retries = 3;
    ManifestFormat format = ManifestFormat::AsStored;
    std::string compression_format;  ///< --compression-format gzip|zstd: layers recompressed to it; empty: as stored
    int compression_level = -1;      ///< --compression-level; -1: the compressor's default
    CopyObserver observer;
};

struct PushResult {
    std::string destination;       ///< the fully-qualified reference pushed to
    image::Digest manifest_digest; ///< digest of the manifest as uploaded
};

/// The registry client options of a push (or a manifest list's registry access) to `host`.
Result<registry::ClientOptions> push_client_options(Context& ctx, PushOptions const& options, std::string const& host);
/// Pushes a local image to `destination` ("host/repo:tag", an optional "docker://" prefix);
/// empty destination: the image's own name as typed by the user. Blobs the registry has are
/// skipped; then the manifest (converted when `options.format` asks) is put under the tag.
Result<PushResult> push_image(Context& ctx, std::string const& image, std::string const& destination, PushOptions const& options);

// ---- shared pieces (defined in save.cpp, used by save and push; public for tests) ----

/// The manifest of a stored image: the stored blob, or one synthesised from the record
/// (OCI media types) when the store has none. A layer whose own blob the store lacks
/// (it shares the layer with an image pulled earlier through a different blob) is
/// described by the blob it is stored under; body and digest then describe that
/// rewritten manifest, which is what push uploads and save writes.
struct StoredManifest {
    std::string body;
    std::string media_type;
    image::Digest digest;
    image::Manifest manifest;
};
Result<StoredManifest> stored_manifest(Context& ctx, store::ImageRecord const& record);

/// `manifest` with the media types of `format` (config and layer media types mapped between
/// Docker schema 2 and OCI; layer bytes unchanged). Error for a layer the target cannot name
/// (zstd in Docker schema 2). AsStored returns it unchanged.
Result<image::Manifest> convert_manifest(image::Manifest const& manifest, ManifestFormat format);

/// The stored name the user meant by `input` ("busybox" -> "docker.io/library/busybox:latest"),
/// for save's RepoTags and push's default destination; nullopt when `input` is an image ID.
std::optional<std::string> name_for_input(store::ImageRecord const& record, std::string const& input);

/// A scratch directory for load and import under the store's data directory (same file
/// system as the blobs), flock'd while in use. Members are destroyed in reverse order:
/// the directory goes first, then the lock.
struct Scratch {
    FileLock lock;
    TempDir dir;
    std::string const& path() const { return dir.path(); }
};
/// Makes data_dir/.tmp-<kind>-<pid>-XXXXXX, its .lock held while the Scratch lives.
Result<Scratch> make_scratch(Context& ctx, std::string const& kind);
/// Removes the scratch directories that killed processes left (their .lock is
/// held by nobody; without a .lock, older than a minute). Every store open calls it.
void remove_stale_scratch(std::string const& data_dir);

enum class Compression { None, Gzip, Zstd, Xz, Bzip2 };
/// Compression recognised from the first bytes of a stream.
Compression detect_compression(std::string_view head);
/// The OCI layer media type for a tar stored with `compression` (None, Gzip, Zstd).
char const* oci_layer_media_type(Compression compression);

} // namespace berth::engine
