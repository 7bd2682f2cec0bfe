// berth mount / unmount (umount): mount a container's root filesystem and
// print where it is, or list the mounted ones; unmount it again. Rootless, the
// mount only exists inside berth's user and mount namespace, so (like Podman)
// mount refuses to run outside `berth unshare`; unmount runs anywhere.
#include "cli/commands.h"
#include "engine/containers/copy.h"
#include "engine/system/unshare.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

bool outside_unshare(Globals const& globals, std::string const& command)
{
    if (!engine::outside_unshare(globals.engine))
        return false;
    print_error("cannot run command \"berth " + command + "\" in rootless mode, must execute `berth unshare` first");
    return true;
}

namespace {

struct MountArgs {
    std::vector<std::string> containers;
    bool all = false;
    bool notruncate = false;
};

int run_mount(MountArgs const& a, Globals const& globals)
{
    if (outside_unshare(globals, "mount"))
        return exit_engine_error;
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    if (a.containers.empty()) {
        auto mounted = engine::mounted_containers(*ctx);
        if (!mounted)
            return report(mounted.error());
        for (auto const& [id, path] : *mounted)
            std::printf("%s  %s\n", a.notruncate ? id.c_str() : id.substr(0, 12).c_str(), path.c_str());
        return 0;
    }
    for (auto const& name : a.containers) {
        auto path = engine::mount_container(*ctx, name);
        if (!path)
            exit_code = report(path.error());
        else
            std::printf("%s\n", path->c_str());
    }
    return exit_code;
}

/// Rootless too, as Podman: unmounting needs no `berth unshare` (berth's mount
/// namespace is where the rootfs is mounted).
int run_unmount(MountArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (a.containers.empty() && !a.all)
        return report(Error { EINVAL, "container ID must be specified: use a container name or ID, or --all" });
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto names = a.containers;
    if (a.all) {
        auto mounted = engine::mounted_containers(*ctx);
        if (!mounted)
            return report(mounted.error());
        for (auto const& m : *mounted)
            names.push_back(m.first);
    }
    for (auto const& name : names) {
        auto id = engine::unmount_container(*ctx, name);
        if (!id)
            exit_code = report(id.error());
        else
            std::printf("%s\n", name.c_str());  // as given (--all: IDs), as Podman prints it
    }
    return exit_code;
}

} // namespace

void setup_mount(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<MountArgs>();
    auto* cmd = parent.add_subcommand("mount", "Mount a working container's root filesystem");
    cmd->add_option("container", a->containers, "Containers to mount (none: list the mounted ones)");
    cmd->add_flag("--no-trunc", a->notruncate, "Do not truncate IDs in the listing");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_mount(*a, globals); });

    auto u = std::make_shared<MountArgs>();
    auto* ucmd = parent.add_subcommand("unmount", "Unmount a working container's root filesystem");
    ucmd->alias("umount");
    ucmd->add_option("container", u->containers, "Containers to unmount");
    ucmd->add_flag("-a,--all", u->all, "Unmount every mounted container");
    ucmd->callback([u, &globals, &exit_code] { exit_code = run_unmount(*u, globals); });
}

} // namespace berth::cli
