// Isolation between user-defined networks: a container on one network cannot
// reach a container on another (the must-hold of issue 13). netavark 1.4
// (Debian 12) accepts everything a bridge's subnet sends in the FORWARD
// chain and has no `isolate` option, so berth adds filter rules of its own,
// in the scheme Docker uses (two chains, so that one rule per bridge in each
// suffices):
//
//   FORWARD            -j BERTH-ISOLATION-1                (first rule)
//   BERTH-ISOLATION-1  -m conntrack --ctstate DNAT -j RETURN
//                      -i BR ! -o BR -j BERTH-ISOLATION-2  (per bridge)
//   BERTH-ISOLATION-2  -o BR -j DROP                       (per bridge)
//
// A packet that enters from an isolated bridge and leaves through another
// isolated bridge is dropped; traffic within a bridge, to and from the host
// (INPUT/OUTPUT) and to the outside is untouched, and so are replies coming
// back (they enter from the outside). Connections to a published port
// (netavark's DNAT) stay reachable from every network, as the port is
// published for everyone, in both directions (the conntrack state covers the
// replies). A network created with `-o isolate=false` is left out.
//
// The rules go where netavark's are: the host's namespace as root, the
// per-user network namespace rootless; they are added after netavark's setup
// and removed when netavark has taken the bridge away (teardown.h
// release_isolation), all under netavark's lock, through the iptables that
// netavark runs. The hard part, the rule list itself, is pure
// (isolation_commands, cleanup_commands) and unit-tested.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <string>
#include <string_view>
#include <vector>

namespace berth::network {

/// The bridges of a netavark options document (netavark.h netavark_options)
/// that are isolated: every bridge network's interface but those created
/// with isolate=false.
std::vector<std::string> isolated_bridges(Json const& netavark_options);

/// The iptables arguments (after the program) that isolate `bridges`, given
/// `listing`, the output of `iptables -t filter -S`: only what is missing,
/// so nothing when all is in place; the FORWARD jump moved to the top when
/// another rule (netavark's) came before it.
std::vector<std::vector<std::string>> isolation_commands(std::string_view listing, std::vector<std::string> const& bridges);

/// The iptables arguments that remove berth's chains and the FORWARD jump
/// when no bridge rule is left in them (given `iptables -t filter -S`'s
/// output); nothing while a bridge still has rules.
std::vector<std::vector<std::string>> cleanup_commands(std::string_view listing);

/// Runs isolation_commands for `bridges` with `iptables` in the network
/// namespace `netns_fd` (-1: ours). The caller holds netavark's lock.
ErrorOr isolate_bridges(std::string const& iptables, std::vector<std::string> const& bridges, int netns_fd);

/// The bridges that have rules in berth's chains, given `iptables -t filter -S`'s output.
std::vector<std::string> isolated_in(std::string_view listing);

/// The iptables arguments that remove the rules of `bridge`.
std::vector<std::vector<std::string>> removal_commands(std::string const& bridge);

/// In our network namespace: removes the rules of every bridge that is gone
/// (whatever took it away: a monitor killed before its teardown, a berth of
/// before the rules, Podman), then the chains if no bridge is left. The
/// caller holds netavark's lock (network rm and prune, system reset).
ErrorOr sweep_isolation(std::string const& iptables);

} // namespace berth::network
