// `berth system reset`; `info` and `version` are in info.cpp.
#include "engine/system/system.h"

#include "base/fs.h"
#include "rootless/userns.h"

#include <csignal>

namespace berth::engine {

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
