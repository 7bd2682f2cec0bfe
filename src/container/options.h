// What `create`/`run` were asked for (CreateOptions), and the parsers for the
// flags with a small grammar of their own: -v/--volume, --mount, --tmpfs,
// --env-file. Everything here is pure: no file system, no kernel, so the
// Docker/Podman rules are unit-tested in container_test.cpp.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::container {

/// One mount the user asked for.
struct MountRequest {
    enum class Type { Bind, Volume, Tmpfs } type = Type::Bind;
    std::string source;       ///< host path (bind), volume name (empty: anonymous), unused for tmpfs
    std::string destination;  ///< absolute path in the container
    bool read_only = false;
    bool chown = false;       ///< "U": chown the source to the container user
    bool overlay = false;     ///< "O": overlay on the source (accepted, mounted as a private copy-on-write: FIXME)
    std::string propagation;  ///< "rprivate" unless given
    std::vector<std::string> tmpfs_options;  ///< size=, mode=, noexec ...
    bool operator==(MountRequest const&) const = default;
};

struct CreateOptions {
    std::string image;                       ///< as typed
    std::vector<std::string> command;        ///< after the image
    std::optional<std::string> entrypoint;   ///< --entrypoint ("" clears the image's)
    std::string name;
    std::vector<std::string> env;            ///< -e, in order
    std::vector<std::string> env_files;
    bool env_host = false;
    std::string workdir;
    std::string user;
    std::string hostname;
    std::vector<std::string> labels;         ///< KEY=VALUE
    std::vector<std::string> annotations;
    std::vector<std::string> volumes;        ///< -v
    std::vector<std::string> mounts;         ///< --mount
    std::vector<std::string> tmpfs;          ///< --tmpfs
    bool read_only = false;
    bool read_only_tmpfs = true;
    std::vector<std::string> cap_add, cap_drop;
    bool privileged = false;
    std::vector<std::string> security_opt;
    std::vector<std::string> ulimits;
    bool init = false;
    std::string init_path;                   ///< --init-path (empty: berth-init beside berth)
    // Resources (cgroups.h): kept as typed, parsed by the spec builder.
    std::string memory;                      ///< -m/--memory: 512m, 1g, bytes
    std::string memory_swap;                 ///< --memory-swap: memory+swap, -1 unlimited
    std::string cpus;                        ///< --cpus: 1.5
    uint64_t cpu_shares = 0;                 ///< --cpu-shares (v1 scale, 0: unset)
    std::optional<int64_t> pids_limit;       ///< --pids-limit (-1 or 0: unlimited)
    std::string cgroups = "enabled";         ///< --cgroups enabled|disabled|no-conmon|split
    std::string cgroup_parent;               ///< --cgroup-parent
    std::string userns;
    std::vector<std::string> uidmap, gidmap;
    std::vector<std::string> group_add;
    std::string network;                     ///< none | host | pasta; empty: the engine's default (pasta with -p, else none)
    std::vector<std::string> publish;        ///< -p/--publish values (ports.h), with network pasta
    std::string stop_signal;
    int stop_timeout = 10;
    std::string shm_size;
    std::vector<std::string> devices;
    std::vector<std::string> sysctls;
    bool interactive = false;
    bool tty = false;
    bool remove = false;                     ///< --rm
    std::string pull = "missing";
    std::string platform;
    std::string cidfile;
    std::string runtime;                     ///< --runtime PATH (empty: built in)
    std::vector<int> preserve_fds;
    bool detach = false;                     ///< -d (run): recorded so that a restart stays detached
    std::string log_driver;                  ///< --log-driver k8s-file|json-file|none (empty: k8s-file)
    std::vector<std::string> log_opts;       ///< --log-opt max-size=N, path=P
    std::string restart;                     ///< --restart no|on-failure[:N]|always|unless-stopped
    std::vector<std::string> create_command; ///< the berth command line that created it (argv)
    // Healthcheck flags as typed (engine/healthcheck.h resolves them over the image's): empty = not given.
    std::string healthcheck_cmd;             ///< --healthcheck-cmd: shell string or JSON array; "none" disables
    std::string healthcheck_interval;        ///< Go duration; "disable" = 0
    std::string healthcheck_timeout;
    std::string healthcheck_start_period;
    std::optional<int> healthcheck_retries;
    bool no_healthcheck = false;             ///< --no-healthcheck
    std::string health_on_failure;           ///< --health-on-failure none|kill|restart|stop (empty: none)
    // Startup healthcheck (--health-startup-*), as typed; empty = not given.
    std::string health_startup_cmd;
    std::string health_startup_interval;
    std::string health_startup_timeout;
    std::optional<int> health_startup_retries;
    std::optional<int> health_startup_success;

    Json to_json() const;
    static Result<CreateOptions> from_json(Json const& j);
};

/// -v SRC:DST[:OPTS] / -v DST (anonymous volume). SRC starting with '/' or '.' is a bind mount.
Result<MountRequest> parse_volume(std::string const& spec);
/// --mount type=bind|volume|tmpfs,source=,target=,ro,...
Result<MountRequest> parse_mount(std::string const& spec);
/// --tmpfs /path[:opts]
Result<MountRequest> parse_tmpfs(std::string const& spec);
/// Lines of an --env-file: KEY=VALUE, or KEY (taken from `host_env`); '#' comments and blanks skipped.
std::vector<std::string> parse_env_file(std::string const& text, std::map<std::string, std::string> const& host_env);

} // namespace berth::container
