// The OCI spec, section by section: process (args, env, user, cwd, caps,
// rlimits), root, hostname, mounts, linux (namespaces, masked and read-only
// paths, seccomp), annotations. Each section has its own function.
#include "container/spec_builder.h"

#include "base/sys.h"
#include "network/mode.h"
#include "runtime/capabilities.h"
#include "runtime/cgroups.h"
#include "runtime/devices.h"

#include <algorithm>
#include <set>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace berth::container {

/// The container's network mode (validated at create; unparsable reads as the default).
static network::NetworkMode::Kind network_kind(CreateOptions const& options)
{
    auto mode = network::parse_network_mode(options.network);
    return mode ? mode->kind : network::NetworkMode::Kind::Default;
}

std::vector<std::string> podman_default_capabilities()
{
    return runtime::default_capabilities();
}

std::vector<std::string> resolve_args(image::ImageConfig const& image, CreateOptions const& options)
{
    std::vector<std::string> args;
    if (options.entrypoint) {
        // --entrypoint replaces ENTRYPOINT and drops the image's CMD, as Docker does.
        args = entrypoint_words(*options.entrypoint);
        args.insert(args.end(), options.command.begin(), options.command.end());
        return args;
    }
    args = image.entrypoint;
    auto const& cmd = options.command.empty() ? image.cmd : options.command;
    args.insert(args.end(), cmd.begin(), cmd.end());
    return args;
}

void set_env(std::vector<std::string>& env, std::string const& entry)
{
    auto key = entry.substr(0, entry.find('='));
    for (auto& e : env)
        if (e.substr(0, e.find('=')) == key) {
            e = entry;
            return;
        }
    env.push_back(entry);
}

