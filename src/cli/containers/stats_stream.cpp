// The sampling loop of `stats` and `pod stats`: the engine samples the
// containers' processes, this turns two samples into Podman's figures
// (CPU % over the interval, memory against its limit) and prints each round.
#include "cli/stats.h"

#include "engine/containers/stats.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>
#include <unistd.h>

namespace berth::cli {

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

Json stats_row(container::ContainerRecord const& rec, engine::StatsSample const& s, std::optional<engine::StatsSample> const& prev)
{
    double cpu = 0;
    if (prev && s.system_ns > prev->system_ns) {
        // Podman: container CPU delta over host CPU delta, times the number of CPUs.
        long cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
        cpu = 100.0 * static_cast<double>(s.cpu_ns - prev->cpu_ns) / static_cast<double>(s.system_ns - prev->system_ns) * static_cast<double>(cpus);
    }
    char pct[32], mem_pct[32];
    std::snprintf(pct, sizeof pct, "%.2f%%", cpu);
    std::snprintf(mem_pct, sizeof mem_pct, "%.2f%%", s.memory_limit > 0 ? 100.0 * static_cast<double>(s.memory) / static_cast<double>(s.memory_limit) : 0.0);
    double cpu_seconds = static_cast<double>(s.cpu_ns) / 1e9;
    char cpu_time[32];
    std::snprintf(cpu_time, sizeof cpu_time, "%.6fs", cpu_seconds);
    return Json {
        { "ID", rec.id.substr(0, 12) },
        { "ContainerID", rec.id },
        { "Name", rec.name },
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

} // namespace

int stream_stats(std::vector<container::ContainerRecord> const& records, StatsStreamOptions const& options, StatsPrinter const& print)
{
    std::vector<container::ContainerRecord const*> pointers;
    for (auto const& r : records)
        pointers.push_back(&r);
    // The first CPU % needs two samples: take one now, the next after a short wait.
    std::vector<std::optional<engine::StatsSample>> previous(records.size());
    auto first_samples = engine::sample_stats(pointers);
    for (size_t i = 0; i < records.size(); ++i)
        if (first_samples[i])
            previous[i] = *first_samples[i];
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    for (bool first = true; !g_stop; first = false) {
        std::this_thread::sleep_for(first ? std::chrono::milliseconds(500) : std::chrono::seconds(options.interval));
        std::vector<Json> rows;
        auto samples = engine::sample_stats(pointers);
        for (size_t i = 0; i < records.size(); ++i) {
            if (!samples[i])
                continue;
            rows.push_back(stats_row(records[i], *samples[i], previous[i]));
            previous[i] = *samples[i];
        }
        if (!options.no_stream && !options.no_reset && is_tty(1))
            std::printf("\033[2J\033[H");
        if (int rc = print(rows))
            return rc;
        std::fflush(stdout);
        if (options.no_stream)
            break;
    }
    return 0;
}

} // namespace berth::cli
