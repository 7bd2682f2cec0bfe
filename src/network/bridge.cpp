// setup_bridge() and finding netavark: see bridge.h. The teardown is in
// teardown.h, header-only, for the static berth-monitor.
#include "network/bridge.h"

#include "base/command.h"
#include "base/fs.h"
#include "base/unique_fd.h"
#include "network/helper_process.h"
#include "network/teardown.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace berth::network {

Json BridgePlan::to_json() const
{
    return Json { { "netavark", netavark }, { "aardvark", aardvark }, { "config_dir", config_dir }, { "rootless", rootless },
        { "enter_netns", enter_netns }, { "options_file", options_file } };
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
    std::string teardown = plan.enter_netns + "\n" + netns + "\n";
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
    auto result = run_command(argv, std::chrono::seconds(60), options);
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
    return {};
}

std::string read_bridge_status(std::string const& run_dir)
{
    auto text = fs::read_file(fs::join(run_dir, "netavark-status.json"));
    return text ? *text : "";
}

} // namespace berth::network
