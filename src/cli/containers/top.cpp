// berth top and berth stats: the processes of running containers from /proc
// (ps-style descriptors), and their CPU %, memory and pids from the
// container's own cgroup v2 where it has one, else summed over its processes.
#include "cli/stats.h"
#include "cli/targets.h"
#include "engine/containers/stats.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

void setup_top(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto args = std::make_shared<std::vector<std::string>>();
    auto latest = std::make_shared<bool>(false);
    auto* cmd = parent.add_subcommand("top", "Display the running processes of a container");
    cmd->add_option("args", *args, "CONTAINER [FORMAT-DESCRIPTORS...]: user, pid, ppid, pcpu, etime, tty, time, args, comm ...");
    cmd->add_flag("-l,--latest", *latest, "Act on the latest container berth is aware of");
    cmd->callback([args, latest, &globals, &exit_code] {
        std::vector<std::string> names;
        std::vector<std::string> descriptors = *args;
        if (!*latest) {
            if (descriptors.empty()) {
                exit_code = report(Error { EINVAL, "you must provide the name or id of a running container" });
                return;
            }
            names.push_back(descriptors.front());
            descriptors.erase(descriptors.begin());
        }
        TargetOptions options;
        options.latest = *latest;
        options.print = false;
        exit_code = for_each_container(globals, names, options, [descriptors](engine::Context&, engine::Target const& t) -> ErrorOr {
            if (!engine::is_active(t.record.state))
                return Error { EINVAL, "top can only be used on running containers" };
            auto table = TRY(engine::top_table(t.record, descriptors));
            print_table(table);
            return {};
        });
    });
}

namespace {

struct StatsArgs {
    std::vector<std::string> containers;
    bool all = false, latest = false;
    StatsStreamOptions stream;
    std::string format;
};

int print_stats_rows(std::string const& format, std::vector<Json> const& rows)
{
    if (format == "json") {
        print_json(Json(rows));
        return 0;
    }
    if (!format.empty()) {
        std::map<std::string, std::string> headers { { "ID", "ID" }, { "CPUPerc", "CPU %" }, { "MemUsage", "MEM USAGE / LIMIT" },
            { "MemPerc", "MEM %" }, { "NetIO", "NET IO" }, { "BlockIO", "BLOCK IO" }, { "PIDs", "PIDS" }, { "CPUTime", "CPU TIME" },
            { "AvgCPU", "AVG CPU %" } };
        return print_formatted(format, rows, headers);
    }
    std::vector<std::vector<std::string>> table { { "ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS", "CPU TIME", "AVG CPU %" } };
    for (auto& o : rows)
        table.push_back({ o["ID"], o["Name"], o["CPUPerc"], o["MemUsage"], o["MemPerc"], o["NetIO"], o["BlockIO"], o["PIDs"], o["CPUTime"], o["AvgCPU"] });
    print_table(table);
    return 0;
}

int run_stats(StatsArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    bool everything = a.containers.empty() && !a.latest;
    auto targets = engine::resolve_targets(*ctx, a.containers, everything || a.latest);
    if (!targets)
        return report(targets.error());
    if (a.latest && targets->size() > 1)
        targets->resize(1);
    std::vector<container::ContainerRecord> records;
    for (auto& t : *targets) {
        if (!engine::is_active(t.record.state)) {
            if (!everything)
                return report(Error { EINVAL, "container " + t.given + " is not running: cannot get stats" });
            if (!a.all)
                continue;
        }
        records.push_back(t.record);
    }
    return stream_stats(records, a.stream, [&](std::vector<Json> const& rows) { return print_stats_rows(a.format, rows); });
}

} // namespace

void setup_stats(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<StatsArgs>();
    auto* cmd = parent.add_subcommand("stats", "Display a live stream of container resource usage statistics");
    cmd->add_option("container", a->containers, "Containers (default: all running ones)");
    cmd->add_flag("-a,--all", a->all, "Show all containers (stopped ones show no figures)");
    cmd->add_flag("--no-stream", a->stream.no_stream, "Disable streaming stats and only pull the first result");
    cmd->add_flag("--no-reset", a->stream.no_reset, "Disable resetting the screen between intervals");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_option("--format", a->format, "Pretty-print container statistics to JSON or using a Go template");
    cmd->add_option("-i,--interval", a->stream.interval, "Time in seconds between stats reports (default 5)")->check(CLI::PositiveNumber);
    cmd->callback([a, &globals, &exit_code] { exit_code = run_stats(*a, globals); });
}

} // namespace berth::cli
