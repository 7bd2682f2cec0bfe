// berth logs: prints the logs of one or more containers as Podman does (the
// text; -t prefixes the stored timestamp; several containers or --names
// prefix each line with the short ID or the name). -f follows until the
// container exits.
#include "cli/commands.h"
#include "engine/containers/containers.h"
#include "engine/containers/logs.h"

#include <cstdio>
#include <ctime>

namespace berth::cli {

namespace {

struct LogsArgs {
    std::vector<std::string> containers;
    bool follow = false;
    bool timestamps = false;
    bool names = false;
    std::string since, until;
    int64_t tail = -1;
};

int64_t now_ns()
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int run_logs(LogsArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    engine::LogsOptions o;
    o.follow = a.follow;
    o.tail = a.tail;
    if (!a.since.empty()) {
        auto t = engine::parse_log_time(a.since, now_ns());
        if (!t)
            return report(t.error());
        o.since_ns = *t;
    }
    if (!a.until.empty()) {
        auto t = engine::parse_log_time(a.until, now_ns());
        if (!t)
            return report(t.error());
        o.until_ns = *t;
    }
    // Every name is resolved first: a missing one fails before any output.
    std::vector<container::ContainerRecord> records;
    for (auto const& name : a.containers) {
        auto rec = engine::find_container(*ctx, name);
        if (!rec)
            return report(rec.error());
        records.push_back(std::move(*rec));
    }
    bool prefix = a.names || records.size() > 1;
    auto print = [&](container::ContainerRecord const& rec, engine::LogLine const& l) {
        std::string line;
        if (prefix)
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
        if (auto done = engine::read_logs(*ctx, records, o, [&](size_t i, engine::LogLine const& l) { print(records[i], l); }); !done)
            return report(done.error());
        return 0;
    }
    for (auto const& rec : records)
        if (auto done = engine::read_logs(*ctx, rec, o, [&](engine::LogLine const& l) { print(rec, l); }); !done)
            exit_code = report(done.error());
    return exit_code;
}

} // namespace

void setup_logs(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<LogsArgs>();
    auto* cmd = parent.add_subcommand("logs", "Fetch the logs of one or more containers");
    cmd->add_option("container", a->containers, "Containers (name or ID)")->required();
    cmd->add_flag("-f,--follow", a->follow, "Follow the log output until the container exits");
    cmd->add_flag("-t,--timestamps", a->timestamps, "Show the timestamp of each line");
    cmd->add_flag("-n,--names", a->names, "Prefix each line with the container's name");
    cmd->add_option("--since", a->since, "Only lines since this time (RFC 3339, unix seconds, or a duration like 10m)");
    cmd->add_option("--until", a->until, "Only lines until this time (RFC 3339, unix seconds, or a duration like 10m)");
    cmd->add_option("--tail", a->tail, "Only the last N lines (-1: all)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_logs(*a, globals); });
}

} // namespace berth::cli
