// berth ps / container ls|list|ps: Podman's columns (CONTAINER ID, IMAGE,
// COMMAND, CREATED, STATUS, PORTS, NAMES), -a -q -l -n -s --no-trunc,
// --filter and --format (Go template, table, json).
#include "cli/commands.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"
#include "engine/containers/ps_sort.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

namespace berth::cli {

namespace {

struct PsArgs {
    bool all = false, quiet = false, latest = false, size = false, no_trunc = false, noheading = false, external = false;
    int last = -1;
    std::vector<std::string> filters;
    std::string format;
    bool namespace_ = false;
    std::string sort;  ///< empty: the order of creation (oldest first), as Podman
    bool sync = false;
    bool pod = false;  ///< --pod: POD ID and PODNAME columns
};

std::string joined(std::vector<std::string> const& words)
{
    std::string out;
    for (auto const& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

/// "Up 3 seconds", "Exited (0) 2 seconds ago", "Created", "Paused".
std::string status_text(container::ContainerRecord const& r)
{
    if (engine::status_name(r) == "stopping")
        return "Stopping";
    switch (r.state) {
    case container::State::Running: {
        std::string ago = human_ago(r.started);
        auto pos = ago.rfind(" ago");
        return "Up " + (pos == std::string::npos ? ago : ago.substr(0, pos));
    }
    case container::State::Paused:
        return "Paused";
    case container::State::Initialized:
        return "Initialized";
    case container::State::Exited:
        return "Exited (" + std::to_string(r.exit_code) + ") " + human_ago(r.finished > 0 ? r.finished : r.created);
    case container::State::Created:
        break;
    }
    return "Created";
}

/// status_text plus the health of a running container with a healthcheck: "Up 5 seconds (healthy)".
/// Only a running one, as Podman: a paused container is just "Paused".
std::string status_of(engine::PsEntry const& e)
{
    bool running = e.record.state == container::State::Running;
    return status_text(e.record) + (e.health.empty() || !running ? "" : " (" + e.health + ")");
}

std::string size_text(engine::PsEntry const& e)
{
    return human_size(e.rw_size) + " (virtual " + human_size(e.rw_size + e.image_size) + ")";
}

Json labels_of(container::ContainerRecord const& r)
{
    Json labels = Json::object();
    if (r.config.contains("labels") && r.config["labels"].is_array())
        for (auto const& l : r.config["labels"]) {
            auto s = l.get<std::string>();
            auto eq = s.find('=');
            labels[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
        }
    return labels;
}

/// The fields a --format template sees (Podman's psReporter).
Json row_json(engine::PsEntry const& e, bool no_trunc)
{
    auto const& r = e.record;
    std::string command = joined(e.command);
    if (!no_trunc && command.size() > 17)
        command = command.substr(0, 17) + "...";
    bool exited = r.state == container::State::Exited;
    return Json {
        { "ID", no_trunc ? r.id : r.id.substr(0, 12) },
        { "Id", r.id },
        { "Image", r.image_name },
        { "ImageID", r.image_id },
        { "Command", command },
        { "CreatedAt", go_time(r.created) },
        { "CreatedHuman", human_ago(r.created) },
        { "Created", r.created },
        { "RunningFor", human_ago(r.created) },
        { "Status", status_of(e) },
        { "State", engine::status_name(r) },
        { "Ports", engine::ports_text(r) },
        { "Names", r.name },
        { "Labels", labels_of(r) },
        { "Mounts", "" },
        { "Networks", "" },
        { "Pid", r.pid },
        { "ExitCode", r.exit_code },
        { "Exited", exited },
        { "ExitedAt", r.finished },
        { "StartedAt", r.started },
        { "Size", size_text(e) },
        { "Pod", no_trunc ? r.pod_id : r.pod_id.substr(0, 12) },
        { "PodName", e.pod_name },
        { "AutoRemove", r.config.value("remove", false) },
        { "IsInfra", e.infra },
    };
}

/// One element of `ps --format json` (Podman's ListContainer).
Json json_entry(engine::PsEntry const& e, bool with_size)
{
    auto const& r = e.record;
    bool exited = r.state == container::State::Exited;
    Json labels = labels_of(r);
    return Json {
        { "AutoRemove", r.config.value("remove", false) },
        { "Command", e.command },
        { "CreatedAt", human_ago(r.created) },
        { "Exited", exited },
        { "ExitedAt", r.finished > 0 ? r.finished : int64_t { -62135596800 } },
        { "ExitCode", r.exit_code },
        { "Id", r.id },
        { "Image", r.image_name },
        { "ImageID", r.image_id },
        { "IsInfra", e.infra },
        { "Labels", labels.empty() ? Json(nullptr) : labels },
        { "Mounts", Json::array() },
        { "Names", Json::array({ r.name }) },
        { "Namespaces", Json::object() },
        { "Networks", Json::array() },
        { "Pid", r.pid },
        { "Pod", r.pod_id },
        { "PodName", e.pod_name },
        { "Ports", nullptr },
        { "Size", with_size ? Json { { "RwSize", e.rw_size }, { "RootFsSize", e.rw_size + e.image_size } } : Json(nullptr) },
        { "StartedAt", r.started },
        { "State", engine::status_name(r) },
        { "Status", status_of(e) },
        { "Created", r.created },
    };
}

int run_ps(PsArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto filters = engine::parse_ps_filters(a.filters);
    if (!filters)
        return report(filters.error());
    if (a.latest && a.last >= 0)
        return report(Error::msg("--last and --latest cannot be used together"));
    auto sort = engine::parse_ps_sort(a.sort.empty() ? "created" : a.sort);
    if (!sort)
        return report(sort.error());
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    engine::PsQuery q;
    q.all = a.all;
    q.last = a.latest ? 1 : a.last;
    q.filters = *filters;
    q.size = a.size || *sort == engine::PsSort::Size;
    auto entries = engine::query_containers(*ctx, q);
    if (!entries)
        return report(entries.error());
    // Podman lists the oldest first (the newest N of --last too); query_containers gives the newest first.
    std::reverse(entries->begin(), entries->end());
    if (!a.sort.empty())
        engine::sort_ps_entries(*entries, *sort);
    if (a.quiet) {
        std::string out;
        for (auto const& e : *entries)
            out += (a.no_trunc ? e.record.id : e.record.id.substr(0, 12)) + "\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }
    if (a.format == "json" || a.format == "{{json .}}") {
        Json arr = Json::array();
        for (auto const& e : *entries)
            arr.push_back(json_entry(e, a.size));
        print_json(arr);
        return 0;
    }
    if (!a.format.empty()) {
        std::vector<Json> rows;
        for (auto const& e : *entries)
            rows.push_back(row_json(e, a.no_trunc));
        std::map<std::string, std::string> headers { { "ID", "CONTAINER ID" }, { "CreatedHuman", "CREATED" }, { "RunningFor", "CREATED" },
            { "CreatedAt", "CREATED AT" }, { "ImageID", "IMAGE ID" }, { "ExitCode", "EXIT CODE" }, { "StartedAt", "STARTED AT" },
            { "ExitedAt", "EXITED AT" }, { "PodName", "POD NAME" }, { "AutoRemove", "AUTO REMOVE" } };
        return print_formatted(a.format, rows, headers);
    }
    std::vector<std::vector<std::string>> table;
    table.reserve(entries->size() + 1);
    if (!a.noheading) {
        table.push_back({ "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES" });
        if (a.size)
            table.back().push_back("SIZE");
        if (a.pod)
            table.back().insert(table.back().end(), { "POD ID", "PODNAME" });
    }
    for (auto const& e : *entries) {
        auto const& r = e.record;
        std::string command = joined(e.command);
        if (!a.no_trunc && command.size() > 17)
            command = command.substr(0, 17) + "...";
        table.push_back({ a.no_trunc ? r.id : r.id.substr(0, 12), r.image_name, command, human_ago(r.created), status_of(e), engine::ports_text(r), r.name });
        if (a.size)
            table.back().push_back(size_text(e));
        if (a.pod)
            table.back().insert(table.back().end(), { a.no_trunc ? r.pod_id : r.pod_id.substr(0, 12), e.pod_name });
    }
    print_table(table);
    return 0;
}

} // namespace

CLI::App* add_ps_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PsArgs>();
    auto* cmd = parent.add_subcommand(name, "List containers");
    cmd->add_flag("-a,--all", a->all, "Show all the containers, default is only running containers");
    cmd->add_flag("-q,--quiet", a->quiet, "Print the numeric IDs of the containers only");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_option("-n,--last", a->last, "Print the n last created containers (all states)");
    cmd->add_flag("-s,--size", a->size, "Display the total file sizes");
    cmd->add_flag("--no-trunc", a->no_trunc, "Display the extended information");
    cmd->add_flag("--noheading", a->noheading, "Do not print headers");
    cmd->add_flag("--external", a->external, "Show containers in storage not controlled by berth (there are none)");
    cmd->add_flag("--ns,--namespace", a->namespace_, "Display namespace information (accepted, not shown)");
    cmd->add_flag("-p,--pod", a->pod, "Print the ID and name of the pod each container belongs to");
    cmd->add_flag("--sync", a->sync, "Sync container state with the OCI runtime (berth always checks the processes)");
    cmd->add_option("-f,--filter", a->filters, "Filter output: id=, name=, label=, status=, ancestor=, exited=, before=, since=, health=, pod=");
    cmd->add_option("--format", a->format, "Pretty-print containers to JSON or using a Go template ('table ...' for a table)");
    cmd->add_option("--sort", a->sort, "Sort by command, created, id, image, names, runningfor, size or status");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_ps(*a, globals); });
    return cmd;
}

void setup_ps(CLI::App& parent, Globals& globals, int& exit_code) { add_ps_command(parent, "ps", globals, exit_code); }

std::string ps_status(engine::PsEntry const& entry)
{
    return status_of(entry);
}

} // namespace berth::cli
