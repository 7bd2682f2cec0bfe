// -p/--publish parsing and formatting (see ports.h). Pure functions: no
// system calls, so every case is covered by container_test.cpp.
#include "network/ports.h"

#include <arpa/inet.h>
#include <charconv>

namespace berth::network {

namespace {

/// A port or a range "8080-8081": its first port and count (1 without a range); 0 for "" when `allow_empty`.
struct PortRange {
    uint16_t first = 0;
    uint16_t count = 1;
};

Result<uint16_t> parse_one_port(std::string_view text, std::string_view value, char const* what)
{
    unsigned n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 65535)
        return Error { EINVAL, "-p/--publish \"" + std::string(value) + "\": invalid " + what + " port \"" + std::string(text) + "\" (expected 1-65535)" };
    return static_cast<uint16_t>(n);
}

Result<PortRange> parse_port(std::string_view text, std::string_view value, char const* what)
{
    auto dash = text.find('-');
    PortRange r;
    r.first = TRY(parse_one_port(text.substr(0, dash), value, what));
    if (dash == std::string_view::npos)
        return r;
    uint16_t last = TRY(parse_one_port(text.substr(dash + 1), value, what));
    if (last < r.first)
        return Error { EINVAL, "-p/--publish \"" + std::string(value) + "\": invalid " + what + " port range \"" + std::string(text) + "\" (the end is below the start)" };
    r.count = static_cast<uint16_t>(last - r.first + 1);
    return r;
}

bool valid_ip(std::string const& ip)
{
    // inet_pton reads up to a NUL: "::1\0junk" would pass with the junk kept.
    if (ip.find('\0') != std::string::npos)
        return false;
    unsigned char buf[16];
    return ::inet_pton(AF_INET, ip.c_str(), buf) == 1 || ::inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

} // namespace

Result<std::vector<PortMapping>> parse_publish(std::string_view value)
{
    auto bad = [&](std::string const& why) { return Error { EINVAL, "-p/--publish \"" + std::string(value) + "\": " + why }; };
    PortMapping m;
    std::string_view rest = value;
    if (auto slash = rest.rfind('/'); slash != std::string_view::npos) {
        m.protocol = std::string(rest.substr(slash + 1));
        rest = rest.substr(0, slash);
        if (m.protocol != "tcp" && m.protocol != "udp")
            return bad("unsupported protocol \"" + m.protocol + "\" (expected tcp or udp)");
    }
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return bad("expected [IPv6]:HOSTPORT:CONTAINERPORT");
        m.host_ip = std::string(rest.substr(1, close - 1));
        rest = rest.substr(close + 2);
        if (rest.find(':') == std::string_view::npos)
            rest = std::string_view(rest.data() - 1, rest.size() + 1);  // "[ip]:80" has an empty host port
    }
    std::vector<std::string_view> parts;
    for (size_t start = 0;;) {
        auto colon = rest.find(':', start);
        parts.push_back(rest.substr(start, colon == std::string_view::npos ? std::string_view::npos : colon - start));
        if (colon == std::string_view::npos)
            break;
        start = colon + 1;
    }
    if (parts.size() > 3 || (parts.size() == 3 && !m.host_ip.empty()))
        return bad("expected [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] (IPv6 addresses go in brackets)");
    if (parts.size() == 3)
        m.host_ip = std::string(parts[0]);
    auto container = TRY(parse_port(parts.back(), value, "container"));
    std::string_view host_text = parts.size() >= 2 ? parts[parts.size() - 2] : std::string_view();
    // Without a host port each container port gets a random free one (0 until create picks it), as Podman.
    PortRange host { 0, container.count };
    if (!host_text.empty())
        host = TRY(parse_port(host_text, value, "host"));
    if (host.count != container.count)
        return bad("the host port range and the container port range differ in length");
    if (!m.host_ip.empty() && !valid_ip(m.host_ip))
        return bad("invalid IP address \"" + m.host_ip + "\"");
    if (m.host_ip == "0.0.0.0")
        m.host_ip.clear();
    if (container.first + container.count - 1 > 65535 || host.first + host.count - 1 > 65535)
        return bad("port range beyond 65535");
    std::vector<PortMapping> out;
    for (uint16_t i = 0; i < container.count; ++i) {
        PortMapping one = m;
        one.container_port = static_cast<uint16_t>(container.first + i);
        one.host_port = host.first == 0 ? 0 : static_cast<uint16_t>(host.first + i);
        out.push_back(std::move(one));
    }
    return out;
}

