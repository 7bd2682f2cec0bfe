// berth rmi / image rm / image prune. Exit codes as Podman documents for rmi:
// 0 all removed, 1 an image did not exist, 2 an image is in use or has
// several names and was not forced, 125 any other failure.
#include "cli/commands.h"
#include "engine/images/images.h"

#include <memory>

namespace berth::cli {

namespace {

struct RmiArgs {
    std::vector<std::string> names;
    bool all = false, force = false, ignore = false;
};

int run_rmi(RmiArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (a.names.empty() && !a.all)
        return report(Error::msg("image name or ID must be specified: see 'berth rmi --help'"));
    if (!a.names.empty() && a.all)
        return report(Error::msg("when using the --all switch, you may not pass any image names or IDs"));
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto force = a.force ? engine::Force::Yes : engine::Force::No;
    auto reports = a.all ? engine::remove_all_images(*ctx, force) : engine::remove_images(*ctx, a.names, force);
    int rc = 0;
    for (auto const& r : reports) {
        for (auto const& n : r.untagged)
            std::printf("Untagged: %s\n", n.c_str());
        if (!r.deleted.empty())
            std::printf("Deleted: %s\n", r.deleted.c_str());
        for (auto const& id : r.deleted_parents)
            std::printf("Deleted: %s\n", id.c_str());
        if (r.error) {
            if (r.error->code == ENOENT && (a.ignore || a.force))  // as Podman: --force ignores missing images
                continue;
            print_error(r.error->message);
            int code = r.error->code == ENOENT ? 1 : r.error->code == EBUSY ? 2 : 125;
            rc = rc == 0 ? code : std::max(rc, code);
        }
    }
    return rc;
}

struct PruneArgs {
    bool all = false, force = false;
};

int run_prune(PruneArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (!a.force) {
        auto yes = confirm(a.all ? "WARNING! This command removes all images without at least one container associated with them.\n"
                                 : "WARNING! This command removes all dangling images.\n");
        if (!yes)
            return report(yes.error());
        if (!*yes)
            return 0;
    }
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto removed = engine::prune_images(*ctx, a.all);
    if (!removed)
        return report(removed.error());
    for (auto const& id : *removed)
        std::printf("%s\n", id.c_str());
    return 0;
}

} // namespace

CLI::App* add_rmi_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<RmiArgs>();
    auto* cmd = parent.add_subcommand(name, "Remove one or more images from local storage");
    cmd->add_option("image", a->names, "Image name(s) or ID(s)");
    cmd->add_flag("-a,--all", a->all, "Remove all images");
    cmd->add_flag("-f,--force", a->force, "Remove the image even if it has several names; a missing image is not an error");
    cmd->add_flag("-i,--ignore", a->ignore, "Ignore images that do not exist");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_rmi(*a, globals); });
    return cmd;
}

void setup_rmi(CLI::App& parent, Globals& globals, int& exit_code) { add_rmi_command(parent, "rmi", globals, exit_code); }

void setup_image_prune(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PruneArgs>();
    auto* cmd = parent.add_subcommand("prune", "Remove unused images (dangling ones, or all with -a)");
    cmd->add_flag("-a,--all", a->all, "Remove all images not used by containers, not only dangling ones");
    cmd->add_flag("-f,--force", a->force, "Do not ask for confirmation");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_prune(*a, globals); });
}

} // namespace berth::cli
