// Container lifecycle: create (record + image), start (rootfs, spec, monitor),
// remove, and volumes. The steps of start are named functions; the monitor's
// side is src/monitor/.
#include "engine/containers/containers.h"
#include "engine/pods/pods.h"

#include "berth_config.h"
#include "engine/containers/create_steps.h"
#include "engine/system/events.h"
#include "engine/containers/healthcheck.h"
#include "engine/containers/lifecycle.h"
#include "engine/secrets/secrets.h"

#include "base/child_process.h"
#include "base/command.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/mount_guard.h"
#include "base/process_stat.h"
#include "base/raw_terminal.h"
#include "base/scope_guard.h"
#include "base/signal_forwarder.h"
#include "base/sys.h"
#include "engine/containers/network_setup.h"
#include "container/removal.h"
#include "container/rootfs.h"
#include "container/spec_builder.h"
#include "container/user.h"
#include "monitor/monitor.h"
#include "monitor/protocol.h"
#include "rootless/idmap.h"
#include "runtime/capabilities.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace berth::engine {

using container::ContainerRecord;
using container::ContainerStore;
using container::CreateOptions;
using container::MountRequest;

namespace {

/// The image for a new container, pulled according to --pull.
Result<store::ImageRecord> image_for(Context& ctx, CreateOptions const& options, PullOptions const& pull_options)
{
    auto const& policy = options.pull;
    if (policy != "always") {
        auto found = find_image(ctx, options.image);
        if (found || policy == "never")
            return found;
    }
    PullOptions po = pull_options;
    if (!options.platform.empty())
        po.platform = options.platform;
    return pull(ctx, options.image, po);
}

/// Reads --env-file files now, as Podman does at create time.
Result<std::vector<std::string>> read_env_files(std::vector<std::string> const& files)
{
    std::vector<std::string> env;
    auto host = sys::environment();
    for (auto const& f : files) {
        auto text = TRY_CTX(fs::read_file(f), "env file " + f);
        auto entries = container::parse_env_file(text, host);
        env.insert(env.end(), entries.begin(), entries.end());
    }
    return env;
}

/// Anonymous volumes (-v /path) get their volume at create time: {destination: name}.
Result<std::map<std::string, std::string>> create_anonymous_volumes(Context& ctx, std::vector<MountRequest> const& mounts)
{
    std::map<std::string, std::string> names;
    for (auto const& m : mounts)
        if (m.type == MountRequest::Type::Volume && m.source.empty()) {
            auto vs = TRY(open_volume_store(ctx));
            auto v = TRY(vs.create("", {}, {}, true));
            names[m.destination] = v.name;
        }
    return names;
}

/// --volumes-from CTR[:ro|rw]: CTR's volumes (named and anonymous, by name) and
/// bind mounts, at the same destinations, as Podman copies them; ro/rw
/// override their own mode. A destination this container mounts itself is kept.
ErrorOr add_volumes_from(Context& ctx, CreateOptions& options)
{
    std::set<std::string> taken;
    for (auto const& m : TRY(container::mount_requests(options)))
        taken.insert(m.destination);
    for (auto const& from : options.volumes_from) {
        auto colon = from.find(':');
        std::string name = from.substr(0, colon), mode = colon == std::string::npos ? "" : from.substr(colon + 1);
        auto source = find_container(ctx, name);
        if (!source)
            return Error { ENOENT, "looking up container \"" + name + "\" for volumes-from: no container with name or ID \"" + name
                + "\" found: no such container" };
        auto source_options = TRY(CreateOptions::from_json(source->config));
        auto with_mode = [&](std::string spec, bool read_only) {
            bool ro = mode == "ro" || (mode != "rw" && read_only);
            return spec + (ro ? ":ro" : ":rw");
        };
        for (auto const& m : TRY(container::mount_requests(source_options))) {
            if (!taken.insert(m.destination).second || m.type == MountRequest::Type::Tmpfs)
                continue;
            if (m.type == MountRequest::Type::Bind) {
                options.volumes.push_back(with_mode(m.source + ":" + m.destination, m.read_only));
                continue;
            }
            auto use = std::find_if(source->volumes.begin(), source->volumes.end(),
                [&](container::VolumeUse const& u) { return u.destination == m.destination; });
            if (use != source->volumes.end())
                options.volumes.push_back(with_mode(use->volume + ":" + m.destination, m.read_only));
        }
    }
    options.volumes_from.clear();  // what it named is in volumes now; the container keeps no link to CTR
    return {};
}

/// --requires: each must exist now (they are started before this container);
/// kept by ID, so that a rename does not lose them.
ErrorOr resolve_required(Context& ctx, CreateOptions& options)
{
    for (auto& name : options.required) {
        auto found = find_container(ctx, name);
        if (!found || (!options.name.empty() && found->name == options.name))
            return Error { ENOENT, "\"" + name + "\" is not a valid container, cannot be used as a dependency: no container with name or ID \""
                + name + "\" found: no such container" };
        name = found->id;
    }
    return {};
}

} // namespace

