// The container half of `system check`'s leftovers: lock files, run-directory
// entries (run_dir/containers/<id>) and bundle directories
// (data_dir/containers/<id>) of containers that have no record any more, left
// by a removal that was killed halfway or by an older berth that kept its lock
// files. An entry whose container's lock is held is skipped (a command is at
// work on it, or creating it). A report only looks, so that it leaves no lock
// file of its own; a removal takes the lock, re-reads that no record exists
// and unlinks the lock file last, so a container created meanwhile is never
// touched.
#pragma once

#include "base/error.h"
#include "container/container_store.h"
#include "store/check.h"

#include <string>
#include <vector>

namespace berth::container {

/// Finds (and with Cleanup::Remove removes) the lock files, run_dir/containers entries and
/// data_dir/containers directories of containers without a record (in containers.layout()).
Result<std::vector<store::Problem>> check_leftovers(ContainerStore& containers, store::Cleanup cleanup);

/// The id in a lock file name "container-<id>.lock", or "" for any other name.
std::string container_id_of_lock(std::string_view name);

} // namespace berth::container
