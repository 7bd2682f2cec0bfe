// berth-launch: the helper that berth spawns to start one container (DESIGN.md
// "process model"). berth writes the container's MonitorConfig (monitor.h) as
// JSON to an unnamed file and spawns us with it; we start the container
// (monitor::run) and become berth-monitor by execve, so the container is the
// monitor's child. berth does not fork to start a container: its SQLite
// connection, its locks and its heap stay in berth alone, and one berth process
// can launch many containers.
//
//   berth-launch --config=FD --sync=FD [--status=FD] [--lock=FD] [--log-level=LEVEL]
//   berth-launch --exec=FD --sync=FD [--pidfd=FD]     (berth exec, healthchecks)
//
// With --exec it starts no container: spawned by runtime::exec_in() inside a
// running container's pid namespace, it joins the container's other
// namespaces and execs the exec'd command (runtime::exec_helper_main).
//
// The hard part is the fds. posix_spawn hands us every fd of berth's that is
// not close-on-exec, so the first step after reading the config is to close
// all but the ones named here and the container's --preserve-fds (106-host-fds).
// Errors before the container starts go to the sync pipe like monitor::run's.
#include "base/log.h"
#include "base/sys.h"
#include "monitor/monitor.h"
#include "monitor/protocol.h"
#include "network/teardown.h"
#include "runtime/exec.h"
#include "runtime/kernel.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace berth;

namespace {

struct LaunchArgs {
    int config_fd = -1;
    int sync_fd = -1;
    int status_fd = -1;
    int lock_fd = -1;
    int exec_fd = -1;   ///< --exec: the exec request (runtime/exec.h)
    int pidfd = -1;
    log::Level log_level = log::Level::Warn;  ///< berth's --log-level
};

bool parse(int argc, char** argv, LaunchArgs& a)
{
    for (int i = 1; i < argc; ++i) {
        char const* eq = std::strchr(argv[i], '=');
        if (!eq)
            return false;
        std::string key(argv[i], static_cast<size_t>(eq - argv[i]));
        int fd = std::atoi(eq + 1);
        if (key == "--log-level") {
            if (!log::parse_level(eq + 1, a.log_level))
                return false;
        } else if (key == "--config")
            a.config_fd = fd;
        else if (key == "--sync")
            a.sync_fd = fd;
        else if (key == "--status")
            a.status_fd = fd;
        else if (key == "--lock")
            a.lock_fd = fd;
        else if (key == "--exec")
            a.exec_fd = fd;
        else if (key == "--pidfd")
            a.pidfd = fd;
        else
            return false;
    }
    return (a.config_fd >= 0) != (a.exec_fd >= 0) && a.sync_fd >= 0;
}

[[noreturn]] void fail(int sync_fd, Error const& e)
{
    (void)sys::write_all(sync_fd, monitor::encode_error(e));
    ::_exit(exit_status(e.kind));
}

Result<monitor::MonitorConfig> read_config(int fd)
{
    auto text = TRY_CTX(sys::read_all(fd), "read the launch config");
    auto doc = TRY(json::parse(text, "launch config"));
    return monitor::config_from_json(doc);
}

} // namespace

int main(int argc, char** argv)
{
    LaunchArgs a;
    if (!parse(argc, argv, a)) {
        char const usage[] = "usage: berth-launch --config=FD --sync=FD [--status=FD] [--lock=FD] [--log-level=LEVEL] (started by berth)\n";
        (void)!::write(2, usage, sizeof usage - 1);
        return 125;
    }
    log::set_level(a.log_level);
    network::add_system_dirs_to_path();  // for netavark's iptables, here and in the monitor this process becomes
    if (a.exec_fd >= 0)
        runtime::exec_helper_main(a.exec_fd, a.sync_fd, a.pidfd);
    auto config = read_config(a.config_fd);
    if (!config)
        fail(a.sync_fd, config.error());
    // Only what the container and berth-monitor need stays open.
    std::vector<int> keep = config->preserve_fds;
    for (int fd : { a.sync_fd, a.status_fd, a.lock_fd })
        if (fd >= 0)
            keep.push_back(fd);
    if (auto r = runtime::kernel::close_fds_except(std::move(keep)); !r)
        fail(a.sync_fd, r.error());
    config->sync_fd = a.sync_fd;
    config->status_fd = a.status_fd;
    config->lock_fd = a.lock_fd;
    monitor::run(*config);
}
