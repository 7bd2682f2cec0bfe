// Pod operations: create (with its infra container), list, inspect, start,
// stop, kill, pause, unpause, remove and prune, and joining a container to a
// pod at its create. A pod is a row of its own (container/pod_store.h) and a
// set of containers whose rows name it; the infra container holds the
// namespaces the pod shares (net, ipc, uts by default) and runs berth-init -P
// from a local image built on first need (pause_image.cpp).
//
// The hard part is order. A member shares the infra's namespaces through
// container:<infra> modes, which need the infra running: so a member's start
// starts the infra first, `pod start` starts the infra before the members and
// `pod stop` stops the members before the infra. Removing a pod removes its
// members, then the infra, then its row; the infra alone cannot be removed.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "container/pod_store.h"
#include "engine/containers/containers.h"
#include "engine/context.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// `pod create`'s flags.
struct PodCreateOptions {
    std::string name;                       ///< empty: a generated one
    bool infra = true;                      ///< --infra=false: no infra container and no shared namespaces
    std::string infra_name;                 ///< empty: "<12 hex of the pod id>-infra", as Podman
    std::optional<std::string> share;       ///< --share; unset: ipc, net, uts
    std::vector<std::string> publish;       ///< -p, on the infra container
    std::string network;                    ///< --network, of the infra container
    std::string hostname;                   ///< --hostname; empty: the pod's name
    std::vector<std::string> labels;        ///< KEY=VALUE
    std::vector<std::string> add_hosts;     ///< --add-host, in the infra's /etc/hosts
    std::vector<std::string> dns;           ///< --dns, in the infra's /etc/resolv.conf
    std::vector<std::string> volumes;       ///< -v, on the infra and on every container that joins (as Podman's)
    std::vector<std::string> create_command;  ///< argv of the command that created it
    std::string infra_conmon_pidfile;       ///< --infra-conmon-pidfile: the infra monitor's pid, at every start
    std::string pod_id_file;                ///< --pod-id-file: the new pod's ID is written there
    bool replace = false;                   ///< --replace: remove a pod of the same name first (stopping it)
    std::string exit_policy = "continue";   ///< --exit-policy: continue, or stop (the pod stops when its last container exits)
    /// kube play --service-container: the id of the container that runs as
    /// long as any pod naming it does; stopped with the last of them, removed
    /// with the last of them.
    std::string service_container;
};

/// Creates the pod's row and its infra container (not started), building the
/// pause image first when it is missing. A taken name is EEXIST.
Result<container::PodRecord> create_pod(Context& ctx, PodCreateOptions const& options, Warn const& warn = {});

/// The pod for a name, full id or unique id prefix; ENOENT names it.
Result<container::PodRecord> find_pod(Context& ctx, std::string const& name_or_id);

/// A pod with its containers (infra included, refreshed) and its state.
struct PodReport {
    container::PodRecord pod;
    std::vector<container::ContainerRecord> containers;  ///< newest first
    std::string status;                                  ///< container::pod_status of them
};
Result<PodReport> pod_report(Context& ctx, container::PodRecord const& pod);
/// Every pod, newest first.
Result<std::vector<PodReport>> list_pods(Context& ctx);
/// Podman's `pod inspect` document.
Json inspect_pod(PodReport const& report);

/// `pod ps --filter`: name= (regex), id= (prefix), label=KEY[=VALUE], status=.
struct PodFilter {
    std::string key, value;
};
Result<std::vector<PodFilter>> parse_pod_filters(std::vector<std::string> const& raw);
bool pod_matches(PodReport const& report, std::vector<PodFilter> const& filters);

/// Starts the infra container, then every member that does not run.
ErrorOr start_pod(Context& ctx, container::PodRecord const& pod);
/// Stops the members, then the infra (`timeout`: seconds before SIGKILL; unset: each container's own);
/// then the pod's service container when no other pod naming it runs.
ErrorOr stop_pod(Context& ctx, container::PodRecord const& pod, std::optional<int> timeout);
/// The pod's --exit-policy=stop, after `exited` (a member) exited: stops the
/// pod (its infra) when no other member is active, as Podman's. Nothing for
/// the infra, a container outside a pod, or a pod whose policy is continue.
ErrorOr apply_pod_exit_policy(Context& ctx, container::ContainerRecord const& exited);
/// Sends `sig` to every running container of the pod.
ErrorOr kill_pod(Context& ctx, container::PodRecord const& pod, int sig);
/// Pauses (or unpauses) every running (paused) container of the pod.
ErrorOr pause_pod(Context& ctx, container::PodRecord const& pod, bool pause);
/// Removes the pod (and its service container when no other pod names it):
/// with running containers only with `force` (which stops them), else Podman's "removing container X from pod Y: cannot remove container X as it is running ...".
ErrorOr remove_pod(Context& ctx, container::PodRecord const& pod, bool force, std::optional<int> timeout);
/// Removes every pod none of whose containers runs; returns their ids.
Result<std::vector<std::string>> prune_pods(Context& ctx);

/// `pod clone`'s flags.
struct PodCloneOptions {
    std::string name;      ///< --name; empty: the original's name and "-clone"
    bool destroy = false;  ///< --destroy: remove the original pod (stopping it) once cloned
    bool start = false;    ///< --start: start the new pod
};
/// A new pod with the options `pod` was created with, its own infra container
/// and a copy of each member (each named its original's name and "-clone"),
/// as Podman 4.3. A member that cannot be copied removes the new pod again.
Result<container::PodRecord> clone_pod(Context& ctx, container::PodRecord const& pod, PodCloneOptions const& options,
    Warn const& warn = {});

/// `pod top`: the header and one row per process of each running container of
/// the pod (the infra first), for top_table's descriptors; an empty table
/// when none runs (Podman prints nothing then).
Result<std::vector<std::vector<std::string>>> pod_top_table(Context& ctx, container::PodRecord const& pod,
    std::vector<std::string> const& descriptors);
/// `pod logs`: the containers whose logs to show, newest first, never the
/// infra; with `container` (a name or ID) only that one, which must be in the
/// pod (ENOENT "container X is not in pod P: no such container").
Result<std::vector<container::ContainerRecord>> pod_log_containers(Context& ctx, container::PodRecord const& pod,
    std::string const& container);
/// A running container of a pod, for `pod stats`.
struct PodMember {
    container::PodRecord pod;
    container::ContainerRecord container;
};
/// `pod stats`: the running containers of `pods`, in order, each pod's infra first.
Result<std::vector<PodMember>> running_pod_members(Context& ctx, std::vector<container::PodRecord> const& pods);

/// create/run --pod: resolves options.pod (a name, an id, or new:NAME, which
/// creates the pod) to its id, refuses -p/--network when the pod shares its
/// network namespace (Podman's errors), and points the shared namespaces at
/// the infra container.
ErrorOr join_pod(Context& ctx, container::CreateOptions& options, Warn const& warn);
/// Starts the infra container of `member`'s pod unless it runs (or `member` is the infra).
ErrorOr start_pod_infra(Context& ctx, container::ContainerRecord const& member);
/// The pod whose infra container `rec` is, if any.
Result<std::optional<container::PodRecord>> pod_of_infra(Context& ctx, container::ContainerRecord const& rec);
/// Every pod by id, for ps (one query).
Result<std::map<std::string, container::PodRecord>> pods_by_id(Context& ctx);

/// The reference of the infra image (localhost/berth-pause:VERSION), imported
/// from berth-init when the store does not have it.
Result<std::string> ensure_pause_image(Context& ctx);

} // namespace berth::engine
