// `berth system reset`; `info` and `version` are in info.cpp.
#include "engine/system/system.h"

#include "base/fs.h"
#include "base/log.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"
#include "network/bridge.h"
#include "network/rootless_netns.h"
#include "network/teardown.h"
#include "rootless/userns.h"

#include <csignal>

namespace berth::engine {

namespace {

/// Every container removed (stopped at once), so that nothing of theirs
/// outlives the store: processes, mounts, and what netavark set up on the
/// host (veths, rules, aardvark-dns). A store that does not open is wiped
/// all the same.
void remove_all_containers(GlobalOptions const& options)
{
    auto ctx = open_context(options);
    if (!ctx)
        return;
    auto cs = container_records(*ctx);
    if (!cs)
        return;
    auto records = cs->list();
    if (!records)
        return;
    RemoveOptions remove;
    remove.force = true;
    remove.timeout = 0;
    remove.with_pod = true;
    for (auto const& rec : *records)
        if (auto r = remove_container(*ctx, rec, remove); !r)
            log::debug("system reset: remove container {}: {}", rec.id, r.error().message);
}

} // namespace

ErrorOr system_reset(GlobalOptions const& options)
{
    auto paths = TRY(resolve_paths(options));
    TRY(rootless::enter(paths));
    remove_all_containers(options);
    // What a killed monitor left of a container's networks, then the
    // rootless network namespace and its pasta.
    if (auto dirs = fs::list_dir(paths.layout().container_run_dirs()))
        for (auto const& id : *dirs)
            network::teardown_bridge_at(paths.layout().container_run_dir(id).c_str());
    network::remove_rootless_netns(paths.layout().run_root());
    network::tidy_host_isolation(paths.rootless);
    TRY(fs::remove_tree(paths.data_dir));
    // Stop the pause process last: the removal above needed its namespace.
    if (auto pid_text = fs::read_file(paths.layout().pause_pid_file())) {
        int pid = std::atoi(pid_text->c_str());
        if (pid > 1)
            ::kill(pid, SIGKILL);
    }
    TRY(fs::remove_tree(paths.run_dir));
    return {};
}

} // namespace berth::engine
