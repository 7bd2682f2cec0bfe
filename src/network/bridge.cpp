// setup_bridge() and finding netavark: see bridge.h. The teardown is in
// teardown.h, header-only, for the static berth-monitor.
#include "network/bridge.h"

#include "base/command.h"
#include "base/fs.h"
#include "base/unique_fd.h"
#include "network/helper_process.h"
#include "network/isolation.h"
#include "network/port_proxy.h"
#include "network/teardown.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace berth::network {

Json BridgePlan::to_json() const
{
    return Json { { "netavark", netavark }, { "aardvark", aardvark }, { "config_dir", config_dir }, { "rootless", rootless },
        { "enter_netns", enter_netns }, { "options_file", options_file }, { "proxy_ports", proxy_ports }, { "proxy_target", proxy_target },
        { "iptables", iptables }, { "isolate", isolate } };
}

Result<BridgePlan> BridgePlan::from_json(Json const& json)
{
    BridgePlan p;
    if (!json.is_object())
        return p;
    p.netavark = json.value("netavark", "");
    p.aardvark = json.value("aardvark", "");
    p.config_dir = json.value("config_dir", "");
    p.rootless = json.value("rootless", false);
    p.enter_netns = json.value("enter_netns", "");
    p.options_file = json.value("options_file", "");
    p.proxy_ports = json.value("proxy_ports", std::vector<std::string> {});
    p.proxy_target = json.value("proxy_target", "");
    p.iptables = json.value("iptables", "");
    p.isolate = json.value("isolate", std::vector<std::string> {});
    return p;
}

namespace {

Result<std::string> find_helper(std::string const& name, std::vector<std::string> const& helper_dirs)
{
    std::vector<std::string> dirs = helper_dirs;
    for (char const* d : { "/usr/local/libexec/podman", "/usr/local/lib/podman", "/usr/libexec/podman", "/usr/lib/podman" })
        dirs.emplace_back(d);
    for (auto const& d : dirs) {
        std::string path = fs::join(d, name);
        if (::access(path.c_str(), X_OK) == 0)
            return path;
    }
    if (auto found = find_program(name))
        return *found;
    return Error { ENOENT, name + " not found: user-defined networks need it: install the " + name + " package" };
}

} // namespace

Result<std::string> find_netavark(std::vector<std::string> const& helper_dirs)
{
    return find_helper("netavark", helper_dirs);
}

Result<std::string> find_aardvark(std::vector<std::string> const& helper_dirs)
{
    return find_helper("aardvark-dns", helper_dirs);
}