std::vector<std::string> default_env()
{
    return { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", "container=berth" };
}

Result<std::vector<std::string>> resolve_env(image::ImageConfig const& image, CreateOptions const& options,
    std::map<std::string, std::string> const& host_env, std::string const& hostname, std::string const& home)
{
    // Podman's layers: its defaults, containers.conf's env and the proxy
    // variables (options.default_env), the image's; --unsetenv-all drops all three.
    std::vector<std::string> env;
    if (!options.unsetenv_all) {
        env = default_env();
        for (auto const& e : options.default_env)
            set_env(env, e);
        for (auto const& e : image.env)
            set_env(env, e);
    }
    // --env-merge rewrites what the defaults and the image set (only that, as
    // Podman); -e and the rest below still win.
    for (auto const& e : options.env_merge) {
        auto merged = TRY(expand_env_merge(e, env));
        auto eq = merged.find('=');
        if (eq != std::string::npos && std::any_of(env.begin(), env.end(), [&](auto const& v) { return v.rfind(merged.substr(0, eq + 1), 0) == 0; }))
            set_env(env, merged);
    }
    if (options.env_host)
        for (auto const& [k, v] : host_env)
            set_env(env, k + "=" + v);
    for (auto const& e : options.env_files)
        set_env(env, e);  // already parsed into KEY=VALUE by the engine
    for (auto const& e : options.env) {
        if (e.empty() || e[0] == '=')
            return Error { EINVAL, "invalid environment variable \"" + e + "\": use KEY=VALUE or KEY" };
        if (e.find('=') != std::string::npos) {
            set_env(env, e);
        } else if (auto it = host_env.find(e); it != host_env.end()) {
            set_env(env, e + "=" + it->second);
        }
    }
    for (auto const& name : options.unsetenv)
        std::erase_if(env, [&](auto const& e) { return e.substr(0, e.find('=')) == name; });
    auto has = [&](std::string const& key) {
        return std::any_of(env.begin(), env.end(), [&](auto const& e) { return e.rfind(key + "=", 0) == 0; });
    };
    if (!has("HOSTNAME"))
        env.push_back("HOSTNAME=" + hostname);
    if (!has("HOME"))
        env.push_back("HOME=" + home);
    return env;
}

std::string resolve_workdir(image::ImageConfig const& image, CreateOptions const& options)
{
    if (!options.workdir.empty())
        return options.workdir;
    return image.working_dir.empty() ? "/" : image.working_dir;
}

std::string resolve_hostname(CreateOptions const& options, std::string const& id)
{
    return options.hostname.empty() ? id.substr(0, 12) : options.hostname;
}

std::string requested_user(image::ImageConfig const& image, CreateOptions const& options)
{
    return options.user.empty() ? image.user : options.user;
}

Result<std::vector<MountRequest>> mount_requests(CreateOptions const& options)
{
    std::vector<MountRequest> out;
    for (auto const& v : options.volumes)
        out.push_back(TRY(parse_volume(v)));
    for (auto const& m : options.mounts)
        out.push_back(TRY(parse_mount(m)));
    for (auto const& t : options.tmpfs)
        out.push_back(TRY(parse_tmpfs(t)));
    // The image's VOLUMEs (--image-volume, filled at create) where no mount of the user's is.
    auto normal = [](std::string path) {
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        return path;
    };
    for (auto const& path : options.image_volumes) {
        if (std::any_of(out.begin(), out.end(), [&](MountRequest const& m) { return normal(m.destination) == normal(path); }))
            continue;
        MountRequest m;
        m.destination = normal(path);
        if (options.image_volume == "tmpfs") {
            m.type = MountRequest::Type::Tmpfs;
        } else {
            m.type = MountRequest::Type::Volume;  // anonymous: made at create, removed with --rm or rm -v
        }
        out.push_back(std::move(m));
    }
    return out;
}

Result<std::vector<std::string>> resolve_capabilities(std::vector<std::string> caps, CreateOptions const& options)
{
    if (options.privileged) {
        caps = runtime::all_capabilities();
        // Only what berth may pass on: a host (or an outer container) can have a smaller bounding set.
        std::erase_if(caps, [](std::string const& name) {
            auto number = runtime::capability_from_name(name);
            return number && ::prctl(PR_CAPBSET_READ, *number) == 0;
        });
    }
    return runtime::adjust_capabilities(std::move(caps), options.cap_add, options.cap_drop);
}

// ------------------------------------------------------------------ sections

static Result<Json> parse_ulimit(std::string const& spec)
{
    static std::map<std::string, std::string> const names { { "core", "RLIMIT_CORE" }, { "cpu", "RLIMIT_CPU" },
        { "data", "RLIMIT_DATA" }, { "fsize", "RLIMIT_FSIZE" }, { "locks", "RLIMIT_LOCKS" },
        { "memlock", "RLIMIT_MEMLOCK" }, { "msgqueue", "RLIMIT_MSGQUEUE" }, { "nice", "RLIMIT_NICE" },
        { "nofile", "RLIMIT_NOFILE" }, { "nproc", "RLIMIT_NPROC" }, { "rss", "RLIMIT_RSS" },
        { "rtprio", "RLIMIT_RTPRIO" }, { "rttime", "RLIMIT_RTTIME" }, { "sigpending", "RLIMIT_SIGPENDING" },
        { "stack", "RLIMIT_STACK" }, { "as", "RLIMIT_AS" } };
    auto eq = spec.find('=');
    auto bad = Error { EINVAL, "invalid --ulimit \"" + spec + "\": use NAME=SOFT[:HARD], e.g. nofile=1024:2048" };
    if (eq == std::string::npos)
        return bad;
    auto it = names.find(spec.substr(0, eq));
    if (it == names.end())
        return bad;
    std::string values = spec.substr(eq + 1);
    auto colon = values.find(':');
    auto number = [&](std::string const& s) -> Result<uint64_t> {
        if (s == "-1" || s == "unlimited")
            return static_cast<uint64_t>(RLIM_INFINITY);
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
            return bad;
        return std::stoull(s);
    };
    uint64_t soft = TRY(number(values.substr(0, colon)));
    uint64_t hard = colon == std::string::npos ? soft : TRY(number(values.substr(colon + 1)));
    if (soft > hard)
        return Error { EINVAL, "invalid --ulimit \"" + spec + "\": soft limit above hard limit" };
    return Json { { "type", it->second }, { "soft", soft }, { "hard", hard } };
}

struct Security {
    bool no_new_privileges = false;
    bool seccomp = true;
    std::string seccomp_profile;  ///< a file, empty for the default
    std::vector<std::string> mask, unmask;
};

static std::vector<std::string> split_colon(std::string const& s)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        auto colon = s.find(':', start);
        out.push_back(s.substr(start, colon - start));
        if (colon == std::string::npos)
            return out;
        start = colon + 1;
    }
}

