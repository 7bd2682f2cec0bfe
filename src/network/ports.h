// -p/--publish: parsing Podman's IP:HOSTPORT:CONTAINERPORT/PROTO, the text
// shown by `port`, `ps` and inspect, and the port options handed to pasta.
// The hard part is the IP: "[::1]:8080:80" carries colons of its own, so the
// address is split off only when bracketed, and a bare IPv6 address is refused.
// Ranges become one mapping per port; a missing host port is a random free
// one, which create chooses (port_choice.cpp) and stores, as Podman does.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "base/unique_fd.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::network {

/// One published port: host_ip:host_port on the host reaches container_port.
struct PortMapping {
    std::string host_ip;          ///< empty: every address (shown as 0.0.0.0)
    uint16_t host_port = 0;
    uint16_t container_port = 0;
    std::string protocol = "tcp"; ///< tcp | udp
};

/// Parses one -p value: [IP:][HOSTPORT[-END]:]CONTAINERPORT[-END][/tcp|/udp],
/// one mapping per port of a range. Without a host port, host_port is 0: a
/// random free port, chosen at create (choose_host_ports). sctp and
/// unbracketed IPv6 addresses are refused with an error naming the value.
Result<std::vector<PortMapping>> parse_publish(std::string_view value);

/// Parses every -p value (errors name the flag and the value).
Result<std::vector<PortMapping>> parse_publish_list(std::vector<std::string> const& values);

/// Gives every mapping whose host_port is 0 a free port of the host (bound
/// and released by the kernel's choice, as Podman picks them), distinct
/// within the list.
ErrorOr choose_host_ports(std::vector<PortMapping>& mappings);

/// A socket of the mapping's protocol bound to `port` on the mapping's
/// address (with `v6` and no address: on "::" alone, v6-only), listening
/// when TCP; port 0 takes the kernel's choice and does not listen. The
/// errno of the step that failed (socket, bind, listen).
Result<UniqueFd> bind_host_port(PortMapping const& m, uint16_t port, bool v6 = false);

/// EADDRINUSE naming the first mapping whose host port something else
/// listens on (for a mapping without an address: on 0.0.0.0 or on "::").
/// For pasta, which binds what it can and goes on without the rest.
ErrorOr check_host_ports_free(std::vector<PortMapping> const& mappings);

/// The -p text of one mapping, as create stores it once ports are chosen: "127.0.0.1:8080:80/tcp".
std::string publish_text(PortMapping const& m);

/// An exposed port, "80" or "53/udp" (--expose, the image's EXPOSE): container_port and protocol.
Result<PortMapping> parse_exposed(std::string_view value);

/// "0.0.0.0:8080" ("[::1]:8080" for IPv6): where the mapping listens on the host.
std::string host_address(PortMapping const& m);

/// "0.0.0.0:8080->80/tcp", as Podman's ps PORTS column.
std::string format_port(PortMapping const& m);

/// "80/tcp", the key of NetworkSettings.Ports and HostConfig.PortBindings.
std::string port_key(PortMapping const& m);

/// The mappings recorded in a container's create options ("publish");
/// values that do not parse (none should) are skipped.
std::vector<PortMapping> published_ports(Json const& config);

/// {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}: inspect's
/// HostConfig.PortBindings and NetworkSettings.Ports ("" HostIp: every address, as Podman).
Json port_bindings_json(std::vector<PortMapping> const& mappings);

/// ps's PORTS: format_port() of each, joined with ", ".
std::string ports_text(std::vector<PortMapping> const& mappings);

/// pasta's forwarding options for the mappings: -t/-u [ADDR/]HOST:CONTAINER
/// each, and "none" for a protocol without mappings.
std::vector<std::string> pasta_port_args(std::vector<PortMapping> const& mappings);

} // namespace berth::network