ErrorOr setup_bridge(BridgePlan const& plan, std::string const& run_dir, pid_t init_pid)
{
    auto netns = TRY(bind_namespace(run_dir, init_pid, "net", bridge_netns_file_name));
    std::vector<std::string> argv { plan.netavark, "--config", plan.config_dir, "--rootless", plan.rootless ? "true" : "false",
        "--aardvark-binary", plan.aardvark, "--file", plan.options_file };
    // The teardown file first: whatever happens from here on, the monitor
    // (or the engine, if the monitor is gone) undoes it.
    std::string teardown = plan.enter_netns + "\n" + netns + "\n" + netavark_lock_file(plan) + "\n";
    for (auto const& a : argv)
        teardown += a + "\n";
    TRY(fs::write_file_replace(fs::join(run_dir, bridge_teardown_file_name), teardown));
    auto fail = [&](Error e) -> Error {
        teardown_bridge_at(run_dir.c_str());
        return e;
    };
    TRY(fs::mkdir_p(plan.config_dir, 0700));
    CommandOptions options;
    UniqueFd enter;
    if (!plan.enter_netns.empty()) {
        enter.reset(::open(plan.enter_netns.c_str(), O_RDONLY | O_CLOEXEC));
        if (!enter.valid())
            return fail(Error::from_errno("open the rootless network namespace " + plan.enter_netns));
        options.netns_fd = enter.get();
    }
    argv.push_back("setup");
    argv.push_back(netns);
    // Under netavark's lock, released before any teardown (which takes it).
    auto result = [&]() -> Result<CommandResult> {
        auto lock = TRY(lock_netavark(plan));
        auto ran = TRY(run_command(argv, std::chrono::seconds(60), options));
        if (ran.exit_code == 0)
            TRY(isolate_for_container(plan, run_dir, plan.isolate));
        return ran;
    }();
    if (!result)
        return fail(std::move(result).error());
    if (result->exit_code != 0) {
        // netavark prints a JSON {"error": "..."} on stdout, or a message on stderr.
        std::string message = first_line(result->err);
        if (auto doc = json::parse(result->out, "netavark"); doc && doc.value().is_object() && doc.value().contains("error"))
            message = doc.value().value("error", message);
        return fail(Error { EIO, "netavark setup: " + (message.empty() ? "exit status " + std::to_string(result->exit_code) : message) });
    }
    if (auto written = fs::write_file_replace(fs::join(run_dir, "netavark-status.json"), result->out); !written)
        return fail(std::move(written).error());
    // Ports first held (root) or proxied (rootless), then netavark's rules:
    // a port in use fails the start before anything forwards to it.
    if (!plan.proxy_ports.empty()) {
        auto ports = parse_publish_list(plan.proxy_ports);
        if (!ports)
            return fail(std::move(ports).error());
        if (auto started = start_port_proxy(*ports, plan.proxy_target, plan.enter_netns, run_dir); !started)
            return fail(std::move(started).error());
    }
    return {};
}

ErrorOr isolate_for_container(BridgePlan const& plan, std::string const& run_dir, std::vector<std::string> const& bridges)
{
    if (bridges.empty())
        return {};
    // The file first, so that a teardown after a failure removes what was added.
    std::string file = fs::join(run_dir, isolation_file_name);
    auto text = fs::read_file(file);
    std::string content = text && !text->empty() ? *text : plan.enter_netns + "\n" + plan.iptables + "\n";
    for (auto const& b : bridges)
        if (content.find("\n" + b + "\n") == std::string::npos)
            content += b + "\n";
    TRY(fs::write_file_replace(file, content));
    int netns = -1;
    UniqueFd enter;
    if (!plan.enter_netns.empty()) {
        enter.reset(::open(plan.enter_netns.c_str(), O_RDONLY | O_CLOEXEC));
        if (!enter.valid())
            return Error::from_errno("open the rootless network namespace " + plan.enter_netns);
        netns = enter.get();
    }
    TRY_CTX(isolate_bridges(plan.iptables, bridges, netns), "isolate the network's bridge from other networks");
    return {};
}

void release_bridges(BridgePlan const& plan, std::vector<std::string> const& bridges)
{
    std::vector<char*> names;
    std::vector<std::string> copies = bridges;
    for (auto& b : copies)
        names.push_back(b.data());
    release_isolation(plan.enter_netns.c_str(), plan.iptables.c_str(), names.data(), static_cast<int>(names.size()));
}

void tidy_host_isolation(bool rootless)
{
    if (rootless)
        return;
    BridgePlan plan;
    plan.iptables = find_program("iptables").value_or("");
    if (plan.iptables.empty())
        return;
    auto lock = lock_netavark(plan);
    if (!lock)
        return;
    (void)sweep_isolation(plan.iptables);
}

std::string netavark_lock_file(BridgePlan const& plan)
{
    return plan.rootless ? fs::join(plan.config_dir, netavark_lock_name) : std::string("/run/lock/berth-") + netavark_lock_name;
}

Result<FileLock> lock_netavark(BridgePlan const& plan)
{
    auto file = netavark_lock_file(plan);
    TRY(fs::mkdir_p(file.substr(0, file.rfind('/')), plan.rootless ? 0700 : 0755));
    return FileLock::acquire(file);
}

std::string read_bridge_status(std::string const& run_dir)
{
    auto text = fs::read_file(fs::join(run_dir, "netavark-status.json"));
    return text ? *text : "";
}

} // namespace berth::network
