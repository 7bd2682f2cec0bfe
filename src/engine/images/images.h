// Image operations: pull, list, look up, tag, remove, prune, history, login.
//
// Each returns data (records, reports), never prints; the CLI renders it.
// Image lookup accepts what Podman accepts: a full or short name (resolved
// against the names in the store: "alpine" finds docker.io/library/alpine:latest
// and localhost/alpine:latest), "name@sha256:...", a full ID, a unique ID
// prefix, or "sha256:<id>".
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"
#include "image/config.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "store/store.h"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace berth::engine {

/// One step of a pull, for progress output.
struct PullEvent {
    enum class Kind { Trying, Resolved, BlobStart, BlobProgress, BlobDone, BlobSkipped, ConfigDone, ManifestWritten } kind;
    std::string text;        ///< reference tried, or blob digest
    int64_t done = 0;
    int64_t total = 0;
};
using PullObserver = std::function<void(PullEvent const&)>;

struct PullOptions {
    std::string platform;                       ///< "os/arch[/variant]"; empty: host
    std::optional<bool> tls_verify;
    std::optional<registry::Credentials> credentials;
    std::string authfile;
    std::string cert_dir;
    int retries = 3;
    std::optional<std::chrono::milliseconds> retry_delay;  ///< --retry-delay; unset: the client's back-off
    PullObserver observer;                      ///< may be empty; called from several threads, serialised by the engine
};

/// Pulls every tag of a repository (a reference without tag or digest), as
/// `pull --all-tags`; the images in the registry's tag order.
Result<std::vector<store::ImageRecord>> pull_all_tags(Context& ctx, std::string const& reference, PullOptions const& options);

/// --os/--arch/--variant as one "os/arch[/variant]"; a part not given is the host's.
std::string platform_from_parts(std::string const& os, std::string const& arch, std::string const& variant);

/// Pulls one reference; returns the stored image.
Result<store::ImageRecord> pull(Context& ctx, std::string const& reference, PullOptions const& options);

/// The digest of the manifest that a fully qualified `reference` names in its
/// registry (mirrors first, as pull), for options.platform (an index is
/// descended to that platform's manifest): what a pull would store as the
/// image's manifest digest. Fetches manifests only, stores nothing.
Result<image::Digest> registry_manifest_digest(Context& ctx, std::string const& reference, PullOptions const& options);

/// Finds a local image by name, ID or ID prefix; error "<name>: image not known".
Result<store::ImageRecord> find_image(Context& ctx, std::string const& name_or_id);
/// Whether a name resolves to a local image.
Result<bool> image_exists(Context& ctx, std::string const& name_or_id);
/// Reads and parses the image's config blob.
Result<image::ImageConfig> image_config(Context& ctx, store::ImageRecord const& record);

/// Podman's `image inspect` document for one image.
Result<Json> inspect_image(Context& ctx, store::ImageRecord const& record);

/// Adds a name: "app" becomes localhost/app:latest as Podman does.
ErrorOr tag_image(Context& ctx, std::string const& image, std::string const& new_name);
/// Removes names (all names when `names` is empty).
ErrorOr untag_image(Context& ctx, std::string const& image, std::vector<std::string> const& names);

struct RemoveReport {
    std::string name;           ///< what the user asked for
    std::vector<std::string> untagged;
    std::string deleted;        ///< image ID if the image itself was removed
    std::optional<Error> error;
    std::vector<std::string> deleted_parents;  ///< its intermediate images, removed with it once nothing else was built on them
};
enum class Force { No, Yes };
/// `rmi`: removing by name untags first; the image goes when its last name does
/// (or when removed by ID, or with force).
std::vector<RemoveReport> remove_images(Context& ctx, std::vector<std::string> const& names, Force force);
/// `rmi -a`.
std::vector<RemoveReport> remove_all_images(Context& ctx, Force force);
/// The IDs of the images that another image of `images` was built on: its
/// layers are a prefix of the other's and its history a shorter prefix of the
/// other's (a build step's image; a pulled image that shares layers with it
/// has a history of its own). An unnamed
/// image in it is an *intermediate* image (`images` hides it without -a); an
/// unnamed one not in it is *dangling*, as Podman has them.
Result<std::set<std::string>> parent_images(Context& ctx, std::vector<store::ImageRecord> const& images);

