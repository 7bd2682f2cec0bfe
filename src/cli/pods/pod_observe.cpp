// berth pod top|logs|stats: what the containers of a pod are doing, printed
// as Podman 4.3 prints it. The engine picks the pod's containers
// (engine/pods/pod_members.cpp); the printing is that of top, logs and stats.
#include "cli/commands.h"
#include "cli/logs.h"
#include "cli/stats.h"
#include "engine/pods/pods.h"

#include <cstdio>

namespace berth::cli {

namespace {

/// The pod named `name`, or with `latest` the newest pod.
Result<container::PodRecord> pod_named(engine::Context& ctx, std::string const& name, bool latest)
{
    if (!latest)
        return engine::find_pod(ctx, name);
    auto pods = TRY(engine::list_pods(ctx));
    if (pods.empty())
        return Error { ENOENT, "no pods to operate on: no such pod" };
    return pods.front().pod;
}

void add_pod_top(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> args;
        bool latest = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("top", "Display the running processes of the containers in a pod");
    cmd->add_option("args", a->args, "POD [FORMAT-DESCRIPTORS...]: user, pid, ppid, pcpu, etime, tty, time, args, comm ...");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest pod berth is aware of");
    cmd->callback([a, &globals, &exit_code] {
        auto descriptors = a->args;
        std::string name;
        if (!a->latest) {
            if (descriptors.empty()) {
                exit_code = report(Error { EINVAL, "you must provide the name or id of a running pod" });
                return;
            }
            name = descriptors.front();
            descriptors.erase(descriptors.begin());
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto pod = pod_named(*ctx, name, a->latest);
        auto table = pod ? engine::pod_top_table(*ctx, *pod, descriptors) : Result<std::vector<std::vector<std::string>>>(pod.error());
        if (!table) {
            exit_code = report(table.error());
            return;
        }
        if (!table->empty())
            print_table(*table);
    });
}

void add_pod_logs(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> pods;
        std::string container;
        bool latest = false;
        LogsArgs logs;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("logs", "Fetch the logs of the containers in a pod");
    cmd->add_option("pod", a->pods, "Pod name or ID");
    cmd->add_option("-c,--container", a->container, "Only the logs of this container of the pod (name or ID)");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest pod berth is aware of");
    add_logs_flags(cmd, a->logs);
    cmd->callback([a, &globals, &exit_code] {
        if (a->pods.empty() && !a->latest) {
            exit_code = report(Error { EINVAL, "specify at least one pod name or ID to log" });
            return;
        }
        if (a->pods.size() > 1 || (a->latest && !a->pods.empty())) {
            exit_code = report(Error { EINVAL, "too many arguments: give one pod, or --latest" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto pod = pod_named(*ctx, a->latest ? "" : a->pods.front(), a->latest);
        auto records = pod ? engine::pod_log_containers(*ctx, *pod, a->container)
                           : Result<std::vector<container::ContainerRecord>>(pod.error());
        if (!records) {
            exit_code = report(records.error());
            return;
        }
        // As Podman 4.3, which counts the infra container among the pod's (it
        // logs nothing): a prefix unless -c names one container; --names makes it the name.
        bool several = records->size() > 1 || (a->container.empty() && !pod->infra_id.empty());
        exit_code = print_logs(*ctx, *records, a->logs, several ? LogPrefix::Container : LogPrefix::None);
    });
}

/// `pod stats`'s row for a container's stats row.
Json pod_stats_row(Json const& row, std::string const& pod_id)
{
    return Json {
        { "CPU", row["CPUPerc"] },
        { "MemUsage", row["MemUsage"] },
        { "MemUsageBytes", row["MemUsageBytes"] },
        { "Mem", row["MemPerc"] },
        { "NetIO", row["NetIO"] },
        { "BlockIO", row["BlockIO"] },
        { "PIDS", row["PIDs"] },
        { "Pod", pod_id.substr(0, 12) },
        { "CID", row["ID"] },
        { "Name", row["Name"] },
    };
}

int print_pod_stats(std::string const& format, std::vector<Json> const& rows)
{
    if (format == "json") {
        print_json(Json(rows));
        return 0;
    }
    if (!format.empty()) {
        if (rows.empty())
            return 0;
        return print_formatted(format, rows,
            { { "CPU", "CPU %" }, { "MemUsage", "MEM USAGE/ LIMIT" }, { "MemUsageBytes", "MEM USAGE/ LIMIT" }, { "Mem", "MEM %" } });
    }
    std::vector<std::vector<std::string>> table { { "POD", "CID", "NAME", "CPU %", "MEM USAGE/ LIMIT", "MEM %", "NET IO", "BLOCK IO", "PIDS" } };
    for (auto const& r : rows)
        table.push_back({ r["Pod"], r["CID"], r["Name"], r["CPU"], r["MemUsage"], r["Mem"], r["NetIO"], r["BlockIO"], r["PIDS"] });
    if (rows.empty())
        table.push_back(std::vector<std::string>(table.front().size(), "--"));
    print_table(table);
    return 0;
}

void add_pod_stats(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> pods;
        bool all = false, latest = false;
        StatsStreamOptions stream;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("stats", "Display a live stream of resource usage statistics for the containers in one or more pods");
    cmd->add_option("pod", a->pods, "Pods (default: every pod)");
    cmd->add_flag("-a,--all", a->all, "Provide stats for all pods");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest pod berth is aware of");
    cmd->add_flag("--no-stream", a->stream.no_stream, "Disable streaming stats and only pull the first result");
    cmd->add_flag("--no-reset", a->stream.no_reset, "Disable resetting the screen when streaming");
    cmd->add_option("--format", a->format, "Pretty-print container statistics to JSON or using a Go template");
    cmd->callback([a, &globals, &exit_code] {
        if (int(!a->pods.empty()) + int(a->all) + int(a->latest) > 1) {
            exit_code = report(Error { EINVAL, "--all, --latest and arguments cannot be used together" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::vector<container::PodRecord> pods;
        for (auto const& name : a->pods) {
            auto pod = engine::find_pod(*ctx, name);
            if (!pod) {
                exit_code = report(pod.error());
                return;
            }
            pods.push_back(std::move(*pod));
        }
        if (a->pods.empty()) {
            auto all = engine::list_pods(*ctx);
            if (!all) {
                exit_code = report(all.error());
                return;
            }
            for (auto const& r : *all)
                if (!a->latest || pods.empty())
                    pods.push_back(r.pod);
        }
        auto members = engine::running_pod_members(*ctx, pods);
        if (!members) {
            exit_code = report(members.error());
            return;
        }
        std::vector<container::ContainerRecord> records;
        std::map<std::string, std::string> pod_of;
        for (auto const& m : *members) {
            records.push_back(m.container);
            pod_of[m.container.id] = m.pod.id;
        }
        exit_code = stream_stats(records, a->stream, [&](std::vector<Json> const& rows) {
            std::vector<Json> out;
            for (auto const& row : rows)
                out.push_back(pod_stats_row(row, pod_of[row["ContainerID"].get<std::string>()]));
            return print_pod_stats(a->format, out);
        });
    });
}

} // namespace

void add_pod_observers(CLI::App& group, Globals& globals, int& exit_code)
{
    add_pod_top(group, globals, exit_code);
    add_pod_logs(group, globals, exit_code);
    add_pod_stats(group, globals, exit_code);
}

} // namespace berth::cli
