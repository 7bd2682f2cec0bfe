// What `ps` and `container inspect` show: the filtered list of containers
// with their effective command, and Podman's inspect document.
//
// The hard part is speed (`ps -a` with 1,000 containers in well under 50 ms):
// the list is one SELECT; the only other reads are one image record and
// config per distinct image (for the command, cached), and a state whose
// processes are gone is shown as exited without writing anything.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "engine/context.h"
#include "image/config.h"

#include <string>
#include <vector>

namespace berth::engine {

struct PsFilter {
    std::string key, value;
};
/// KEY=VALUE for id, name, label, status, ancestor, exited, before, since, health, pod (name or id prefix).
Result<std::vector<PsFilter>> parse_ps_filters(std::vector<std::string> const& raw);

/// The value of an "until" filter (prune, volume ls): unix seconds, RFC 3339,
/// or a Go-style duration before now (10m, 1h30m), read by parse_log_time;
/// returns unix seconds.
Result<int64_t> parse_until(std::string const& value);

struct PsQuery {
    bool all = false;               ///< -a: not only running ones
    int last = -1;                  ///< -n N / -l (1): the N newest
    std::vector<PsFilter> filters;  ///< same key: any matches; different keys: all match
    bool size = false;              ///< -s: compute the container's writable layer size
};

struct PsEntry {
    container::ContainerRecord record;   ///< state corrected (in memory) when its processes are gone
    std::vector<std::string> command;    ///< entrypoint + cmd as the container runs them
    int64_t image_size = 0;
    int64_t rw_size = 0;                 ///< with PsQuery::size
    std::string health;                  ///< running with a healthcheck: starting|healthy|unhealthy; else ""
    std::string pod_name;                ///< the name of its pod; "" outside a pod
    bool infra = false;                  ///< the infra container of its pod (removed only with the pod)
};

/// "created", "running", "exited", "paused": a state as ps and inspect print it.
using container::state_name;

/// The state as ps and inspect show it: state_name, or "stopping" for a
/// running container that `stop` has signalled and that has not exited yet.
std::string status_name(container::ContainerRecord const& rec);

/// Newest first.
Result<std::vector<PsEntry>> query_containers(Context& ctx, PsQuery const& query);
/// Podman's `container inspect` document.
Result<Json> inspect_container(Context& ctx, container::ContainerRecord const& rec, bool size);
/// The image config a commit of `rec` starts from: `image` (the container's image's) with
/// what the container runs as, as Podman's commit takes it: entrypoint and cmd, the
/// environment (defaults, image, -e; no HOSTNAME), the working directory, the user, the
/// labels (the image's and --label) and the -p ports as exposed ports.
image::ImageConfig committed_config(container::ContainerRecord const& rec, image::ImageConfig image);
/// ps's PORTS: "0.0.0.0:8080->80/tcp, [::1]:53->53/udp" ("" without -p).
std::string ports_text(container::ContainerRecord const& rec);

/// One -p mapping of a container, as `port` prints it.
struct PublishedPort {
    std::string key;    ///< "80/tcp"
    std::string host;   ///< where it listens on the host: "0.0.0.0:8080", "[::1]:8080"
};
/// The container's -p mappings, in the order given.
std::vector<PublishedPort> published_ports(container::ContainerRecord const& rec);

/// Bytes used by a directory tree (files counted once per inode).
int64_t disk_usage(std::string const& path);

} // namespace berth::engine
