// System-wide operations: `info`, `system reset` and `system check`.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "engine/context.h"
#include "store/check.h"

#include <map>
#include <vector>

namespace berth::engine {

struct InfoOptions {
    std::string storage_driver;  ///< --storage-driver: store.graphDriverName
    std::string runtime;         ///< the external OCI runtime configured (name or path); "" is berth's own
};

/// Podman's `info` document (define.Info's JSON keys: host, store, registries,
/// plugins, version), with berth's own earlier fields kept beside them.
/// store.graphDriverName is options.storage_driver when given, else the driver
/// the store recorded on its first mount. See info.cpp for what each of
/// Podman's fields means for berth.
Result<Json> system_info(Context& ctx, InfoOptions const& options = {});
/// The "version" section of info and `version`'s Client: Podman's define.Version
/// keys (APIVersion, Version, GoVersion, GitCommit, BuiltTime, Built, OsArch, Os).
Json version_info();
/// `berth version`'s document: {"Client": version_info()}. There is no Server
/// section, as in local Podman: berth has no service.
Json system_version();
/// Go field names of the info document (Podman's define.Info) whose JSON key
/// is not the name with a lower-case first letter: {"CgroupsVersion", "cgroupVersion"}, ...
/// For format::Template::set_field_names.
std::map<std::string, std::string> info_field_names();
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
