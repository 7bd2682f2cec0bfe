// parse_network_mode() and default_mode(): see mode.h. Pure functions, covered
// by network_test.cpp.
#include "network/mode.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <charconv>

namespace berth::network {

namespace {

std::vector<std::string> split_commas(std::string_view text)
{
    std::vector<std::string> out;
    for (size_t start = 0;;) {
        auto comma = text.find(',', start);
        out.emplace_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (comma == std::string_view::npos)
            return out;
        start = comma + 1;
    }
}

Result<bool> parse_bool(std::string const& option, std::string const& value)
{
    if (value == "true")
        return true;
    if (value == "false")
        return false;
    return Error { EINVAL, "slirp4netns option \"" + option + "\": expected true or false" };
}

bool valid_address(int family, std::string const& text)
{
    unsigned char buf[16];
    return text.find('\0') == std::string::npos && ::inet_pton(family, text.c_str(), buf) == 1;
}

bool valid_name(std::string_view name)
{
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front())))
        return false;
    return std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; });
}

/// NAME[:KEY=VALUE][,KEY=VALUE...][,NAME[:...]...]: an item without "=", or
/// with a ":" before its "=", starts the next network, so "a:alias=x,b" and
/// "a:alias=x,b:alias=y" are two networks.
Result<NetworkMode> parse_networks(std::string_view text)
{
    NetworkMode m;
    m.kind = NetworkMode::Kind::Bridge;
    for (auto const& item : split_commas(text)) {
        std::string option = item;
        auto eq_at = item.find('=');
        bool starts_network = eq_at == std::string::npos || m.networks.empty() || item.substr(0, eq_at).find(':') != std::string::npos;
        if (starts_network) {
            auto colon = item.find(':');
            NetworkRequest n;
            n.network = item.substr(0, colon);
            if (n.network == "bridge")
                n.network = "podman";  // Podman's spelling of the default network
            if (!valid_name(n.network))
                return Error { EINVAL, "network mode \"" + std::string(text) + "\": unknown: use none, host, private, pasta[:OPTIONS], slirp4netns[:OPTIONS], container:NAME, ns:PATH or a network's name" };
            // "host,alias=x" would be stored as "host:alias=x", which reads back as the host mode.
            if (is_mode_word(n.network))
                return Error { EINVAL, "network mode \"" + std::string(text) + "\": " + n.network + " is a network mode, not a network's name: give it alone" };
            m.networks.push_back(std::move(n));
            if (colon == std::string::npos)
                continue;
            option = item.substr(colon + 1);
        }
        auto eq = option.find('=');
        std::string key = option.substr(0, eq), value = eq == std::string::npos ? "" : option.substr(eq + 1);
        auto& n = m.networks.back();
        if (eq == std::string::npos || value.empty())
            return Error { EINVAL, "network \"" + n.network + "\" option \"" + option + "\": expected alias=, ip=, ip6=, mac= or interface_name= with a value" };
        if (key == "alias")
            n.aliases.push_back(value);
        else if (key == "ip" || key == "ip6") {
            if (!valid_address(key == "ip" ? AF_INET : AF_INET6, value))
                return Error { EINVAL, "network \"" + n.network + "\" option \"" + option + "\": not an " + (key == "ip" ? "IPv4" : "IPv6") + " address" };
            n.ips.push_back(value);
        } else if (key == "mac") {
            TRY(check_mac_address(value));
            n.mac = value;
        } else if (key == "interface_name") {
            n.interface_name = value;
        } else {
            return Error { EINVAL, "network \"" + n.network + "\": unknown option \"" + option + "\": use alias=, ip=, ip6=, mac= or interface_name=" };
        }
    }
    for (size_t i = 0; i < m.networks.size(); ++i)
        for (size_t j = 0; j < i; ++j)
            if (m.networks[i].network == m.networks[j].network)
                return Error { EINVAL, "network \"" + m.networks[i].network + "\" is given twice" };
    return m;
}

} // namespace

bool is_mode_word(std::string_view word)
{
    for (char const* mode : { "none", "host", "private", "pasta", "slirp4netns", "container", "ns" })
        if (word == mode)
            return true;
    return false;
}

ErrorOr check_mac_address(std::string_view text)
{
    // "xx:xx:xx:xx:xx:xx": 17 characters, a separator after every pair, one separator throughout.
    bool ok = text.size() == 17 && (text[2] == ':' || text[2] == '-');
    for (size_t i = 0; ok && i < text.size(); ++i)
        ok = i % 3 == 2 ? text[i] == text[2] : std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
    if (!ok)
        return Error { EINVAL, "address " + std::string(text) + ": invalid MAC address" };
    return {};
}

