// hosts_file() and resolv_conf(): see etc_files.h. Covered by network_test.cpp.
#include "network/etc_files.h"

#include <sstream>

namespace berth::network {

std::string hosts_file(HostsInputs const& in)
{
    std::string hosts;
    for (auto const& h : in.add_hosts) {
        auto colon = h.find(':');
        hosts += h.substr(colon + 1) + "\t" + h.substr(0, colon) + "\n";
    }
    if (in.mode.kind == NetworkMode::Kind::Host)
        return hosts + in.host_hosts;
    hosts += "127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n";
    if (!in.host_address.empty())
        hosts += in.host_address + "\thost.containers.internal\n";
    std::string names = in.hostname + (in.name.empty() || in.name == in.hostname ? "" : " " + in.name);
    hosts += (in.container_address.empty() ? "127.0.1.1" : in.container_address) + "\t" + names + "\n";
    return hosts;
}

std::string resolv_conf(std::string const& host, std::vector<std::string> const& dns,
    std::vector<std::string> const& search, std::vector<std::string> const& options, std::string const& helper_dns)
{
    auto join = [](std::string word, std::vector<std::string> const& values) {
        for (auto const& v : values)
            word += " " + v;
        return word + "\n";
    };
    std::string out;
    if (!search.empty())
        out += join("search", search);
    for (auto const& server : dns)
        out += "nameserver " + server + "\n";
    if (dns.empty() && !helper_dns.empty())
        out += "nameserver " + helper_dns + "\n";
    if (!options.empty())
        out += join("options", options);
    std::istringstream in(host);
    std::string line;
    while (std::getline(in, line)) {
        auto replaced = [&](char const* key, bool given) { return given && line.rfind(key, 0) == 0; };
        if (replaced("search", !search.empty()) || replaced("domain", !search.empty())
            || replaced("nameserver", !dns.empty()) || replaced("options", !options.empty()))
            continue;
        out += line + "\n";
    }
    return out;
}

} // namespace berth::network
