// berth quadlet list|print: the Quadlet files berth-generator reads (a
// user's, or as root the system's), as Podman 5's `podman quadlet`.
#include "cli/commands.h"
#include "engine/system/quadlet.h"

#include <cstdio>

namespace berth::cli {

namespace {

void add_quadlet_list(CLI::App& group, int& exit_code)
{
    auto format = std::make_shared<std::string>();
    auto* cmd = group.add_subcommand("list", "List the Quadlet files systemd's generator turns into units");
    cmd->alias("ls");
    cmd->add_option("--format", *format, "Go template for each file ({{.Name}}, {{.UnitName}}, {{.Path}})");
    cmd->callback([format, &exit_code] {
        std::vector<Json> rows;
        for (auto const& q : engine::list_quadlets())
            rows.push_back(Json { { "Name", q.name }, { "UnitName", q.unit }, { "Path", q.path } });
        std::string f = format->empty() ? "table {{.Name}}\t{{.UnitName}}\t{{.Path}}" : *format;
        exit_code = print_formatted(f, rows, { { "Name", "NAME" }, { "UnitName", "UNIT NAME" }, { "Path", "PATH ON DISK" } });
    });
}

void add_quadlet_print(CLI::App& group, int& exit_code)
{
    auto name = std::make_shared<std::string>();
    auto* cmd = group.add_subcommand("print", "Print a Quadlet file and its drop-ins");
    cmd->add_option("quadlet", *name, "The file's name (web.container, db.network, or web for web.container)")->required();
    cmd->callback([name, &exit_code] {
        auto text = engine::quadlet_text(*name);
        if (!text) {
            exit_code = report(text.error());
            return;
        }
        std::fputs(text->c_str(), stdout);
    });
}

} // namespace

void setup_quadlet(CLI::App& parent, Globals&, int& exit_code)
{
    auto* group = parent.add_subcommand("quadlet", "Show the Quadlet files (.container, .volume, .network, .pod, .kube, .image, .build) that berth-generator turns into systemd units");
    group->require_subcommand(1);
    add_quadlet_list(*group, exit_code);
    add_quadlet_print(*group, exit_code);
}

} // namespace berth::cli