/// What `images` lists.
struct ImageListOptions {
    bool all = false;                  ///< -a: a build's intermediate images too
    std::vector<std::string> filters;  ///< --filter KEY=VALUE (reference, dangling, intermediate, label, before, since, id, readonly)
    std::string reference;             ///< the positional REFERENCE: one more reference= filter
    bool labels = false;               ///< read each image's labels (for --format json)
};

/// One row group of `images`: an image, or a local manifest list, which Podman
/// lists as an image of its own (its name, ID and creation time; its digest
/// and size are the index document's; no layers, never dangling).
struct ImageListEntry {
    store::ImageRecord record;
    bool manifest_list = false;
    bool intermediate = false;         ///< unnamed, and another image was built on it
    std::map<std::string, std::string> labels;  ///< with options.labels
};

/// `images`: images and manifest lists that pass the filters, newest first.
/// EINVAL names a filter that is malformed or unknown.
Result<std::vector<ImageListEntry>> list_images(Context& ctx, ImageListOptions const& options);

/// After a build whose image is not its last step's (--squash, --timestamp,
/// --format): removes that step's image and then the images of the steps
/// below it, down to `base` (excluded), each only while it is left dangling
/// (unnamed, no image built on it, no container using it), so that the build
/// leaves what Podman's leaves. `keep` (the build's image) is never removed.
/// Returns the removed IDs.
Result<std::vector<std::string>> remove_build_steps(Context& ctx, store::ImageRecord const& last_step,
    store::ImageRecord const& base, std::string const& keep);

/// `image prune`: dangling images (no names, no child image; as they go, their
/// parents may become dangling and go too), or every image with `all`; never
/// one a container uses.
Result<std::vector<std::string>> prune_images(Context& ctx, bool all);

struct HistoryRow {
    std::string id;             ///< image ID for the top entry, "<missing>" below
    int64_t created = 0;
    std::string created_by;
    int64_t size = 0;
    std::string comment;
};
Result<std::vector<HistoryRow>> image_history(Context& ctx, store::ImageRecord const& record);

/// Parses an RFC 3339 time; 0 if empty or unparseable.
int64_t parse_time(std::string const& rfc3339);
/// Normalises a user-typed name for tagging: "app" -> "localhost/app:latest".
Result<std::string> normalize_tag_name(std::string const& name);
/// "docker.io/library/alpine:latest" -> {"docker.io/library/alpine", "latest"}; a digest name gives tag "<none>".
std::pair<std::string, std::string> split_name(std::string const& name);

/// A registry user name and password (pull/push --creds, login).
using registry::Credentials;
/// Parses --creds "USER[:PASSWORD]".
using registry::parse_creds_flag;

struct LoginOptions {
    std::string authfile;             ///< --authfile; empty: the default auth.json
    std::string cert_dir;             ///< --cert-dir; empty: the certs.d lookup
    std::optional<bool> tls_verify;   ///< --tls-verify when given; else registries.conf decides
};
/// Logs in: checks the credentials against the registry (plain HTTP allowed where
/// registries.conf marks `host` insecure), then stores them in the auth file.
ErrorOr login(std::string const& host, Credentials const& creds, LoginOptions const& options);
/// The user name stored for `host` (`login --get-login`); nullopt when not logged in.
Result<std::optional<std::string>> login_username(std::string const& host, std::string const& authfile);
/// Removes stored credentials; error if there were none for `host`.
ErrorOr logout(std::string const& host, std::string const& authfile, bool all);

} // namespace berth::engine
