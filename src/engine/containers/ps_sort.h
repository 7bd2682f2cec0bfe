// `ps --sort`: Podman's orders of the container list (pkg/domain/entities
// SortPsOutput). Pure: it only reorders entries query_containers made.
#pragma once

#include "base/error.h"
#include "engine/containers/container_query.h"

#include <string>
#include <vector>

namespace berth::engine {

enum class PsSort { Command, Created, Id, Image, Names, RunningFor, Size, Status };

/// "created" -> PsSort::Created; an unknown key is an error listing the valid ones, as Podman's.
Result<PsSort> parse_ps_sort(std::string const& key);

/// Orders `entries` as Podman 4's --sort does: command, id, image and names
/// ascending; created and runningfor oldest first; status in the order
/// created, initialized, running, paused, exited; size by the root
/// filesystem size (rw + image), smallest first.
/// Stable: entries that compare equal keep the order they have (ps: oldest first).
void sort_ps_entries(std::vector<PsEntry>& entries, PsSort by);

} // namespace berth::engine
