// `berth info` and `berth version`: Podman's document (define.Info and
// define.Version, with their JSON keys), filled with what is true for berth.
//
// The hard part is honesty where Podman's fields name Podman's helpers:
// host.ociRuntime is berth's built-in runtime (the berth binary itself)
// unless an external one is configured, host.conmon is berth-monitor,
// host.networkBackend is netavark, which berth drives for user-defined
// networks rootless and as root (only without it installed the user-mode
// helper that rootless containers get by default), with Podman 5's
// host.networkBackendInfo, and
// host.cgroupVersion is "v1" on a hybrid host, as Podman reports it. Fields
// Podman has for its API service or for buildah (remoteSocket,
// buildahVersion) are left out rather than invented. berth's own earlier
// fields (host.rootless, host.uidmap, host.helpers, host.cgroups, ...) stay,
// since scripts already read them, and host.publishedPorts is berth's own:
// whether published ports keep the client's address.
#include "engine/system/system.h"

#include "base/command.h"
#include "base/fs.h"
#include "base/sys.h"
#include "berth_config.h"
#include "container/rootfs.h"
#include "engine/containers/container_query.h"
#include "engine/containers/network_setup.h"
#include "monitor/protocol.h"
#include "network/bridge.h"
#include "network/mode.h"
#include "rootless/host_info.h"
#include "runtime/capabilities.h"
#include "runtime/cgroups.h"

#include <ctime>
#include <linux/magic.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

