// berth diff: the changes of a container's writable layer against its image,
// one "A|C|D PATH" line each (added, changed, deleted), or --format json.
#include "cli/commands.h"
#include "engine/copy.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct DiffArgs {
    std::string container;
    std::string format;
};

int run_diff(DiffArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto changes = engine::diff_container(*ctx, a.container);
    if (!changes)
        return report(changes.error());
    if (a.format == "json") {
        Json out = Json::object();
        for (auto const& c : *changes) {
            char const* key = c.kind == 'A' ? "added" : c.kind == 'D' ? "deleted" : "changed";
            if (!out.contains(key))
                out[key] = Json::array();
            out[key].push_back(c.path);
        }
        print_json(out);
        return 0;
    }
    if (!a.format.empty())
        return report(Error { EINVAL, "unknown --format \"" + a.format + "\": only json is supported" });
    for (auto const& c : *changes)
        std::printf("%c %s\n", c.kind, c.path.c_str());
    return 0;
}

} // namespace

void setup_diff(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<DiffArgs>();
    auto* cmd = parent.add_subcommand("diff", "Inspect changes to a container's file system");
    cmd->add_option("container", a->container, "Container (name or ID)")->required();
    cmd->add_option("--format", a->format, "Output format: json");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_diff(*a, globals); });
}

} // namespace berth::cli
