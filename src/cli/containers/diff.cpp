// berth diff: the changes of a container's writable layer against its image,
// one "A|C|D PATH" line each (added, changed, deleted), or --format json.
#include "cli/commands.h"
#include "engine/containers/copy.h"
#include "engine/containers/lifecycle.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct DiffArgs {
    std::string container;
    std::string format;
    bool latest = false;
};

int run_diff(DiffArgs const& a, Globals const& globals)
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
    auto changes = engine::diff_container(*ctx, name);
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
    for (auto const& c : *changes)
        std::printf("%c %s\n", c.kind, c.path.c_str());
    return 0;
}

} // namespace

void setup_diff(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<DiffArgs>();
    auto* cmd = parent.add_subcommand("diff", "Inspect changes to a container's file system");
    cmd->add_option("container", a->container, "Container (name or ID)");
    cmd->add_option("--format", a->format, "Output format: json");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_diff(*a, globals); });
}

} // namespace berth::cli
