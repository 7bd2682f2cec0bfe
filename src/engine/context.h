// The engine's front door: a Context is one open store for one invocation.
//
// Opening a context does, in order: resolve the paths (root or rootless), join
// the per-user user namespace when rootless (before any thread starts), open
// the SQLite store (which repairs what a killed invocation left), and load
// registries.conf. Every engine operation takes a Context.
#pragma once

#include "base/error.h"
#include "config/engine_config.h"
#include "container/container_store.h"
#include "image/registries_conf.h"
#include "rootless/paths.h"
#include "store/store.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// The global flags as given ("" or empty: not given).
struct GlobalOptions {
    std::string root;            ///< --root: data directory
    std::string runroot;         ///< --runroot: runtime state directory
    std::string storage_driver;  ///< --storage-driver
    std::vector<std::string> storage_opts;   ///< --storage-opt: "overlay.mount_program=PATH", "overlay.mountopt=..."
    std::string runtime;                     ///< --runtime: an OCI runtime (name or path) instead of berth's own
    std::vector<std::string> runtime_flags;  ///< --runtime-flag: global flags for that runtime
    std::string events_backend;              ///< --events-backend: file | journald | none
    std::string cgroup_manager;              ///< --cgroup-manager: cgroupfs | systemd
    std::string volume_path;                 ///< --volumepath
    std::string tmp_dir;                     ///< --tmpdir: where the events log lives
    std::string network_cmd_path;            ///< --network-cmd-path: the pasta binary
};

/// What an invocation runs with: the global flags over containers.conf and
/// storage.conf (config/engine_config.h), each setting decided in one place.
struct Settings {
    GlobalOptions options;               ///< flags, completed from the files where no flag was given
    config::ContainersConf containers;   ///< container defaults for create
    config::StorageConf storage;
    std::string mount_program;           ///< the fuse-overlayfs to use, "" for the one in PATH
};

/// Reads the configuration files and applies the flags over them. Refuses,
/// naming the fix, what this host cannot do (journald, systemd cgroups).
Result<Settings> load_settings(GlobalOptions const& flags);

/// The global flags to give a berth that runs on behalf of this one (the
/// monitor's `container cleanup`, healthchecks), so that it sees the same store.
std::vector<std::string> global_args(Settings const& settings, rootless::Paths const& paths);

struct Context {
    rootless::Paths paths;
    std::unique_ptr<store::Store> store;
    Settings settings;

    /// registries.conf and its drop-ins, read at the first call: most commands
    /// (exec, ps, stop) never name an image, and reading them costs half a millisecond.
    Result<image::RegistriesConf const*> registries();

private:
    std::optional<image::RegistriesConf> m_registries;
};

/// Opens the store (joining the rootless user namespace first when needed).
Result<Context> open_context(GlobalOptions const& options);
/// The container records (and locks) of the context's store.
Result<container::ContainerStore> container_records(Context& ctx);
/// Resolves paths only, without joining a namespace or opening the store (for `info`, `version`).
Result<rootless::Paths> resolve_paths(GlobalOptions const& options);
Result<rootless::Paths> resolve_paths(Settings const& settings);

} // namespace berth::engine
