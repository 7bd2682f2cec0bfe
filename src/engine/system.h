// System-wide operations: `info`, `system reset` and `system check`.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"
#include "store/check.h"

#include <vector>

namespace berth::engine {

/// Podman-style `info` document (lower-camel keys: host, store, registries,
/// version). store.graphDriverName is `storage_driver` (--storage-driver) when
/// given, else the driver the store recorded on its first mount.
Result<Json> system_info(Context& ctx, std::string const& storage_driver = "");
/// Removes every image, layer and blob of this user's store and stops the
/// user-namespace pause process. Runs inside the user namespace, so files owned
/// by subordinate ids can be removed.
ErrorOr system_reset(GlobalOptions const& options);

struct SystemCheckOptions {
    bool repair = false;   ///< remove what is damaged or left over
    bool force = false;    ///< with repair: also remove damaged containers (and so their images)
    bool quick = false;    ///< skip re-hashing config and manifest blobs
    int64_t max_age = 0;   ///< seconds: unreferenced layers younger than this are not reported
};
/// Checks containers, images, layers, blobs and run-directory entries for damage and
/// leftovers, one Problem each; with repair removes what it safely can (see system_check.cpp).
/// Problems left with repaired == false are errors that remain.
Result<std::vector<store::Problem>> system_check(Context& ctx, SystemCheckOptions const& options);

} // namespace berth::engine
