// berth top and berth stats: the processes of running containers from /proc
// (ps-style descriptors), and their CPU %, memory and pids from the
// container's own cgroup v2 where it has one, else summed over its processes.
#include "cli/targets.h"
#include "engine/containers/stats.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

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
    bool all = false, no_stream = false, no_reset = false, latest = false;
    std::string format;
    int interval = 5;
};

struct Row {
    engine::Target target;
    std::optional<engine::StatsSample> previous;
};

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

Json stats_row(engine::Target const& t, engine::StatsSample const& s, std::optional<engine::StatsSample> const& prev)
{
    double cpu = 0;
    if (prev && s.system_ns > prev->system_ns) {
        // Podman: container CPU delta over host CPU delta, times the number of CPUs.
        long cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
        cpu = 100.0 * static_cast<double>(s.cpu_ns - prev->cpu_ns) / static_cast<double>(s.system_ns - prev->system_ns) * static_cast<double>(cpus);
    } else if (s.when_ns > 0) {
        cpu = 0;
    }
    char pct[32], mem_pct[32];
    std::snprintf(pct, sizeof pct, "%.2f%%", cpu);
    std::snprintf(mem_pct, sizeof mem_pct, "%.2f%%", s.memory_limit > 0 ? 100.0 * static_cast<double>(s.memory) / static_cast<double>(s.memory_limit) : 0.0);
    double cpu_seconds = static_cast<double>(s.cpu_ns) / 1e9;
    char cpu_time[32];
    std::snprintf(cpu_time, sizeof cpu_time, "%.6fs", cpu_seconds);
    return Json {
        { "ID", t.record.id.substr(0, 12) },
        { "ContainerID", t.record.id },
        { "Name", t.record.name },
        { "CPUPerc", pct },
        { "CPU", cpu },
        { "CPUNano", s.cpu_ns },
        { "MemUsage", human_size(s.memory) + " / " + human_size(s.memory_limit) },
        { "MemUsageBytes", human_size(s.memory) + " / " + human_size(s.memory_limit) },
        { "MemPerc", mem_pct },
        { "MemUsageRaw", s.memory },
        { "MemLimit", s.memory_limit },
        { "NetIO", "-- / --" },
        { "BlockIO", human_size(s.block_read) + " / " + human_size(s.block_write) },
        { "PIDs", std::to_string(s.pids) },
        { "PIDS", s.pids },
        { "CPUTime", cpu_time },
        { "AvgCPU", pct },
        { "UpTime", cpu_time },
    };
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
    std::vector<Row> rows;
    for (auto& t : *targets) {
        if (!engine::is_active(t.record.state)) {
            if (!everything)
                return report(Error { EINVAL, "container " + t.given + " is not running: cannot get stats" });
            if (!a.all)
                continue;
        }
        rows.push_back({ t, std::nullopt });
    }
    // The first CPU % needs two samples: take one now, the next after a short wait.
    std::vector<container::ContainerRecord const*> records;
    for (auto& r : rows)
        records.push_back(&r.target.record);
    auto first_samples = engine::sample_stats(records);
    for (size_t i = 0; i < rows.size(); ++i)
        if (first_samples[i])
            rows[i].previous = *first_samples[i];
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    for (bool first = true; !g_stop; first = false) {
        std::this_thread::sleep_for(first ? std::chrono::milliseconds(500) : std::chrono::seconds(a.interval));
        std::vector<Json> out;
        auto samples = engine::sample_stats(records);
        for (size_t i = 0; i < rows.size(); ++i) {
            if (!samples[i])
                continue;
            out.push_back(stats_row(rows[i].target, *samples[i], rows[i].previous));
            rows[i].previous = *samples[i];
        }
        if (!a.no_stream && !a.no_reset && is_tty(1))
            std::printf("\033[2J\033[H");
        if (a.format == "json") {
            Json arr = Json::array();
            for (auto& o : out)
                arr.push_back(o);
            print_json(arr);
        } else if (!a.format.empty()) {
            std::map<std::string, std::string> headers { { "ID", "ID" }, { "CPUPerc", "CPU %" }, { "MemUsage", "MEM USAGE / LIMIT" },
                { "MemPerc", "MEM %" }, { "NetIO", "NET IO" }, { "BlockIO", "BLOCK IO" }, { "PIDs", "PIDS" }, { "CPUTime", "CPU TIME" },
                { "AvgCPU", "AVG CPU %" } };
            if (int rc = print_formatted(a.format, out, headers))
                return rc;
        } else {
            std::vector<std::vector<std::string>> table { { "ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS", "CPU TIME", "AVG CPU %" } };
            for (auto& o : out)
                table.push_back({ o["ID"], o["Name"], o["CPUPerc"], o["MemUsage"], o["MemPerc"], o["NetIO"], o["BlockIO"], o["PIDs"], o["CPUTime"], o["AvgCPU"] });
            print_table(table);
        }
        std::fflush(stdout);
        if (a.no_stream)
            break;
    }
    return 0;
}

} // namespace

void setup_stats(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<StatsArgs>();
    auto* cmd = parent.add_subcommand("stats", "Display a live stream of container resource usage statistics");
    cmd->add_option("container", a->containers, "Containers (default: all running ones)");
    cmd->add_flag("-a,--all", a->all, "Show all containers (stopped ones show no figures)");
    cmd->add_flag("--no-stream", a->no_stream, "Disable streaming stats and only pull the first result");
    cmd->add_flag("--no-reset", a->no_reset, "Disable resetting the screen between intervals");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_option("--format", a->format, "Pretty-print container statistics to JSON or using a Go template");
    cmd->add_option("-i,--interval", a->interval, "Time in seconds between stats reports (default 5)")->check(CLI::PositiveNumber);
    cmd->callback([a, &globals, &exit_code] { exit_code = run_stats(*a, globals); });
}

} // namespace berth::cli
