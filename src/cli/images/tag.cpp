// berth tag / untag.
#include "cli/commands.h"
#include "engine/images/images.h"

#include <memory>

namespace berth::cli {

namespace {

struct TagArgs {
    std::string image;
    std::vector<std::string> names;
};

int run_tag(TagArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    for (auto const& n : a.names)
        if (auto r = engine::tag_image(*ctx, a.image, n); !r)
            return report(r.error());
    return 0;
}

int run_untag(TagArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    if (auto r = engine::untag_image(*ctx, a.image, a.names); !r)
        return report(r.error());
    return 0;
}

} // namespace

void setup_tag(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<TagArgs>();
    auto* cmd = parent.add_subcommand("tag", "Add an additional name to a local image");
    cmd->add_option("image", a->image, "Image name or ID")->required();
    cmd->add_option("target", a->names, "New name(s), e.g. registry.example.com/app:1.0")->required();
    cmd->callback([a, &globals, &exit_code] { exit_code = run_tag(*a, globals); });
}

void setup_untag(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<TagArgs>();
    auto* cmd = parent.add_subcommand("untag", "Remove names from a local image (all names if none given)");
    cmd->add_option("image", a->image, "Image name or ID")->required();
    cmd->add_option("name", a->names, "Name(s) to remove");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_untag(*a, globals); });
}

} // namespace berth::cli
