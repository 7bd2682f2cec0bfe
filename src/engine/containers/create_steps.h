// The steps of create and start that Podman's less common run flags add:
// containers.conf's [containers] defaults, --label-file, --replace,
// --userns=auto, namespaces shared with another container (--ipc, --uts,
// --cgroupns, --pid container:NAME), the files a start adds (/etc/passwd entries,
// --tz's /etc/localtime, resolv.conf and hosts), --pidfile/--conmon-pidfile
// and --rmi. containers.cpp calls them in order; each one is a step with a
// name there, so create_container and prepare stay a screen long.
#pragma once

#include "base/error.h"
#include "config/engine_config.h"
#include "container/options.h"
#include "container/spec_builder.h"
#include "engine/containers/network_setup.h"
#include "engine/context.h"
#include "image/config.h"

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::engine {

/// containers.conf's [containers] defaults where no flag was given: ulimits
/// (clamped to this process's hard limits, never an error), env, capabilities,
/// log driver and size, tz, http_proxy; the host's proxy variables go into
/// default_env. pids_limit only where a cgroup can hold it, silently
/// otherwise (Podman drops its default there too).
void apply_container_defaults(config::ContainersConf const& conf, container::CreateOptions& options,
    std::map<std::string, std::string> const& host_env);
/// --label-file files read into the labels, ahead of --label (which wins).
ErrorOr read_label_files(container::CreateOptions& options);
/// --replace: removes (stopping it first) the container that has the name.
ErrorOr replace_named_container(Context& ctx, container::CreateOptions const& options);
/// --userns=auto[:size=N] becomes --uidmap/--gidmap of a range no other
/// container maps: the user's subordinate ids (rootless), or those of the
/// user "containers" in /etc/subuid and /etc/subgid (root), as Podman.
ErrorOr choose_auto_userns(Context& ctx, container::CreateOptions& options);
/// --ipc/--uts/--cgroupns/--pid container:NAME: NAME must exist (create);
/// it is kept as container:ID, as Podman keeps it.
ErrorOr check_namespace_containers(Context& ctx, container::CreateOptions& options);
/// At start: container:NAME becomes ns:/proc/PID/ns/TYPE of NAME, which must run.
ErrorOr resolve_namespace_containers(Context& ctx, container::CreateOptions& options);

/// What a start writes into the bundle and mounts: resolv.conf (--dns,
/// --dns-search, --dns-option), hosts (--add-host; none with --no-hosts),
/// hostname, /etc/passwd additions (a --user uid the image does not know,
/// --hostuser) and --tz's /etc/localtime.
struct StartFiles {
    std::string bundle_dir;
    std::string rootfs;
    std::string hostname;
    container::ResolvedUser const* user = nullptr;
    std::string wanted_user;  ///< the --user (or image USER) that was resolved
    bool keep_id = false;     ///< --userns=keep-id without --user: the user's own ids, which get passwd and group lines
    std::string containerenv; ///< what /run/.containerenv holds
    NetworkStart const* network = nullptr;  ///< hosts and resolv.conf for the mode (network_setup.h)
    std::string name;         ///< the container's name, in /etc/hosts
};
Result<std::vector<container::ResolvedMount>> start_files(container::CreateOptions const& options,
    image::ImageConfig const& image, StartFiles const& files);

/// --pidfile and --conmon-pidfile, written once the container runs.
ErrorOr write_pid_files(container::CreateOptions const& options, pid_t container, pid_t monitor);
/// --rmi, once the container is gone: removes the image by the name it was
/// run with, as Podman; a failure (in use, other names) goes to the log as a warning.
void remove_run_image(Context& ctx, std::string const& image);

} // namespace berth::engine
