// What `stats` and `pod stats` share: the rows of container samples (CPU %
// needs two samples: the previous one is kept per container) and the loop
// that prints them every interval until interrupted.
#pragma once

#include "cli/common.h"
#include "engine/containers/containers.h"

#include <functional>
#include <vector>

namespace berth::cli {

struct StatsStreamOptions {
    int interval = 5;        ///< seconds between samples
    bool no_stream = false;  ///< one sample only
    bool no_reset = false;   ///< do not clear the screen between samples
};

/// Called with one row per container that still runs (stats' --format fields:
/// ID, ContainerID, Name, CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs, ...);
/// returns an exit code, non-zero to stop.
using StatsPrinter = std::function<int(std::vector<Json> const& rows)>;

/// Samples `records` (half a second after a first sample, then every
/// interval) and prints each round until SIGINT/SIGTERM, or once with
/// no_stream; returns the printer's exit code.
int stream_stats(std::vector<container::ContainerRecord> const& records, StatsStreamOptions const& options,
    StatsPrinter const& print);

} // namespace berth::cli
