// The per-user network namespace of rootless user-defined networks: it holds
// the bridges, the containers' host-side veths and aardvark-dns, and pasta
// connects it to the host for egress, as Podman's rootless-netns does. It
// is created on first use and kept, like the pause process, until `system
// reset` (or a reboot); every berth of the user shares it.
//
// The hard part is that it must outlive the berth that made it without a
// process of its own: it is a bind mount of a namespace that a short-lived
// child unshared, on RUN_ROOT/netns/rootless-netns, inside the user's mount
// namespace (the pause process's), and pasta (a daemon of its own) quits by
// itself when that file goes. Creation is under a lock, so two first uses
// make one namespace.
#pragma once

#include "base/error.h"

#include <string>

namespace berth::network {

/// The namespace's path, made (with its pasta) if it is not there or its
/// pasta is gone. `pasta`: the program (PATH lookup if bare).
Result<std::string> ensure_rootless_netns(std::string const& run_root, std::string const& pasta = "pasta");

/// Ends pasta and unmounts the namespace (system reset); nothing if none.
void remove_rootless_netns(std::string const& run_root);

} // namespace berth::network
