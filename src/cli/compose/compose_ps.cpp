// berth compose ps, ls, images, port, top and config: what a project has,
// printed in docker compose's columns (ps: NAME IMAGE COMMAND SERVICE
// CREATED STATUS PORTS) or with --format.
#include "cli/compose/compose.h"

#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"
#include "engine/containers/stats.h"

#include <algorithm>
#include <cstdio>

namespace berth::cli::compose_cli {

namespace {

std::string joined(std::vector<std::string> const& words, char const* sep = " ")
{
    std::string out;
    for (auto const& w : words)
        out += (out.empty() ? "" : sep) + w;
    return out;
}

struct PsArgs {
    bool all = false, quiet = false, services = false;
    std::string format, status;
    std::vector<std::string> service_names;
};

Json ps_row(engine::PsEntry const& e)
{
    auto const& r = e.record;
    return Json {
        { "ID", r.id }, { "Name", r.name }, { "Names", r.name }, { "Image", r.image_name },
        { "Command", joined(e.command) }, { "Service", engine::container_label(r, engine::service_label) },
        { "Project", engine::container_label(r, engine::project_label) },
        { "CreatedAt", human_ago(r.created) }, { "Created", r.created }, { "State", std::string(engine::state_name(r.state)) },
        { "Status", ps_status(e) }, { "Health", e.health }, { "ExitCode", r.exit_code }, { "Ports", engine::ports_text(r) },
    };
}

int run_ps(PsArgs const& a, engine::Context& ctx, compose::Project const& p)
{
    auto records = engine::project_containers(ctx, p, a.service_names);
    if (!records)
        return report(records.error());
    std::vector<std::string> ids;
    for (auto const& r : *records)
        ids.push_back(r.id);
    engine::PsQuery q;
    q.all = true;
    auto entries = engine::query_containers(ctx, q);
    if (!entries)
        return report(entries.error());
    std::vector<engine::PsEntry> shown;
    for (auto const& id : ids)
        for (auto const& e : *entries)
            if (e.record.id == id && (a.all || engine::is_active(e.record.state)) && (a.status.empty() || engine::state_name(e.record.state) == a.status))
                shown.push_back(e);
    if (a.quiet || a.services) {
        std::vector<std::string> seen;
        for (auto const& e : shown) {
            auto line = a.quiet ? e.record.id : engine::container_label(e.record, engine::service_label);
            if (std::find(seen.begin(), seen.end(), line) == seen.end())
                std::printf("%s\n", line.c_str());
            seen.push_back(line);
        }
        return 0;
    }
    std::vector<Json> rows;
    for (auto const& e : shown)
        rows.push_back(ps_row(e));
    if (a.format == "json") {
        std::printf("%s\n", json::dump(Json(rows)).c_str());
        return 0;
    }
    if (!a.format.empty())
        return print_formatted(a.format, rows);
    std::vector<std::vector<std::string>> table { { "NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS" } };
    for (auto const& row : rows) {
        auto command = row["Command"].get<std::string>();
        if (command.size() > 20)
            command = command.substr(0, 19) + "…";
        auto field = [&](char const* key) { return row[key].get<std::string>(); };
        table.push_back({ field("Name"), field("Image"), "\"" + command + "\"", field("Service"), field("CreatedAt"), field("Status"), field("Ports") });
    }
    print_table(table);
    return 0;
}

} // namespace

void add_ps(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PsArgs>();
    auto* cmd = group.add_subcommand("ps", "List the containers of the project");
    cmd->add_option("service", a->service_names, "Only these services");
    cmd->add_flag("-a,--all", a->all, "Stopped containers too");
    cmd->add_flag("-q,--quiet", a->quiet, "Only the IDs");
    cmd->add_flag("--services", a->services, "Only the services' names");
    cmd->add_option("--status", a->status, "Only containers in this state (created, running, paused, exited)");
    cmd->add_option("--format", a->format, "table (default), json, or a Go template");
    cmd->callback([a, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, true, [&](engine::Context& ctx, compose::Project const& p) { return run_ps(*a, ctx, p); });
    });
}

void add_ls(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        bool all = false, quiet = false;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("ls", "List the projects that have containers");
    cmd->add_flag("-a,--all", a->all, "Projects whose containers are all stopped too");
    cmd->add_flag("-q,--quiet", a->quiet, "Only the names");
    cmd->add_option("--format", a->format, "table (default), json, or a Go template");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto projects = engine::compose_projects(*ctx, a->all);
        if (!projects) {
            exit_code = report(projects.error());
            return;
        }
        std::vector<Json> rows;
        for (auto const& p : *projects)
            rows.push_back(Json { { "Name", p.name }, { "Status", p.status }, { "ConfigFiles", p.config_files } });
        if (a->quiet) {
            for (auto const& p : *projects)
                std::printf("%s\n", p.name.c_str());
        } else if (a->format == "json") {
            std::printf("%s\n", json::dump(Json(rows)).c_str());
        } else if (!a->format.empty()) {
            exit_code = print_formatted(a->format, rows);
        } else {
            std::vector<std::vector<std::string>> table { { "NAME", "STATUS", "CONFIG FILES" } };
            for (auto const& p : *projects)
                table.push_back({ p.name, p.status, p.config_files });
            print_table(table);
        }
    });
}

