// --network/--net: the one parser of a container's network mode, returning a
// typed NetworkMode that create, start, inspect and the spec builder share,
// and the default a container gets when no mode is given. Podman's spellings:
// none, host, private, pasta[:OPTIONS,...], slirp4netns[:KEY=VALUE,...],
// container:NAME, ns:PATH, and user-defined networks: NAME[:OPTIONS][,NAME...]
// (bridge networks driven through netavark). The hard part is the default: rootless it comes
// from containers.conf ([containers] netns, [network]
// default_rootless_network_cmd) and else from what is installed, so resolving
// it needs facts about the host that the caller gathers (DefaultInputs).
#pragma once

#include "base/error.h"

#include <string>
#include <string_view>
#include <vector>

namespace berth::network {

/// One user-defined network a container joins, as --network NAME:OPTIONS asks:
/// alias=, ip=, ip6=, mac=, interface_name= (Podman's keys).
struct NetworkRequest {
    std::string network;                 ///< name or id as given; the engine makes it the name
    std::vector<std::string> aliases;
    std::vector<std::string> ips;        ///< static addresses (ip= and ip6=)
    std::string mac;
    std::string interface_name;          ///< "" for eth0, eth1, ... in order
    bool operator==(NetworkRequest const&) const = default;
};

struct NetworkMode {
    enum class Kind {
        Default,     ///< "" or "private": the engine's default, resolved by default_mode()
        None,        ///< a network namespace with loopback only
        Host,        ///< the host's network namespace
        Pasta,       ///< user-mode networking by pasta (passt)
        Slirp4netns, ///< user-mode networking by slirp4netns
        Container,   ///< another container's network namespace
        Path,        ///< a network namespace by path (ns:PATH)
        Bridge,      ///< user-defined networks (netavark): `networks`; "bridge" alone is the default network
    };
    Kind kind = Kind::Default;
    std::string value;                 ///< Container: its name or id; Path: the path
    std::vector<std::string> options;  ///< Pasta: pasta's own options; Slirp4netns: KEY=VALUE
    std::vector<NetworkRequest> networks;  ///< Bridge: in the order given, at least one

    /// The mode as stored and as inspect's HostConfig.NetworkMode shows it:
    /// "pasta", "slirp4netns", "container:ID", "ns:PATH", "bridge"; options are not shown (as Podman).
    std::string name() const;
    /// The mode with its options, as parse() reads it back.
    std::string text() const;
    /// A network namespace of the container's own that a helper connects.
    bool user_mode() const { return kind == Kind::Pasta || kind == Kind::Slirp4netns; }
    /// Ports can be published (-p): by a helper or by netavark.
    bool publishes() const { return user_mode() || kind == Kind::Bridge; }
    /// The container has a network namespace of its own (not the host's, nor another's).
    bool own_namespace() const { return kind != Kind::Host && kind != Kind::Container && kind != Kind::Path; }
};

/// Whether a connection to a port published in a mode reaches the container
/// from the client's own address (for a server's logs and access rules), and
/// how; `info` shows it (a berth extension) and man/berth-run.1.md says it.
struct ClientAddress {
    bool kept = false;
    std::string how;
};

/// For a resolved mode (not Default) of a container run by root or rootless:
/// pasta, and slirp4netns with port_handler=slirp4netns (`options`), relay
/// each connection from the client's address; slirp4netns's default
/// port_handler=rootlesskit does not (berth's port proxy connects from the
/// container's own address, as Podman's rootlessport); user-defined networks
/// keep it as root (netavark's DNAT rules) but not rootless (berth's port
/// proxy connects from the network's gateway); host publishes nothing, the
/// container is the host; none, container: and ns: publish nothing.
ClientAddress published_client_address(NetworkMode::Kind kind, bool rootless, std::vector<std::string> const& options = {});

/// Podman's warning when -p is given with a mode that cannot publish ports.
inline constexpr char const* discarded_ports_warning = "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use";

/// The words --network reads as modes, not networks (none, host, private,
/// pasta, slirp4netns, container, ns): no network may have such a name.
bool is_mode_word(std::string_view word);

/// Checks a MAC address as --mac-address and --network NAME:mac= take it: six
/// pairs of hex digits separated by ':' (or '-'); else Podman's error
/// "address X: invalid MAC address".
ErrorOr check_mac_address(std::string_view text);

/// Parses a --network value; an unknown mode, an option of a mode that takes
/// none, or a malformed option is an Error naming it.
Result<NetworkMode> parse_network_mode(std::string_view text);

/// slirp4netns's options, checked (Podman's: allow_host_loopback, cidr,
/// enable_ipv6, mtu, outbound_addr, outbound_addr6, port_handler).
struct Slirp4netnsOptions {
    bool allow_host_loopback = false;
    bool enable_ipv6 = false;
    std::string cidr;            ///< empty: slirp4netns's 10.0.2.0/24
    unsigned mtu = 65520;
    std::string outbound_addr, outbound_addr6;
    /// port_handler=rootlesskit (Podman's default): published ports go through
    /// berth's port proxy (port_proxy.h), which connects from inside the
    /// namespace, so the container sees its own address as the client's;
    /// port_handler=slirp4netns: through slirp4netns's add_hostfwd, slower
    /// but the client's address is kept.
    bool proxy_ports = true;
};
Result<Slirp4netnsOptions> parse_slirp4netns_options(std::vector<std::string> const& options);

/// What the default depends on, gathered by the caller.
struct DefaultInputs {
    bool rootless = false;
    bool publishes = false;            ///< -p or -P given
    bool external_runtime = false;     ///< --runtime: the helper cannot be started (see default_mode)
    std::string conf_netns;            ///< containers.conf [containers] netns
    std::string conf_rootless_cmd;     ///< containers.conf [network] default_rootless_network_cmd
    bool have_pasta = false;           ///< pasta is installed
    bool have_slirp4netns = false;     ///< slirp4netns is installed
};

/// The mode a container gets for "" or "private". Rootless: containers.conf's
/// netns, else its default_rootless_network_cmd, else pasta where installed,
/// else slirp4netns, else an Error naming the package to install. As root:
/// containers.conf's netns, else the default network "podman" (a bridge).
/// With an external runtime: containers.conf's netns, else pasta with
/// published ports and none without.
Result<NetworkMode> default_mode(DefaultInputs const& in);

} // namespace berth::network
