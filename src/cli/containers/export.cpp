// berth export: writes the container's root filesystem as a tar archive to
// stdout (refused when stdout is a terminal) or to -o FILE.
#include "cli/commands.h"
#include "base/unique_fd.h"
#include "engine/containers/copy.h"

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace berth::cli {

namespace {

struct ExportArgs {
    std::string container;
    std::string output;
};

int run_export(ExportArgs const& a, Globals const& globals)
{
    int fd = STDOUT_FILENO;
    UniqueFd file;
    if (!a.output.empty()) {
        int raw = ::open(a.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (raw < 0)
            return report(Error::from_errno("export: open " + a.output));
        file = UniqueFd(raw);
        fd = raw;
    } else if (is_tty(STDOUT_FILENO)) {
        return report(Error { EINVAL, "refusing to export to terminal: use -o FILE or redirect stdout" });
    }
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    if (auto ok = engine::export_container(*ctx, a.container, fd); !ok)
        return report(ok.error());
    return 0;
}

} // namespace

void setup_export(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<ExportArgs>();
    auto* cmd = parent.add_subcommand("export", "Export a container's filesystem contents as a tar archive");
    cmd->add_option("container", a->container, "Container (name or ID)")->required();
    cmd->add_option("-o,--output", a->output, "Write to this file instead of stdout");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_export(*a, globals); });
}

} // namespace berth::cli