Result<std::vector<PortMapping>> parse_publish_list(std::vector<std::string> const& values)
{
    std::vector<PortMapping> out;
    for (auto const& v : values)
        for (auto& m : TRY(parse_publish(v)))
            out.push_back(std::move(m));
    return out;
}

std::string publish_text(PortMapping const& m)
{
    std::string ip = m.host_ip.find(':') != std::string::npos ? "[" + m.host_ip + "]" : m.host_ip;
    return (ip.empty() ? "" : ip + ":") + std::to_string(m.host_port) + ":" + std::to_string(m.container_port) + "/" + m.protocol;
}

Result<PortMapping> parse_exposed(std::string_view value)
{
    auto slash = value.find('/');
    PortMapping m;
    m.protocol = slash == std::string_view::npos ? "tcp" : std::string(value.substr(slash + 1));
    if (m.protocol != "tcp" && m.protocol != "udp")
        return Error { EINVAL, "--expose \"" + std::string(value) + "\": unsupported protocol \"" + m.protocol + "\" (expected tcp or udp)" };
    unsigned n = 0;
    auto text = value.substr(0, slash);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 65535)
        return Error { EINVAL, "--expose \"" + std::string(value) + "\": invalid port (expected 1-65535)" };
    m.container_port = static_cast<uint16_t>(n);
    return m;
}

std::string host_address(PortMapping const& m)
{
    std::string ip = m.host_ip.empty() ? "0.0.0.0" : m.host_ip.find(':') != std::string::npos ? "[" + m.host_ip + "]" : m.host_ip;
    return ip + ":" + std::to_string(m.host_port);
}

std::string format_port(PortMapping const& m)
{
    return host_address(m) + "->" + port_key(m);
}

std::string port_key(PortMapping const& m)
{
    return std::to_string(m.container_port) + "/" + m.protocol;
}

std::vector<PortMapping> published_ports(Json const& config)
{
    std::vector<PortMapping> out;
    if (!config.contains("publish") || !config["publish"].is_array())
        return out;
    for (auto const& v : config["publish"])
        if (v.is_string())
            if (auto m = parse_publish(v.get<std::string>()))
                out.insert(out.end(), m->begin(), m->end());
    return out;
}

Json port_bindings_json(std::vector<PortMapping> const& mappings)
{
    Json out = Json::object();
    for (auto const& m : mappings)
        out[port_key(m)].push_back(Json { { "HostIp", m.host_ip }, { "HostPort", std::to_string(m.host_port) } });
    return out;
}

std::string ports_text(std::vector<PortMapping> const& mappings)
{
    std::string out;
    for (size_t i = 0; i < mappings.size();) {
        // A run of mappings whose host and container ports both go up by one
        // (a range, or -p flags that make one) is one entry, as Podman shows it.
        auto const& first = mappings[i];
        size_t n = 1;
        while (i + n < mappings.size()) {
            auto const& next = mappings[i + n];
            if (next.host_ip != first.host_ip || next.protocol != first.protocol || next.host_port != first.host_port + n
                || next.container_port != first.container_port + n)
                break;
            ++n;
        }
        std::string text = format_port(first);
        if (n > 1) {
            auto const& last = mappings[i + n - 1];
            text = host_address(first) + "-" + std::to_string(last.host_port) + "->" + std::to_string(first.container_port) + "-"
                + std::to_string(last.container_port) + "/" + first.protocol;
        }
        out += (out.empty() ? "" : ", ") + text;
        i += n;
    }
    return out;
}

std::vector<std::string> pasta_port_args(std::vector<PortMapping> const& mappings)
{
    std::vector<std::string> args;
    for (char const* proto : { "tcp", "udp" }) {
        bool any = false;
        for (auto const& m : mappings) {
            if (m.protocol != proto)
                continue;
            any = true;
            args.push_back(m.protocol == "tcp" ? "-t" : "-u");
            args.push_back((m.host_ip.empty() ? "" : m.host_ip + "/") + std::to_string(m.host_port) + ":" + std::to_string(m.container_port));
        }
        if (!any) {
            args.push_back(std::string(proto) == "tcp" ? "-t" : "-u");
            args.push_back("none");
        }
    }
    return args;
}

} // namespace berth::network
