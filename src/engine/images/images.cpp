// Local image operations: lookup by the many names Podman accepts, inspect,
// tag/untag, remove and prune, history, and registry login.
//
// Lookup is the subtle part: a user types "busybox" and means whichever
// stored name ends in "/busybox:latest", preferring localhost/ and the
// configured search registries, exactly as Podman resolves local short names.
#include "engine/images/images.h"
#include "engine/images/manifest_lists.h"
#include "engine/containers/containers.h"
#include "engine/system/events.h"
#include "engine/containers/lifecycle.h"

#include "base/timestamp.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "registry/auth.h"

#include <algorithm>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <unistd.h>

namespace berth::engine {

namespace {

bool is_hex(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

/// Whether a stored name ("docker.io/library/busybox:latest") is what the user typed:
/// the full name, or a short one ("busybox", "library/busybox:1") that ends at a '/'.
bool name_matches(std::string const& stored, std::string const& typed)
{
    if (stored == typed)
        return true;
    auto ref = image::Reference::parse(typed);
    if (!ref || ref->digest)
        return false;
    auto [repo, tag] = split_name(stored);
    if (tag != (ref->tag.empty() ? "latest" : ref->tag))
        return false;
    std::string path = ref->is_short_name() ? ref->path : ref->repository();
    if (repo == path)
        return true;
    return repo.size() > path.size() && repo.compare(repo.size() - path.size(), path.size(), path) == 0
        && repo[repo.size() - path.size() - 1] == '/';
}

Error not_known(std::string const& name) { return Error { ENOENT, name + ": image not known" }; }

/// Looks a short name up among stored names: an exact "localhost/" or search-registry
/// hit first, then any stored repository ending in "/<path>".
Result<std::optional<store::ImageRecord>> find_short_name(Context& ctx, image::Reference const& ref)
{
    std::string version = ref.digest ? "@" + ref.digest->str() : ":" + (ref.tag.empty() ? "latest" : ref.tag);
    std::string suffix = ref.path + version;
    std::vector<std::string> tries;
    // An alias names the repository a pull of this short name used (registries.conf).
    auto const* registries = TRY(ctx.registries());
    if (auto alias = registries->aliases().find(ref.path); alias != registries->aliases().end())
        tries.push_back(alias->second + version);
    tries.push_back("localhost/" + suffix);
    for (auto const& reg : registries->search_registries())
        tries.push_back(reg + "/" + suffix);
    if (ref.path.find('/') == std::string::npos)
        tries.push_back("docker.io/library/" + suffix);
    else
        tries.push_back("docker.io/" + suffix);
    for (auto const& name : tries)
        if (auto hit = TRY(ctx.store->find_image_by_name(name)))
            return hit;
    std::optional<store::ImageRecord> found;
    for (auto& record : TRY(ctx.store->list_images())) {
        auto const& list = ref.digest ? record.digests : record.names;
        for (auto const& name : list) {
            if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0
                && name[name.size() - suffix.size() - 1] == '/') {
                found = record;
                break;
            }
        }
        if (found)
            break;
    }
    return found;
}

/// find_image among the images only: a manifest list's name is not known here.
Result<store::ImageRecord> find_stored_image(Context& ctx, std::string const& input)
{
    std::string name = input;
    if (name.rfind("sha256:", 0) == 0)
        name = name.substr(7);
    if (name.size() == 64 && is_hex(name)) {
        if (auto record = TRY(ctx.store->get_image(name)))
            return *record;
        return not_known(input);
    }
    if (auto ref = image::Reference::parse(name)) {
        std::optional<store::ImageRecord> hit;
        if (ref->is_short_name())
            hit = TRY(find_short_name(ctx, *ref));
        else {
            auto full = ref->repository() + (ref->digest ? "@" + ref->digest->str() : ":" + (ref->tag.empty() ? "latest" : ref->tag));
            hit = TRY(ctx.store->find_image_by_name(full));
        }
        if (hit)
            return *hit;
    }
    if (name.size() >= 3 && is_hex(name)) {
        auto matches = TRY(ctx.store->find_images_by_id_prefix(name));
        if (matches.size() == 1)
            return matches.front();
        if (matches.size() > 1)
            return Error::msg(input + ": image ID prefix is ambiguous: use more characters");
    }
    return not_known(input);
}

} // namespace

Result<store::ImageRecord> find_image(Context& ctx, std::string const& input)
{
    auto found = find_stored_image(ctx, input);
    if (found || found.error().code != ENOENT)
        return found;
    // A manifest list is an image to Podman, and a lookup of it finds the image for this platform.
    if (auto instance = TRY(manifest_list_instance(ctx, input)))
        return std::move(*instance);
    return found;
}

Result<bool> image_exists(Context& ctx, std::string const& name)
{
    auto r = find_image(ctx, name);
    if (r)
        return true;
    if (r.error().code == ENOENT)
        return false;
    return std::move(r).error();
}

// The config is read without re-hashing (run, ps and inspect are hot paths); save re-verifies.
Result<image::ImageConfig> image_config(Context& ctx, store::ImageRecord const& record)
{
    auto text = TRY_CTX(ctx.store->blobs().read_trusted(record.config_digest), "image " + record.id.substr(0, 12));
    return image::ImageConfig::parse(text);
}

int64_t parse_time(std::string const& text) { return timestamp::parse_rfc3339(text); }


std::pair<std::string, std::string> split_name(std::string const& name)
{
    auto at = name.find('@');
    if (at != std::string::npos)
        return { name.substr(0, at), "<none>" };
    auto slash = name.rfind('/');
    auto colon = name.rfind(':');
    if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
        return { name.substr(0, colon), name.substr(colon + 1) };
    return { name, "latest" };
}

Result<std::string> normalize_tag_name(std::string const& name)
{
    auto ref = TRY(image::Reference::parse(name));
    if (ref.digest)
        return Error::msg("tag " + name + ": a tag cannot contain a digest");
    std::string domain = ref.is_short_name() ? "localhost" : ref.domain;
    return domain + "/" + ref.path + ":" + (ref.tag.empty() ? "latest" : ref.tag);
}

/// The annotations of the image's stored manifest (none when it has no manifest, or an unreadable one).
Json manifest_annotations(Context& ctx, store::ImageRecord const& record)
{
    Json out = Json::object();
    if (record.manifest_digest.empty() || !ctx.store->blobs().has(record.manifest_digest))
        return out;
    auto body = ctx.store->blobs().read(record.manifest_digest);
    auto manifest = body ? image::parse_manifest(*body) : Result<image::Manifest>(body.error());
    if (manifest)
        for (auto const& [key, value] : manifest->annotations)
            out[key] = value;
    return out;
}

Result<Json> inspect_image(Context& ctx, store::ImageRecord const& record)
{
    auto config = TRY(image_config(ctx, record));
    Json cfg = config.raw.contains("config") && config.raw["config"].is_object() ? config.raw["config"] : Json::object();
    Json layers = Json::array();
    for (auto const& d : config.diff_ids)
        layers.push_back(d.str());
    Json history = config.raw.contains("history") ? config.raw["history"] : Json::array();
    Json labels = cfg.contains("Labels") && cfg["Labels"].is_object() ? cfg["Labels"] : Json(nullptr);
    std::string lower;
    for (auto it = record.layers.rbegin(); it != record.layers.rend(); ++it)
        lower += (lower.empty() ? "" : ":") + ctx.store->layers().diff_path(it->diff_id);
    Json j = {
        { "Id", record.id },
        { "Digest", record.manifest_digest.str() },
        { "RepoTags", record.names },
        { "RepoDigests", record.digests },
        { "Parent", "" },
        { "Comment", config.raw.value("comment", "") },
        { "Created", config.created.empty() ? timestamp::rfc3339(record.created) : config.created },
        { "Config", cfg },
        { "Version", config.raw.value("docker_version", "") },
        { "Author", config.author },
        { "Architecture", config.architecture },
        { "Os", config.os },
        { "Size", record.size },
        { "VirtualSize", record.size },
        { "GraphDriver", { { "Name", "overlay" }, { "Data", { { "LowerDir", lower } } } } },
        { "RootFS", { { "Type", "layers" }, { "Layers", layers } } },
        { "Labels", labels },
        { "Annotations", manifest_annotations(ctx, record) },
        { "ManifestType", record.manifest_media_type },
        { "User", config.user },
        { "History", history },
        { "NamesHistory", record.names },
    };
    if (!config.variant.empty())
        j["Variant"] = config.variant;
    if (cfg.contains("Healthcheck") && cfg["Healthcheck"].is_object())  // Podman shows a Docker image's at the top too
        j["Healthcheck"] = cfg["Healthcheck"];
    return j;
}

ErrorOr tag_image(Context& ctx, std::string const& image, std::string const& new_name)
{
    auto stored = find_stored_image(ctx, image);
    if (!stored && stored.error().code == ENOENT && TRY(manifest_list_exists(ctx, image)))
        return Error { EINVAL, "tag " + image + ": it is a manifest list, and berth keeps one name per list: "
            "create a list of the new name with `berth manifest create " + new_name + "` and add the same images" };
    auto record = TRY(find_image(ctx, image));
    auto name = TRY(normalize_tag_name(new_name));
    TRY(ctx.store->add_name(record.id, name));
    record_image_event(ctx.paths, "tag", record.id, name);
    return {};
}

ErrorOr untag_image(Context& ctx, std::string const& image, std::vector<std::string> const& names)
{
    auto record = TRY(find_image(ctx, image));
    if (names.empty()) {
        for (auto const& n : record.names) {
            TRY(ctx.store->remove_name(record.id, n));
            record_image_event(ctx.paths, "untag", record.id, n);
        }
        return {};
    }
    for (auto const& n : names) {
        auto full = TRY(normalize_tag_name(n));
        // A name given without a registry may also match a pulled one ("busybox" -> docker.io/library/busybox:latest).
        std::string match;
        for (auto const& have : record.names)
            if (have == full || name_matches(have, n))
                match = have;
        if (match.empty())
            return Error { ENOENT, n + ": tag not known on image " + record.id.substr(0, 12) };
        TRY(ctx.store->remove_name(record.id, match));
        record_image_event(ctx.paths, "untag", record.id, match);
    }
    return {};
}

namespace {

/// Containers made from the image keep it: without force its removal fails,
/// as Podman's does; with force they are stopped and removed first.
ErrorOr release_image_users(Context& ctx, std::string const& image_id, Force force)
{
    std::vector<container::ContainerRecord> users;
    for (auto& rec : TRY(list_containers(ctx)))
        if (rec.image_id == image_id)
            users.push_back(std::move(rec));
    if (users.empty())
        return {};
    if (force == Force::No)
        return Error { EBUSY, "image used by " + users.front().id + ": image is in use by a container: remove the container first, or use --force to remove it with the image" };
    RemoveOptions options;
    options.force = true;
    for (auto const& rec : users)
        TRY(remove_container(ctx, rec, options));
    return {};
}

} // namespace

static RemoveReport remove_one(Context& ctx, std::string const& name, Force force)
{
    RemoveReport report { name, {}, {}, {} };
    auto found = find_image(ctx, name);
    if (!found) {
        report.error = std::move(found).error();
        return report;
    }
    auto record = found.release_value();
    std::string bare = name.rfind("sha256:", 0) == 0 ? name.substr(7) : name;
    bool by_id = record.id.rfind(bare, 0) == 0;
    // Removing one of several names only untags it, with --force too (which
    // is about containers and IDs, never about the image's other names).
    // REPO@DIGEST names every tag of REPO on that image.
    auto ref = by_id ? Result<image::Reference>(Error::msg("by id")) : image::Reference::parse(name);
    auto typed_for = [&](std::string const& stored) {
        if (!ref || !ref->digest)
            return name;
        return (ref->is_short_name() ? ref->path : ref->repository()) + ":" + split_name(stored).second;
    };
    std::vector<std::string> named;
    for (auto const& n : record.names)
        if (name_matches(n, typed_for(n)))
            named.push_back(n);
    if (named.size() > 1 && !(ref && ref->digest))
        named.resize(1);  // a short name that ends several stored names untags one of them
    if (!by_id && named.empty() && !record.names.empty()) {
        report.error = Error { EBUSY, "unable to delete image " + record.id.substr(0, 12) + " by " + name
                + ": none of its names is in that repository (" + record.names.front() + "): remove those names, or the image by ID with --force" };
        return report;
    }
    if (!by_id && !named.empty() && named.size() < record.names.size()) {
        for (auto const& n : named) {
            if (auto r = ctx.store->remove_name(record.id, n); !r) {
                report.error = std::move(r).error();
                return report;
            }
            report.untagged.push_back(n);
        }
        return report;
    }
    if (by_id && record.names.size() > 1 && force == Force::No) {
        report.error = Error { EBUSY, "unable to delete image " + record.id.substr(0, 12) + " by ID with more than one tag (" + std::to_string(record.names.size()) + "): please force removal" };
        return report;
    }
    if (auto r = release_image_users(ctx, record.id, force); !r) {
        report.error = std::move(r).error();
        return report;
    }
    report.untagged = record.names;
    if (auto r = ctx.store->delete_image(record.id); !r) {
        report.error = std::move(r).error();
        return report;
    }
    report.deleted = record.id;
    return report;
}

/// Removes, round after round, the images `pick` chooses among those left
/// dangling (unnamed, no image built on them, no container using them): one
/// going may leave its parent dangling. Returns their IDs in that order.
static Result<std::vector<std::string>> remove_while_dangling(Context& ctx,
    std::function<Result<bool>(store::ImageRecord const&)> const& pick)
{
    std::set<std::string> in_use;
    for (auto const& rec : TRY(list_containers(ctx)))
        in_use.insert(rec.image_id);
    std::vector<std::string> gone;
    for (bool again = true; again;) {
        again = false;
        auto images = TRY(ctx.store->list_images());
        auto parents = TRY(parent_images(ctx, images));
        for (auto const& r : images) {
            if (!r.names.empty() || parents.count(r.id) || in_use.count(r.id) || !TRY(pick(r)))
                continue;
            TRY(ctx.store->delete_image(r.id));
            gone.push_back(r.id);
            again = true;
        }
    }
    return gone;
}

static bool same_layer(store::LayerInfo const& a, store::LayerInfo const& b) { return a.diff_id == b.diff_id; }
static bool same_entry(image::HistoryEntry const& a, image::HistoryEntry const& b)
{
    return a.created == b.created && a.created_by == b.created_by && a.empty_layer == b.empty_layer;
}

/// After `removed` went: its unnamed ancestors (the intermediate images of the
/// build that made it) that no other image was built on and no container
/// uses, as Podman's rmi removes them. Returns their IDs, nearest first.
static Result<std::vector<std::string>> remove_dangling_ancestors(Context& ctx, store::ImageRecord const& removed)
{
    return remove_while_dangling(ctx, [&](store::ImageRecord const& r) -> Result<bool> {
        return r.layers.size() <= removed.layers.size() && std::equal(r.layers.begin(), r.layers.end(), removed.layers.begin(), same_layer);
    });
}

std::vector<RemoveReport> remove_images(Context& ctx, std::vector<std::string> const& names, Force force)
{
    std::vector<RemoveReport> out;
    for (auto const& n : names) {
        auto before = find_stored_image(ctx, n);
        // A list's name removes the list, as `manifest rm` (Podman 4.3 removes its image for this platform).
        bool list = !before && before.error().code == ENOENT && manifest_list_exists(ctx, n).value_or(false);
        out.push_back(list ? std::move(remove_manifest_lists(ctx, { n }).front()) : remove_one(ctx, n, force));
        auto& report = out.back();
        for (auto const& u : report.untagged)
            record_image_event(ctx.paths, "untag", report.deleted, u);
        if (report.deleted.empty())
            continue;
        record_image_event(ctx.paths, "remove", report.deleted, n);
        if (before && before->id == report.deleted) {
            auto parents = remove_dangling_ancestors(ctx, *before);
            if (parents)
                report.deleted_parents = std::move(*parents);
            else
                report.error = std::move(parents).error();
        }
    }
    return out;
}

std::vector<RemoveReport> remove_all_images(Context& ctx, Force force)
{
    std::vector<RemoveReport> out;
    auto all = ctx.store->list_images();
    if (!all) {
        out.push_back(RemoveReport { "", {}, {}, std::move(all).error() });
        return out;
    }
    for (auto const& record : *all) {
        RemoveReport report { record.id, record.names, {}, {} };
        if (auto r = release_image_users(ctx, record.id, force); !r) {
            report.untagged.clear();
            report.error = std::move(r).error();
        } else if (auto r = ctx.store->delete_image(record.id); !r)
            report.error = std::move(r).error();
        else
            report.deleted = record.id;
        out.push_back(std::move(report));
    }
    if (auto lists = manifest_lists_as_images(ctx); !lists)
        out.push_back(RemoveReport { "", {}, {}, std::move(lists).error() });
    else
        for (auto const& list : *lists)
            out.push_back(std::move(remove_manifest_lists(ctx, { list.id }).front()));
    return out;
}

Result<std::set<std::string>> parent_images(Context& ctx, std::vector<store::ImageRecord> const& images)
{
    std::set<std::string> parents;
    std::map<std::string, std::vector<image::HistoryEntry>> histories;  // read only for images with a layer-prefix partner
    auto history = [&](store::ImageRecord const& r) -> Result<std::vector<image::HistoryEntry> const*> {
        auto it = histories.find(r.id);
        if (it == histories.end())
            it = histories.emplace(r.id, TRY(image_config(ctx, r)).history).first;
        return &it->second;
    };
    for (auto const& x : images) {
        if (!x.names.empty())
            continue;  // only an unnamed image's role matters (intermediate or dangling)
        for (auto const& y : images) {
            if (y.id == x.id || y.layers.size() < x.layers.size()
                || !std::equal(x.layers.begin(), x.layers.end(), y.layers.begin(),
                    [](store::LayerInfo const& a, store::LayerInfo const& b) { return a.diff_id == b.diff_id; }))
                continue;
            // Built on x: x's history goes on in y's (a pulled image that merely shares layers has its own).
            auto const* hx = TRY(history(x));
            auto const* hy = TRY(history(y));
            if (hy->size() > hx->size() && std::equal(hx->begin(), hx->end(), hy->begin(), same_entry)) {
                parents.insert(x.id);
                break;
            }
        }
    }
    return parents;
}

Result<std::vector<std::string>> remove_build_steps(Context& ctx, store::ImageRecord const& last_step,
    store::ImageRecord const& base, std::string const& keep)
{
    auto top = TRY(image_config(ctx, last_step)).history;
    size_t below = base.id.empty() ? 0 : TRY(image_config(ctx, base)).history.size();
    // A step of this build: its layers and history a prefix of the last step's, longer than the base's.
    return remove_while_dangling(ctx, [&](store::ImageRecord const& r) -> Result<bool> {
        if (r.id == keep || r.id == base.id || r.layers.size() > last_step.layers.size() || r.layers.size() < base.layers.size()
            || !std::equal(r.layers.begin(), r.layers.end(), last_step.layers.begin(), same_layer))
            return false;
        auto history = TRY(image_config(ctx, r)).history;
        return history.size() > below && history.size() <= top.size() && std::equal(history.begin(), history.end(), top.begin(), same_entry);
    });
}

Result<std::vector<std::string>> prune_images(Context& ctx, bool all)
{
    std::vector<std::string> removed;
    std::set<std::string> in_use;
    for (auto const& rec : TRY(list_containers(ctx)))
        in_use.insert(rec.image_id);
    // Removing a dangling image can leave its parent dangling: go round until none goes.
    for (bool again = true; again;) {
        again = false;
        auto images = TRY(ctx.store->list_images());
        auto parents = all ? std::set<std::string> {} : TRY(parent_images(ctx, images));
        for (auto const& record : images) {
            if ((!all && (!record.names.empty() || parents.count(record.id))) || in_use.count(record.id))
                continue;
            TRY(ctx.store->delete_image(record.id));
            removed.push_back(record.id);
            again = !all;
        }
    }
    // No container uses a manifest list: -a removes them all, as Podman's does.
    if (all)
        for (auto const& list : TRY(manifest_lists_as_images(ctx))) {
            auto report = std::move(remove_manifest_lists(ctx, { list.id }).front());
            if (report.error)
                return std::move(*report.error);
            removed.push_back(list.id);
        }
    return removed;
}

Result<std::vector<HistoryRow>> image_history(Context& ctx, store::ImageRecord const& record)
{
    auto config = TRY(image_config(ctx, record));
    std::vector<HistoryRow> rows;
    size_t layer = 0;
    for (auto const& h : config.history) {
        HistoryRow row;
        row.id = "<missing>";
        row.created = parse_time(h.created);
        row.created_by = h.created_by;
        row.comment = h.comment;
        if (!h.empty_layer && layer < record.layers.size())
            row.size = record.layers[layer++].size;
        rows.push_back(row);
    }
    if (rows.empty()) {
        // No history recorded: one row per layer, as Podman shows.
        for (auto const& l : record.layers)
            rows.push_back(HistoryRow { "<missing>", record.created, "", l.size, "" });
    }
    std::reverse(rows.begin(), rows.end());
    if (!rows.empty())
        rows.front().id = record.id;
    return rows;
}

ErrorOr login(std::string const& host, Credentials const& creds, LoginOptions const& options)
{
    registry::ClientOptions client_options;
    if (auto conf = image::RegistriesConf::load(::geteuid() != 0))
        client_options.insecure = conf->is_insecure(host);
    client_options.tls_verify = options.tls_verify;
    client_options.cert_dir = options.cert_dir;
    client_options.authfile = options.authfile;
    client_options.credentials = creds;
    auto client = TRY(registry::Client::create(host, client_options));
    TRY_CTX(client->check_login(), "log in to " + host);
    return registry::store_credentials(host, creds, options.authfile);
}

Result<std::optional<std::string>> login_username(std::string const& host, std::string const& authfile)
{
    auto creds = TRY(registry::lookup_credentials(host, authfile));
    if (!creds)
        return std::optional<std::string>();
    return std::optional<std::string>(creds->username);
}

ErrorOr logout(std::string const& host, std::string const& authfile, bool all)
{
    bool removed = TRY(registry::remove_credentials(host, authfile, all));
    if (!removed && !all)
        return Error::msg("not logged into " + host);
    return {};
}

} // namespace berth::engine
