// berth diff and image diff: the changes of a container's writable layer
// against its image, or of an image's top layer against the layers below it
// (or against a second image), one "A|C|D PATH" line each (added, changed,
// deleted), or --format json. `diff` takes an image where no container has
// the name, as Podman's does.
#include "cli/commands.h"
#include "engine/containers/containers.h"
#include "engine/containers/copy.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/image_layers.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct DiffArgs {
    std::string container;
    std::string other;     ///< a second image: the changes against it
    std::string format;
    bool latest = false;
};

enum class Subject { ContainerOrImage, Image };

int print_changes(std::vector<engine::Change> const& changes, std::string const& format)
{
    if (format == "json") {
        Json out = Json::object();
        for (auto const& c : changes) {
            char const* key = c.kind == 'A' ? "added" : c.kind == 'D' ? "deleted" : "changed";
            if (!out.contains(key))
                out[key] = Json::array();
            out[key].push_back(c.path);
        }
        print_json(out);
        return 0;
    }
    for (auto const& c : changes)
        std::printf("%c %s\n", c.kind, c.path.c_str());
    return 0;
}

/// The image's changes; an unknown image is "NAME not found: ..." as Podman reports it.
Result<std::vector<engine::Change>> image_changes(engine::Context& ctx, DiffArgs const& a)
{
    auto other = a.other.empty() ? std::nullopt : std::optional<std::string>(a.other);
    auto changes = engine::diff_image(ctx, a.container, other);
    if (!changes && changes.error().code == ENOENT)
        return Error { ENOENT, a.container + " not found: " + changes.error().message };
    return changes;
}

int run_diff(DiffArgs const& a, Globals const& globals, Subject subject)
{
    int exit_code = 0;
    if (a.latest && !a.container.empty())
        return report(Error { EINVAL, "--latest and containers cannot be used together" });
    if (!a.latest && a.container.empty())
        return report(Error { EINVAL, "\"berth diff\" requires a name, id, or the \"--latest\" flag" });
    if (!a.format.empty() && a.format != "json")
        return report(Error { EINVAL, "only supported value for '--format' is 'json'" });
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    std::string name = a.container;
    if (a.latest) {
        auto latest = engine::latest_container(*ctx);
        if (!latest)
            return report(latest.error());
        name = latest->id;
    }
    bool image = subject == Subject::Image || !a.other.empty()
        || (!a.latest && !engine::find_container(*ctx, name).has_value());
    auto changes = image ? image_changes(*ctx, a) : engine::diff_container(*ctx, name);
    if (!changes)
        return report(changes.error());
    return print_changes(*changes, a.format);
}

} // namespace

void setup_diff(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<DiffArgs>();
    auto* cmd = parent.add_subcommand("diff", "Inspect changes to a container's or image's file system");
    cmd->add_option("container", a->container, "Container or image (name or ID)");
    cmd->add_option("other", a->other, "A second image to compare with");
    cmd->add_option("--format", a->format, "Output format: json");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_diff(*a, globals, Subject::ContainerOrImage); });
}

void setup_image_diff(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<DiffArgs>();
    auto* cmd = parent.add_subcommand("diff", "Inspect changes to an image's file system");
    cmd->add_option("image", a->container, "Image (name or ID)")->required();
    cmd->add_option("other", a->other, "A second image to compare with");
    cmd->add_option("--format", a->format, "Output format: json");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_diff(*a, globals, Subject::Image); });
}

} // namespace berth::cli
