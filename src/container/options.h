// What `create`/`run` were asked for (CreateOptions), and the parsers for the
// flags with a small grammar of their own: -v/--volume, --mount, --tmpfs,
// --env-file. Everything here is pure: no file system, no kernel, so the
// Docker/Podman rules are unit-tested in container_test.cpp.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <map>
#include <optional>
#include <span>
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
    bool overlay = false;     ///< "O": an overlay with the source as its lower layer; writes never reach the source
    std::string propagation;  ///< "rprivate" unless given
    std::vector<std::string> tmpfs_options;  ///< size=, mode=, noexec ...
    bool operator==(MountRequest const&) const = default;
};

/// One --secret NAME[,type=mount|env][,target=T][,uid=N][,gid=N][,mode=0NNN].
struct SecretRequest {
    enum class Type { Mount, Env } type = Type::Mount;
    std::string name;     ///< the secret's name (or id) as given
    std::string target;   ///< mount: absolute path in the container; env: the variable's name
    uint32_t uid = 0, gid = 0;
    uint32_t mode = 0444;
    bool operator==(SecretRequest const&) const = default;
};

struct CreateOptions {
    std::string image;                       ///< as typed
    std::vector<std::string> command;        ///< after the image
    std::optional<std::string> entrypoint;   ///< --entrypoint ("" clears the image's)
    std::string name;
    std::string pod;                         ///< --pod NAME|ID|new:NAME as given; create resolves it to the pod's id
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
    std::vector<std::string> secrets;        ///< --secret, as typed (parse_secret)
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
    std::string network;                     ///< network/mode.h; empty or "private": the engine's default, resolved at create
    std::vector<std::string> network_aliases;///< --network-alias: names on every user-defined network (merged into network at create)
    std::string ip, ip6;                     ///< --ip/--ip6: static address on the (single) user-defined network (merged at create)
    std::string mac_address;                 ///< --mac-address: on the (single) user-defined network (merged at create)
    std::vector<std::string> publish;        ///< -p/--publish values (network/ports.h), with a user-mode network; one per port, host ports chosen, after create
    std::vector<std::string> expose;         ///< --expose PORT[/PROTO]: published by -P with the image's EXPOSE
    bool publish_all = false;                ///< -P/--publish-all: every exposed port on a random host port
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
    // Healthcheck flags as typed (engine/containers/healthcheck.h resolves them over the image's): empty = not given.
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
    // Podman's other run/create flags.
    bool remove_image = false;               ///< --rmi: remove the image once the container is removed (run --rm)
    std::string pidfile;                     ///< --pidfile: the container's pid 1 (host pid) is written there at start
    std::string conmon_pidfile;              ///< --conmon-pidfile: the monitor's pid is written there at start
    std::string sdnotify = "container";      ///< --sdnotify container|conmon|ignore: what becomes of NOTIFY_SOCKET
    std::string tz;                          ///< --tz: "local" (the host's), or a zone under /usr/share/zoneinfo
    std::vector<std::string> attach;         ///< -a/--attach: stdin, stdout, stderr (empty: all)
    int64_t timeout = 0;                     ///< --timeout: seconds before the container is killed (0: none)
    std::vector<std::string> hostuser;       ///< --hostuser: host users added to the container's /etc/passwd
    bool replace = false;                    ///< --replace: remove a container of the same name first
    std::string systemd = "true";            ///< --systemd true|false|always
    std::optional<bool> http_proxy;          ///< --http-proxy: pass the host's proxy variables (unset: containers.conf, else true)
    std::vector<std::string> dns;            ///< --dns servers
    std::vector<std::string> dns_search;     ///< --dns-search domains
    std::vector<std::string> dns_options;    ///< --dns-option/--dns-opt options
    std::vector<std::string> add_hosts;      ///< --add-host HOST:IP
    bool no_hosts = false;                   ///< --no-hosts: the image's /etc/hosts is left alone
    std::string ipc;                         ///< --ipc host|private|shareable|none|ns:PATH|container:X (empty: private)
    std::string uts;                         ///< --uts host|private|ns:PATH|container:X
    std::string cgroupns;                    ///< --cgroupns host|private|ns:PATH|container:X
    std::string pid;                         ///< --pid host|private|ns:PATH|container:X
    std::vector<std::string> env_merge;      ///< --env-merge VAR=${VAR}suffix, applied over the image's environment
    std::vector<std::string> unsetenv;       ///< --unsetenv NAME: removed from the environment
    bool unsetenv_all = false;               ///< --unsetenv-all: only what -e/--env-file/--env-merge set remains
    std::string passwd_entry;                ///< --passwd-entry: template of the /etc/passwd line for an unknown --user
    bool passwd = true;                      ///< --passwd: add /etc/passwd entries (--user, --hostuser)
    std::vector<std::string> label_files;    ///< --label-file: read into labels at create
    std::vector<std::string> default_env;    ///< filled at create: containers.conf's env, then the host's proxy variables
    std::vector<std::string> default_capabilities;  ///< filled at create from containers.conf (empty: Podman's 11)
    std::string umask;                       ///< --umask: octal, "0022" when empty
    std::optional<int> oom_score_adj;        ///< --oom-score-adj: -1000..1000
    std::string personality;                 ///< --personality: LINUX or LINUX32 (the execution domain; uname -m)
    std::vector<std::string> volumes_from;   ///< --volumes-from CTR[:ro|rw], as typed; create copies its mounts into volumes/mounts
    std::vector<std::string> required;       ///< --requires: containers started before this one (names as typed)
    std::string image_volume;                ///< --image-volume bind|tmpfs|ignore: the image's VOLUMEs (empty: bind)
    std::vector<std::string> image_volumes;  ///< filled at create: the image's VOLUME paths that get a mount