namespace berth::engine {

namespace {

/// The driver new containers use: --storage-driver, else the one recorded by
/// the first mount (container/rootfs.cpp), else overlay, which is tried first.
std::string graph_driver_name(Context const& ctx, std::string const& storage_driver)
{
    if (!storage_driver.empty())
        return storage_driver;
    auto recorded = container::recorded_driver(ctx.paths.layout());
    return recorded && !recorded->empty() ? *recorded : "overlay";
}

// containers/storage's name for the file system under the graph root.
std::string backing_filesystem(long type)
{
    switch (static_cast<unsigned long>(type)) {
    case EXT4_SUPER_MAGIC: return "extfs";
    case XFS_SUPER_MAGIC: return "xfs";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case TMPFS_MAGIC: return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC: return "overlayfs";
    case 0x2fc12fc1: return "zfs";
    case F2FS_SUPER_MAGIC: return "f2fs";
    case NFS_SUPER_MAGIC: return "nfs";
    default: return "<unknown>";
    }
}

// store.graphStatus: empty for vfs, as Podman's; the overlay facts berth can vouch for otherwise.
Json graph_status(std::string const& driver, struct statfs const& st)
{
    if (driver == "vfs")
        return Json::object();
    return {
        { "Backing Filesystem", backing_filesystem(st.f_type) },
        { "Native Overlay Diff", driver == "overlay" ? "true" : "false" },
        { "Supports d_type", "true" },
        { "Using metacopy", "false" },
    };
}

// Counts by state, as Podman's getContainerStoreInfo: everything neither running nor paused is stopped.
Result<Json> container_store(Context& ctx)
{
    auto entries = TRY(query_containers(ctx, PsQuery { .all = true }));
    int running = 0, paused = 0, stopped = 0;
    for (auto const& e : entries) {
        if (e.record.state == container::State::Running)
            ++running;
        else if (e.record.state == container::State::Paused)
            ++paused;
        else
            ++stopped;
    }
    return Json { { "number", entries.size() }, { "running", running }, { "paused", paused }, { "stopped", stopped } };
}

Result<Json> store_section(Context& ctx, std::string const& storage_driver)
{
    std::string driver = graph_driver_name(ctx, storage_driver);
    struct statfs st {};
    ::statfs(ctx.paths.data_dir.c_str(), &st);
    uint64_t allocated = static_cast<uint64_t>(st.f_bsize) * st.f_blocks;
    auto images = TRY(ctx.store->list_images());
    return Json {
        { "configFile", fs::join(ctx.paths.config_dir, "storage.conf") },
        { "containerStore", TRY(container_store(ctx)) },
        { "graphDriverName", driver },
        { "graphOptions", Json::object() },
        { "graphRoot", ctx.paths.data_dir },
        { "graphRootAllocated", allocated },
        { "graphRootUsed", allocated - static_cast<uint64_t>(st.f_bsize) * st.f_bfree },
        { "graphStatus", graph_status(driver, st) },
        // Blobs are downloaded next to where they are kept, then renamed into place.
        { "imageCopyTmpDir", ctx.paths.layout().blobs_dir() },
        { "imageStore", { { "number", images.size() } } },
        { "runRoot", ctx.paths.run_dir },
        { "volumePath", ctx.paths.layout().volumes_dir() },
    };
}

// Podman's registries: {"search": [...]} when set, and one entry per [[registry]] keyed by prefix.
Json registries_section(image::RegistriesConf const& conf)
{
    Json out = Json::object();
    if (!conf.search_registries().empty())
        out["search"] = conf.search_registries();
    for (auto const& r : conf.registries()) {
        Json mirrors = Json::array();
        for (auto const& m : r.mirrors)
            mirrors.push_back({ { "Location", m.location }, { "Insecure", m.insecure } });
        out[r.prefix] = {
            { "Prefix", r.prefix },
            { "Location", r.location },
            { "Insecure", r.insecure },
            { "Mirrors", mirrors.empty() ? Json(nullptr) : mirrors },
            { "Blocked", r.blocked },
            { "MirrorByDigestOnly", r.mirror_by_digest_only },
        };
    }
    return out;
}

// Podman 5's host.networkBackendInfo: netavark and aardvark-dns as
// {backend, package, path, version, dns: {package, path, version}}; only the
// backend without netavark. Empty values are left out, as Podman's omitempty.
Json network_backend_info(std::string const& backend, std::string const& netavark, std::string const& aardvark,
    std::map<std::string, std::string>& packages)
{
    auto program = [&](std::string const& path) {
        Json out = Json::object();
        if (path.empty())
            return out;
        out["path"] = path;
        if (!packages[path].empty())
            out["package"] = packages[path];
        if (auto version = rootless::version_output(path); !version.empty())
            out["version"] = version;
        return out;
    };
    Json info = program(netavark);
    info["backend"] = backend;
    info["dns"] = program(aardvark);
    return info;
}

// The runtime and monitor berth uses, the user-mode network helpers and the bridge backend, as Podman's
// {name, package, path, version} / {package, path, version} / {executable, package, version}.
void add_programs(Json& host, std::string const& runtime)
{
    std::string self = sys::readlink("/proc/self/exe").value_or("berth");
    std::string monitor = sys::helper_path(monitor::monitor_executable).value_or("");
    std::string runtime_path = runtime.empty() ? self : find_program(runtime).value_or(runtime);
    std::vector<std::string> paths = { self, monitor, runtime_path };
    std::map<std::string, std::string> network;
    for (char const* name : { "slirp4netns", "pasta" }) {
        if (auto path = find_program(name)) {
            network[name] = *path;
            paths.push_back(*path);
        }
    }
    std::string netavark = network::find_netavark().value_or("");
    std::string aardvark = netavark.empty() ? "" : network::find_aardvark().value_or("");
    for (auto const* path : { &netavark, &aardvark })
        if (!path->empty())
            paths.push_back(*path);
    auto packages = rootless::owning_packages(paths);
    host["ociRuntime"] = {
        { "name", runtime.empty() ? "berth" : runtime_path.substr(runtime_path.rfind('/') + 1) },
        { "package", packages[runtime_path] },
        { "path", runtime_path },
        { "version", runtime.empty() ? "berth version " BERTH_VERSION : rootless::version_output(runtime_path) },
    };
    host["conmon"] = {
        { "package", monitor.empty() ? "" : packages[monitor] },
        { "path", monitor },
        { "version", monitor.empty() ? "" : "berth-monitor version " BERTH_VERSION },
    };
    for (char const* name : { "slirp4netns", "pasta" }) {
        auto it = network.find(name);
        std::string path = it == network.end() ? "" : it->second;
        host[name] = {
            { "executable", path },
            { "package", path.empty() ? "" : packages[path] },
            { "version", path.empty() ? "" : rootless::version_output(path) },
        };
    }
    // No netavark, no user-defined networks: the backend is then the helper
    // rootless containers get by default.
    std::string helper = host.value("rootlessNetworkCmd", "");
    std::string backend = !netavark.empty() ? "netavark" : helper.empty() ? "none" : helper;
    host["networkBackend"] = backend;
    host["networkBackendInfo"] = network_backend_info(backend, netavark, aardvark, packages);
}

// berth's host.publishedPorts: whether a port published by a container of
// this user without --network, and by one on a user-defined network, reaches
// the container from the client's address (network/mode.h).
Json published_ports_section(Context& ctx)
{
    auto describe = [&](network::NetworkMode::Kind kind, std::string const& mode, std::vector<std::string> const& options = {}) {
        auto client = network::published_client_address(kind, ctx.paths.rootless, options);
        return Json { { "mode", mode }, { "keepsClientAddress", client.kept }, { "how", client.how } };
    };
    Json out = Json::object();
    if (auto mode = default_publishing_mode(ctx))
        out["defaultMode"] = describe(mode->kind, mode->name(), mode->options);
    else
        out["defaultMode"] = { { "mode", "" }, { "keepsClientAddress", false }, { "how", mode.error().message } };
    out["networks"] = describe(network::NetworkMode::Kind::Bridge, "bridge");
    return out;
}

Json security_section(bool rootless)
{
    std::string caps;
    for (auto const& c : runtime::default_capabilities())
        caps += (caps.empty() ? "" : ",") + c;
    return {
        { "apparmorEnabled", false },  // berth applies no AppArmor profile
        { "capabilities", caps },
        { "rootless", rootless },
        // berth always applies its built-in profile where the kernel has seccomp.
        { "seccompEnabled", ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 },
        { "seccompProfilePath", "" },
        { "selinuxEnabled", false },  // nor SELinux labels
    };
}

Json host_section(Context& ctx, InfoOptions const& options)
{
    Json host = rootless::host_info(ctx.paths);
    host["security"] = security_section(ctx.paths.rootless);
    host["cgroups"] = runtime::cgroups::info();  // whether --memory/--cpus/--pids-limit can be honoured
    host["cgroupManager"] = "cgroupfs";  // berth writes the cgroup files itself; it never asks systemd
    host["cgroupControllers"] = host["cgroups"].value("controllers", Json::array());
    host["eventLogger"] = "file";  // run_dir/events/events.log (events.h)
    host["logDriver"] = "k8s-file";
    host["rootlessNetworkCmd"] = default_rootless_network_cmd(ctx);
    host["linkmode"] = "dynamic";
    host["serviceIsRemote"] = false;
    add_programs(host, options.runtime);  // also networkBackend and networkBackendInfo
    host["publishedPorts"] = published_ports_section(ctx);
    return host;
}

std::string os_arch()
{
    struct utsname uts {};
    ::uname(&uts);
    return "linux/" + rootless::go_arch(uts.machine);
}

// __DATE__ " " __TIME__ ("Dec  6 2026 06:29:21", local time) as seconds since the epoch.
int64_t build_time()
{
    struct tm tm {};
    if (!::strptime(__DATE__ " " __TIME__, "%b %d %Y %H:%M:%S", &tm))
        return 0;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(::mktime(&tm));
}

} // namespace

Result<Json> system_info(Context& ctx, InfoOptions const& options)
{
    Json info = {
        { "host", host_section(ctx, options) },
        { "store", TRY(store_section(ctx, options.storage_driver)) },
        { "registries", registries_section(*TRY(ctx.registries())) },
        { "plugins", {
            { "volume", { "local" } },
            // bridge, driven through netavark, is berth's only network driver.
            { "network", network::find_netavark() ? Json::array({ "bridge" }) : Json::array() },
            { "log", { "k8s-file", "json-file", "none" } },
            { "authorization", nullptr },
        } },
        { "version", version_info() },
    };
    return info;
}

Json version_info()
{
    int64_t built = build_time();
    time_t t = static_cast<time_t>(built);
    struct tm tm {};
    ::localtime_r(&t, &tm);
    char when[64];
    std::strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);  // Go's time.ANSIC
    return {
        { "APIVersion", BERTH_VERSION },
        { "Version", BERTH_VERSION },
        { "GoVersion", "n/a (C++20)" },
        { "GitCommit", "" },
        { "BuiltTime", when },
        { "Built", built },
        { "OsArch", os_arch() },
        { "Os", "linux" },
    };
}

Json system_version() { return { { "Client", version_info() } }; }

std::map<std::string, std::string> info_field_names()
{
    return {
        { "CgroupsVersion", "cgroupVersion" },
        { "CPUs", "cpus" },
        { "CPUUtilization", "cpuUtilization" },
        { "IDMappings", "idMappings" },
        { "UIDMap", "uidmap" },
        { "GIDMap", "gidmap" },
        { "ContainerID", "container_id" },
        { "HostID", "host_id" },
        { "OCIRuntime", "ociRuntime" },
        { "OS", "os" },
        { "Slirp4NetNS", "slirp4netns" },
        { "DNS", "dns" },
        { "AppArmorEnabled", "apparmorEnabled" },
        { "DefaultCapabilities", "capabilities" },
        { "SECCOMPEnabled", "seccompEnabled" },
        { "SECCOMPProfilePath", "seccompProfilePath" },
        { "SELinuxEnabled", "selinuxEnabled" },
    };
}

} // namespace berth::engine
