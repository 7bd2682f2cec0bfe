// Named volumes. See volumes.h; the records are container/volume_store.cpp's,
// the -o options container/volume_options.cpp's.
#include "engine/volumes/volumes.h"

#include "base/fs.h"
#include "base/log.h"
#include "container/rootfs.h"
#include "container/volume_options.h"
#include "engine/containers/container_query.h"
#include "engine/containers/copy.h"
#include "engine/containers/lifecycle.h"
#include "engine/filter_groups.h"
#include "runtime/kernel.h"

#include <algorithm>
#include <regex>
#include <set>
#include <sys/mount.h>
#include <unistd.h>

namespace berth::engine {

using container::VolumeRecord;

Result<container::VolumeStore> open_volume_store(Context& ctx)
{
    return container::VolumeStore::open(ctx.store->database(), ctx.paths.layout());
}

Result<VolumeRecord> create_volume(Context& ctx, std::string const& name, std::map<std::string, std::string> const& labels,
    std::map<std::string, std::string> const& options, bool ignore_existing)
{
    auto parsed = TRY(container::parse_volume_options(options));
    if (parsed.bind && !fs::exists(parsed.device))
        return Error { ENOENT, "invalid volume option device for driver 'local': stat " + parsed.device + ": no such file or directory" };
    auto vs = TRY(open_volume_store(ctx));
    auto existed = ignore_existing && !name.empty() && TRY(vs.get(name));
    auto volume = TRY(vs.create(name, labels, options, false, ignore_existing));
    if (existed)
        return volume;
    if (parsed.uid || parsed.gid) {
        if (::chown(volume.mountpoint.c_str(), parsed.uid ? *parsed.uid : static_cast<uid_t>(-1), parsed.gid ? *parsed.gid : static_cast<gid_t>(-1)) < 0)
            return Error::from_errno("volume " + volume.name + ": chown " + volume.mountpoint);
    }
    if (parsed.nocopy) {
        TRY(vs.mark_copied(volume.name));
        volume.needs_copy = false;
    }
    return volume;
}

// ------------------------------------------------------------------ filters

Result<std::vector<VolumeFilter>> parse_volume_filters(std::vector<std::string> const& raw)
{
    static std::set<std::string> const known { "name", "label", "driver", "dangling", "opt", "until" };
    std::vector<VolumeFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        VolumeFilter filter { f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1) };
        if (!known.count(filter.key))
            return Error { EINVAL, "\"" + filter.key + "\" is an invalid volume filter: use name, label, driver, dangling, opt or until" };
        if (eq == std::string::npos)
            return Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" };
        if (filter.key == "dangling") {
            if (filter.value == "1")
                filter.value = "true";
            else if (filter.value == "0")
                filter.value = "false";
            if (filter.value != "true" && filter.value != "false")
                return Error { EINVAL, "\"" + filter.value + "\" is not a valid value for the \"dangling\" filter - must be true or false" };
        }
        TRY(check_shared_filter(filter));
        out.push_back(std::move(filter));
    }
    return out;
}

namespace {

bool matches_one(VolumeRecord const& v, bool in_use, VolumeFilter const& f)
{
    if (f.key == "name")
        return std::regex_search(v.name, std::regex(f.value));
    if (f.key == "label")
        return has_key_value(v.labels, f.value);
    if (f.key == "driver")
        return v.driver == f.value;
    if (f.key == "dangling")
        return (f.value == "true") != in_use;
    if (f.key == "opt")
        return has_key_value(v.options, f.value);
    if (f.key == "until")
        return v.created < std::atoll(f.value.c_str());
    return false;
}

} // namespace

bool volume_matches(VolumeRecord const& volume, bool in_use, std::vector<VolumeFilter> const& filters)
{
    return filter_groups_match(filters, { "label" }, [&](VolumeFilter const& f) { return matches_one(volume, in_use, f); });
}

Result<std::vector<VolumeRecord>> list_volumes(Context& ctx, std::vector<VolumeFilter> const& filters)
{
    auto vs = TRY(open_volume_store(ctx));
    auto all = TRY(vs.list());
    // By name, as Podman lists them.
    std::stable_sort(all.begin(), all.end(), [](auto const& a, auto const& b) { return a.name < b.name; });
    if (filters.empty())
        return all;
    auto unused_names = TRY(vs.unused());
    std::set<std::string> unused(unused_names.begin(), unused_names.end());
    std::vector<VolumeRecord> out;
    for (auto& v : all)
        if (volume_matches(v, !unused.count(v.name), filters))
            out.push_back(std::move(v));
    return out;
}

Result<VolumeRecord> get_volume(Context& ctx, std::string const& name)
{
    auto vs = TRY(open_volume_store(ctx));
    auto v = TRY(vs.get(name));
    if (!v)
        return Error { ENOENT, "no volume with name \"" + name + "\" found: no such volume" };
    return *v;
}

// ------------------------------------------------------------------ the volume's filesystem

namespace {

/// Unmounts the volume's filesystem if it is mounted.
ErrorOr unmount_filesystem(VolumeRecord const& volume)
{
    if (!container::is_mount_point(volume.mountpoint))
        return {};
    return runtime::kernel::umount2(volume.mountpoint, MNT_DETACH);
}

/// True when a container other than `except` that uses the volume is running or paused.
Result<bool> used_by_active(Context& ctx, container::VolumeStore& vs, std::string const& name, std::string const& except)
{
    auto cs = TRY(container_records(ctx));
    for (auto const& id : TRY(vs.users(name))) {
        if (id == except)
            continue;
        if (auto rec = TRY(cs.get(id)); rec && is_active(rec->state))
            return true;
    }
    return false;
}

} // namespace

