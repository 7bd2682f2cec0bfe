// berth volume export|import|mount|unmount: a volume's contents as a tar
// stream (export to stdout or -o FILE, import from FILE or "-"), and its
// mount point (mounting a volume made with -o type=... first). Rootless, a
// mount exists only in berth's namespace, so `volume mount` wants `berth
// unshare` as Podman's does; unmount works from anywhere.
#include "base/unique_fd.h"
#include "cli/commands.h"
#include "engine/volumes/volumes.h"

#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace berth::cli {

namespace {

void add_volume_export(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string name, output;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("export", "Export volumes");
    cmd->add_option("volume", a->name, "Volume name")->required();
    cmd->add_option("-o,--output", a->output, "Write to this file instead of stdout");
    cmd->callback([a, &globals, &exit_code] {
        int fd = STDOUT_FILENO;
        UniqueFd file;
        if (!a->output.empty()) {
            file = UniqueFd(::open(a->output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (!file.valid()) {
                exit_code = report(Error::from_errno("could not create tarball file '" + a->output + "'"));
                return;
            }
            fd = file.get();
        } else if (is_tty(STDOUT_FILENO)) {
            exit_code = report(Error { EINVAL, "refusing to export to terminal: use -o FILE or redirect stdout" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::fflush(stdout);
        if (auto ok = engine::export_volume(*ctx, a->name, fd); !ok)
            exit_code = report(ok.error());
    });
}

void add_volume_import(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string name, source;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("import", "Import a tarball contents into a volume");
    cmd->add_option("volume", a->name, "Volume name")->required();
    cmd->add_option("source", a->source, "The tar file, or - for standard input")->required();
    cmd->callback([a, &globals, &exit_code] {
        int fd = STDIN_FILENO;
        UniqueFd file;
        if (a->source != "-") {
            file = UniqueFd(::open(a->source.c_str(), O_RDONLY | O_CLOEXEC));
            if (!file.valid()) {
                exit_code = report(Error::from_errno("open " + a->source));
                return;
            }
            fd = file.get();
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (auto ok = engine::import_volume(*ctx, a->name, fd); !ok)
            exit_code = report(ok.error());
    });
}

void add_volume_mount(CLI::App& group, Globals& globals, int& exit_code)
{
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = group.add_subcommand("mount", "Mount volume");
    cmd->add_option("volume", *names, "Volume names")->required();
    cmd->callback([names, &globals, &exit_code] {
        if (outside_unshare(globals, "volume mount")) {
            exit_code = exit_engine_error;
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        for (auto const& name : *names) {
            auto path = engine::mount_volume(*ctx, name);
            if (!path) {
                exit_code = report(path.error());
                continue;
            }
            std::printf("%s\n", path->c_str());
        }
    });
}

void add_volume_unmount(CLI::App& group, Globals& globals, int& exit_code)
{
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = group.add_subcommand("unmount", "Unmount volume");
    cmd->alias("umount");
    cmd->add_option("volume", *names, "Volume names")->required();
    cmd->callback([names, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        for (auto const& name : *names) {
            if (auto ok = engine::unmount_volume(*ctx, name); !ok) {
                exit_code = report(ok.error());
                continue;
            }
            std::printf("%s\n", name.c_str());
        }
    });
}

} // namespace

void add_volume_data_commands(CLI::App& group, Globals& globals, int& exit_code)
{
    add_volume_export(group, globals, exit_code);
    add_volume_import(group, globals, exit_code);
    add_volume_mount(group, globals, exit_code);
    add_volume_unmount(group, globals, exit_code);
}

} // namespace berth::cli
