// What `logs` and `pod logs` share: their common flags and the printing of
// the logs of resolved containers (prefixes, timestamps, following).
#pragma once

#include "cli/common.h"
#include "engine/containers/containers.h"
#include "engine/context.h"

#include <string>
#include <vector>

namespace berth::cli {

struct LogsArgs {
    bool follow = false;
    bool timestamps = false;
    bool names = false;
    std::string since, until;
    int64_t tail = -1;
};

/// -f, -t, -n/--names, --since, --until, --tail.
void add_logs_flags(CLI::App* cmd, LogsArgs& args);

/// Whether each line starts with its container (the name with --names, else the short ID).
enum class LogPrefix { None, Container };

/// Prints the logs of `records` as `args` ask; returns the exit code.
int print_logs(engine::Context& ctx, std::vector<container::ContainerRecord> const& records, LogsArgs const& args,
    LogPrefix prefix);

} // namespace berth::cli
