// berth cp: copies files between a container and the host, in either
// direction, or between two containers; "-" on the host side is a tar stream
// on stdin or stdout. Paths inside a container are resolved inside its root
// (engine/containers/copy.h).
#include "cli/commands.h"
#include "engine/containers/copy.h"

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
    cmd->add_option("paths", a->paths, "SRC_PATH and DEST_PATH; one or both are CONTAINER:PATH, a host side of - is a tar stream")
        ->expected(2)
        ->required();
    cmd->add_flag("-a,--archive", a->options.archive,
        "Chown copied files to the primary uid/gid of the destination container (default true; -a=false keeps the source's)");
    // Go's pflag reads "-a=false" as -a given the value false; CLI11 sets -a and
    // leaves "-=false", which this hidden short option named "=" takes.
    cmd->add_option_function<std::string>("-=", [a](std::string const& v) { a->options.archive = v == "true" || v == "1"; })
        ->check(CLI::IsMember({ "true", "false", "1", "0" }))
        ->group("");
    cmd->add_flag("-L,--follow-link", a->options.follow_link, "Follow a symbolic link given as SRC_PATH (inside the container when it is there)");
    cmd->add_flag("--overwrite", a->options.overwrite, "Allow to overwrite directories with non-directories and vice versa");
    cmd->add_flag("--pause", a->options.pause, "Pause a running container while copying into or out of it");
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