ErrorOr mount_volume_filesystem(VolumeRecord const& volume)
{
    auto o = TRY(container::parse_volume_options(volume.options));
    if (!o.mounts() || container::is_mount_point(volume.mountpoint))
        return {};
    std::string what = "mount volume " + volume.name;
    if (o.bind) {
        unsigned long flags = MS_BIND | (o.recursive ? MS_REC : 0);
        TRY(runtime::kernel::mount(o.device.c_str(), volume.mountpoint, nullptr, flags, nullptr, what));
        if (o.flags != 0)
            TRY(runtime::kernel::mount(nullptr, volume.mountpoint, nullptr, MS_REMOUNT | MS_BIND | o.flags, nullptr, what));
        return {};
    }
    return runtime::kernel::mount(o.device.c_str(), volume.mountpoint, o.type.c_str(), o.flags, o.data.empty() ? nullptr : o.data.c_str(), what);
}

void release_volume_filesystems(Context& ctx, container::ContainerRecord const& rec)
{
    auto vs = open_volume_store(ctx);
    auto all = vs ? vs->list() : Result<std::vector<VolumeRecord>>(vs.error());
    if (!all)
        return;
    for (auto const& v : *all) {
        if (v.options.empty() || !container::is_mount_point(v.mountpoint))
            continue;
        auto users = vs->users(v.name);
        if (!users || std::find(users->begin(), users->end(), rec.id) == users->end())
            continue;
        auto busy = used_by_active(ctx, *vs, v.name, rec.id);
        if (!busy || *busy)
            continue;
        if (auto r = unmount_filesystem(v); !r)
            log::warn("unmount volume {}: {}", v.name, r.error().message);
    }
}

Result<std::string> mount_volume(Context& ctx, std::string const& name)
{
    auto volume = TRY(get_volume(ctx, name));
    TRY(mount_volume_filesystem(volume));
    return volume.mountpoint;
}

ErrorOr unmount_volume(Context& ctx, std::string const& name)
{
    auto volume = TRY(get_volume(ctx, name));
    auto vs = TRY(open_volume_store(ctx));
    if (TRY(used_by_active(ctx, vs, name, "")))
        return {};  // a running container still uses it; its exit unmounts it
    return unmount_filesystem(volume);
}

// ------------------------------------------------------------------ remove, prune

ErrorOr remove_volume(Context& ctx, std::string const& name, bool force, std::optional<int> timeout)
{
    auto vs = TRY(open_volume_store(ctx));
    auto volume = TRY(get_volume(ctx, name));
    if (force) {
        // Exactly the containers that mount it (container_volumes): not every config that merely names it.
        auto cs = TRY(container_records(ctx));
        for (auto const& id : TRY(vs.users(name)))
            if (auto rec = TRY(cs.get(id)))
                TRY(remove_container(ctx, *rec, RemoveOptions { .force = true, .volumes = false, .timeout = timeout }));
    }
    if (TRY(vs.users(name)).empty())
        TRY(unmount_filesystem(volume));
    return vs.remove(name);
}

Result<std::vector<std::string>> unused_volumes(Context& ctx)
{
    auto vs = TRY(open_volume_store(ctx));
    return vs.unused();
}

Result<std::vector<std::string>> prune_volumes(Context& ctx, std::vector<VolumeFilter> const& filters)
{
    auto vs = TRY(open_volume_store(ctx));
    std::vector<std::string> removed;
    for (auto const& name : TRY(vs.unused())) {
        auto volume = TRY(vs.get(name));
        if (!volume || !volume_matches(*volume, false, filters))
            continue;
        TRY(unmount_filesystem(*volume));
        auto r = vs.remove(name);
        if (!r && r.error().code == EBUSY)
            continue;  // a container created meanwhile mounts it: it stays
        TRY(std::move(r));
        removed.push_back(name);
    }
    return removed;
}

// ------------------------------------------------------------------ export, import

namespace {

/// Runs `step` on the volume's directory with its filesystem mounted; a
/// mount made for it alone is undone afterwards.
template<typename Step>
ErrorOr with_volume_mounted(VolumeRecord const& volume, Step step)
{
    bool was_mounted = container::is_mount_point(volume.mountpoint);
    TRY(mount_volume_filesystem(volume));
    auto result = step();
    if (!was_mounted)
        (void)unmount_filesystem(volume);
    return result;
}

} // namespace

ErrorOr export_volume(Context& ctx, std::string const& name, int fd)
{
    auto volume = TRY(get_volume(ctx, name));
    TRY_CTX(with_volume_mounted(volume, [&] { return write_directory_tar(volume.mountpoint, fd); }), "export volume " + name);
    return {};
}

ErrorOr import_volume(Context& ctx, std::string const& name, int fd)
{
    auto volume = TRY(get_volume(ctx, name));
    TRY_CTX(with_volume_mounted(volume, [&] { return extract_tar_into(fd, volume.mountpoint); }), "import volume " + name);
    // What was imported is the volume's content: no copy-up from an image over it.
    auto vs = TRY(open_volume_store(ctx));
    return vs.mark_copied(name);
}

} // namespace berth::engine