static Result<Security> parse_security(CreateOptions const& options)
{
    Security s;
    s.seccomp = !options.privileged;
    for (auto const& opt : options.security_opt) {
        auto eq = opt.find_first_of("=:");
        std::string key = opt.substr(0, eq), value = eq == std::string::npos ? "" : opt.substr(eq + 1);
        if (key == "no-new-privileges")
            s.no_new_privileges = value.empty() || value == "true";
        else if (key == "seccomp" && value == "unconfined")
            s.seccomp = false;
        else if (key == "seccomp" && !value.empty())
            s.seccomp_profile = value;
        else if (key == "mask")
            s.mask = split_colon(value);
        else if (key == "unmask")
            s.unmask = split_colon(value);
        else if (key == "label" || key == "apparmor")
            ; // no SELinux/AppArmor support: accepted and ignored, as Podman does where they are off
        else
            return Error { EINVAL, "invalid --security-opt \"" + opt + "\"" };
    }
    return s;
}

static Json tmpfs_mount(std::string const& dst, std::vector<std::string> options)
{
    return Json { { "destination", dst }, { "type", "tmpfs" }, { "source", "tmpfs" }, { "options", options } };
}

static Json default_mounts(CreateOptions const& options, SpecContext const& ctx)
{
    Json mounts = Json::array();
    // A proc of the host's pid namespace is not ours to mount rootless (it
    // belongs to the host's user namespace): Podman binds the host's /proc.
    if (ctx.rootless && options.pid == "host")
        mounts.push_back({ { "destination", "/proc" }, { "type", "bind" }, { "source", "/proc" },
            { "options", { "rbind", "nosuid", "noexec", "nodev", "rw", "rprivate" } } });
    else
        mounts.push_back({ { "destination", "/proc" }, { "type", "proc" }, { "source", "proc" }, { "options", { "nosuid", "noexec", "nodev" } } });
    mounts.push_back(tmpfs_mount("/dev", { "nosuid", "strictatime", "mode=755", "size=65536k" }));
    mounts.push_back({ { "destination", "/dev/pts" }, { "type", "devpts" }, { "source", "devpts" },
        { "options", { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" } } });
    std::string shm_size = options.shm_size.empty() ? "65536k" : options.shm_size;
    if (options.ipc != "none")  // --ipc none: no /dev/shm, as Podman
        mounts.push_back(tmpfs_mount("/dev/shm", { "nosuid", "noexec", "nodev", "mode=1777", "size=" + shm_size }));
    // An mqueue file system belongs to the IPC namespace that mounts it: a
    // rootless container in the host's cannot mount one.
    if (!(ctx.rootless && options.ipc == "host"))
        mounts.push_back({ { "destination", "/dev/mqueue" }, { "type", "mqueue" }, { "source", "mqueue" }, { "options", { "nosuid", "noexec", "nodev" } } });
    // sysfs needs a network namespace of our own when rootless; with the host's, bind it.
    std::vector<std::string> sys_options { "nosuid", "noexec", "nodev" };
    if (!options.privileged)
        sys_options.push_back("ro");
    if (ctx.rootless && network_kind(options) == network::NetworkMode::Kind::Host) {
        sys_options.push_back("rbind");
        mounts.push_back({ { "destination", "/sys" }, { "type", "bind" }, { "source", "/sys" }, { "options", sys_options } });
    } else {
        mounts.push_back({ { "destination", "/sys" }, { "type", "sysfs" }, { "source", "sysfs" }, { "options", sys_options } });
    }
    if (options.read_only && options.read_only_tmpfs)
        for (char const* dir : { "/tmp", "/var/tmp", "/run" })
            mounts.push_back(tmpfs_mount(dir, { "rw", "nosuid", "nodev" }));
    return mounts;
}

static Json user_mount(ResolvedMount const& m, bool in_userns)
{
    auto const& r = m.request;
    if (r.type == MountRequest::Type::Tmpfs) {
        // tmpcopyup unless notmpcopyup is given, as Podman: the tmpfs starts with the image's files there.
        std::vector<std::string> opts { "rw", "nosuid", "nodev", "tmpcopyup" };
        opts.insert(opts.end(), r.tmpfs_options.begin(), r.tmpfs_options.end());
        if (r.read_only)
            opts[0] = "ro";
        return tmpfs_mount(r.destination, opts);
    }
    if (r.overlay) {
        // The source is the lower layer; what the container writes lands in
        // overlay_dir (userxattr: an overlay mounted in a user namespace).
        std::vector<std::string> opts { "lowerdir=" + m.host_path, "upperdir=" + m.overlay_dir + "/upper",
            "workdir=" + m.overlay_dir + "/work", "rprivate" };
        if (in_userns)
            opts.push_back("userxattr");
        return Json { { "destination", r.destination }, { "type", "overlay" }, { "source", "overlay" }, { "options", opts } };
    }
    std::vector<std::string> opts { "rbind", r.read_only ? "ro" : "rw", r.propagation.empty() ? "rprivate" : r.propagation };
    for (auto const& o : r.tmpfs_options)
        if (o != "bind" && o != "rbind" && o != "copy" && o != "nocopy")
            opts.push_back(o);
    return Json { { "destination", r.destination }, { "type", "bind" }, { "source", m.host_path }, { "options", opts } };
}

static Json linux_section(CreateOptions const& options, SpecContext const& ctx, Security const& sec)
{
    Json ns = Json::array();
    ns.push_back({ { "type", "mount" } });
    // --ipc, --uts, --cgroupns, --pid: a new one, the host's (none in the spec), or
    // one by path (the engine turned container:NAME into its /proc/PID/ns path).
    for (auto const& flag : namespace_flags()) {
        auto mode = parse_namespace_mode(options.*flag.field, flag.flag);
        if (!mode || mode->kind == NamespaceMode::Kind::Host)
            continue;
        Json entry { { "type", flag.type } };
        if (mode->kind == NamespaceMode::Kind::Path)
            entry["path"] = mode->value;
        ns.push_back(entry);
    }
    // --network: a namespace of its own, the host's (none in the spec) or one
    // by path (the engine turned container:NAME into its /proc/PID/ns/net).
    if (auto net = network::parse_network_mode(options.network); net && net->kind == network::NetworkMode::Kind::Path)
        ns.push_back({ { "type", "network" }, { "path", net->value } });
    else if (!net || net->kind != network::NetworkMode::Kind::Host)
        ns.push_back({ { "type", "network" } });
    std::vector<std::string> masked { "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/fs/selinux", "/sys/dev/block", "/proc/interrupts" };
    std::vector<std::string> readonly { "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };
    if (options.privileged)
        masked.clear(), readonly.clear();
    for (auto const& u : sec.unmask) {
        if (u == "ALL")
            masked.clear(), readonly.clear();
        std::erase(masked, u);
        std::erase(readonly, u);
    }
    for (auto const& m : sec.mask)
        if (!m.empty())
            masked.push_back(m);
    Json linux_ { { "namespaces", ns }, { "maskedPaths", masked }, { "readonlyPaths", readonly } };
    Json sysctl = Json::object();
    for (auto const& s : options.sysctls) {
        auto eq = s.find('=');
        if (eq != std::string::npos)
            sysctl[s.substr(0, eq)] = s.substr(eq + 1);
    }
    if (!sysctl.empty())
        linux_["sysctl"] = sysctl;
    if (!options.personality.empty())
        linux_["personality"] = { { "domain", options.personality } };
    (void)ctx;
    return linux_;
}

static Result<Json> process_section(image::ImageConfig const& image, CreateOptions const& options,
    SpecContext const& ctx, Security const& sec, std::string const& hostname)
{
    auto args = resolve_args(image, options);
    if (args.empty())
        return Error { EINVAL, "no command specified: give one after the image, or use an image with a CMD or ENTRYPOINT" };
    auto env = TRY(resolve_env(image, options, ctx.host_env, hostname, ctx.user.home));
    auto defaults = ctx.default_capabilities.empty() ? podman_default_capabilities() : ctx.default_capabilities;
    auto caps = TRY(resolve_capabilities(defaults, options));
    Json user { { "uid", ctx.user.uid }, { "gid", ctx.user.gid } };
    if (!ctx.user.additional_gids.empty())
        user["additionalGids"] = ctx.user.additional_gids;
    if (!options.umask.empty())
        user["umask"] = std::stoul(options.umask, nullptr, 8);  // checked at create: octal digits
    Json rlimits = Json::array();
    for (auto const& u : options.ulimits)
        rlimits.push_back(TRY(parse_ulimit(u)));
    Json process { { "terminal", options.tty }, { "user", user }, { "args", args }, { "env", env },
        { "cwd", resolve_workdir(image, options) },
        { "capabilities", { { "bounding", caps }, { "effective", caps }, { "permitted", caps } } },
        { "rlimits", rlimits }, { "noNewPrivileges", sec.no_new_privileges } };
    if (options.oom_score_adj)
        process["oomScoreAdj"] = *options.oom_score_adj;
    return process;
}

// ------------------------------------------------------------------ --systemd

bool systemd_mode(image::ImageConfig const& image, CreateOptions const& options)
{
    if (options.systemd == "always")
        return true;
    if (options.systemd != "true")
        return false;
    auto args = resolve_args(image, options);
    if (args.empty())
        return false;
    auto const& cmd = args.front();
    auto base = cmd.substr(cmd.rfind('/') + 1);
    return cmd == "/sbin/init" || cmd == "/usr/sbin/init" || cmd == "/usr/local/sbin/init" || base == "systemd";
}

/// systemd as PID 1 wants writable tmpfs where it keeps its state, as Podman
/// gives it; a mount the user asked for at one of them wins.
static void add_systemd_mounts(SpecContext const& ctx, Json& mounts)
{
    for (char const* dir : { "/run", "/run/lock", "/tmp", "/var/log/journal" }) {
        bool taken = std::any_of(ctx.mounts.begin(), ctx.mounts.end(), [&](auto const& m) { return m.request.destination == dir; })
            || std::any_of(mounts.begin(), mounts.end(), [&](Json const& m) { return m.value("destination", "") == dir; });
        if (!taken)
            mounts.push_back(tmpfs_mount(dir, { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup" }));
    }
}

// ------------------------------------------------------------------ --init, resources

/// --init: berth-init (or --init-path) bind-mounted read-only at init_destination
/// and put in front of the command. The host path is looked up here, once, so
/// config.json names the binary that will run.
static ErrorOr add_init(CreateOptions const& options, Json& spec)
{
    if (!options.init)
        return {};
    std::string path = options.init_path;
    if (path.empty())
        path = TRY_CTX(sys::helper_path("berth-init"), "--init");
    else if (::access(path.c_str(), X_OK) != 0)
        return Error::from_errno("--init-path " + path);
    auto& args = spec["process"]["args"];
    Json with_init = Json::array({ init_destination, "--" });
    for (auto const& a : args)
        with_init.push_back(a);
    args = with_init;
    spec["mounts"].push_back({ { "destination", init_destination }, { "type", "bind" }, { "source", path },
        { "options", { "bind", "ro", "nosuid", "nodev", "rprivate" } } });
    return {};
}

Result<runtime::cgroups::Resources> resources_from_options(CreateOptions const& o)
{
    namespace cg = runtime::cgroups;
    cg::Resources r;
    if (!o.memory.empty())
        r.memory = TRY_CTX(cg::parse_size(o.memory), "--memory");
    if (!o.memory_swap.empty())
        r.memory_swap = TRY_CTX(cg::parse_swap(o.memory_swap), "--memory-swap");
    if (r.memory_swap && *r.memory_swap > 0 && (!r.memory || *r.memory > *r.memory_swap))
        return Error { EINVAL, "--memory-swap must be at least --memory (it is memory plus swap), and needs --memory" };
    if (!o.cpus.empty()) {
        int64_t quota = TRY(cg::parse_cpus(o.cpus));
        if (quota > 0)
            r.cpu_quota = quota;
    }
    if (o.cpu_shares)
        r.cpu_shares = o.cpu_shares;
    if (o.pids_limit)
        r.pids = *o.pids_limit;
    return r;
}

std::vector<std::string> resource_flags(CreateOptions const& o)
{
    std::vector<std::string> flags;
    if (!o.memory.empty())
        flags.push_back("--memory");
    if (!o.memory_swap.empty())
        flags.push_back("--memory-swap");
    if (!o.cpus.empty())
        flags.push_back("--cpus");
    if (o.cpu_shares)
        flags.push_back("--cpu-shares");
    if (o.pids_limit)
        flags.push_back("--pids-limit");
    return flags;
}

/// linux.resources and linux.cgroupsPath ("[PARENT/]berth-<id>"), unless --cgroups=disabled.
static ErrorOr add_resources(CreateOptions const& options, SpecContext const& ctx, Json& spec)
{
    auto const& mode = options.cgroups;
    if (mode != "enabled" && mode != "disabled" && mode != "no-conmon" && mode != "split")
        return Error { EINVAL, "invalid --cgroups \"" + mode + "\": use enabled, disabled, no-conmon or split" };
    auto resources = TRY(resources_from_options(options));
    if (mode == "disabled")
        return {};
    if (!resources.empty())
        spec["linux"]["resources"] = runtime::cgroups::to_oci(resources);
    if (!resources.empty() || !options.cgroup_parent.empty()) {
        std::string parent = options.cgroup_parent;
        if (!parent.empty() && parent[0] != '/')
            parent = "/" + parent;
        while (parent.size() > 1 && parent.back() == '/')
            parent.pop_back();
        spec["linux"]["cgroupsPath"] = parent + (parent.empty() || parent == "/" ? "" : "/") + "berth-" + ctx.id;
    }
    return {};
}

// ------------------------------------------------------------------ userns, devices

/// A container with its own user namespace (--userns=keep-id, --uidmap): the
/// namespace and its mappings (hostID counts in berth's namespace).
static void add_user_namespace(SpecContext const& ctx, Json& spec)
{
    if (!ctx.id_maps.private_userns)
        return;
    auto to_json = [](std::vector<rootless::IdMapping> const& map) {
        Json out = Json::array();
        for (auto const& m : map)
            out.push_back({ { "containerID", m.container_id }, { "hostID", m.host_id }, { "size", m.size } });
        return out;
    };
    spec["linux"]["namespaces"].push_back({ { "type", "user" } });
    spec["linux"]["uidMappings"] = to_json(ctx.id_maps.uid);
    spec["linux"]["gidMappings"] = to_json(ctx.id_maps.gid);
}

/// --device and --privileged's host devices. As Podman: in a user namespace
/// (rootless, or a private one) mknod is refused, so each node is a bind mount
/// of the host's; as root it is a linux.devices entry (mknod) with a device
/// cgroup rule for runtimes that enforce one.
static ErrorOr add_devices(CreateOptions const& options, SpecContext const& ctx, Json& spec)
{
    std::vector<runtime::HostDevice> devices;
    bool in_userns = ctx.rootless || ctx.id_maps.private_userns;
    if (options.privileged)
        devices = runtime::privileged_devices(ctx.rootless);
    for (auto const& flag : options.devices) {
        auto d = TRY(runtime::resolve_device_flag(flag));
        std::erase_if(devices, [&](auto const& other) { return other.device.path == d.device.path; });
        devices.push_back(std::move(d));
    }
    Json rules = Json::array();
    if (options.privileged && !in_userns)
        rules.push_back({ { "allow", true }, { "access", "rwm" } });
    for (auto const& d : devices) {
        if (in_userns) {
            std::vector<std::string> opts { "bind", "nosuid", "noexec", "rprivate", d.permissions.find('w') == std::string::npos ? "ro" : "rw" };
            spec["mounts"].push_back({ { "destination", d.device.path }, { "type", "bind" }, { "source", d.host_path }, { "options", opts } });
            continue;
        }
        std::string type(1, d.device.type);
        spec["linux"]["devices"].push_back({ { "path", d.device.path }, { "type", type }, { "major", d.device.major },
            { "minor", d.device.minor }, { "fileMode", d.device.file_mode.value_or(0666u) }, { "uid", 0u }, { "gid", 0u } });
        if (!options.privileged)
            rules.push_back({ { "allow", true }, { "type", type }, { "major", d.device.major }, { "minor", d.device.minor }, { "access", d.permissions } });
    }
    if (!rules.empty()) {
        auto& resources = spec["linux"]["resources"];
        if (resources.is_null())
            resources = Json::object();
        for (auto& r : rules)
            resources["devices"].push_back(r);
    }
    return {};
}

Result<Json> build_spec_json(image::ImageConfig const& image, CreateOptions const& options, SpecContext const& ctx)
{
    // The spec was validated at create (engine::validate_container_spec): the network mode among the rest.
    auto sec = TRY(parse_security(options));
    std::string hostname = resolve_hostname(options, ctx.id);
    Json spec { { "ociVersion", "1.0.2" } };
    spec["process"] = TRY(process_section(image, options, ctx, sec, hostname));
    spec["root"] = { { "path", ctx.rootfs }, { "readonly", options.read_only } };
    // Only a namespace of its own gets a hostname: not the host's, not another container's.
    if (TRY(parse_namespace_mode(options.uts, "--uts")).kind == NamespaceMode::Kind::Private)
        spec["hostname"] = hostname;
    Json mounts = default_mounts(options, ctx);
    for (auto const& m : ctx.mounts)
        mounts.push_back(user_mount(m, ctx.rootless || ctx.id_maps.private_userns));
    if (systemd_mode(image, options))
        add_systemd_mounts(ctx, mounts);
    // Parents before what is mounted inside them, as Podman sorts its mounts:
    // a --tmpfs or -v over /etc must not hide /etc/hosts, resolv.conf, hostname.
    auto depth = [](Json const& m) {
        std::string const& d = m["destination"].get_ref<std::string const&>();
        return std::count_if(d.begin(), d.end(), [](char c) { return c == '/'; }) - (d.size() > 1 && d.back() == '/' ? 1 : 0);
    };
    std::stable_sort(mounts.begin(), mounts.end(), [&](Json const& a, Json const& b) { return depth(a) < depth(b); });
    spec["mounts"] = mounts;
    spec["linux"] = linux_section(options, ctx, sec);
    TRY(add_init(options, spec));
    TRY(add_resources(options, ctx, spec));
    add_user_namespace(ctx, spec);
    TRY(add_devices(options, ctx, spec));
    Json annotations = Json::object();
    for (auto const& a : options.annotations) {
        auto eq = a.find('=');
        annotations[a.substr(0, eq)] = eq == std::string::npos ? "" : a.substr(eq + 1);
    }
    annotations["io.berth.seccomp"] = sec.seccomp ? (sec.seccomp_profile.empty() ? "default" : sec.seccomp_profile) : "unconfined";
    spec["annotations"] = annotations;
    return spec;
}

} // namespace berth::container
