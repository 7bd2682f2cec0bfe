// -p/--publish parsing and formatting (see ports.h). Pure functions: no
// system calls, so every case is covered by container_test.cpp.
#include "container/ports.h"

#include <arpa/inet.h>
#include <charconv>

namespace berth::container {

namespace {

Result<uint16_t> parse_port(std::string_view text, std::string_view value, char const* what)
{
    unsigned n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.find('-') != std::string_view::npos)
        return Error { EINVAL, "-p/--publish \"" + std::string(value) + "\": port ranges are not supported yet" };
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 65535)
        return Error { EINVAL, "-p/--publish \"" + std::string(value) + "\": invalid " + what + " port \"" + std::string(text) + "\" (expected 1-65535)" };
    return static_cast<uint16_t>(n);
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

Result<PortMapping> parse_publish(std::string_view value)
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
    m.container_port = TRY(parse_port(parts.back(), value, "container"));
    std::string_view host = parts.size() >= 2 ? parts[parts.size() - 2] : std::string_view();
    if (host.empty())
        m.host_port = m.container_port;
    else
        m.host_port = TRY(parse_port(host, value, "host"));
    if (!m.host_ip.empty() && !valid_ip(m.host_ip))
        return bad("invalid IP address \"" + m.host_ip + "\"");
    if (m.host_ip == "0.0.0.0")
        m.host_ip.clear();
    return m;
}

Result<std::vector<PortMapping>> parse_publish_list(std::vector<std::string> const& values)
{
    std::vector<PortMapping> out;
    for (auto const& v : values)
        out.push_back(TRY(parse_publish(v)));
    return out;
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
                out.push_back(*m);
    return out;
}

Json port_bindings_json(std::vector<PortMapping> const& mappings)
{
    Json out = Json::object();
    for (auto const& m : mappings)
        out[port_key(m)].push_back(Json { { "HostIp", m.host_ip.empty() ? "0.0.0.0" : m.host_ip }, { "HostPort", std::to_string(m.host_port) } });
    return out;
}

std::string ports_text(std::vector<PortMapping> const& mappings)
{
    std::string out;
    for (auto const& m : mappings)
        out += (out.empty() ? "" : ", ") + format_port(m);
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

} // namespace berth::container
