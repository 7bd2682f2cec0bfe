// berth logs: prints the logs of one or more containers as Podman does (the
// text; -t prefixes the stored timestamp; several containers or --names
// prefix each line with the short ID or the name). -f follows until the
// container exits. `pod logs` prints through print_logs too.
#include "cli/logs.h"

#include "cli/commands.h"
#include "engine/containers/containers.h"
#include "engine/containers/logs.h"

#include <cstdio>
#include <ctime>

namespace berth::cli {

namespace {

int64_t now_ns()
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

/// --since/--until as the engine's filters.
Result<engine::LogsOptions> logs_options(LogsArgs const& a)
{
    engine::LogsOptions o;
    o.follow = a.follow;
    o.tail = a.tail;
    if (!a.since.empty())
        o.since_ns = TRY(engine::parse_log_time(a.since, now_ns()));
    if (!a.until.empty())
        o.until_ns = TRY(engine::parse_log_time(a.until, now_ns()));
    return o;
}

} // namespace

void add_logs_flags(CLI::App* cmd, LogsArgs& a)
{
    cmd->add_flag("-f,--follow", a.follow, "Follow the log output until the container exits");
    cmd->add_flag("-t,--timestamps", a.timestamps, "Show the timestamp of each line");
    cmd->add_flag("-n,--names", a.names, "Prefix each line with the container's name");
    cmd->add_option("--since", a.since, "Only lines since this time (RFC 3339, unix seconds, or a duration like 10m)");
    cmd->add_option("--until", a.until, "Only lines until this time (RFC 3339, unix seconds, or a duration like 10m)");
    cmd->add_option("--tail", a.tail, "Only the last N lines (-1: all)");
}

int print_logs(engine::Context& ctx, std::vector<container::ContainerRecord> const& records, LogsArgs const& a, LogPrefix prefix)
{
    auto o = logs_options(a);
    if (!o)
        return report(o.error());
    auto print = [&](container::ContainerRecord const& rec, engine::LogLine const& l) {
        std::string line;
        if (prefix == LogPrefix::Container)
            line += (a.names ? rec.name : rec.id.substr(0, 12)) + " ";
        if (a.timestamps)
            line += l.time + " ";
        line += l.text;
        if (l.newline)
            line += "\n";
        std::fwrite(line.data(), 1, line.size(), l.stream == "stderr" ? stderr : stdout);
        std::fflush(l.stream == "stderr" ? stderr : stdout);
    };
    if (a.follow && records.size() > 1) {
        // -f A B: both at once, each line as it is written.
        if (auto done = engine::read_logs(ctx, records, *o, [&](size_t i, engine::LogLine const& l) { print(records[i], l); }); !done)
            return report(done.error());
        return 0;
    }
    int exit_code = 0;
    for (auto const& rec : records)
        if (auto done = engine::read_logs(ctx, rec, *o, [&](engine::LogLine const& l) { print(rec, l); }); !done)
            exit_code = report(done.error());
    return exit_code;
}

void setup_logs(CLI::App& parent, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> containers;
        LogsArgs logs;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand("logs", "Fetch the logs of one or more containers");
    cmd->add_option("container", a->containers, "Containers (name or ID)")->required();
    add_logs_flags(cmd, a->logs);
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        // Every name is resolved first: a missing one fails before any output.
        std::vector<container::ContainerRecord> records;
        for (auto const& name : a->containers) {
            auto rec = engine::find_container(*ctx, name);
            if (!rec) {
                exit_code = report(rec.error());
                return;
            }
            records.push_back(std::move(*rec));
        }
        bool prefix = a->logs.names || records.size() > 1;
        exit_code = print_logs(*ctx, records, a->logs, prefix ? LogPrefix::Container : LogPrefix::None);
    });
}

} // namespace berth::cli
