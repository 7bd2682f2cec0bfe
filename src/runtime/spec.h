// A typed model of the subset of the OCI runtime-spec config.json that berth
// writes and executes, with parse/to_json and Podman's defaults.
//
// The hard part is fidelity: parse(to_json(spec)) must give back the same Spec,
// fields that are absent stay absent (optional or empty, and to_json omits
// them, as Go's omitempty does), and every parse or validation error names the
// offending field ("process.user.uid: expected an unsigned integer") so a
// hand-written or external config.json can be fixed. linux.seccomp and
// linux.resources are kept as raw Json: seccomp.cpp translates the former and
// cgroups code (later) the latter.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::runtime {

/// process.user
struct User {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::optional<uint32_t> umask;
    std::vector<uint32_t> additional_gids;
    bool operator==(User const&) const = default;
};

/// process.capabilities: capability names as spelled in the spec ("CAP_CHOWN").
struct CapabilityNames {
    std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
    bool operator==(CapabilityNames const&) const = default;
};

/// One entry of process.rlimits ("RLIMIT_NOFILE").
struct ProcessRlimit {
    std::string type;
    uint64_t hard = 0;
    uint64_t soft = 0;
    bool operator==(ProcessRlimit const&) const = default;
};

/// process
struct Process {
    bool terminal = false;
    User user;
    std::vector<std::string> args;
    std::vector<std::string> env;  ///< "KEY=value"
    std::string cwd = "/";
    std::optional<CapabilityNames> capabilities;  ///< absent: capabilities are left alone
    std::vector<ProcessRlimit> rlimits;
    bool no_new_privileges = false;
    std::optional<int> oom_score_adj;
    bool operator==(Process const&) const = default;
};

/// root
struct Root {
    std::string path;  ///< absolute, or relative to the caller's working directory
    bool readonly = false;
    bool operator==(Root const&) const = default;
};

/// One entry of mounts.
struct Mount {
    std::string destination;  ///< absolute path inside the container
    std::string type;
    std::string source;
    std::vector<std::string> options;
    bool operator==(Mount const&) const = default;
};

enum class NamespaceType { Pid, Network, Mount, Ipc, Uts, User, Cgroup };

/// One entry of linux.namespaces: a new namespace, or an existing one by path.
struct Namespace {
    NamespaceType type = NamespaceType::Mount;
    std::string path;  ///< empty: create a new one
    bool operator==(Namespace const&) const = default;
};

/// One entry of linux.uidMappings / linux.gidMappings.
struct IdMapping {
    uint32_t container_id = 0;
    uint32_t host_id = 0;
    uint32_t size = 0;
    bool operator==(IdMapping const&) const = default;
};

/// One entry of linux.devices.
struct Device {
    std::string path;  ///< absolute path inside the container
    char type = 'c';   ///< 'c', 'b', 'u' or 'p'
    int64_t major = 0;
    int64_t minor = 0;
    std::optional<uint32_t> file_mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    bool operator==(Device const&) const = default;
};

/// linux
struct LinuxConfig {
    std::vector<Namespace> namespaces;
    std::vector<IdMapping> uid_mappings;
    std::vector<IdMapping> gid_mappings;
    std::vector<std::string> masked_paths;
    std::vector<std::string> readonly_paths;
    Json seccomp;    ///< the OCI linux.seccomp object; null when absent
    std::map<std::string, std::string> sysctl;
    std::vector<Device> devices;
    Json resources;  ///< the OCI linux.resources object; null when absent
    std::string cgroups_path;  ///< linux.cgroupsPath: absolute in the cgroup v2 mount, or relative to the parent of our own cgroup
    std::string rootfs_propagation;  ///< "", "private", "rprivate", "slave", "rslave", "shared", "rshared", "unbindable", ...
    std::string personality;   ///< linux.personality.domain: "LINUX" or "LINUX32"; "" when absent
    bool operator==(LinuxConfig const&) const = default;
};

/// config.json
struct Spec {
    std::string oci_version = "1.0.2-dev";
    Process process;
    Root root;
    std::string hostname;
    std::vector<Mount> mounts;
    LinuxConfig linux_config;  ///< "linux" in JSON
    std::map<std::string, std::string> annotations;
    bool operator==(Spec const&) const = default;

    /// Reads a config.json document; errors name the field. Also validates.
    static Result<Spec> parse(Json const& json);
    /// Parses the text of a config.json file.
    static Result<Spec> parse(std::string_view text);
    /// The config.json document; absent fields are omitted.
    Json to_json() const;
    /// Checks what parse() cannot see from types alone: args present, absolute
    /// paths, known namespace and rlimit names, hostname only with a UTS
    /// namespace, id mappings only with a user namespace.
    ErrorOr validate() const;

    /// The entry for `type` in linux.namespaces, or nullptr.
    Namespace const* find_namespace(NamespaceType type) const;
    bool has_namespace(NamespaceType type) const { return find_namespace(type) != nullptr; }
};

/// "pid", "network", "mount", "ipc", "uts", "user", "cgroup".
std::string_view namespace_type_name(NamespaceType type);
Result<NamespaceType> namespace_type_from_name(std::string_view name);

/// The PATH Podman gives a container whose image sets none.
inline constexpr char const* default_path_env = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Podman's default mounts: /proc, /dev (tmpfs), /dev/pts (its own instance),
/// /dev/shm, /dev/mqueue, /sys (read-only; the runtime falls back to a
/// read-only rbind of the host's /sys when a rootless sysfs mount is refused).
std::vector<Mount> default_mounts();
/// Podman's masked paths (made empty in the container).
std::vector<std::string> default_masked_paths();
/// Podman's read-only paths.
std::vector<std::string> default_readonly_paths();
/// Podman's namespaces for a container: pid, network, ipc, uts, mount, cgroup.
/// FIXME: Podman uses the host cgroup namespace on cgroup v1 hosts.
std::vector<Namespace> default_namespaces();
/// The device set every container gets in its /dev (OCI "default devices"):
/// null zero full random urandom tty. Not written into the spec (as runc and
/// crun, the runtime adds them), so linux.devices holds only the extra ones.
std::vector<Device> default_devices();

/// A complete spec with Podman's defaults: the mounts, masked and read-only
/// paths, namespaces, 11 default capabilities (bounding, effective, permitted;
/// empty inheritable and ambient), nofile/nproc rlimits, the default seccomp
/// profile, PATH and TERM in the environment, cwd "/", args ["sh"], root
/// "rootfs". The caller fills in args, root and the rest.
Spec default_spec();

} // namespace berth::runtime
