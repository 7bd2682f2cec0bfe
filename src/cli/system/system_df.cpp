// berth system df and system prune: Podman's summary table (TYPE TOTAL
// ACTIVE SIZE RECLAIMABLE) or, with -v, one section each for images,
// containers and volumes; and the prune of stopped containers, unused
// networks, dangling (or, with -a, unused) images and, with --volumes, unused
// volumes, after Podman's "are you sure?" unless -f.
#include "cli/commands.h"
#include "engine/system/disk_usage.h"

#include <cmath>
#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

/// "14B (100%)": the reclaimable size and its share of the whole, rounded.
std::string reclaimable_text(engine::DiskSummary const& s)
{
    int percent = s.size > 0 ? static_cast<int>(std::lround(100.0 * static_cast<double>(s.reclaimable) / static_cast<double>(s.size))) : 0;
    return human_size_compact(s.reclaimable) + " (" + std::to_string(percent) + "%)";
}

/// "2 years": human_ago without its " ago".
std::string age(int64_t when)
{
    std::string text = human_ago(when);
    return text.ends_with(" ago") ? text.substr(0, text.size() - 4) : text;
}

std::string joined(std::vector<std::string> const& words)
{
    std::string out;
    for (auto const& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

void print_verbose(engine::DiskUsage const& usage)
{
    std::vector<std::vector<std::string>> images { { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS" } };
    for (auto const& i : usage.images) {
        auto row = [&](std::string const& repository, std::string const& tag) {
            images.push_back({ repository, tag, i.id.substr(0, 12), age(i.created), human_size_compact(i.size), human_size_compact(i.shared_size),
                human_size_compact(i.size - i.shared_size), std::to_string(i.containers) });
        };
        if (i.names.empty())
            row("<none>", "<none>");
        for (auto const& name : i.names) {
            auto colon = name.rfind(':');
            bool tagged = colon != std::string::npos && name.find('/', colon) == std::string::npos;
            row(tagged ? name.substr(0, colon) : name, tagged ? name.substr(colon + 1) : "<none>");
        }
    }
    std::printf("Images space usage:\n\n");
    print_table(images);
    std::vector<std::vector<std::string>> containers { { "CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES" } };
    for (auto const& c : usage.containers)
        containers.push_back({ c.id.substr(0, 12), c.image_id.substr(0, 12), joined(c.command), std::to_string(c.volumes), human_size_compact(c.size),
            age(c.created), c.state, c.name });
    std::printf("\nContainers space usage:\n\n");
    print_table(containers);
    std::vector<std::vector<std::string>> volumes { { "VOLUME NAME", "LINKS", "SIZE" } };
    for (auto const& v : usage.volumes)
        volumes.push_back({ v.name, std::to_string(v.links), human_size_compact(v.size) });
    std::printf("\nLocal Volumes space usage:\n\n");
    print_table(volumes);
}

int run_df(bool verbose, std::string const& format, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto usage = engine::disk_usage_report(*ctx);
    if (!usage)
        return report(usage.error());
    if (verbose) {
        print_verbose(*usage);
        return 0;
    }
    std::vector<Json> rows;
    for (auto const& s : engine::summarize(*usage))
        rows.push_back(Json { { "Type", s.type }, { "Total", s.total }, { "Active", s.active }, { "Size", human_size_compact(s.size) },
            { "Reclaimable", reclaimable_text(s) }, { "RawSize", s.size }, { "RawReclaimable", s.reclaimable } });
    if (format == "json" || format == "{{json .}}") {
        print_json(Json(rows));
        return 0;
    }
    std::string text = format.empty() ? "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}" : format;
    return print_formatted(text, rows, { { "Type", "TYPE" }, { "Total", "TOTAL" }, { "Active", "ACTIVE" }, { "Size", "SIZE" }, { "Reclaimable", "RECLAIMABLE" } });
}

struct PruneArgs {
    bool all = false, force = false, volumes = false;
    std::vector<std::string> filters;
};

std::string prune_warning(PruneArgs const& a)
{
    std::string text = "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container\n";
    if (a.volumes)
        text += "\t- all volumes not used by at least one container\n";
    text += a.all ? "\t- all images without at least one container associated with them\n\t- all build cache\n"
                  : "\t- all dangling images\n\t- all dangling build cache\n";
    return text + "\n";
}

int run_system_prune(PruneArgs const& a, Globals const& globals)
{
    if (auto ok = engine::check_prune_filters(a.filters); !ok)
        return report(ok.error());
    if (!a.force) {
        auto yes = confirm(prune_warning(a));
        if (!yes)
            return report(yes.error());
        if (!*yes)
            return 0;
    }
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto pruned = engine::system_prune(*ctx, { a.all, a.volumes, a.filters });
    if (!pruned)
        return report(pruned.error());
    auto section = [](char const* title, std::vector<std::string> const& items) {
        if (items.empty())
            return;
        std::printf("%s\n", title);
        for (auto const& item : items)
            std::printf("%s\n", item.c_str());
    };
    section("Deleted Containers", pruned->containers);
    section("Deleted Networks", pruned->networks);
    section("Deleted Volumes", pruned->volumes);
    section("Deleted Images", pruned->images);
    std::printf("Total reclaimed space: %s\n", human_size_compact(pruned->reclaimed).c_str());
    return 0;
}

} // namespace

void add_system_df(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        bool verbose = false;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("df", "Show berth disk usage");
    cmd->add_flag("-v,--verbose", a->verbose, "Show detailed information on disk usage");
    cmd->add_option("--format", a->format, "Pretty-print the summary using a Go template, or json");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_df(a->verbose, a->format, globals); });
}

void add_system_prune(CLI::App& group, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PruneArgs>();
    auto* cmd = group.add_subcommand("prune", "Remove unused data");
    cmd->add_flag("-a,--all", a->all, "Remove all unused images, not only dangling ones");
    cmd->add_flag("-f,--force", a->force, "Do not prompt for confirmation");
    cmd->add_flag("--volumes", a->volumes, "Prune volumes");
    cmd->add_option("--filter", a->filters, "Provide filter values (label=KEY[=VALUE], label!=..., until=...)")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] { exit_code = run_system_prune(*a, globals); });
}

} // namespace berth::cli
