// Commands that act on several containers report per container like Podman:
// every name resolves first (a missing one fails the command before anything
// is done, unless --ignore), then each success prints the name as given and
// each failure prints "Error: ...", and the command exits 125 if any failed.
#pragma once

#include "cli/commands.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"

#include <functional>

namespace berth::cli {

using TargetAction = std::function<ErrorOr(engine::Context&, engine::Target const&)>;

struct TargetOptions {
    bool all = false;
    bool ignore = false;   ///< skip missing containers
    bool print = true;     ///< print the name (or ID, with all) of each success
    bool latest = false;   ///< -l: the newest container
};

/// Resolves names and runs `action` on each; returns the exit code. A context
/// whose store an action closed (start) is opened again for the next one.
int for_each_container(Globals const& globals, std::vector<std::string> const& names, TargetOptions const& options, TargetAction const& action);

/// The containers that ps's `filters` match (every one without filters),
/// oldest first; `last` > 0: only the newest `last`. start, stop and
/// restart --filter pick their containers with it, as Podman's do.
Result<std::vector<engine::PsEntry>> matching_containers(engine::Context& ctx, std::vector<std::string> const& filters, int last = 0);

/// Whether -t/--time is also spelled --timeout (stop and restart, as Podman's
/// TimeoutAliasFlags; rm has no such spelling).
enum class TimeoutAlias { No, Yes };
/// Adds -t/--time; `value` is set only when the flag is given.
void add_time_option(CLI::App* cmd, std::shared_ptr<std::optional<int>> value, std::string const& what, TimeoutAlias alias = TimeoutAlias::No);

} // namespace berth::cli