std::string NetworkMode::name() const
{
    switch (kind) {
    case Kind::Default: return "private";
    case Kind::None: return "none";
    case Kind::Host: return "host";
    case Kind::Pasta: return "pasta";
    case Kind::Slirp4netns: return "slirp4netns";
    case Kind::Container: return "container:" + value;
    case Kind::Path: return "ns:" + value;
    case Kind::Bridge: return "bridge";
    }
    return "";
}

std::string NetworkMode::text() const
{
    if (kind == Kind::Bridge) {
        std::string out;
        for (auto const& n : networks) {
            std::vector<std::string> opts;
            for (auto const& a : n.aliases)
                opts.push_back("alias=" + a);
            for (auto const& ip : n.ips)
                opts.push_back((ip.find(':') == std::string::npos ? "ip=" : "ip6=") + ip);
            if (!n.mac.empty())
                opts.push_back("mac=" + n.mac);
            if (!n.interface_name.empty())
                opts.push_back("interface_name=" + n.interface_name);
            out += (out.empty() ? "" : ",") + n.network;
            for (size_t i = 0; i < opts.size(); ++i)
                out += (i == 0 ? ":" : ",") + opts[i];
        }
        return out;
    }
    std::string out = name();
    for (size_t i = 0; i < options.size(); ++i)
        out += (i == 0 ? ":" : ",") + options[i];
    return out;
}

Result<NetworkMode> parse_network_mode(std::string_view text)
{
    NetworkMode m;
    auto colon = text.find(':');
    std::string_view word = text.substr(0, colon);
    std::string_view rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    bool has_rest = colon != std::string_view::npos;
    using Kind = NetworkMode::Kind;
    if (text.empty() || word == "private")
        m.kind = Kind::Default;
    else if (word == "none")
        m.kind = Kind::None;
    else if (word == "host")
        m.kind = Kind::Host;
    else if (word == "pasta")
        m.kind = Kind::Pasta;
    else if (word == "slirp4netns")
        m.kind = Kind::Slirp4netns;
    else if (word == "container")
        m.kind = Kind::Container;
    else if (word == "ns")
        m.kind = Kind::Path;
    else
        return parse_networks(text);
    if (m.kind == Kind::Container || m.kind == Kind::Path) {
        if (rest.empty())
            return Error { EINVAL, "network mode \"" + std::string(text) + "\": give " + (m.kind == Kind::Container ? "container:NAME" : "ns:PATH") };
        if (m.kind == Kind::Path && rest.front() != '/')
            return Error { EINVAL, "network mode \"" + std::string(text) + "\": the namespace path must be absolute" };
        m.value = std::string(rest);
        return m;
    }
    if (has_rest && !m.user_mode())
        return Error { EINVAL, "network mode \"" + std::string(text) + "\": " + std::string(word) + " takes no options" };
    if (has_rest) {
        if (rest.empty())
            return Error { EINVAL, "network mode \"" + std::string(text) + "\": empty option list" };
        m.options = split_commas(rest);
    }
    if (m.kind == Kind::Slirp4netns)
        TRY(parse_slirp4netns_options(m.options));
    return m;
}