namespace {

/// create_container, and the infra container of pod `infra_of` when that is not empty.
Result<ContainerRecord> create_record(Context& ctx, CreateOptions const& given, PullOptions const& pull_options,
    Warn const& warn, std::string const& infra_of)
{
    // containers.conf's defaults under the flags, then the one validation.
    CreateOptions spec = given;
    apply_container_defaults(ctx.settings.containers, spec, sys::environment());
    TRY(read_label_files(spec));
    // --pod: the pod's shared namespaces become container:<infra> modes.
    if (infra_of.empty())
        TRY(join_pod(ctx, spec, warn));
    else
        spec.pod = infra_of;
    CreateOptions options = TRY(validate_container_spec(std::move(spec), warn));
    TRY(check_namespace_containers(ctx, options));
    TRY(choose_auto_userns(ctx, options));
    if (options.runtime.empty())
        options.runtime = ctx.settings.options.runtime;  // --runtime, containers.conf
    TRY(resolve_network(ctx, options, warn));
    TRY(add_volumes_from(ctx, options));
    TRY(resolve_required(ctx, options));
    options.env_files = TRY(read_env_files(options.env_files));
    TRY(replace_named_container(ctx, options));
    auto cs = TRY(container_records(ctx));
    if (!options.name.empty() && TRY(cs.name_in_use(options.name)))
        return Error { EEXIST, "creating container storage: the container name \"" + options.name
                + "\" is already in use: remove it or choose another name with --name" };
    auto image = TRY(image_for(ctx, options, pull_options));
    TRY(assign_host_ports(options, TRY(image_config(ctx, image))));
    if (options.image_volume != "ignore")  // bind (an anonymous volume each) or tmpfs
        options.image_volumes = TRY(image_config(ctx, image)).volumes;
    auto mounts = TRY(container::mount_requests(options));
    // systemd as PID 1 stops on SIGRTMIN+3: Podman's stop signal in systemd mode.
    if (options.stop_signal.empty() && options.systemd != "false" && container::systemd_mode(TRY(image_config(ctx, image)), options))
        options.stop_signal = "RTMIN+3";
    ContainerRecord r;
    r.id = container::generate_id();
    r.name = options.name;
    bool generated = r.name.empty();
    for (int attempt = 0; r.name.empty() || (generated && TRY(cs.name_in_use(r.name))); ++attempt)
        r.name = container::generate_name(attempt);
    r.image_id = image.id;
    r.image_name = image.names.empty() ? image.id : image.names.front();
    r.created = static_cast<int64_t>(std::time(nullptr));
    r.restart = TRY(container::parse_restart_policy(options.restart));
    r.pod_id = options.pod;
    r.config = options.to_json();
    r.config.erase("restart");  // the record's typed field
    r.secrets = TRY(secrets_for_create(ctx, options));  // a missing secret fails before any volume is made
    r.volumes = container::volume_uses(mounts, TRY(create_anonymous_volumes(ctx, mounts)));
    if (auto hc = TRY(healthcheck_for_create(ctx, options, image)))
        r.config["healthcheck"] = hc->to_json();
    TRY(add_startup_healthcheck(options, r.config));
    if (!options.cidfile.empty()) {
        if (fs::exists(options.cidfile))
            return Error { EEXIST, "container id file " + options.cidfile + " exists: remove it first" };
        TRY(fs::write_file_atomic(options.cidfile, r.id));
    }
    // A generated name taken by a concurrent create between the check and the
    // insert: pick another (a name the user gave is theirs to change).
    for (int attempt = 5;; ++attempt) {
        auto inserted = cs.insert(r);
        if (inserted || !generated || inserted.error().code != EEXIST || attempt > 50) {
            TRY(std::move(inserted));
            break;
        }
        r.name = container::generate_name(attempt);
    }
    if (auto recorded = record_networks(ctx, r.id, options); !recorded) {
        (void)container::remove_container(cs, r.id);
        return std::move(recorded).error();
    }
    record_container_event(ctx.paths, "create", r);
    return r;
}

} // namespace

Result<ContainerRecord> create_container(Context& ctx, CreateOptions const& given, PullOptions const& pull_options,
    std::string const& storage_driver, Warn const& warn)
{
    (void)storage_driver;
    return create_record(ctx, given, pull_options, warn, "");
}

Result<ContainerRecord> create_infra_container(Context& ctx, CreateOptions const& options, std::string const& pod_id, Warn const& warn)
{
    return create_record(ctx, options, {}, warn, pod_id);
}

