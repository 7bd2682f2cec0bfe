// Isolation rules between networks: see isolation.h.
#include "network/isolation.h"

#include "base/command.h"
#include "network/teardown.h"

#include <algorithm>
#include <net/if.h>

namespace berth::network {

namespace {

using Args = std::vector<std::string>;

std::string const chain1 = isolation_chain_1;
std::string const chain2 = isolation_chain_2;

Args dnat_rule() { return { "-m", "conntrack", "--ctstate", "DNAT", "-j", "RETURN" }; }
Args jump_rule() { return { "-j", chain1 }; }

/// `-A CHAIN ARGS...` as iptables -S prints it.
std::string listed(std::string const& chain, Args const& rule)
{
    std::string line = "-A " + chain;
    for (auto const& a : rule)
        line += " " + a;
    return line;
}

std::vector<std::string> lines_of(std::string_view listing)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start < listing.size()) {
        size_t end = listing.find('\n', start);
        if (end == std::string_view::npos)
            end = listing.size();
        auto line = listing.substr(start, end - start);
        while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
            line.remove_suffix(1);
        out.emplace_back(line);
        start = end + 1;
    }
    return out;
}

bool has(std::vector<std::string> const& lines, std::string const& line)
{
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

Args with(std::initializer_list<std::string> head, Args const& rule)
{
    Args out(head);
    out.insert(out.end(), rule.begin(), rule.end());
    return out;
}

/// Whether a bridge still has a rule in berth's chains.
bool any_bridge_rule(std::vector<std::string> const& lines)
{
    return std::any_of(lines.begin(), lines.end(), [](std::string const& l) {
        return l.rfind("-A " + chain1 + " -i ", 0) == 0 || l.rfind("-A " + chain2 + " -o ", 0) == 0;
    });
}

ErrorOr run_iptables(std::string const& iptables, std::vector<Args> const& commands, int netns_fd)
{
    CommandOptions options;
    options.netns_fd = netns_fd;
    for (auto const& c : commands) {
        Args argv { iptables, "-w" };
        argv.insert(argv.end(), c.begin(), c.end());
        auto result = TRY(run_command(argv, std::chrono::seconds(30), options));
        if (result.exit_code != 0) {
            std::string shown;
            for (auto const& a : c)
                shown += " " + a;
            return Error { EIO, "iptables" + shown + ": " + first_line(result.err) };
        }
    }
    return {};
}

Result<std::string> list_rules(std::string const& iptables, int netns_fd)
{
    if (iptables.empty())
        return Error { ENOENT, "iptables not found: isolating user-defined networks needs it: install the iptables package" };
    CommandOptions options;
    options.netns_fd = netns_fd;
    auto result = TRY(run_command({ iptables, "-w", "-t", "filter", "-S" }, std::chrono::seconds(30), options));
    if (result.exit_code != 0)
        return Error { EIO, "iptables -t filter -S: " + first_line(result.err) };
    return result.out;
}

} // namespace

std::vector<std::string> isolated_bridges(Json const& options)
{
    std::vector<std::string> out;
    if (!options.is_object() || !options.contains("network_info") || !options["network_info"].is_object())
        return out;
    for (auto const& [name, info] : options["network_info"].items()) {
        if (!info.is_object() || info.value("driver", "") != "bridge")
            continue;
        auto interface = info.value("network_interface", "");
        auto opts = info.value("options", Json::object());
        bool opted_out = opts.is_object() && opts.value("isolate", "") == "false";
        if (!interface.empty() && !opted_out && std::find(out.begin(), out.end(), interface) == out.end())
            out.push_back(interface);
    }
    return out;
}

std::vector<std::vector<std::string>> isolation_commands(std::string_view listing, std::vector<std::string> const& bridges)
{
    std::vector<Args> out;
    if (bridges.empty())
        return out;
    auto lines = lines_of(listing);
    // The chains, the DNAT exception first in the first one.
    for (auto const* chain : { &chain1, &chain2 })
        if (!has(lines, "-N " + *chain))
            out.push_back({ "-N", *chain });
    if (!has(lines, listed(chain1, dnat_rule())))
        out.push_back(with({ "-I", chain1, "1" }, dnat_rule()));
    // One rule per bridge in each chain.
    for (auto const& bridge : bridges) {
        Args stage1 { "-i", bridge, "!", "-o", bridge, "-j", chain2 };
        Args stage2 { "-o", bridge, "-j", "DROP" };
        if (!has(lines, listed(chain1, stage1)))
            out.push_back(with({ "-A", chain1 }, stage1));
        if (!has(lines, listed(chain2, stage2)))
            out.push_back(with({ "-A", chain2 }, stage2));
    }
    // The jump, before netavark's own ACCEPT rules: FORWARD's first rule.
    auto first = std::find_if(lines.begin(), lines.end(), [](std::string const& l) { return l.rfind("-A FORWARD ", 0) == 0; });
    std::string jump = listed("FORWARD", jump_rule());
    if (first == lines.end() || *first != jump) {
        if (has(lines, jump))
            out.push_back(with({ "-D", "FORWARD" }, jump_rule()));
        out.push_back(with({ "-I", "FORWARD", "1" }, jump_rule()));
    }
    return out;
}

std::vector<std::vector<std::string>> cleanup_commands(std::string_view listing)
{
    std::vector<Args> out;
    auto lines = lines_of(listing);
    if (any_bridge_rule(lines))
        return out;
    if (has(lines, listed("FORWARD", jump_rule())))
        out.push_back(with({ "-D", "FORWARD" }, jump_rule()));
    for (auto const* chain : { &chain1, &chain2 })
        if (has(lines, "-N " + *chain)) {
            out.push_back({ "-F", *chain });
            out.push_back({ "-X", *chain });
        }
    return out;
}

ErrorOr isolate_bridges(std::string const& iptables, std::vector<std::string> const& bridges, int netns_fd)
{
    if (bridges.empty())
        return {};
    auto listing = TRY(list_rules(iptables, netns_fd));
    return run_iptables(iptables, isolation_commands(listing, bridges), netns_fd);
}

std::vector<std::string> isolated_in(std::string_view listing)
{
    std::vector<std::string> out;
    for (auto const& line : lines_of(listing))
        for (auto const& prefix : { "-A " + chain1 + " -i ", "-A " + chain2 + " -o " })
            if (line.rfind(prefix, 0) == 0) {
                auto name = line.substr(prefix.size(), line.find(' ', prefix.size()) - prefix.size());
                if (std::find(out.begin(), out.end(), name) == out.end())
                    out.push_back(name);
            }
    return out;
}

std::vector<std::vector<std::string>> removal_commands(std::string const& bridge)
{
    return { { "-D", chain1, "-i", bridge, "!", "-o", bridge, "-j", chain2 }, { "-D", chain2, "-o", bridge, "-j", "DROP" } };
}

ErrorOr sweep_isolation(std::string const& iptables)
{
    auto listing = TRY(list_rules(iptables, -1));
    std::vector<Args> commands;
    for (auto const& bridge : isolated_in(listing))
        if (::if_nametoindex(bridge.c_str()) == 0)
            for (auto& c : removal_commands(bridge))
                commands.push_back(std::move(c));
    if (!commands.empty()) {
        // One rule of a pair may be gone already: go on with the rest.
        for (auto const& c : commands)
            (void)run_iptables(iptables, { c }, -1);
        listing = TRY(list_rules(iptables, -1));
    }
    return run_iptables(iptables, cleanup_commands(listing), -1);
}

} // namespace berth::network
