// System-wide operations: `info` and `system reset`.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"

namespace berth::engine {

/// Podman-style `info` document (lower-camel keys: host, store, registries,
/// version). store.graphDriverName is `storage_driver` (--storage-driver) when
/// given, else the driver the store recorded on its first mount.
Result<Json> system_info(Context& ctx, std::string const& storage_driver = "");
/// Removes every image, layer and blob of this user's store and stops the
/// user-namespace pause process. Runs inside the user namespace, so files owned
/// by subordinate ids can be removed.
ErrorOr system_reset(GlobalOptions const& options);

} // namespace berth::engine
