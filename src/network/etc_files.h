// The name-resolution files berth writes for each container and bind mounts
// over the image's: /etc/hosts, /etc/resolv.conf and /etc/hostname. Pure
// functions from the host's files and the container's flags to the text; the
// engine reads the host's files and writes the results into the bundle. The
// subtle part is the mode: --network host sees the host's files, a
// user-mode network gets host.containers.internal and (slirp4netns) the
// helper's own DNS forwarder, and none gets loopback only.
#pragma once

#include "network/mode.h"

#include <string>
#include <vector>

namespace berth::network {

struct HostsInputs {
    NetworkMode mode;                   ///< resolved
    std::string hostname;               ///< the container's hostname
    std::string name;                   ///< the container's name
    std::vector<std::string> add_hosts; ///< --add-host HOST:IP (checked)
    std::string host_hosts;             ///< the host's /etc/hosts
    std::string host_address;           ///< the host as host.containers.internal; "" for none
    std::string container_address;      ///< the container's own address; "" for 127.0.1.1
};
/// The container's /etc/hosts.
std::string hosts_file(HostsInputs const& in);

/// resolv.conf for the container: the host's, with --dns, --dns-search and
/// --dns-option replacing its nameserver, search and options lines. Without
/// --dns, `helper_dns` (slirp4netns's forwarder) comes first, as Podman writes it.
std::string resolv_conf(std::string const& host, std::vector<std::string> const& dns,
    std::vector<std::string> const& search, std::vector<std::string> const& options, std::string const& helper_dns = "");

/// /etc/hostname.
inline std::string hostname_file(std::string const& hostname) { return hostname + "\n"; }

} // namespace berth::network