Result<Slirp4netnsOptions> parse_slirp4netns_options(std::vector<std::string> const& options)
{
    Slirp4netnsOptions out;
    for (auto const& option : options) {
        auto eq = option.find('=');
        std::string key = option.substr(0, eq);
        std::string value = eq == std::string::npos ? "" : option.substr(eq + 1);
        if (eq == std::string::npos)
            return Error { EINVAL, "unknown option for slirp4netns: \"" + option + "\" (expected KEY=VALUE)" };
        if (key == "allow_host_loopback") {
            out.allow_host_loopback = TRY(parse_bool(option, value));
        } else if (key == "enable_ipv6") {
            out.enable_ipv6 = TRY(parse_bool(option, value));
        } else if (key == "cidr") {
            auto slash = value.find('/');
            unsigned bits = 0;
            auto bits_text = slash == std::string::npos ? std::string_view() : std::string_view(value).substr(slash + 1);
            auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
            if (slash == std::string::npos || !valid_address(AF_INET, value.substr(0, slash)) || ec != std::errc()
                || end != bits_text.data() + bits_text.size() || bits_text.empty() || bits > 30)
                return Error { EINVAL, "slirp4netns option \"" + option + "\": expected an IPv4 CIDR such as 10.0.2.0/24" };
            out.cidr = value;
        } else if (key == "mtu") {
            unsigned mtu = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mtu);
            if (value.empty() || ec != std::errc() || end != value.data() + value.size() || mtu < 68 || mtu > 65521)
                return Error { EINVAL, "slirp4netns option \"" + option + "\": expected an MTU from 68 to 65521" };
            out.mtu = mtu;
        } else if (key == "outbound_addr" || key == "outbound_addr6") {
            if (!valid_address(key == "outbound_addr" ? AF_INET : AF_INET6, value))
                return Error { EINVAL, "slirp4netns option \"" + option + "\": expected an " + (key == "outbound_addr" ? "IPv4" : "IPv6") + " address" };
            (key == "outbound_addr" ? out.outbound_addr : out.outbound_addr6) = value;
        } else if (key == "port_handler") {
            // rootlesskit: what Podman's rootlessport does (a proxy on the host
            // that connects inside the namespace), by berth's own proxy.
            if (value != "slirp4netns" && value != "rootlesskit")
                return Error { EINVAL, "slirp4netns option \"" + option + "\": expected port_handler=rootlesskit or port_handler=slirp4netns" };
            out.proxy_ports = value == "rootlesskit";
        } else {
            return Error { EINVAL, "unknown option for slirp4netns: \"" + option + "\"" };
        }
    }
    return out;
}

Result<NetworkMode> default_mode(DefaultInputs const& in)
{
    using Kind = NetworkMode::Kind;
    if (!in.conf_netns.empty() && in.conf_netns != "private") {
        auto m = TRY_CTX(parse_network_mode(in.conf_netns), "containers.conf netns");
        if (m.kind != Kind::Default)
            return m;
    }
    NetworkMode m;
    if (in.external_runtime) {
        // With --runtime neither a helper nor netavark can be attached
        // between the runtime's create and start yet (published ports then
        // ask for pasta, which the engine refuses with --runtime).
        m.kind = in.publishes ? Kind::Pasta : Kind::None;
        return m;
    }
    // As root, as Podman: the default bridge network "podman".
    if (!in.rootless)
        return parse_network_mode("bridge");
    if (in.conf_rootless_cmd == "pasta" || in.conf_rootless_cmd == "slirp4netns") {
        m.kind = in.conf_rootless_cmd == "pasta" ? Kind::Pasta : Kind::Slirp4netns;
        return m;
    }
    if (!in.conf_rootless_cmd.empty())
        return Error { EINVAL, "containers.conf default_rootless_network_cmd \"" + in.conf_rootless_cmd + "\": use pasta or slirp4netns" };
    if (in.have_pasta)
        m.kind = Kind::Pasta;
    else if (in.have_slirp4netns)
        m.kind = Kind::Slirp4netns;
    else
        return Error { ENOENT, "no user-mode network helper: install the passt package (pasta) or slirp4netns, or run with --network none" };
    return m;
}

ClientAddress published_client_address(NetworkMode::Kind kind, bool rootless, std::vector<std::string> const& options)
{
    using Kind = NetworkMode::Kind;
    switch (kind) {
    case Kind::Pasta:
        return { true, "pasta forwards each connection from the client's address (from the host's loopback: 127.0.0.1)" };
    case Kind::Slirp4netns:
        if (auto o = parse_slirp4netns_options(options); !o || o->proxy_ports)
            return { false, "berth's port proxy (port_handler=rootlesskit, the default) connects from inside the container's namespace: "
                            "the container sees its own address; port_handler=slirp4netns keeps the client's" };
        return { true, "slirp4netns forwards each connection from the client's address (from the host's loopback: 10.0.2.2)" };
    case Kind::Bridge:
        if (rootless)
            return { false, "berth's port proxy connects from the per-user network namespace: the container sees the network's gateway" };
        return { true, "netavark's DNAT rules rewrite only the destination (from the host's loopback: the network's gateway)" };
    case Kind::Host:
        return { true, "no ports are published: the container shares the host's network and sees its clients as the host does" };
    case Kind::Default:
    case Kind::None:
    case Kind::Container:
    case Kind::Path:
        break;
    }
    return { false, "no ports are published in this mode" };
}

} // namespace berth::network
