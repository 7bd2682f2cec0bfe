#include "engine/system.h"

#include "base/fs.h"
#include "container/rootfs.h"
#include "berth_config.h"
#include "rootless/host_info.h"
#include "rootless/userns.h"
#include "runtime/cgroups.h"

#include <csignal>

namespace berth::engine {

/// The driver new containers use: --storage-driver, else the one recorded by
/// the first mount (container/rootfs.cpp), else overlay, which is tried first.
static std::string graph_driver_name(Context const& ctx, std::string const& storage_driver)
{
    if (!storage_driver.empty())
        return storage_driver;
    auto recorded = container::recorded_driver(ctx.paths.layout());
    return recorded && !recorded->empty() ? *recorded : "overlay";
}

Result<Json> system_info(Context& ctx, std::string const& storage_driver)
{
    Json host = rootless::host_info(ctx.paths);
    host["security"] = { { "rootless", ctx.paths.rootless } };
    host["cgroups"] = runtime::cgroups::info();  // whether --memory/--cpus/--pids-limit can be honoured
    auto images = TRY(ctx.store->list_images());
    Json info = {
        { "host", host },
        { "store", {
            { "graphRoot", ctx.paths.data_dir },
            { "runRoot", ctx.paths.run_dir },
            { "configFile", fs::join(ctx.paths.config_dir, "storage.conf") },
            { "graphDriverName", graph_driver_name(ctx, storage_driver) },
            { "imageStore", { { "number", images.size() } } },
            { "containerStore", { { "number", 0 } } },
        } },
        { "registries", { { "search", ctx.registries.search_registries() } } },
        { "version", { { "Version", BERTH_VERSION }, { "APIVersion", BERTH_VERSION }, { "OsArch", "linux/amd64" } } },
    };
    return info;
}

ErrorOr system_reset(GlobalOptions const& options)
{
    auto paths = TRY(resolve_paths(options));
    TRY(rootless::enter(paths));
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
