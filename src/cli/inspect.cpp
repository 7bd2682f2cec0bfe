// berth inspect / image inspect / container inspect: Podman's JSON array, or
// --format per object. `inspect` tries containers first, then images. A
// missing object is an error naming it (exit 125), after the others print.
#include "cli/commands.h"
#include "engine/containers/container_query.h"
#include "engine/containers/containers.h"
#include "engine/images/images.h"

#include <memory>

namespace berth::cli {

namespace {

struct InspectArgs {
    std::vector<std::string> names;
    std::string format;
    std::string type = "all";
    bool size = false;
};

/// A container's document, or nullopt when no container has that name (other errors are returned).
Result<std::optional<Json>> inspect_container_named(engine::Context& ctx, std::string const& name, bool size)
{
    auto rec = engine::find_container(ctx, name);
    if (!rec) {
        if (rec.error().code == ENOENT)
            return std::optional<Json> {};
        return std::move(rec).error();
    }
    auto doc = TRY(engine::inspect_container(ctx, *rec, size));
    return std::optional<Json> { std::move(doc) };
}

int run_inspect(InspectArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (a.type != "all" && a.type != "image" && a.type != "container")
        return report(Error::msg("invalid type \"" + a.type + "\": must be \"image\", \"container\" or \"all\""));
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    Json docs = Json::array();
    std::vector<Error> errors;
    for (auto const& name : a.names) {
        if (a.type != "image") {
            auto container = inspect_container_named(*ctx, name, a.size);
            if (!container) {
                errors.push_back(container.error());
                continue;
            }
            if (*container) {
                docs.push_back(std::move(**container));
                continue;
            }
            if (a.type == "container") {
                errors.push_back(Error::msg("inspecting object: no such container " + name));
                continue;
            }
        }
        auto record = engine::find_image(*ctx, name);
        if (!record) {
            if (record.error().code == ENOENT && a.type == "all")
                errors.push_back(Error::msg("inspecting object: no such object: \"" + name + "\""));
            else
                errors.push_back(record.error());
            continue;
        }
        auto doc = engine::inspect_image(*ctx, *record);
        if (!doc) {
            errors.push_back(doc.error());
            continue;
        }
        docs.push_back(std::move(*doc));
    }
    if (!a.format.empty() && a.format != "json") {
        std::vector<Json> rows(docs.begin(), docs.end());
        if (int rc = print_formatted(a.format, rows))
            return rc;
    } else if (!docs.empty() || errors.empty()) {
        print_json(docs);
    }
    for (size_t i = 0; i + 1 < errors.size(); ++i)
        print_error(errors[i].message);
    if (!errors.empty())
        return report(errors.back());
    return 0;
}

CLI::App* add_inspect(CLI::App& parent, std::string const& name, std::string const& type, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<InspectArgs>();
    a->type = type;
    auto* cmd = parent.add_subcommand(name, type == "image" ? "Display the configuration of images"
            : type == "container"                           ? "Display the configuration of containers"
                                                            : "Display the configuration of objects");
    cmd->add_option("name", a->names, type == "image" ? "Image name or ID" : type == "container" ? "Container name or ID" : "Container or image name or ID")->required();
    cmd->add_option("-f,--format", a->format, "Go template to render each object, or 'json'");
    if (type != "image")
        cmd->add_flag("-s,--size", a->size, "Display the container's total file size");
    if (type == "all")
        cmd->add_option("-t,--type", a->type, "Object type: container, image, all (containers first)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_inspect(*a, globals); });
    return cmd;
}

} // namespace

CLI::App* add_image_inspect_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    return add_inspect(parent, name, "image", globals, exit_code);
}

CLI::App* add_container_inspect_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    return add_inspect(parent, name, "container", globals, exit_code);
}

void setup_inspect(CLI::App& parent, Globals& globals, int& exit_code) { add_inspect(parent, "inspect", "all", globals, exit_code); }

} // namespace berth::cli