    Json to_json() const;
    static Result<CreateOptions> from_json(Json const& j);
};

/// -v SRC:DST[:OPTS] / -v DST (anonymous volume). SRC starting with '/' or '.' is a bind mount.
Result<MountRequest> parse_volume(std::string const& spec);
/// --mount type=bind|volume|tmpfs,source=,target=,ro,...
Result<MountRequest> parse_mount(std::string const& spec);
/// --tmpfs /path[:opts]
Result<MountRequest> parse_tmpfs(std::string const& spec);
/// --secret: type defaults to mount; a mount's target defaults to
/// /run/secrets/NAME and a relative one is under /run/secrets; an env's to
/// NAME. uid=, gid= and mode= (octal) are for mounts only, as in Podman.
Result<SecretRequest> parse_secret(std::string const& spec);
/// Lines of an --env-file: KEY=VALUE, or KEY (taken from `host_env`); '#' comments and blanks skipped.
std::vector<std::string> parse_env_file(std::string const& text, std::map<std::string, std::string> const& host_env);
/// Lines of a --label-file: KEY=VALUE, or KEY (an empty value); '#' comments and blanks skipped.
std::vector<std::string> parse_label_file(std::string const& text);
/// --entrypoint: a JSON array of strings is the whole entrypoint (as Podman
/// takes it), anything else is one word; "" clears the image's.
std::vector<std::string> entrypoint_words(std::string const& entrypoint);
/// --env-merge NAME=VALUE with ${VAR} and $VAR replaced by their value in
/// `env` ("KEY=VALUE" entries; unset: ""); an unclosed ${ is an Error, as in Podman.
Result<std::string> expand_env_merge(std::string const& spec, std::vector<std::string> const& env);
/// A namespace flag (--ipc, --uts, --cgroupns, --pid): what the container gets.
struct NamespaceMode {
    enum class Kind { Private, Host, Path, Container } kind = Kind::Private;
    std::string value;  ///< the path (Path) or the container's name or id (Container)
};
/// "", "private" (and "shareable"/"none" for --ipc), "host", "ns:PATH",
/// "container:NAME"; anything else is an Error worded as Podman's.
Result<NamespaceMode> parse_namespace_mode(std::string const& text, std::string const& flag);
/// One namespace flag: its spelling, the kernel's name of the namespace (the
/// spec's type, /proc/PID/ns/TYPE) and the field of CreateOptions it fills.
struct NamespaceFlag {
    char const* flag;    ///< "--ipc"
    char const* type;    ///< "ipc"
    char const* podman;  ///< the namespace in Podman's messages: "IPC", "UTS", "cgroup", "PID"
    std::string CreateOptions::*field;
};
/// --ipc, --uts, --cgroupns and --pid, in that order.
std::span<NamespaceFlag const> namespace_flags();
/// The fields of an /etc/passwd line for --passwd-entry.
struct PasswdFields {
    std::string username, uid, gid, name, home;
};
/// --passwd-entry TEMPLATE with $USERNAME, $UID, $GID, $NAME and $HOME replaced, as Podman does.
std::string expand_passwd_entry(std::string const& templ, PasswdFields const& fields);

} // namespace berth::container
