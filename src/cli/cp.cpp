// berth cp: copies files between a container and the host, in either
// direction; "-" on the host side is a tar stream on stdin or stdout. Paths
// inside the container are resolved inside its root (engine/copy.h).
#include "cli/commands.h"
#include "engine/copy.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct CpArgs {
    std::vector<std::string> paths;
    engine::CopyOptions options;
};

} // namespace

void setup_cp(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CpArgs>();
    auto* cmd = parent.add_subcommand("cp", "Copy files/folders between a container and the local filesystem");
    cmd->add_option("paths", a->paths, "SRC_PATH and DEST_PATH; one of them is CONTAINER:PATH, a host side of - is a tar stream")
        ->expected(2)
        ->required();
    cmd->add_flag("-a,--archive", a->options.archive, "Keep the uid/gid of the source (default: files copied in belong to the container's user)");
    cmd->add_flag("-L,--follow-link", a->options.follow_link, "Follow a symbolic link given as SRC_PATH (inside the container when it is there)");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::fflush(stdout);
        if (auto ok = engine::copy(*ctx, a->paths[0], a->paths[1], a->options); !ok)
            exit_code = report(ok.error());
    });
}

} // namespace berth::cli
