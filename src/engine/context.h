// The engine's front door: a Context is one open store for one invocation.
//
// Opening a context does, in order: resolve the paths (root or rootless), join
// the per-user user namespace when rootless (before any thread starts), open
// the SQLite store (which repairs what a killed invocation left), and load
// registries.conf. Every engine operation takes a Context.
#pragma once

#include "base/error.h"
#include "image/registries_conf.h"
#include "rootless/paths.h"
#include "store/store.h"

#include <memory>
#include <string>

namespace berth::engine {

struct GlobalOptions {
    std::string root;            ///< --root: data directory
    std::string runroot;         ///< --runroot: runtime state directory
    std::string storage_driver;  ///< --storage-driver
};

struct Context {
    rootless::Paths paths;
    std::unique_ptr<store::Store> store;
    image::RegistriesConf registries;
};

/// Opens the store (joining the rootless user namespace first when needed).
Result<Context> open_context(GlobalOptions const& options);
/// Resolves paths only, without joining a namespace or opening the store (for `info`, `version`).
Result<rootless::Paths> resolve_paths(GlobalOptions const& options);

} // namespace berth::engine
