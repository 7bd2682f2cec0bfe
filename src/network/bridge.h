// A container on user-defined (bridge) networks, driven through netavark,
// Podman's network backend: the engine plans (which netavark, its config
// directory, the options document it reads with -f), berth-launch runs
// `netavark setup` on the container's network namespace after the runtime
// created it and before the container's process runs (setup_bridge), and
// the monitor runs `netavark teardown` when the container exits (teardown.h,
// teardown_bridge). netavark makes the bridge, the veth pair, the addresses,
// the NAT and port-forwarding rules, and starts aardvark-dns for networks
// with DNS.
//
// The hard part is the lifetime of the container's network namespace:
// netavark's teardown needs it after the container's last process is gone,
// so setup bind mounts it on run_dir/netavark-ns, and teardown unmounts it
// once netavark has run. Rootless, netavark must run where the bridges live,
// the per-user network namespace (rootless_netns.h): both setup and
// teardown join it first (the teardown file names it).
#pragma once

#include "base/error.h"
#include "base/file_lock.h"
#include "base/json.h"

#include <string>
#include <vector>
#include <sys/types.h>

namespace berth::network {

struct BridgePlan {
    std::string netavark;       ///< path of netavark; "" when the container has no bridge network
    std::string aardvark;       ///< path of aardvark-dns
    std::string config_dir;     ///< netavark --config: where aardvark-dns keeps its state
    bool rootless = false;      ///< netavark --rootless
    std::string enter_netns;    ///< rootless: the network namespace netavark runs in; "" as root
    std::string options_file;   ///< netavark's network options (netavark.h netavark_options)
    std::vector<std::string> proxy_ports;  ///< rootless: -p values the port proxy publishes (port_proxy.h)
    std::string proxy_target;   ///< rootless: the container's address the proxy connects to
    std::string iptables;       ///< the iptables netavark runs ("" when not installed)
    std::vector<std::string> isolate;  ///< bridges whose networks are isolated from each other (isolation.h)

    bool active() const { return !netavark.empty(); }
    Json to_json() const;
    static Result<BridgePlan> from_json(Json const& json);
};

/// netavark and aardvark-dns where Podman's packages install them (the
/// helper directories of containers.conf first, then /usr/libexec/podman,
/// /usr/lib/podman, PATH); ENOENT naming the package to install.
Result<std::string> find_netavark(std::vector<std::string> const& helper_dirs = {});
Result<std::string> find_aardvark(std::vector<std::string> const& helper_dirs = {});

/// In berth-launch: binds the network namespace of `init_pid` on
/// run_dir/netavark-ns, writes the teardown file, runs `netavark setup` and
/// writes its status (network name -> interfaces) to run_dir/netavark-status.json,
/// then isolates the plan's bridges (isolation.h; the teardown removes the
/// rules of the bridges it takes away, as run_dir/netavark.isolation says).
/// On failure nothing is left set up. The Error carries netavark's message.
ErrorOr setup_bridge(BridgePlan const& plan, std::string const& run_dir, pid_t init_pid);

/// netavark's lock: one netavark at a time where its iptables chains live
/// (two setups of a new network race to make them, as Podman knows). As root
/// that is the host's namespace, shared by every store (the default network
/// has the same ID, so the same chains, in each): one lock for the host,
/// /run/lock/berth-netavark.lock. Rootless, each store's own namespace: a
/// lock in its config directory.
std::string netavark_lock_file(BridgePlan const& plan);
Result<FileLock> lock_netavark(BridgePlan const& plan);

/// Isolates `bridges` (isolation.h) where the plan's netavark runs, and adds
/// them to run_dir/netavark.isolation for the teardown. The caller holds
/// netavark's lock (network connect and reload; setup_bridge does it itself).
ErrorOr isolate_for_container(BridgePlan const& plan, std::string const& run_dir, std::vector<std::string> const& bridges);

/// Removes the rules of those of `bridges` that netavark has taken away
/// (after a teardown of some of a container's networks, under the lock).
void release_bridges(BridgePlan const& plan, std::vector<std::string> const& bridges);

/// As root, after networks were removed (network rm, prune, system reset):
/// under netavark's lock, isolation.h sweep_isolation on the host. Rootless,
/// nothing: the rules live in the per-user namespace, which reset removes whole.
void tidy_host_isolation(bool rootless);

/// The status file setup_bridge wrote (netavark.h parse_netavark_status's input); "" if none.
std::string read_bridge_status(std::string const& run_dir);

} // namespace berth::network