namespace {

/// -v/--mount sources as host paths; named volumes are created on first use
/// and get the image's content at the mount point (once, while empty).
Result<std::vector<container::ResolvedMount>> resolve_mounts(Context& ctx, ContainerRecord const& rec,
    CreateOptions const& options, std::string const& rootfs)
{
    std::vector<container::ResolvedMount> out;
    for (auto const& m : TRY(container::mount_requests(options))) {
        container::ResolvedMount rm { m, "" };
        if (m.type == MountRequest::Type::Bind) {
            char* real = ::realpath(m.source.c_str(), nullptr);
            if (!real)
                return Error::from_errno("statfs " + m.source);
            rm.host_path = real;
            ::free(real);
        } else if (m.type == MountRequest::Type::Volume) {
            std::string name = m.source;
            if (name.empty())
                name = container::anonymous_volume(rec, m.destination);
            auto vs = TRY(open_volume_store(ctx));
            auto volume = TRY(vs.create(name, {}, {}, false, true));
            rm.host_path = volume.mountpoint;
            // -o type=/device=: its filesystem, until the last container using it exits.
            TRY(mount_volume_filesystem(volume));
            if (volume.needs_copy && TRY(fs::list_dir(volume.mountpoint)).empty()) {
                // Copy up what the image has there, unless the path leads out of the rootfs.
                char* real = ::realpath((rootfs + m.destination).c_str(), nullptr);
                std::string src = real ? real : "";
                ::free(real);
                if (!src.empty() && src.rfind(rootfs + "/", 0) == 0 && fs::is_dir(src))
                    TRY_CTX(container::copy_layer(src, volume.mountpoint), "copy up volume " + volume.name);
                TRY(vs.mark_copied(volume.name));
            }
        }
        if (m.overlay) {
            // Podman's :O: the changes of one run are gone at the next start.
            if (rm.host_path.find_first_of(",:") != std::string::npos)
                return Error { EINVAL, "the :O option of " + m.destination + ": the source " + rm.host_path
                        + " has a ',' or ':', which an overlay mount cannot take: use a plain bind" };
            rm.overlay_dir = fs::join(ctx.paths.layout().bundle_dir(rec.id), "overlay-mounts/" + std::to_string(out.size()));
            TRY(fs::remove_tree(rm.overlay_dir));
            TRY(fs::mkdir_p(rm.overlay_dir + "/upper", 0755));
            TRY(fs::mkdir_p(rm.overlay_dir + "/work", 0700));
        }
        out.push_back(std::move(rm));
    }
    return out;
}

/// The :U option of a bind mount or volume: the source, recursively, belongs to
/// the container's user (its ids as seen from berth's namespace), as Podman does.
ErrorOr chown_to_container_user(std::string const& path, rootless::ContainerIdMaps const& maps, container::ResolvedUser const& user)
{
    auto uid = rootless::outside_id(maps.private_userns ? maps.uid : std::vector<rootless::IdMapping> {}, user.uid);
    auto gid = rootless::outside_id(maps.private_userns ? maps.gid : std::vector<rootless::IdMapping> {}, user.gid);
    if (!uid || !gid)
        return Error { EINVAL, "the :U option of " + path + ": the container's user " + std::to_string(user.uid) + " is not mapped" };
    auto change = [&](std::filesystem::path const& p) -> ErrorOr {
        if (::lchown(p.c_str(), *uid, *gid) < 0)
            return Error::from_errno("chown " + p.string() + " for the :U option");
        return {};
    };
    TRY(change(path));
    std::error_code ec;
    for (std::filesystem::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
        TRY(change(it->path()));
    if (ec)
        return Error { ec.value(), "chown " + path + " for the :U option: " + ec.message() };
    return {};
}

/// What a start has made ready: the spec, and the rootfs mount it owns until the container runs.
struct Prepared {
    runtime::Spec spec;
    MountGuard rootfs;  ///< unmounted if the start fails from here on
    network::BridgePlan bridge;  ///< user-defined networks: netavark's setup
};

/// /run/.containerenv, by which programs know they run in a container: empty,
/// and with the container's names only under --privileged, as Podman writes it.
std::string containerenv_content(ContainerRecord const& rec, CreateOptions const& options, bool rootless)
{
    if (!options.privileged)
        return "";
    return "engine=\"berth-" BERTH_VERSION "\"\nname=\"" + rec.name + "\"\nid=\"" + rec.id + "\"\nimage=\"" + rec.image_name
        + "\"\nimageid=\"" + rec.image_id + "\"\nrootless=" + (rootless ? "1" : "0") + "\n";
}

/// The spec for this start: rootfs mounted, user resolved, mounts resolved.
Result<Prepared> prepare(Context& ctx, ContainerRecord& rec, CreateOptions options, std::string const& driver_flag)
{
    TRY(resolve_namespace_containers(ctx, options));
    auto net = TRY(prepare_network(ctx, rec.id, rec.name, options));
    auto image = TRY(ctx.store->get_image(rec.image_id));
    if (!image)
        return Error { ENOENT, "container " + rec.name + ": its image " + rec.image_id.substr(0, 12) + " is gone" };
    auto config = TRY(image_config(ctx, *image));
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    TRY(container::unmount_rootfs(dir));
    container::RootfsRequest req;
    req.layers_dir = ctx.store->layers().layers_dir();
    for (auto const& layer : image->layers)
        req.lower_dirs.push_back(TRY(ctx.store->layers().mount_link(layer.diff_id)));
    req.container_dir = dir;
    req.rootless = ctx.paths.rootless;
    req.mount_program = ctx.settings.mount_program;
    req.volatile_upper = options.remove;
    auto id_maps = TRY(rootless::current_container_id_maps({ options.userns, options.uidmap, options.gidmap }, ctx.paths));
    req.uid_mappings = id_maps.uid;
    req.gid_mappings = id_maps.gid;
    std::string driver = !driver_flag.empty() ? driver_flag : rec.driver;
    if (driver.empty())
        driver = TRY(container::configured_driver(ctx.paths.layout(), ""));
    auto used = TRY(container::mount_rootfs(req, driver, ctx.paths.layout()));
    std::string rootfs = fs::join(dir, "merged");
    // vfs made a copy, not a mount: the guard's unmount is then a no-op (EINVAL).
    Prepared prepared { {}, MountGuard(rootfs) };
    rec.driver = container::driver_name(used);

    container::SpecContext sc;
    sc.id = rec.id;
    sc.rootfs = rootfs;
    sc.rootless = ctx.paths.rootless;
    sc.host_env = sys::environment();
    // keep-id runs as the user's own ids unless --user says otherwise, as Podman does.
    std::string wanted_user = options.user.empty() && !id_maps.default_user.empty() ? id_maps.default_user : container::requested_user(config, options);
    sc.user = TRY(container::resolve_user(rootfs, wanted_user, options.group_add));
    sc.id_maps = id_maps;
    StartFiles files { dir, rootfs, container::resolve_hostname(options, rec.id), &sc.user, container::requested_user(config, options),
        options.user.empty() && !id_maps.default_user.empty(), containerenv_content(rec, options, ctx.paths.rootless), &net, rec.name };
    sc.mounts = TRY(start_files(options, config, files));
    if (id_maps.private_userns) {
        // The files berth writes belong to the container's root, as the image's do.
        auto uid = rootless::outside_id(id_maps.uid, 0), gid = rootless::outside_id(id_maps.gid, 0);
        for (auto const& m : sc.mounts)
            if (uid && gid && ::lchown(m.host_path.c_str(), *uid, *gid) < 0)
                return Error::from_errno("chown " + m.host_path);
    }
    // --secret: files of this start (after the loop above: they keep the owners --secret gave).
    for (auto& m : TRY(secrets_for_start(ctx, rec.id, options, id_maps)))
        sc.mounts.push_back(std::move(m));
    for (auto& m : TRY(resolve_mounts(ctx, rec, options, rootfs))) {
        if (m.request.chown && !m.host_path.empty())
            TRY(chown_to_container_user(m.host_path, id_maps, sc.user));
        sc.mounts.push_back(std::move(m));
    }
    sc.default_capabilities = options.default_capabilities.empty() ? runtime::default_capabilities() : options.default_capabilities;
    prepared.spec = TRY(container::build_spec(config, options, sc));
    prepared.bridge = net.bridge;
    return prepared;
}

struct Launched {
    ChildProcess monitor;  ///< berth-launch, berth-monitor once it has exec'd
    pid_t container = 0;
    UniqueFd status;  ///< write end of the status pipe while attached
};

/// The launch config in an unnamed in-memory file, read by berth-launch from its start.
Result<UniqueFd> launch_config_file(monitor::MonitorConfig const& config)
{
    UniqueFd fd(::memfd_create("berth-launch-config", MFD_CLOEXEC));
    if (!fd.valid())
        return Error::from_errno("launch config: memfd_create");
    TRY(sys::write_all(fd.get(), json::dump(monitor::config_to_json(config))));
    if (::lseek(fd.get(), 0, SEEK_SET) != 0)
        return Error::from_errno("launch config: lseek");
    return fd;
}

/// Socket activation: when systemd started berth with sockets (LISTEN_FDS),
/// they and the LISTEN_* variables reach the container, whose pid 1 is then
/// the listener. As Podman, LISTEN_PID is not compared with our pid: a
/// wrapper script in between is common.
void pass_socket_activation(monitor::MonitorConfig& mc)
{
    char const* fds = std::getenv("LISTEN_FDS");
    if (!fds)
        return;
    char* end = nullptr;
    long n = std::strtol(fds, &end, 10);
    if (end == fds || *end != '\0' || n <= 0 || n > 1024)
        return;
    for (int fd = 3; fd < 3 + n; ++fd)
        if (std::find(mc.preserve_fds.begin(), mc.preserve_fds.end(), fd) == mc.preserve_fds.end())
            mc.preserve_fds.push_back(fd);
    auto& env = mc.spec.process.env;
    container::set_env(env, "LISTEN_PID=1");
    container::set_env(env, "LISTEN_FDS=" + std::to_string(n));
    if (char const* names = std::getenv("LISTEN_FDNAMES"))
        container::set_env(env, std::string("LISTEN_FDNAMES=") + names);
}

/// --sdnotify (podman-run(1)): takes NOTIFY_SOCKET out of berth's environment,
/// so that neither the monitor, its cleanup nor an OCI runtime acts on it, and
/// in `container` mode bind-mounts the socket into the container (at Podman's
/// /run/notify/notify.sock), whose own READY=1 then reaches systemd directly.
/// Returns the socket to send MAINPID (and, for conmon, READY=1) to once the
/// container runs; "" for none.
std::string take_notify_socket(monitor::MonitorConfig& mc, std::string const& mode)
{
    char const* env = std::getenv("NOTIFY_SOCKET");
    if (!env || !*env)
        return {};
    std::string socket = env;
    ::unsetenv("NOTIFY_SOCKET");
    if (mode == "ignore")
        return {};
    if (mode == "container" && socket[0] == '/') {
        mc.spec.mounts.push_back({ "/run/notify/notify.sock", "bind", socket, { "bind", "nosuid", "nodev", "noexec", "rprivate" } });
        container::set_env(mc.spec.process.env, "NOTIFY_SOCKET=/run/notify/notify.sock");
    }
    return socket;
}

/// Tells systemd the monitor is the service's main process (it outlives the
/// container and records its exit) and, with --sdnotify=conmon, that it is ready.
void notify_started(std::string const& socket, std::string const& mode, pid_t monitor)
{
    if (socket.empty())
        return;
    std::string message = "MAINPID=" + std::to_string(monitor);
    if (mode == "conmon")
        message += "\nREADY=1";
    if (auto sent = sys::sd_notify(socket, message); !sent)
        log::warn("--sdnotify={}: {}", mode, sent.error().message);
}

/// berth-launch's command line and fds (launch_main.cpp).
SpawnOptions launch_spawn_options(monitor::MonitorConfig const& config, std::string const& helper, int config_fd,
    int sync_fd, int status_fd, bool tty)
{
    SpawnOptions so;
    so.argv = { helper, "--config=" + std::to_string(config_fd), "--sync=" + std::to_string(sync_fd) };
    // The runtime's debug and info messages, with berth's --log-level.
    if (log::level() < log::Level::Warn)
        so.argv.push_back(log::level() == log::Level::Debug ? "--log-level=debug" : "--log-level=info");
    so.inherit = { config_fd, sync_fd };
    for (auto [key, fd] : { std::pair { "--status=", status_fd }, std::pair { "--lock=", config.lock_fd } })
        if (fd >= 0) {
            so.argv.push_back(key + std::to_string(fd));
            so.inherit.push_back(fd);
        }
    // --preserve-fds that are open reach the container; berth-launch closes every other fd.
    for (int fd : config.preserve_fds)
        if (::fcntl(fd, F_GETFD) >= 0)
            so.inherit.push_back(fd);
    so.null_stdio = !config.attached;
    // Detached: a session of its own. Attached without a terminal: a process
    // group of its own, so terminal signals reach berth, which forwards them once.
    so.group = !config.attached ? SpawnOptions::Group::NewSession
        : !tty                  ? SpawnOptions::Group::NewProcessGroup
                                : SpawnOptions::Group::Ours;
    // None is lost before berth-monitor's signalfd exists (monitor.h).
    so.blocked_signals.assign(std::begin(monitor::monitor_signals), std::end(monitor::monitor_signals));
    return so;
}

/// Spawns berth-launch, which starts the container and execs berth-monitor;
/// waits for its one-line reply on the sync pipe (protocol.h).
Result<Launched> launch(monitor::MonitorConfig const& config, bool tty)
{
    auto sync = TRY(sys::pipe());
    sys::Pipe status;
    if (config.attached)
        status = TRY(sys::pipe());
    auto config_fd = TRY(launch_config_file(config));
    auto helper = TRY(sys::helper_path(monitor::launch_executable));
    // The container's output follows what berth printed so far.
    std::fflush(stdout);
    std::fflush(stderr);
    auto child = TRY(ChildProcess::spawn(
        launch_spawn_options(config, helper, config_fd.get(), sync.write_end.get(), status.read_end.get(), tty)));
    sync.write_end.reset();
    status.read_end.reset();
    config_fd.reset();
    std::string line;
    char c;
    while (::read(sync.read_end.get(), &c, 1) == 1 && c != '\n')
        line += c;
    if (line.empty()) {
        auto status = child.wait();
        return Error::msg("container monitor exited without starting the container (status "
            + std::to_string(status ? monitor::exit_status_code(*status) : -1) + ")");
    }
    auto reply = TRY(monitor::decode(line));
    if (reply.error) {
        (void)child.wait();
        return std::move(*reply.error);
    }
    return Launched { std::move(child), reply.pid, std::move(status.write_end) };
}

/// Waits for the attached monitor, forwarding the signals berth receives; its exit status.
int wait_attached(ChildProcess& monitor, SignalForwarder* forwarder, bool raw_terminal)
{
    std::optional<RawTerminal> raw;
    if (raw_terminal && ::isatty(0))
        raw.emplace(0);
    auto status = forwarder ? forwarder->wait(monitor) : monitor.wait();
    return status ? monitor::exit_status_code(*status) : 125;
}

/// True once `pid` has exited (gone, or a zombie waiting for a reaper).
bool process_ended(int64_t pid)
{
    auto st = read_process_stat(pid);
    return !st || st->state == 'Z';
}

bool monitor_gone(ContainerRecord const& rec)
{
    // A killed monitor whose parent does not reap (a minimal PID 1) stays a
    // zombie with its start time: that is gone too.
    if (rec.monitor_start > 0)
        return process_start_time(rec.monitor_pid) != rec.monitor_start || process_ended(rec.monitor_pid);
    return !process_alive(rec.pid) && !process_alive(rec.monitor_pid);
}

/// A container whose monitor died (kill -9) would run on unwatched while its
/// record says exited: kill it, but only if its pid is still the process that
/// monitor started (it started within seconds after the monitor), never a
/// recycled pid. Waits up to a second for it to end so its rootfs can be unmounted.
void kill_orphan(ContainerRecord const& rec)
{
    if (rec.pid <= 0 || rec.monitor_start <= 0)
        return;
    int64_t start = process_start_time(rec.pid);
    int64_t hz = ::sysconf(_SC_CLK_TCK);
    if (start < rec.monitor_start || start - rec.monitor_start > 10 * hz)
        return;
    log::debug("container {}: its monitor is gone, killing its process {}", rec.id, rec.pid);
    ::kill(static_cast<pid_t>(rec.pid), SIGKILL);
    for (int i = 0; i < 100 && !process_ended(rec.pid); ++i)
        ::usleep(10000);
}

/// Records the exit of `rec` (the caller holds its lock): Exited, code, time,
/// no pids; unmounts the rootfs; on --rm removes the container. Returns the code.
int record_exit(Context& ctx, ContainerStore& cs, ContainerRecord rec)
{
    auto info = monitor::read_exit_file(ctx.paths.layout().container_run_dir(rec.id));
    rec.state = container::State::Exited;
    rec.exit_code = info ? info->code : -1;
    rec.finished = info ? info->finished : static_cast<int64_t>(std::time(nullptr));
    rec.pid = 0;
    rec.monitor_pid = 0;
    rec.monitor_start = 0;
    if (auto r = cs.update(rec); !r)
        log::warn("record exit of container {}: {}", rec.id, r.error().message);
    ::unlink(fs::join(ctx.paths.layout().container_run_dir(rec.id), monitor::launch_file_name).c_str());
    record_container_event(ctx.paths, "died", rec, { { "containerExitCode", std::to_string(rec.exit_code) } });
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    if (auto r = container::unmount_rootfs(dir); !r)
        log::warn("unmount container {}: {}", rec.id, r.error().message);
    release_volume_filesystems(ctx, rec);
    release_networks(ctx, rec.id);
    if (rec.config.value("remove", false)) {
        if (auto r = container::remove_container(cs, rec.id); !r)
            log::warn("remove container {}: {}", rec.id, r.error().message);
        else if (rec.config.value("remove_image", false))
            remove_run_image(ctx, rec.config.value("image", ""));  // --rmi: only once the container is gone
    }
    return static_cast<int>(rec.exit_code);
}

/// What follows a container's exit for good (no restart), once its lock is
/// released: its pod's --exit-policy=stop.
void after_exit(Context& ctx, ContainerRecord const& exited)
{
    if (auto r = apply_pod_exit_policy(ctx, exited); !r)
        log::warn("exit policy of the pod of container {}: {}", exited.id, r.error().message);
}

/// The attached CLI's side of the exit: the monitor is reaped, record what it left.
int finish_attached(Context& ctx, std::string const& id, pid_t monitor_pid, int monitor_status)
{
    auto info = monitor::read_exit_file(ctx.paths.layout().container_run_dir(id));
    int code = info ? info->code : monitor_status;
    std::optional<ContainerRecord> exited;
    {
        auto records = container_records(ctx);
        if (!records)
            return monitor_status;
        auto& cs = *records;
        auto lock = cs.lock(id);
        auto rec = cs.get(id);
        if (!lock || !rec || !*rec)
            return monitor_status;
        if (!is_active((*rec)->state) || (*rec)->monitor_pid != monitor_pid)
            return code;
        record_exit(ctx, cs, **rec);
        exited = **rec;
    }
    // The pod's exit policy takes its members' locks: this one is released.
    after_exit(ctx, *exited);
    return code;
}

} // namespace

void adopt_interrupted_start(Context& ctx, ContainerStore& cs, ContainerRecord& rec)
{
    if (is_active(rec.state))
        return;
    auto launch = monitor::read_launch_file(ctx.paths.layout().container_run_dir(rec.id));
    if (!launch)
        return;
    log::debug("container {}: adopting the start of monitor {} whose berth was interrupted", rec.id, launch->monitor);
    rec.state = container::State::Running;
    rec.pid = launch->container;
    rec.monitor_pid = launch->monitor;
    rec.monitor_start = launch->monitor_start;
    rec.started = launch->started;
    rec.finished = 0;
    rec.exit_code = 0;
    if (monitor_gone(rec)) {
        kill_orphan(rec);
        record_exit(ctx, cs, rec);
        if (auto current = cs.get(rec.id); current && *current)
            rec = **current;
        return;
    }
    if (auto r = cs.update(rec); !r) {
        log::warn("record the start of container {}: {}", rec.id, r.error().message);
        return;
    }
    record_container_event(ctx.paths, "start", rec);
}

bool may_need_refresh(Context& ctx, ContainerRecord const& rec)
{
    return is_active(rec.state) || fs::exists(fs::join(ctx.paths.layout().container_run_dir(rec.id), monitor::launch_file_name));
}

void refresh_container(Context& ctx, ContainerRecord& rec)
{
    bool active = is_active(rec.state);
    if (active ? !monitor_gone(rec) : !may_need_refresh(ctx, rec))
        return;
    auto mark = [&](ContainerRecord& r) {
        auto info = monitor::read_exit_file(ctx.paths.layout().container_run_dir(r.id));
        r.state = container::State::Exited;
        r.exit_code = info ? info->code : -1;
        r.pid = 0;
        r.monitor_pid = 0;
    };
    // Held by a start in progress, a stop or an rm: they record the truth.
    auto lock = FileLock::try_acquire(ctx.paths.layout().container_lock(rec.id));
    auto cs = lock ? container_records(ctx) : Result<ContainerStore>(Error::msg("locked"));
    auto current = cs ? cs->get(rec.id) : Result<std::optional<ContainerRecord>>(Error::msg("locked"));
    if (!current || !*current) {
        if (active)
            mark(rec);
        return;
    }
    rec = **current;
    adopt_interrupted_start(ctx, *cs, rec);
    if (is_active(rec.state) && monitor_gone(rec)) {
        kill_orphan(rec);
        record_exit(ctx, *cs, rec);
        mark(rec);
    }
}

Result<ContainerRecord> find_container(Context& ctx, std::string const& name_or_id)
{
    auto cs = TRY(container_records(ctx));
    auto rec = TRY(cs.find(name_or_id));
    refresh_container(ctx, rec);
    return rec;
}

std::string container_bundle_dir(Context& ctx, std::string const& id)
{
    return ctx.paths.layout().bundle_dir(id);
}

Result<int> start_container(Context& ctx, std::string const& name_or_id, StartOptions const& so)
{
    auto cs = TRY(container_records(ctx));
    auto first = TRY(find_container(ctx, name_or_id));
    // --requires: those run first, detached (and each starts what it requires).
    if (auto required = first.config.find("requires"); required != first.config.end() && required->is_array())
        for (auto const& name : *required) {
            auto dependency = find_container(ctx, name.get<std::string>());
            if (!dependency)
                return Error { ENOENT, "container " + first.name + " requires container " + name.get<std::string>() + ", which is gone: "
                    "create it again, or recreate " + first.name + " without --requires" };
            if (!is_active(dependency->state) && dependency->id != first.id)
                TRY_CTX(start_container(ctx, dependency->id, StartOptions { .attach = false, .storage_driver = so.storage_driver }),
                    "starting container " + dependency->name + ", which " + first.name + " requires");
        }
    std::optional<FileLock> lock = TRY(cs.lock(first.id));
    auto rec = TRY(find_container(ctx, first.id));
    if (is_active(rec.state))
        return Error { EBUSY, "container " + rec.name + " is already running" };
    // A pod's member joins the infra's namespaces: the infra runs first.
    TRY(start_pod_infra(ctx, rec));
    auto options = TRY(CreateOptions::from_json(rec.config));
    if (so.interactive)
        options.interactive = *so.interactive;
    auto logs = TRY(log_settings(options, ctx.paths.layout().bundle_dir(rec.id)));
    auto const& driver = so.storage_driver.empty() ? ctx.settings.options.storage_driver : so.storage_driver;
    // A start that fails leaves no volume filesystem (a tmpfs volume) mounted
    // that only this container would use: prepare mounts them.
    ArmedScopeGuard release_volumes([&] { release_volume_filesystems(ctx, rec); });
    ArmedScopeGuard release_addresses([&] { release_networks(ctx, rec.id); });
    auto prepared = TRY_CTX(prepare(ctx, rec, options, driver), "start " + rec.name);
    TRY(cs.update(rec));

    monitor::MonitorConfig mc;
    mc.id = rec.id;
    mc.bundle_dir = ctx.paths.layout().bundle_dir(rec.id);
    mc.run_dir = ctx.paths.layout().container_run_dir(rec.id);
    mc.seccomp_cache_dir = ctx.paths.layout().seccomp_cache_dir();
    mc.runtime_path = options.runtime;
    mc.runtime_root = ctx.paths.layout().runtime_root();
    mc.monitor_path = TRY(sys::helper_path(monitor::monitor_executable));
    mc.log_driver = logs.driver;
    mc.log_path = logs.driver == "none" ? "" : logs.path;
    mc.log_max_size = logs.max_size;
    auto self = TRY(sys::readlink("/proc/self/exe"));
    // The berth that the monitor runs sees the same store and settings as this one.
    auto berth_command = [&](std::initializer_list<std::string> args) {
        std::vector<std::string> argv { self };
        for (auto& a : global_args(ctx.settings, ctx.paths))
            argv.push_back(std::move(a));
        argv.insert(argv.end(), args);
        return argv;
    };
    mc.exit_command = berth_command({ "container", "cleanup", rec.id });
    auto startup_hc = startup_healthcheck_of(rec);
    if (auto hc = healthcheck_of(rec); hc && (hc->interval_ns > 0 || (startup_hc && startup_hc->interval_ns > 0))) {
        // berth-monitor runs the check every interval (healthcheck.h), the startup check's until it passed.
        mc.healthcheck_interval_ms = hc->interval_ns > 0 ? std::max<int64_t>(hc->interval_ns / 1000000, 1) : 0;
        if (startup_hc && startup_hc->interval_ns > 0)
            mc.healthcheck_startup_interval_ms = std::max<int64_t>(startup_hc->interval_ns / 1000000, 1);
        mc.healthcheck_command = berth_command({ "healthcheck", "run", rec.id });
        if (mc.healthcheck_startup_interval_ms > 0)
            mc.healthcheck_command.insert(mc.healthcheck_command.end() - 1, "--from-monitor");
    }
    mc.spec = std::move(prepared.spec);
    mc.timeout_s = options.timeout;
    auto attached = [&](char const* stream) {
        return options.attach.empty() || std::find(options.attach.begin(), options.attach.end(), stream) != options.attach.end();
    };
    mc.relay_stdout = attached("stdout");
    mc.relay_stderr = attached("stderr");
    mc.interactive = options.interactive;
    mc.attached = so.attach;
    mc.preserve_fds = options.preserve_fds;
    pass_socket_activation(mc);
    std::string notify_socket = take_notify_socket(mc, options.sdnotify);
    mc.lock_fd = lock->fd();
    mc.network = TRY(network_helper_plan(ctx, options));
    mc.bridge = prepared.bridge;
    if (!mc.runtime_path.empty() && mc.runtime_path.find('/') == std::string::npos) {
        if (auto found = find_program(mc.runtime_path))
            mc.runtime_path = *found;
        else
            return Error { ENOENT, "OCI runtime \"" + options.runtime + "\" not found in PATH" };
    } else if (!mc.runtime_path.empty() && ::access(mc.runtime_path.c_str(), X_OK) != 0) {
        return Error::from_errno("OCI runtime \"" + mc.runtime_path + "\"");
    }
    // Attached, signals are ours to forward from now on: one that arrives
    // during the launch waits in the forwarder instead of killing berth.
    // Without --sig-proxy they keep their default action: berth ends, and
    // the monitor, seeing its attached CLI gone, carries on detached.
    std::optional<SignalForwarder> forwarder;
    if (so.attach && so.sig_proxy)
        forwarder.emplace(TRY(SignalForwarder::create()));
    // On failure the rootfs guard unmounts: nothing runs in it.
    auto launched = TRY(launch(mc, options.tty));
    // The monitor (and `container cleanup` or this CLI after it) owns the mount now.
    prepared.rootfs.release();
    release_volumes.disarm();
    release_addresses.disarm();
    // Recorded here, under the lock, so that `rm` right after `run -d` sees a
    // running container; the exit is recorded by whoever takes the lock next
    // (this CLI when attached, else the monitor's `container cleanup`).
    rec.state = container::State::Running;
    rec.pid = launched.container;
    rec.monitor_pid = launched.monitor.pid();
    rec.monitor_start = process_start_time(launched.monitor.pid());
    rec.started = static_cast<int64_t>(std::time(nullptr));
    rec.finished = 0;
    rec.exit_code = 0;
    rec.restart_count = so.restart_count.value_or(0);
    rec.config.erase("stopped_by_user");  // set by `stop`; a new start re-arms the restart policy
    if (auto recorded = cs.update(rec); !recorded)
        log::warn("record container start: {}", recorded.error().message);
    if (auto written = write_pid_files(options, launched.container, launched.monitor.pid()); !written)
        log::warn("container {}: {}", rec.name, written.error().message);
    // systemd's PIDFile= of `generate systemd` units (Podman's conmon.pid).
    std::string monitor_pid_file = fs::join(ctx.paths.layout().container_run_dir(rec.id), monitor::monitor_pid_file_name);
    if (auto written = fs::write_file_replace(monitor_pid_file, std::to_string(launched.monitor.pid())); !written)
        log::warn("container {}: {}", rec.name, written.error().message);
    notify_started(notify_socket, options.sdnotify, launched.monitor.pid());
    record_container_event(ctx.paths, "start", rec);
    lock.reset();
    if (!so.attach) {
        launched.monitor.release();  // detached: it outlives us, `container cleanup` records its exit
        return 0;
    }
    pid_t monitor_pid = launched.monitor.pid();
    int status = wait_attached(launched.monitor, forwarder ? &*forwarder : nullptr, options.tty && options.interactive);
    return finish_attached(ctx, rec.id, monitor_pid, status);
}

ErrorOr init_container(Context& ctx, std::string const& name_or_id, StartOptions const& so)
{
    auto cs = TRY(container_records(ctx));
    auto first = TRY(find_container(ctx, name_or_id));
    auto lock = TRY(cs.lock(first.id));
    auto rec = TRY(find_container(ctx, first.id));
    if (is_active(rec.state) || rec.state == container::State::Initialized)
        return Error { EBUSY, "container " + rec.id + " has already been created in runtime: container state improper" };
    auto options = TRY(CreateOptions::from_json(rec.config));
    auto const& driver = so.storage_driver.empty() ? ctx.settings.options.storage_driver : so.storage_driver;
    auto prepared = TRY_CTX(prepare(ctx, rec, options, driver), "init " + rec.name);
    std::string bundle = ctx.paths.layout().bundle_dir(rec.id);
    TRY(fs::write_file_replace(fs::join(bundle, "config.json"), json::dump(prepared.spec.to_json(), 2) + "\n"));
    rec.state = container::State::Initialized;
    TRY(cs.update(rec));
    // The record owns the mount now: start remounts it, rm unmounts it.
    prepared.rootfs.release();
    record_container_event(ctx.paths, "init", rec);
    return {};
}

Result<int> cleanup_exited_container(Context& ctx, std::string const& id, int64_t monitor_pid)
{
    int code = -1;
    container::RestartPolicy policy;
    int64_t restarts = 0;
    ContainerRecord exited;
    bool may_restart = true;
    {
        auto cs = TRY(container_records(ctx));
        auto lock = TRY(cs.lock(id));
        auto rec = TRY(cs.get(id));
        if (rec)
            adopt_interrupted_start(ctx, cs, *rec);
        if (!rec || !is_active(rec->state) || rec->monitor_pid != monitor_pid)
            return 0;  // removed, or already recorded (by refresh_container or a new start)
        code = record_exit(ctx, cs, *rec);
        exited = *rec;
        // --rm, and `stop` (an exit the user asked for), never restart it.
        may_restart = !rec->config.value("remove", false) && !rec->config.value("stopped_by_user", false);
        policy = rec->restart;
        restarts = rec->restart_count;
    }
    using Kind = container::RestartPolicy::Kind;
    bool again = may_restart
        && (policy.kind == Kind::Always || policy.kind == Kind::UnlessStopped
            || (policy.kind == Kind::OnFailure && code != 0 && (policy.max_retries == 0 || restarts < policy.max_retries)));
    if (!again) {
        after_exit(ctx, exited);
        return code;
    }
    StartOptions so;
    so.attach = false;
    so.restart_count = restarts + 1;
    TRY(start_container(ctx, id, so));
    return code;
}

Result<int> run_container(Context& ctx, CreateOptions const& options, PullOptions const& pull_options,
    StartOptions const& start_options, std::string* id_out, Warn const& warn)
{
    auto rec = TRY(create_container(ctx, options, pull_options, start_options.storage_driver, warn));
    if (id_out)
        *id_out = rec.id;
    auto code = start_container(ctx, rec.id, start_options);
    // --rmi without --rm: the container stays and keeps its image; as Podman
    // 4.3 the removal is still tried, so a name shared with others goes, and
    // an image the container holds is refused with a warning.
    if (code && options.remove_image && !options.remove && start_options.attach)
        remove_run_image(ctx, options.image);
    if (!code && options.remove) {
        // The container never ran: remove it here.
        auto cs = container_records(ctx);
        auto lock = cs ? cs->lock(rec.id) : Result<FileLock>(cs.error());
        if (lock && container::remove_container(*cs, rec.id) && options.remove_image)
            remove_run_image(ctx, options.image);
    }
    return code;
}

namespace {

} // namespace

Result<std::vector<ContainerRecord>> list_containers(Context& ctx)
{
    auto cs = TRY(container_records(ctx));
    auto records = TRY(cs.list());
    for (auto& rec : records)
        refresh_container(ctx, rec);
    return records;
}

} // namespace berth::engine
