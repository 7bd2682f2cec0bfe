// auto-update: the policy of each labelled container, the check of its image
// (registry digest or local name), and the update itself: a systemd unit
// restart where there is a unit and systemd, else berth's own recreation with
// rollback (auto_update.h says why).
#include "engine/containers/auto_update.h"

#include "base/command.h"
#include "base/fs.h"
#include "base/log.h"
#include "container/options.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/images.h"

#include <algorithm>
#include <map>
#include <thread>

namespace berth::engine {

using container::ContainerRecord;
using container::CreateOptions;

namespace {

constexpr std::string_view kPolicyLabel = "io.containers.autoupdate";
constexpr std::string_view kAuthfileLabel = "io.containers.autoupdate.authfile";
constexpr std::string_view kUnitLabel = "PODMAN_SYSTEMD_UNIT";

/// The value of label `key` (the last one given wins, as with --label); nullopt when unset.
std::optional<std::string> label(CreateOptions const& options, std::string_view key)
{
    std::optional<std::string> value;
    for (auto const& l : options.labels) {
        auto eq = l.find('=');
        if (std::string_view(l).substr(0, eq) == key)
            value = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    return value;
}

/// One container to check, with what its check and update need.
struct Task {
    ContainerRecord record;
    CreateOptions options;
    PullOptions pull;
    AutoUpdateReport report;
};

/// "auto-updating container \"ID\" (NAME)", the start of every error about it.
std::string about(ContainerRecord const& rec)
{
    return "auto-updating container \"" + rec.id + "\" (" + rec.name + ")";
}

/// Podman's rule: a registry update needs a reference that names its
/// registry and a tag, never a digest (that would never change).
ErrorOr check_registry_reference(std::string const& image)
{
    auto ref = TRY(image::Reference::parse(image));
    if (ref.is_short_name())
        return Error { EINVAL, "short name: auto updates require fully-qualified image reference: \"" + image
                + "\": create the container from registry/repository:tag" };
    if (ref.digest)
        return Error { EINVAL, "auto updates require fully-qualified image references without digest: \"" + image
                + "\": create the container from registry/repository:tag" };
    return {};
}

/// The task for a running container, nullopt when it has no policy (or "disabled").
Result<std::optional<Task>> task_for(ContainerRecord const& rec, AutoUpdateOptions const& options)
{
    Task t { rec, TRY(CreateOptions::from_json(rec.config)), {}, {} };
    auto policy = label(t.options, kPolicyLabel);
    if (!policy || policy->empty() || *policy == "disabled")
        return std::optional<Task> {};
    if (*policy == "image")
        policy = "registry";  // Podman's old name for it
    if (*policy != "registry" && *policy != "local")
        return Error { EINVAL, "\"" + *policy + "\" is not a valid auto-update policy (valid policies: disabled, local, registry)" };
    if (t.options.image.empty())
        return Error { EINVAL, "raw-image name is empty" };
    if (*policy == "registry")
        TRY(check_registry_reference(t.options.image));
    t.pull.authfile = label(t.options, kAuthfileLabel).value_or(options.authfile);
    t.pull.tls_verify = options.tls_verify;
    t.pull.platform = t.options.platform;
    t.report = AutoUpdateReport { label(t.options, kUnitLabel).value_or(""), rec.id, rec.name, t.options.image, *policy, "false" };
    return std::optional<Task> { std::move(t) };
}

/// Whether the container's image differs from what its reference names now.
Result<bool> needs_update(Context& ctx, Task const& t)
{
    if (t.report.policy == "local")
        return TRY(find_image(ctx, t.options.image)).id != t.record.image_id;
    auto remote = TRY(registry_manifest_digest(ctx, t.options.image, t.pull));
    auto local = TRY(ctx.store->get_image(t.record.image_id));
    if (!local)
        return true;
    if (local->manifest_digest == remote)
        return false;
    auto suffix = "@" + remote.str();
    return std::none_of(local->digests.begin(), local->digests.end(), [&](std::string const& d) {
        return d.size() > suffix.size() && d.ends_with(suffix);
    });
}

/// True where systemd manages the host (sd_booted's test) and systemctl exists.
bool systemd_available()
{
    return fs::is_dir("/run/systemd/system") && find_program("systemctl").has_value();
}

ErrorOr restart_unit(Context& ctx, std::string const& unit)
{
    std::vector<std::string> argv { *find_program("systemctl") };
    if (ctx.paths.rootless)
        argv.push_back("--user");
    argv.insert(argv.end(), { "restart", unit });
    auto done = TRY(run_command(argv, std::chrono::minutes(5)));
    if (done.exit_code != 0)
        return Error::msg("restarting unit " + unit + ": " + first_line(done.err.empty() ? done.out : done.err));
    return {};
}

/// The create options that make the container again: as stored, with what
/// create consumed put back (the restart policy is a field of the record;
/// --env-file was read into entries, which go ahead of -e as they did) and
/// the one-shot parts dropped (--replace, --cidfile, --label-file).
CreateOptions recreate_options(ContainerRecord const& rec, CreateOptions o)
{
    o.name = rec.name;
    o.restart = std::string(container::restart_policy_name(rec.restart.kind));
    if (rec.restart.max_retries > 0)
        o.restart += ":" + std::to_string(rec.restart.max_retries);
    o.env.insert(o.env.begin(), o.env_files.begin(), o.env_files.end());
    o.env_files.clear();
    o.label_files.clear();
    o.cidfile.clear();  // FIXME: Podman's units pass --cidfile again; berth's recreation drops it
    o.replace = false;
    o.detach = true;
    return o;
}

/// Sets the record's --rm (config "remove"): the old container must survive
/// its stop while the new one proves itself.
ErrorOr set_auto_remove(Context& ctx, std::string const& id, bool remove)
{
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(id));
    auto rec = TRY(cs.get(id));
    if (!rec)
        return Error { ENOENT, "container " + id + " is gone" };
    rec->config["remove"] = remove;
    return cs.update(*rec);
}

/// Waits out the grace period: an Error when the container exits non-zero
/// (or cannot be found) before it ends.
ErrorOr watch_new_container(Context& ctx, std::string const& id, std::chrono::milliseconds grace)
{
    auto deadline = std::chrono::steady_clock::now() + grace;
    for (;;) {
        auto rec = TRY(find_container(ctx, id));
        if (rec.state == container::State::Exited && rec.exit_code != 0)
            return Error::msg("the new container exited with code " + std::to_string(rec.exit_code));
        if (std::chrono::steady_clock::now() >= deadline)
            return {};
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

StartOptions detached_start(AutoUpdateOptions const& options)
{
    StartOptions so;
    so.attach = false;
    so.storage_driver = options.storage_driver;
    return so;
}

/// Creates and starts the new container and watches it; its id is set in
/// `new_id` as soon as it exists.
ErrorOr start_new_container(Context& ctx, Task const& t, AutoUpdateOptions const& options, std::string& new_id)
{
    auto created = TRY(create_container(ctx, recreate_options(t.record, t.options), t.pull, options.storage_driver));
    new_id = created.id;
    TRY(start_container(ctx, created.id, detached_start(options)));
    return watch_new_container(ctx, created.id, options.grace);
}

/// Puts the old container back: the failed new one goes, the old one takes
/// its name, its --rm and its running state back.
ErrorOr restore_old_container(Context& ctx, Task const& t, std::string const& new_id, AutoUpdateOptions const& options)
{
    if (!new_id.empty())
        if (auto gone = find_container(ctx, new_id))
            TRY_CTX(remove_container(ctx, *gone, RemoveOptions { .force = true }), "removing the new container");
    auto old = TRY(find_container(ctx, t.record.id));
    TRY(rename_container(ctx, old, t.record.name));
    TRY(set_auto_remove(ctx, old.id, t.options.remove));
    TRY_CTX(start_container(ctx, old.id, detached_start(options)), "restarting the old container");
    return {};
}

/// Removes the old container once the new one has its name; its anonymous
/// volumes go with it where --rm would have removed them.
ErrorOr remove_old_container(Context& ctx, Task const& t)
{
    auto old = TRY(find_container(ctx, t.record.id));
    TRY_CTX(remove_container(ctx, old, RemoveOptions { .force = true, .volumes = t.options.remove }), "removing the old container");
    return {};
}

/// berth's update without systemd: stop the old container, rename it aside,
/// create and start the new one under its name, then remove the old one; or,
/// when the new one fails, restore the old one (with `options.rollback`).
/// Returns the report's "updated" value.
Result<std::string> recreate(Context& ctx, Task const& t, AutoUpdateOptions const& options)
{
    auto const& rec = t.record;
    auto aside = rec.name + "-autoupdate-" + rec.id.substr(0, 12);
    auto set_aside = [&]() -> ErrorOr {
        TRY(set_auto_remove(ctx, rec.id, false));
        TRY_CTX(stop_container(ctx, rec, std::nullopt), "stopping the old container");
        return rename_container(ctx, TRY(find_container(ctx, rec.id)), aside);
    };
    if (auto done = set_aside(); !done) {
        (void)restore_old_container(ctx, t, "", options);  // as far as it got: --rm back, running again
        return std::move(done).error();
    }
    std::string new_id;
    auto started = start_new_container(ctx, t, options, new_id);
    if (started) {
        TRY(remove_old_container(ctx, t));
        return std::string("true");
    }
    if (!options.rollback) {
        (void)remove_old_container(ctx, t);  // the failed new container stays under the name, for `logs`
        return std::move(started).error();
    }
    log::info("{}: {}; rolling back", about(rec), started.error().message);
    TRY_CTX(restore_old_container(ctx, t, new_id, options), "rolling back after: " + started.error().message);
    return std::string("rolled back");
}

/// The update through the container's systemd unit, as Podman: restart it;
/// when that fails, name the old image again and restart it once more.
Result<std::string> restart_through_unit(Context& ctx, Task const& t, AutoUpdateOptions const& options)
{
    auto restarted = restart_unit(ctx, t.report.unit);
    if (restarted)
        return std::string("true");
    if (!options.rollback)
        return std::move(restarted).error();
    TRY_CTX(tag_image(ctx, t.record.image_id, t.options.image), "falling back to previous image");
    TRY_CTX(restart_unit(ctx, t.report.unit), "restarting unit with old image during fallback");
    return std::string("rolled back");
}

/// Pulls (registry, once per reference) and restarts or recreates the container.
Result<std::string> update(Context& ctx, Task const& t, AutoUpdateOptions const& options, std::map<std::string, std::string>& pulled)
{
    if (t.report.policy == "registry") {
        if (!pulled.contains(t.options.image))
            pulled[t.options.image] = TRY_CTX(pull(ctx, t.options.image, t.pull), "pulling " + t.options.image).id;
        // The same image under another manifest (built here, then pushed): nothing to do.
        if (pulled[t.options.image] == t.record.image_id)
            return std::string("false");
    }
    if (!t.report.unit.empty() && systemd_available())
        return restart_through_unit(ctx, t, options);
    auto updated = recreate(ctx, t, options);
    // As through a unit: the reference names what worked again.
    if (updated && *updated == "rolled back")
        TRY_CTX(tag_image(ctx, t.record.image_id, t.options.image), "falling back to previous image");
    return updated;
}

/// Checks one container and updates it unless this is a dry run; the
/// report, with an Error beside it when that failed.
std::optional<Error> run_task(Context& ctx, Task& t, AutoUpdateOptions const& options, std::map<std::string, std::string>& pulled)
{
    auto needed = needs_update(ctx, t);
    if (!needed) {
        t.report.updated = "failed";
        return Error::msg(about(t.record) + ": image check for \"" + t.options.image + "\" failed: " + needed.error().message);
    }
    if (!*needed)
        return std::nullopt;
    if (options.dry_run) {
        t.report.updated = "pending";
        return std::nullopt;
    }
    auto updated = update(ctx, t, options, pulled);
    if (!updated) {
        t.report.updated = "failed";
        return Error::msg(about(t.record) + ": " + updated.error().message);
    }
    t.report.updated = *updated;
    return std::nullopt;
}

} // namespace

Result<AutoUpdateResult> auto_update(Context& ctx, AutoUpdateOptions const& options)
{
    AutoUpdateResult result;
    std::vector<Task> tasks;
    // Podman's rule: only running containers are updated.
    for (auto const& rec : TRY(list_containers(ctx))) {
        if (rec.state != container::State::Running)
            continue;
        auto task = task_for(rec, options);
        if (!task)
            result.errors.push_back(Error::msg(about(rec) + ": " + task.error().message));
        else if (*task)
            tasks.push_back(std::move(**task));
    }
    std::sort(tasks.begin(), tasks.end(), [](Task const& a, Task const& b) { return a.record.name < b.record.name; });
    std::map<std::string, std::string> pulled;  // reference -> the image ID it pulled
    for (auto& t : tasks) {
        if (auto error = run_task(ctx, t, options, pulled))
            result.errors.push_back(std::move(*error));
        result.reports.push_back(t.report);
    }
    return result;
}

} // namespace berth::engine
