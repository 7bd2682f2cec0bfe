#include "engine/context.h"

#include "base/fs.h"
#include "engine/images/interchange.h"

#include "rootless/userns.h"

#include <sys/stat.h>

namespace berth::engine {

namespace {

/// `flag` when given, else the file's value, else "".
std::string pick(std::string const& flag, std::optional<std::string> const& file)
{
    return !flag.empty() ? flag : file.value_or("");
}

bool exists(char const* path)
{
    struct stat st {};
    return ::stat(path, &st) == 0;
}

/// "overlay.mount_program=/usr/bin/fuse-overlayfs" -> the value of `key` (with or without "overlay.").
std::optional<std::string> storage_opt(std::vector<std::string> const& opts, std::string_view key)
{
    std::optional<std::string> found;
    for (auto const& opt : opts) {
        auto eq = opt.find('=');
        std::string_view name = std::string_view(opt).substr(0, eq);
        if (name.starts_with("overlay."))
            name.remove_prefix(8);
        if (eq != std::string::npos && name == key)
            found = opt.substr(eq + 1);
    }
    return found;
}

} // namespace

Result<Settings> load_settings(GlobalOptions const& flags)
{
    Settings s;
    auto env = config::ConfigEnvironment::current(rootless::current_path_environment().rootless);
    s.containers = TRY(config::load_containers_conf(env));
    s.storage = TRY(config::load_storage_conf(env));
    GlobalOptions& o = s.options;
    o = flags;
    // storage.conf names a directory that Podman's own store may use too:
    // berth keeps its store in a directory of its own below it.
    if (o.root.empty() && s.storage.graphroot && !s.storage.graphroot->empty())
        o.root = fs::join(*s.storage.graphroot, "berth");
    if (o.runroot.empty() && s.storage.runroot && !s.storage.runroot->empty())
        o.runroot = fs::join(*s.storage.runroot, "berth");
    o.storage_driver = pick(o.storage_driver, s.storage.driver);
    s.mount_program = storage_opt(o.storage_opts, "mount_program").value_or(s.storage.mount_program.value_or(""));
    // berth's storage drivers: a mount program means fuse-overlayfs.
    if (o.storage_driver == "overlay" && !s.mount_program.empty() && flags.storage_driver.empty())
        o.storage_driver = "fuse-overlayfs";
    for (auto const& opt : o.storage_opts)
        if (auto eq = opt.find('='); eq == std::string::npos)
            return Error { EINVAL, "--storage-opt \"" + opt + "\": use KEY=VALUE, e.g. overlay.mount_program=/usr/bin/fuse-overlayfs" };
    o.runtime = pick(o.runtime, s.containers.runtime);
    if (o.runtime == "berth")
        o.runtime.clear();  // berth's own, over a containers.conf that names Podman's runtime
    if (!o.runtime.empty())
        o.runtime = config::resolve_runtime(s.containers, o.runtime);
    o.volume_path = pick(o.volume_path, s.containers.volume_path);
    o.tmp_dir = pick(o.tmp_dir, s.containers.tmp_dir);
    o.network_cmd_path = pick(o.network_cmd_path, s.containers.network_cmd_path);

    o.events_backend = pick(o.events_backend, s.containers.events_logger);
    if (o.events_backend.empty())
        o.events_backend = "file";
    if (o.events_backend != "file" && o.events_backend != "journald" && o.events_backend != "none")
        return Error { EINVAL, "events backend \"" + o.events_backend + "\": use file, journald or none" };
    if (o.events_backend == "journald" && !exists("/run/systemd/journal/socket")) {
        // Podman's default on systemd hosts; only a flag that asks for it is an error here.
        if (!flags.events_backend.empty())
            return Error { ENOTSUP, "events backend journald is not available: no journald on this host "
                                    "(/run/systemd/journal/socket); use --events-backend file" };
        o.events_backend = "file";
    }
    o.cgroup_manager = pick(o.cgroup_manager, s.containers.cgroup_manager);
    if (o.cgroup_manager.empty())
        o.cgroup_manager = "cgroupfs";
    if (o.cgroup_manager != "cgroupfs" && o.cgroup_manager != "systemd")
        return Error { EINVAL, "cgroup manager \"" + o.cgroup_manager + "\": use cgroupfs or systemd" };
    if (o.cgroup_manager == "systemd" && !exists("/run/systemd/system")) {
        if (!flags.cgroup_manager.empty())
            return Error { ENOTSUP, "cgroup manager systemd is not available: systemd is not running on this host; "
                                    "use --cgroup-manager cgroupfs" };
        o.cgroup_manager = "cgroupfs";
    }
    return s;
}

std::vector<std::string> global_args(Settings const& settings, rootless::Paths const& paths)
{
    std::vector<std::string> args { "--root", paths.data_dir, "--runroot", paths.run_dir };
    GlobalOptions const& o = settings.options;
    auto add = [&](char const* flag, std::string const& value) {
        if (!value.empty())
            args.insert(args.end(), { flag, value });
    };
    add("--storage-driver", o.storage_driver);
    add("--volumepath", o.volume_path);
    add("--tmpdir", o.tmp_dir);
    add("--events-backend", o.events_backend);
    add("--cgroup-manager", o.cgroup_manager);
    add("--runtime", o.runtime);
    add("--network-cmd-path", o.network_cmd_path);
    for (auto const& opt : o.storage_opts)
        add("--storage-opt", opt);
    for (auto const& flag : o.runtime_flags)
        add("--runtime-flag", flag);
    return args;
}

Result<container::ContainerStore> container_records(Context& ctx)
{
    return container::ContainerStore::open(ctx.store->database(), ctx.paths.layout());
}

Result<rootless::Paths> resolve_paths(Settings const& settings)
{
    auto paths = TRY(rootless::default_paths(settings.options.root, settings.options.runroot));
    paths.volumes_dir = settings.options.volume_path;
    paths.tmp_dir = settings.options.tmp_dir;
    paths.record_events = settings.options.events_backend != "none";
    return paths;
}

Result<rootless::Paths> resolve_paths(GlobalOptions const& options)
{
    return resolve_paths(TRY(load_settings(options)));
}

Result<Context> open_context(GlobalOptions const& options)
{
    Context ctx;
    ctx.settings = TRY(load_settings(options));
    ctx.paths = TRY(resolve_paths(ctx.settings));
    // Join (or create) the user namespace first: it must happen while the
    // process is single-threaded, and the store's files belong to it.
    TRY(rootless::enter(ctx.paths));
    store::StoreOptions so;
    so.data_dir = ctx.paths.data_dir;
    so.run_dir = ctx.paths.run_dir;
    so.rootless = ctx.paths.rootless;
    ctx.store = TRY(store::Store::open(so)); // its errors name the store already
    remove_stale_scratch(ctx.paths.data_dir);
    return ctx;
}

Result<image::RegistriesConf const*> Context::registries()
{
    if (!m_registries)
        m_registries = TRY(image::RegistriesConf::load(paths.rootless));
    return &*m_registries;
}

} // namespace berth::engine
