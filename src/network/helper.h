// The network module's interface to the engine and the monitor: how a
// container with a user-mode network (pasta, slirp4netns) gets connected.
// The engine plans (plan_helper: which program, which options, which ports)
// when it starts a container; berth-launch attaches the helper to the
// container's network namespace after the runtime created it and before the
// container's process runs (attach_helper); berth-monitor tears it down when
// the container exits (teardown.h). The plan crosses from berth to
// berth-launch as JSON in the launch config.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "network/mode.h"
#include "network/ports.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::network {

struct HelperPlan {
    enum class Program { None, Pasta, Slirp4netns };
    Program program = Program::None;
    std::string executable;              ///< what is executed: "pasta", "slirp4netns" or a path
    std::vector<std::string> args;       ///< the program's options, without the namespace to join
    /// The -p mappings. slirp4netns: published once it runs, by proxy_target
    /// or its API socket; pasta (its args publish them): checked free first.
    std::vector<PortMapping> forwards;
    std::string proxy_target;            ///< slirp4netns port_handler=rootlesskit: the container's address for berth's port proxy
    bool publishes = false;              ///< it holds host ports: forwards, or pasta's own -t/-u among the user's options

    Json to_json() const;
    static Result<HelperPlan> from_json(Json const& json);
};

/// The helper for `mode` (resolved: not Default) publishing `ports`; Program::None
/// for a mode without one. `executable`: --network-cmd-path, or "" for the
/// program's name looked up in PATH.
Result<HelperPlan> plan_helper(NetworkMode const& mode, std::vector<PortMapping> const& ports, std::string const& executable = "");

/// Runs in berth-launch: starts the planned helper as this process's child on
/// the network namespace of `init_pid` (and its user namespace when
/// `own_userns`), and returns once the namespace is configured and the ports
/// are bound; its pid is then in run_dir/network.pid (teardown.h). An Error
/// names the helper and its last message (a port in use, a missing program).
ErrorOr attach_helper(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns);

} // namespace berth::network
