// The `image` command group (image ls, pull, push, inspect, rm, ...), and
// `image exists`. The group reuses the top-level commands' setup functions.
#include "cli/commands.h"
#include "engine/images/images.h"

#include <memory>

namespace berth::cli {

void setup_image_exists(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto name = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("exists", "Exit 0 if an image exists in local storage, 1 if not");
    cmd->add_option("image", *name, "Image name or ID")->required();
    cmd->callback([name, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto found = engine::image_exists(*ctx, *name);
        exit_code = !found ? report(found.error()) : *found ? 0 : 1;
    });
}

void setup_image_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("image", "Manage images");
    group->require_subcommand(1);
    add_images_command(*group, "ls", globals, exit_code)->alias("list");
    setup_pull(*group, globals, exit_code);
    setup_push(*group, globals, exit_code);
    add_image_inspect_command(*group, "inspect", globals, exit_code);
    add_rmi_command(*group, "rm", globals, exit_code);
    setup_tag(*group, globals, exit_code);
    setup_untag(*group, globals, exit_code);
    setup_image_prune(*group, globals, exit_code);
    setup_image_exists(*group, globals, exit_code);
    setup_history(*group, globals, exit_code);
    setup_image_tree(*group, globals, exit_code);
    setup_image_diff(*group, globals, exit_code);
    setup_search(*group, globals, exit_code);
    setup_save(*group, globals, exit_code);
    setup_load(*group, globals, exit_code);
    setup_import(*group, globals, exit_code);
    setup_build(*group, globals, exit_code);
}

} // namespace berth::cli