void add_images(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code)
{
    auto services = std::make_shared<std::vector<std::string>>();
    auto* cmd = group.add_subcommand("images", "List the images the project's containers use");
    cmd->add_option("service", *services, "Only these services");
    cmd->callback([services, files, &globals, &exit_code] {
        exit_code = with_containers(*files, globals, *services, [&](engine::Context& ctx, auto const& records) {
            std::vector<std::vector<std::string>> table { { "CONTAINER", "REPOSITORY", "TAG", "IMAGE ID", "SIZE" } };
            for (auto const& r : records) {
                auto name = r.image_name;
                auto colon = name.rfind(':');
                bool tagged = colon != std::string::npos && name.find('/', colon) == std::string::npos;
                std::string size;
                if (auto image = engine::find_image(ctx, r.image_id)) {
                    int64_t total = 0;
                    for (auto const& l : image->layers)
                        total += l.size;
                    size = human_size(total);
                }
                table.push_back({ r.name, tagged ? name.substr(0, colon) : name, tagged ? name.substr(colon + 1) : "latest", r.image_id.substr(0, 12), size });
            }
            print_table(table);
            return 0;
        });
    });
}

void add_port(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code)
{
    struct Args {
        std::string service, port, protocol = "tcp";
        int index = 1;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("port", "Print the host address a service's port is published on");
    cmd->add_option("service", a->service, "The service")->required();
    cmd->add_option("private_port", a->port, "The container's port")->required();
    cmd->add_option("--protocol", a->protocol, "tcp or udp")->capture_default_str();
    cmd->add_option("--index", a->index, "The container of the service, when it has several")->capture_default_str();
    cmd->callback([a, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, true, [&](engine::Context& ctx, compose::Project const& p) {
            auto rec = engine::service_container(ctx, p, a->service, a->index);
            if (!rec)
                return report(rec.error());
            for (auto const& m : engine::published_ports(*rec))
                if (m.key == a->port + "/" + a->protocol) {
                    std::printf("%s\n", m.host.c_str());
                    return 0;
                }
            return report(Error { ENOENT, "no port " + a->port + "/" + a->protocol + " of service " + a->service + " is published" });
        });
    });
}

void add_top(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, Globals& globals, int& exit_code)
{
    auto services = std::make_shared<std::vector<std::string>>();
    auto* cmd = group.add_subcommand("top", "Show the processes of the project's running containers");
    cmd->add_option("service", *services, "Only these services");
    cmd->callback([services, files, &globals, &exit_code] {
        exit_code = with_containers(*files, globals, *services, [&](engine::Context&, auto const& records) {
            bool first = true;
            for (auto const& r : records) {
                if (!engine::is_active(r.state))
                    continue;
                auto table = engine::top_table(r, {});
                if (!table)
                    return report(table.error());
                std::printf("%s%s\n", first ? "" : "\n", r.name.c_str());
                first = false;
                print_table(*table);
            }
            return 0;
        });
    });
}

void add_config(CLI::App& group, std::shared_ptr<engine::ComposeFiles> files, int& exit_code)
{
    struct Args {
        bool quiet = false, services = false, volumes = false, networks = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("config", "Check the files and print the resolved project as YAML");
    cmd->alias("convert");
    cmd->add_flag("-q,--quiet", a->quiet, "Only check: print nothing");
    cmd->add_flag("--services", a->services, "Print the services' names, one a line");
    cmd->add_flag("--volumes", a->volumes, "Print the volumes' names, one a line");
    cmd->add_flag("--networks", a->networks, "Print the networks' names, one a line");
    cmd->callback([a, files, &exit_code] {
        auto p = engine::load_compose_project(*files);
        if (!p) {
            exit_code = report(p.error());
            return;
        }
        if (a->quiet)
            return;
        if (a->services)
            for (auto const& s : p->services)
                std::printf("%s\n", s.name.c_str());
        if (a->volumes)
            for (auto const& v : p->volumes)
                std::printf("%s\n", v.key.c_str());
        if (a->networks)
            for (auto const& n : p->networks)
                std::printf("%s\n", n.key.c_str());
        if (!a->services && !a->volumes && !a->networks)
            std::fputs(p->yaml.c_str(), stdout);
    });
}

} // namespace berth::cli::compose_cli
