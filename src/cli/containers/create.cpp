// berth create: Podman's flags, prints the new container's ID. The flags are
// shared with `run` (add_create_options) and fill in the container spec
// (container::CreateOptions); the engine checks it (validate_container_spec),
// so this file only parses and prints.
#include "cli/create.h"

#include "cli/commands.h"
#include "engine/containers/containers.h"

#include <algorithm>
#include <cstdlib>
#include <cstdio>

namespace berth::cli {

void add_create_options(CLI::App* cmd, std::shared_ptr<CreateArgs> const& a)
{
    auto& o = a->options;
    // IMAGE and everything after it belong to the container, not to berth.
    cmd->prefix_command();
    cmd->fallthrough(false);
    // As Podman: -h is --hostname here, help is --help only.
    cmd->set_help_flag("--help", "Print this help");
    cmd->add_flag("-i,--interactive", o.interactive, "Keep STDIN open");
    cmd->add_flag("-t,--tty", o.tty, "Allocate a pseudo-TTY");
    cmd->add_flag("--rm", o.remove, "Remove the container when it exits");
    cmd->add_option("--name", o.name, "Name of the container");
    cmd->add_option("--pod", o.pod, "Run in this pod (name or ID), sharing its namespaces; new:NAME creates the pod");
    cmd->add_option("--pod-id-file", a->pod_id_file, "Run in the pod whose ID this file holds (as pod create --pod-id-file wrote it)");
    cmd->add_option("-e,--env", o.env, "Set an environment variable (KEY=VALUE, or KEY to copy it from the host)")->allow_extra_args(false);
    cmd->add_option("--env-file", o.env_files, "Read environment variables from a file")->allow_extra_args(false);
    cmd->add_flag("--env-host", o.env_host, "Use the host's environment in the container");
    cmd->add_option("--env-merge", o.env_merge, "Set a variable from others: NAME=${NAME}suffix, over the image's environment")
        ->allow_extra_args(false);
    cmd->add_option("--unsetenv", o.unsetenv, "Remove a variable from the environment (the image's or berth's default)")
        ->allow_extra_args(false);
    cmd->add_flag("--unsetenv-all", o.unsetenv_all, "Start from an empty environment: only -e, --env-file and --env-merge");
    a->http_proxy_option = cmd->add_flag("--http-proxy", a->http_proxy,
        "Pass the host's proxy variables (http_proxy, https_proxy, ftp_proxy, no_proxy) (default true)");
    cmd->add_option("--tz", o.tz, "Time zone of the container: a zone such as Europe/Berlin, or local (the host's)");
    cmd->add_option("-w,--workdir", o.workdir, "Working directory inside the container");
    cmd->add_option("-u,--user", o.user, "User (name or uid[:gid]) to run as");
    a->entrypoint_option = cmd->add_option("--entrypoint", a->entrypoint,
        "Override the image's ENTRYPOINT: a command, or a JSON array [\"prog\",\"arg\"] (\"\" clears it)");
    cmd->add_option("-h,--hostname", o.hostname, "Hostname of the container (default: the first 12 characters of its ID)");
    cmd->add_option("-l,--label", o.labels, "Set a label (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("--label-file", o.label_files, "Read labels (KEY=VALUE lines) from a file")->allow_extra_args(false);
    cmd->add_option("--annotation", o.annotations, "Add an annotation to the OCI spec (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("-v,--volume", o.volumes, "Bind mount or volume: SOURCE:DEST[:ro,rw,z,Z,U,O]")->allow_extra_args(false);
    cmd->add_option("--mount", o.mounts, "Mount: type=bind|volume|tmpfs,source=,target=[,ro]")->allow_extra_args(false);
    cmd->add_option("--tmpfs", o.tmpfs, "Mount a tmpfs: PATH[:OPTIONS]")->allow_extra_args(false);
    cmd->add_option("--secret", o.secrets, "Add a secret: NAME[,type=mount|env][,target=PATH|VAR][,uid=N][,gid=N][,mode=0NNN]")->allow_extra_args(false);
    cmd->add_flag("--read-only", o.read_only, "Make the root filesystem read-only");
    cmd->add_option("--read-only-tmpfs", o.read_only_tmpfs, "With --read-only, mount tmpfs on /run, /tmp and /var/tmp (default true)");
    cmd->add_option("--cap-add", o.cap_add, "Add a capability")->allow_extra_args(false);
    cmd->add_option("--cap-drop", o.cap_drop, "Drop a capability")->allow_extra_args(false);
    cmd->add_flag("--privileged", o.privileged, "All capabilities, no seccomp, no masked paths");
    cmd->add_option("--security-opt", o.security_opt, "no-new-privileges, seccomp=unconfined|PROFILE.json, mask=PATHS, unmask=PATHS")->allow_extra_args(false);
    cmd->add_option("--ulimit", o.ulimits, "Resource limit: NAME=SOFT[:HARD]")->allow_extra_args(false);
    cmd->add_flag("--init", o.init, "Run berth-init as PID 1: it forwards signals to the command and reaps zombies");
    cmd->add_option("--init-path", o.init_path, "Path of the init binary for --init (default: berth-init)");
    cmd->add_option("-m,--memory", o.memory, "Memory limit (e.g. 512m, 1g); needs a delegated cgroup v2 hierarchy");
    cmd->add_option("--memory-swap", o.memory_swap, "Memory plus swap limit (e.g. 1g), -1 for unlimited swap");
    cmd->add_option("--cpus", o.cpus, "Number of CPUs (e.g. 1.5): a CFS quota per 100 ms period");
    cmd->add_option("-c,--cpu-shares", o.cpu_shares, "CPU shares (relative weight, default 1024)");
    cmd->add_option_function<int64_t>("--pids-limit", [a](int64_t v) { a->options.pids_limit = v; },
        "Maximum number of processes (-1: unlimited)");
    cmd->add_option("--cgroups", o.cgroups, "cgroup mode: enabled, disabled, no-conmon, split")->capture_default_str();
    cmd->add_option("--cgroup-parent", o.cgroup_parent, "cgroup under which the container's cgroup is created");
    cmd->add_option("--userns", o.userns,
        "User namespace: host, keep-id[:uid=N,gid=N] (your own uid/gid inside), nomap (rootless: your uid unmapped), auto[:size=N]");
    cmd->add_option("--ipc", o.ipc, "IPC namespace: private (default), shareable, none (no /dev/shm), host, ns:PATH, container:NAME");
    cmd->add_option("--uts", o.uts, "UTS namespace: private (default), host, ns:PATH, container:NAME");
    cmd->add_option("--cgroupns", o.cgroupns, "Cgroup namespace: private (default), host, ns:PATH, container:NAME");
    cmd->add_option("--pid", o.pid, "PID namespace: private (default), host, ns:PATH, container:NAME (a running container's)");
    cmd->add_option("--hostuser", o.hostuser, "Add a host user's entry to the container's /etc/passwd")->allow_extra_args(false);
    cmd->add_flag("--passwd", o.passwd, "Add /etc/passwd entries for --user and --hostuser (default true)");
    cmd->add_option("--passwd-entry", o.passwd_entry,
        "The /etc/passwd line for a --user unknown to the image: $USERNAME, $UID, $GID, $NAME and $HOME are replaced");
    cmd->add_option("--uidmap", o.uidmap, "UID mapping CONTAINER:HOST:SIZE for a user namespace of the container's own")->allow_extra_args(false);
    cmd->add_option("--gidmap", o.gidmap, "GID mapping CONTAINER:HOST:SIZE (default: as --uidmap)")->allow_extra_args(false);
    cmd->add_option("--group-add", o.group_add, "Add a supplementary group")->allow_extra_args(false);
    cmd->add_option("--pull", o.pull, "Pull policy: always, missing, never, newer")->capture_default_str();
    cmd->add_option("--platform", o.platform, "Platform of the image to pull (os/arch[/variant])");
    cmd->add_option("--arch", a->arch, "Architecture of the image to pull (instead of the host's)");
    cmd->add_option("--os", a->os, "Operating system of the image to pull (instead of the host's)");
    cmd->add_option("--variant", a->variant, "Architecture variant of the image to pull (arm: v7, v8)");
    cmd->add_option("--authfile", a->authfile, "Credentials for pulling the image (auth.json)");
    cmd->add_option_function<bool>("--tls-verify", [a](bool v) { a->tls_verify = v; },
        "Require HTTPS and verify certificates when pulling the image (default true)");
    cmd->add_option("--stop-signal", o.stop_signal, "Signal that stops the container");
    cmd->add_option("--stop-timeout", o.stop_timeout, "Seconds to wait before killing the container on stop");
    cmd->add_option("--shm-size", o.shm_size, "Size of /dev/shm (e.g. 64m)");
    cmd->add_option("--umask", o.umask, "The umask of the container's processes (octal, default 0022)");
    cmd->add_option_function<int>("--oom-score-adj", [a](int v) { a->options.oom_score_adj = v; },
        "The OOM killer's score adjustment of the container's processes (-1000 to 1000; rootless: only up)");
    cmd->add_option("--personality", o.personality, "The execution domain: LINUX, or LINUX32 (uname -m says i686)");
    cmd->add_option("--volumes-from", o.volumes_from, "Mount the volumes and bind mounts of another container: CONTAINER[:ro|rw]")
        ->allow_extra_args(false);
    cmd->add_option("--requires", o.required, "Containers to start (detached) before this one starts")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--image-volume", o.image_volume,
        "What the image's VOLUMEs get: bind (an anonymous volume each, the default), tmpfs, or ignore (none)");
    cmd->add_option("--device", o.devices, "Add a host device: HOST[:CONTAINER][:PERMISSIONS rwm]")->allow_extra_args(false);
    cmd->add_option("--sysctl", o.sysctls, "Set a namespaced kernel parameter (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("--cidfile", o.cidfile, "Write the container ID to this file");
    cmd->add_option("--pidfile", o.pidfile, "Write the host pid of the container's process 1 to this file when it starts");
    cmd->add_option("--conmon-pidfile", o.conmon_pidfile, "Write the pid of the container's monitor to this file when it starts");
    cmd->add_option("--sdnotify", o.sdnotify,
        "What becomes of $NOTIFY_SOCKET: container (passed into the container, which sends READY=1), conmon (berth sends "
        "READY=1 once the container runs) or ignore (default container)");
    cmd->add_flag("--replace", o.replace, "Remove a container of the same --name first (stopping it)");
    cmd->add_option("--timeout", o.timeout, "Kill the container after this many seconds (0: never)");
    cmd->add_option("--systemd", o.systemd,
        "true: systemd mode when the command is init or systemd; always; false. It gets tmpfs on /run, /run/lock, /tmp, /var/log/journal")
        ->capture_default_str();
    cmd->add_option("-a,--attach", o.attach, "Attach to stdin, stdout or stderr only (repeatable; default: all)")->allow_extra_args(false);
    cmd->add_option("--network,--net", a->network,
           "Network mode: none, host, private (the default: pasta rootless), pasta[:OPTIONS], slirp4netns[:OPTIONS], container:NAME, "
           "ns:PATH, or user-defined networks NAME[:alias=A,ip=IP,ip6=IP,mac=MAC,interface_name=N] (repeatable; \"bridge\" is the default network podman)")
        ->allow_extra_args(false);
    cmd->add_option("--network-alias", o.network_aliases, "Another name of the container on its user-defined networks (repeatable)")->allow_extra_args(false);
    cmd->add_option("--ip", o.ip, "Static IPv4 address on the container's user-defined network");
    cmd->add_option("--ip6", o.ip6, "Static IPv6 address on the container's user-defined network");
    cmd->add_option("--mac-address", o.mac_address, "Static MAC address on the container's user-defined network");
    cmd->add_option("--dns", o.dns, "DNS server for the container's /etc/resolv.conf")->allow_extra_args(false);
    cmd->add_option("--dns-search", o.dns_search, "DNS search domain for /etc/resolv.conf")->allow_extra_args(false);
    cmd->add_option("--dns-option,--dns-opt", o.dns_options, "DNS option for /etc/resolv.conf (e.g. ndots:2)")->allow_extra_args(false);
    cmd->add_option("--add-host", o.add_hosts, "Add a line to /etc/hosts: HOST:IP")->allow_extra_args(false);
    cmd->add_option("--expose", o.expose, "Expose a container port (PORT[/tcp|/udp]) for -P, as the image's EXPOSE does")->allow_extra_args(false);
    cmd->add_flag("-P,--publish-all", o.publish_all, "Publish every exposed port (the image's EXPOSE, --expose) on a random free host port");
    cmd->add_flag("--no-hosts", o.no_hosts, "Do not create /etc/hosts: the image's stays");
    cmd->add_option("-p,--publish", o.publish, "Publish a container port on the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]")->allow_extra_args(false);
    cmd->add_option("--runtime", o.runtime, "Run the container with this OCI runtime (path or name, e.g. runc)");
    cmd->add_option("--preserve-fds", a->preserve_fds, "Pass N additional file descriptors (3 .. 3+N-1) to the container");
    cmd->add_flag("-q,--quiet", a->quiet, "Do not print pull progress");
    cmd->add_option("--log-driver", o.log_driver, "Logging driver: k8s-file (default), json-file, none");
    cmd->add_option("--log-opt", o.log_opts, "Logging option: max-size=SIZE (one rotated file kept), path=FILE")->allow_extra_args(false);
    cmd->add_option("--restart", o.restart, "Restart policy: no, on-failure[:N], always, unless-stopped");
    // Podman's spellings first; berth's older --healthcheck-* stay as aliases.
    cmd->add_option("--health-cmd,--healthcheck-cmd,--healthcheck-command", o.healthcheck_cmd,
        "Healthcheck: a command run with /bin/sh -c, or a JSON array [\"CMD\",\"prog\",\"arg\"]; 'none' disables the image's");
    cmd->add_option("--health-interval,--healthcheck-interval", o.healthcheck_interval,
        "Time between automatic healthchecks (default 30s; 'disable': only `healthcheck run`)");
    cmd->add_option_function<int>("--health-retries,--healthcheck-retries", [a](int v) { a->options.healthcheck_retries = v; },
        "Consecutive failures that make the container unhealthy (default 3)");
    cmd->add_option("--health-timeout,--healthcheck-timeout", o.healthcheck_timeout,
        "Time a healthcheck may take before it is killed and counted as failed (default 30s)");
    cmd->add_option("--health-start-period,--healthcheck-start-period", o.healthcheck_start_period,
        "Time after the start during which failed healthchecks do not count (default 0s)");
    cmd->add_option("--health-on-failure", o.health_on_failure,
        "Action when the container turns unhealthy: none (default), kill, restart or stop");
    cmd->add_option("--health-startup-cmd", o.health_startup_cmd,
        "Startup healthcheck, run instead of the regular one until it passes (needs a regular healthcheck)");
    cmd->add_option("--health-startup-interval", o.health_startup_interval, "Time between startup healthchecks (default 30s)");
    cmd->add_option_function<int>("--health-startup-retries", [a](int v) { a->options.health_startup_retries = v; },
        "Startup healthcheck failures that restart the container (default 0: never)");
    cmd->add_option_function<int>("--health-startup-success", [a](int v) { a->options.health_startup_success = v; },
        "Startup healthcheck passes before the regular healthcheck takes over (default 0: one)");
    cmd->add_option("--health-startup-timeout", o.health_startup_timeout,
        "Time a startup healthcheck may take before it is killed and counted as failed (default 30s)");
    cmd->add_flag("--no-healthcheck", o.no_healthcheck, "Disable any healthcheck, the image's included");
    // Podman accepts these and ignores them: berth does the same, and says so.
    cmd->add_option_function<std::string>("--kernel-memory", [a](std::string const&) {
        a->ignored.push_back("The --kernel-memory flag is no longer supported. This flag is a noop.");
    }, "Ignored: kernel memory limits are gone from the kernel");
    cmd->add_option_function<std::string>("--memory-swappiness", [a](std::string const&) {
        a->ignored.push_back("--memory-swappiness is not supported on cgroup v2 and is ignored");
    }, "Ignored: cgroup v2 has no per-container swappiness");
    cmd->add_flag_function("--oom-kill-disable", [a](int64_t) {
        a->ignored.push_back("--oom-kill-disable is not supported on cgroup v2 and is ignored");
    }, "Ignored: cgroup v2 has no switch to disable the OOM killer");
    cmd->add_flag("--disable-content-trust", a->disable_content_trust, "Ignored, as Podman does (a Docker option)");
}

ErrorOr finish_create_args(CreateArgs& a, std::vector<std::string> const& rest)
{
    auto& o = a.options;
    if (rest.empty())
        return Error { EINVAL, "requires at least 1 arg(s), only received 0: give an image" };
    // A flag CLI11 did not know ends the flags as if it were the image.
    if (rest.front().size() > 1 && rest.front()[0] == '-')
        return Error { EINVAL, "unknown flag: " + rest.front().substr(0, rest.front().find('=')) };
    o.image = rest.front();
    o.command.assign(rest.begin() + 1, rest.end());
    if (a.entrypoint_option && a.entrypoint_option->count())
        o.entrypoint = a.entrypoint;
    for (auto const& n : a.network)
        o.network += (o.network.empty() ? "" : ",") + n;  // empty: the engine's default
    if (a.http_proxy_option && a.http_proxy_option->count())
        o.http_proxy = a.http_proxy;
    if (o.platform.empty() && !(a.arch.empty() && a.os.empty() && a.variant.empty()))
        o.platform = engine::platform_from_parts(a.os, a.arch, a.variant);
    for (auto const& warning : a.ignored)
        print_warning(warning);
    for (int fd = 3; fd < 3 + a.preserve_fds; ++fd)
        o.preserve_fds.push_back(fd);
    // A container made by a unit of `generate systemd` or Quadlet names the
    // unit in a label, as Podman's: `auto-update` restarts that unit.
    if (char const* unit = std::getenv("PODMAN_SYSTEMD_UNIT"); unit && *unit
        && std::none_of(o.labels.begin(), o.labels.end(), [](auto const& l) { return l.rfind("PODMAN_SYSTEMD_UNIT=", 0) == 0; }))
        o.labels.push_back(std::string("PODMAN_SYSTEMD_UNIT=") + unit);
    if (!a.pod_id_file.empty()) {
        if (!o.pod.empty())
            return Error { EINVAL, "--pod and --pod-id-file cannot be used together" };
        std::vector<std::string> ids;
        TRY_CTX(read_cidfiles({ a.pod_id_file }, ids), "--pod-id-file");
        o.pod = ids.front();
    }
    return {};
}

void print_warning(std::string const& warning)
{
    std::fprintf(stderr, "berth: %s\n", warning.c_str());
}

engine::PullOptions pull_options_for_create(CreateArgs const& args)
{
    bool quiet = args.quiet;
    engine::PullOptions po;
    po.authfile = args.authfile;
    po.tls_verify = args.tls_verify;
    po.observer = [quiet](engine::PullEvent const& e) {
        using K = engine::PullEvent::Kind;
        if (quiet)
            return;
        if (e.kind == K::Trying)
            std::fprintf(stderr, "Trying to pull %s...\n", e.text.c_str());
        else if (e.kind == K::BlobDone)
            std::fprintf(stderr, "Copying blob %s done\n", e.text.substr(e.text.find(':') + 1, 12).c_str());
        else if (e.kind == K::ConfigDone)
            std::fprintf(stderr, "Copying config %s done\n", e.text.substr(e.text.find(':') + 1, 12).c_str());
        else if (e.kind == K::ManifestWritten)
            std::fprintf(stderr, "Writing manifest to image destination\n");
    };
    return po;
}

void setup_create(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CreateArgs>();
    auto* cmd = parent.add_subcommand("create", "Create but do not start a container");
    add_create_options(cmd, a);
    cmd->callback([a, cmd, &globals, &exit_code] {
        if (auto ok = finish_create_args(*a, cmd->remaining()); !ok) {
            exit_code = report(ok.error());
            return;
        }
        a->options.create_command = globals.command_line;
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto rec = engine::create_container(*ctx, a->options, pull_options_for_create(*a), globals.engine.storage_driver,
            print_warning);
        if (!rec) {
            exit_code = report(rec.error());
            return;
        }
        std::printf("%s\n", rec->id.c_str());
    });
}

} // namespace berth::cli
