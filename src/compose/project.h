// A Compose project read from one or more files: the typed model of the
// Compose specification's services, volumes and networks, with the files
// merged (later files override earlier ones), ${VAR} interpolated, the
// project named and the profiles applied. Pure: the engine reads the files
// and the .env file and turns each service into a container::CreateOptions
// (convert.h).
//
// The hard part is saying where an error is: every message names the file,
// the service and the key ("compose.yaml: service web: ports[1]: ..."), so
// each file is checked on its own before the files are merged.
#pragma once

#include "base/error.h"
#include "compose/interpolate.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::compose {

struct Build {
    std::string context = ".";                 ///< relative to the project directory
    std::string dockerfile;
    std::map<std::string, std::string> args;
    std::string target;
};

struct Mount {
    enum class Type { Volume, Bind, Tmpfs } type = Type::Volume;
    std::string source;                        ///< volume key in the file (empty: anonymous), or a host path
    std::string target;
    bool read_only = false;
    std::string tmpfs_size;
};

struct ServiceNetwork {
    std::string name;                          ///< the key of the top-level network
    std::vector<std::string> aliases;
    std::string ipv4_address;
};

struct Dependency {
    std::string service;
    std::string condition = "service_started"; ///< service_started|service_healthy|service_completed_successfully
    bool required = true;
};

struct Healthcheck {
    std::vector<std::string> test;             ///< CMD ...| CMD-SHELL cmd | NONE
    std::string interval, timeout, start_period;
    std::optional<int> retries;
    bool disable = false;
};

struct Logging {
    std::string driver;                        ///< empty: berth's default (k8s-file)
    std::map<std::string, std::string> options;
};

/// A service's use of a top-level secret: mounted at /run/secrets/TARGET
/// (TARGET defaults to the source's key; an absolute one is used as it is).
struct ServiceSecret {
    std::string source;                        ///< the key of the top-level secret
    std::string target;
    std::string uid, gid;                      ///< as typed (empty: 0)
    std::string mode;                          ///< octal as typed (empty: 0444)
};

struct Service {
    std::string name;
    std::string image;
    std::optional<Build> build;
    std::optional<std::vector<std::string>> command, entrypoint;
    std::vector<std::string> environment;      ///< KEY=VALUE (KEY alone: from the host), merged
    std::vector<std::string> env_files;        ///< absolute paths
    std::vector<std::string> ports;            ///< -p syntax: [IP:][HOST:]CONTAINER[/PROTO]
    std::vector<std::string> expose;
    std::vector<Mount> volumes;
    std::vector<ServiceNetwork> networks;      ///< empty with no network_mode: the project's default network
    std::string network_mode;
    std::vector<Dependency> depends_on;
    std::optional<Healthcheck> healthcheck;
    std::string restart;
    std::string user, working_dir, hostname, container_name;
    std::map<std::string, std::string> labels;
    std::vector<std::string> extra_hosts;      ///< HOST:IP
    std::vector<std::string> dns;
    std::vector<std::string> cap_add, cap_drop;
    bool read_only = false;
    std::vector<std::string> tmpfs;
    bool init = false;
    std::string stop_signal;
    std::optional<int> stop_grace_period;      ///< seconds
    std::vector<std::string> profiles;
    int replicas = 1;
    bool privileged = false, tty = false, stdin_open = false;
    std::vector<std::string> group_add;
    std::vector<std::string> devices;          ///< HOST[:CONTAINER[:PERMS]], the --device syntax
    // Resources, as typed: the --memory, --memory-swap, --cpus, --shm-size syntax.
    std::string mem_limit, memswap_limit, cpus, shm_size;
    std::optional<uint64_t> cpu_shares;
    std::optional<int64_t> pids_limit;
    std::map<std::string, std::string> ulimits;///< NAME -> SOFT[:HARD] (the --ulimit syntax after '=')
    std::optional<int> oom_score_adj;
    std::map<std::string, std::string> sysctls;
    std::vector<std::string> security_opt, dns_search, dns_opt;
    std::string mac_address;
    std::string ipc, pid, uts, cgroup;         ///< namespace modes (cgroup: host|private, the cgroup namespace)
    std::string userns_mode, cgroup_parent, platform, runtime;
    std::string pull_policy;                   ///< always|never|missing|build (empty: missing)
    std::optional<Logging> logging;
    std::vector<std::string> volumes_from;     ///< service:NAME[:MODE] or container:NAME[:MODE]
    std::map<std::string, std::string> annotations;
    std::vector<ServiceSecret> secrets;
};

struct Volume {
    std::string key;                           ///< as in the file
    std::string name;                          ///< the volume's real name: PROJECT_KEY, or name:, or the external one
    bool external = false;
    std::string driver;
    std::map<std::string, std::string> labels;
};

struct Network {
    std::string key;
    std::string name;                          ///< PROJECT_KEY, or name:, or the external one
    bool external = false;
    std::string driver;
    bool internal = false;
    std::map<std::string, std::string> labels;
};

/// A top-level secret: the data of a file or of a variable, made a berth
/// secret named PROJECT_KEY at `up`; or an external one, used by its name.
struct Secret {
    std::string key;
    std::string name;                          ///< PROJECT_KEY, or name:, or the external one
    bool external = false;
    std::string file;                          ///< absolute path
    std::string environment;                   ///< the variable's name
    std::optional<std::string> value;          ///< the variable's value when it is set (not in `compose config`)
};

struct Project {
    std::string name;
    std::string working_dir;                   ///< the directory of the first file
    std::vector<std::string> config_files;     ///< absolute paths
    std::vector<Service> services;             ///< enabled ones, in dependency order
    std::vector<std::string> disabled;         ///< services left out by their profiles
    std::vector<Volume> volumes;
    std::vector<Network> networks;
    std::vector<Secret> secrets;
    std::string yaml;                          ///< the resolved model as YAML (`compose config`)

    Service const* service(std::string const& name) const;
    Secret const* secret(std::string const& key) const;
};

struct LoadInput {
    std::vector<std::pair<std::string, std::string>> files;  ///< (absolute path, text), in -f order
    std::string working_dir;                   ///< the project directory (--project-directory, else the first file's)
    Variables variables;                       ///< the process environment over the .env file
    std::string project_name;                  ///< -p (empty: COMPOSE_PROJECT_NAME, name:, the directory)
    std::vector<std::string> profiles;         ///< --profile (and COMPOSE_PROFILES)
};

/// The project the files describe. Unknown keys, values of the wrong type, a
/// service without image or build, a reference to an undefined service,
/// volume or network and a dependency cycle are Errors naming file, service and key.
Result<Project> load_project(LoadInput const& input);

/// A project name as Compose derives it from a directory: lower case, only
/// [a-z0-9_-], no leading '_' or '-'.
std::string normalize_project_name(std::string const& name);

/// The services in an order where each comes after those it depends on
/// (ties by name); a cycle is an Error naming it: "a -> b -> a".
Result<std::vector<Service>> dependency_order(std::vector<Service> services);

/// A command string split as a POSIX shell splits words (quotes, backslashes), as Compose does.
Result<std::vector<std::string>> split_command(std::string const& text);

} // namespace berth::compose
