// berth volume create|ls|inspect|rm|prune, with Podman's output: create
// prints the name, ls a table (or --format), inspect a JSON array, rm and
// prune the names removed. export|import|mount|unmount are in volume_data.cpp.
#include "cli/commands.h"
#include "engine/containers/containers.h"

#include <cstdio>

namespace berth::cli {

namespace {

void add_volume_create(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string name;
        std::vector<std::string> labels, options;
        bool ignore = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("create", "Create a new volume");
    cmd->add_option("name", a->name, "Volume name (default: a random one)");
    cmd->add_option("-l,--label", a->labels, "Set a label (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("-o,--opt", a->options, "Driver option (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_flag("--ignore", a->ignore, "Do nothing if the volume exists");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto v = engine::create_volume(*ctx, a->name, key_values(a->labels), key_values(a->options), a->ignore);
        if (!v) {
            exit_code = report(v.error());
            return;
        }
        std::printf("%s\n", v->name.c_str());
    });
}

void add_volume_ls(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string format;
        bool quiet = false;
        bool noheading = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("ls", "List volumes");
    cmd->alias("list");
    cmd->add_option("--format", a->format, "Go template for each volume");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the names");
    cmd->add_flag("--noheading", a->noheading, "Do not print headers");
    cmd->add_option("-f,--filter", a->filters, "Filter volumes: name=, label=, driver=, dangling=true|false, opt=, until=")
        ->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_volume_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto volumes = engine::list_volumes(*ctx, *filters);
        if (!volumes) {
            exit_code = report(volumes.error());
            return;
        }
        if (a->quiet) {
            for (auto const& v : *volumes)
                std::printf("%s\n", v.name.c_str());
            return;
        }
        std::vector<Json> rows;
        for (auto const& v : *volumes)
            rows.push_back(engine::inspect_volume(v));
        std::string format = a->format.empty() ? "table {{.Driver}}\t{{.Name}}" : a->format;
        exit_code = print_formatted(format, rows, { { "Driver", "DRIVER" }, { "Name", "VOLUME NAME" } },
            a->noheading ? berth::format::Heading::Omit : berth::format::Heading::Show);
    });
}

void add_volume_inspect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        std::string format;
        bool all = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("inspect", "Show volumes in detail");
    cmd->add_option("volume", a->names, "Volume names");
    cmd->add_option("-f,--format", a->format, "Go template for each volume");
    cmd->add_flag("-a,--all", a->all, "Inspect all volumes");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::vector<Json> docs;
        auto names = a->names;
        if (a->all)
            if (auto all = engine::list_volumes(*ctx))
                for (auto const& v : *all)
                    names.push_back(v.name);
        for (auto const& name : names) {
            auto v = engine::get_volume(*ctx, name);
            if (!v) {
                exit_code = report(v.error());
                continue;
            }
            docs.push_back(engine::inspect_volume(*v));
        }
        int code = a->format.empty() ? (print_json(Json(docs)), 0) : print_formatted(a->format, docs);
        if (exit_code == 0)
            exit_code = code;
    });
}

void add_volume_rm(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        bool force = false;
        bool all = false;
        std::optional<int> time;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("rm", "Remove volumes");
    cmd->alias("remove");
    cmd->add_option("volume", a->names, "Volume names");
    cmd->add_flag("-f,--force", a->force, "Remove the containers using the volume too; a missing volume is not an error");
    cmd->add_flag("-a,--all", a->all, "Remove all volumes");
    cmd->add_option("-t,--time", a->time, "Seconds to wait for a running container using the volume to stop before it is killed (with --force; default: the container's stop timeout)");
    cmd->callback([a, &globals, &exit_code] {
        if (a->time && !a->force) {
            exit_code = report(Error { EINVAL, "--time needs --force: only then are the containers using the volume stopped" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto names = a->names;
        if (a->all)
            if (auto all = engine::list_volumes(*ctx))
                for (auto const& v : *all)
                    names.push_back(v.name);
        if (names.empty()) {
            exit_code = report(Error { EINVAL, "choose a volume or use --all" });
            return;
        }
        for (auto const& name : names) {
            if (auto r = engine::remove_volume(*ctx, name, a->force, a->time); !r) {
                if (a->force && r.error().code == ENOENT)
                    continue;  // as Podman: --force also means "if it exists"
                exit_code = report_removal(r.error());
                continue;
            }
            std::printf("%s\n", name.c_str());
        }
    });
}

void add_volume_prune(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        bool force = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("prune", "Remove all unused volumes");
    cmd->add_flag("-f,--force", a->force, "Do not ask for confirmation");
    cmd->add_option("--filter", a->filters, "Remove only the unused volumes that match: label=, name=, until=, ...")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_volume_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (!a->force) {
            auto unused = engine::unused_volumes(*ctx);
            if (!unused) {
                exit_code = report(unused.error());
                return;
            }
            std::string warning = "WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n";
            for (auto const& name : *unused)
                if (auto v = engine::get_volume(*ctx, name); v && engine::volume_matches(*v, false, *filters))
                    warning += name + "\n";
            auto yes = confirm(warning);
            if (!yes)
                exit_code = report(yes.error());
            if (!yes || !*yes)
                return;
        }
        auto removed = engine::prune_volumes(*ctx, *filters);
        if (!removed) {
            exit_code = report(removed.error());
            return;
        }
        for (auto const& name : *removed)
            std::printf("%s\n", name.c_str());
    });
}

} // namespace

void setup_volume_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("volume", "Manage volumes");
    group->require_subcommand(1);
    add_volume_create(*group, globals, exit_code);
    add_volume_ls(*group, globals, exit_code);
    add_volume_inspect(*group, globals, exit_code);
    add_volume_rm(*group, globals, exit_code);
    add_volume_prune(*group, globals, exit_code);
    add_exists_command(*group, globals, exit_code, "volume", "Check whether a volume exists (exit 0) or not (exit 1)",
        [](engine::Context& ctx, std::string const& name) { return engine::get_volume(ctx, name); });
    add_volume_data_commands(*group, globals, exit_code);
}

} // namespace berth::cli
