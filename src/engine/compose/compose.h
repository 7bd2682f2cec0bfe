// `berth compose`: a Compose project run through the engine's own
// operations. The files are read here (compose/project.h makes the typed
// project of them); each service becomes the same container::CreateOptions
// `run` fills (compose/convert.h) and goes through create_container and
// start_container, its volumes and networks through create_volume and
// create_network. Everything a project makes carries the label
// com.docker.compose.project=NAME, so that down, ps, logs and the others
// find it again without the file.
//
// The hard part is order: services start in dependency order, and a service
// whose dependency asks for service_healthy or service_completed_successfully
// waits for the dependency's healthcheck state (which its monitor keeps) or
// exit code, up to a timeout, before it starts.
#pragma once

#include "base/error.h"
#include "compose/convert.h"
#include "compose/project.h"
#include "container/container_store.h"
#include "engine/containers/containers.h"
#include "engine/containers/exec.h"
#include "engine/context.h"
#include "engine/images/images.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace berth::engine {

/// The global flags of `compose`.
struct ComposeFiles {
    std::vector<std::string> files;        ///< -f (empty: compose.yaml ... in the current directory, with its override file)
    std::string project_name;              ///< -p
    std::string project_directory;         ///< --project-directory (empty: the first file's)
    std::vector<std::string> env_files;    ///< --env-file (empty: PROJECT_DIR/.env when it exists)
    std::vector<std::string> profiles;     ///< --profile
};

/// Reads the files, the .env file and the environment into the project.
/// A missing file is ENOENT naming it (and, with no -f, the names looked for).
Result<compose::Project> load_compose_project(ComposeFiles const& files);

/// The project for a command that acts on what exists (down, ps, logs,
/// stop...): the files' project, or with -p and no file, a project of that name only.
Result<compose::Project> existing_compose_project(ComposeFiles const& files);

/// One line of progress: "Container NAME  Started", "Network NAME  Created".
using ComposeProgress = std::function<void(std::string const& kind, std::string const& name, std::string const& what)>;

struct ComposeUpOptions {
    std::vector<std::string> services;     ///< empty: all (enabled) services; named ones bring their dependencies
    bool build = false;                    ///< --build: build images of services with build: first
    bool force_recreate = false;
    bool remove_orphans = false;
    bool no_start = false;
    bool no_deps = false;                  ///< only the named services
    int wait_timeout = 120;                ///< seconds a service_healthy / completed dependency is waited for
    PullOptions pull_options;
    std::string storage_driver;
    std::vector<std::string> create_command;
};

/// Creates what is missing, recreates containers whose config changed (or
/// all with force_recreate), starts them in dependency order. Returns the
/// project's containers of the selected services, in start order.
Result<std::vector<container::ContainerRecord>> compose_up(Context& ctx, compose::Project const& project,
    ComposeUpOptions const& options, ComposeProgress const& progress, Warn const& warn);

/// The top-level secrets the `services` use: each made a berth secret
/// PROJECT_KEY from its file or variable, labelled with the project (remade,
/// with the project's containers that use it removed, when its data changed);
/// an external one must exist.
ErrorOr ensure_compose_secrets(Context& ctx, compose::Project const& project, std::set<std::string> const& services,
    ComposeProgress const& progress);
/// The secrets labelled with the project, removed (down: they are remade from the files at up).
ErrorOr remove_compose_secrets(Context& ctx, compose::Project const& project, ComposeProgress const& progress);

struct ComposeDownOptions {
    bool volumes = false;                  ///< -v: the project's named volumes (not external ones) and anonymous ones
    std::string rmi;                       ///< --rmi local|all
    bool remove_orphans = false;
    std::optional<int> timeout;
};
/// Stops and removes the project's containers (reverse dependency order),
/// then its networks and secrets, then with -v its volumes, with --rmi its images.
ErrorOr compose_down(Context& ctx, compose::Project const& project, ComposeDownOptions const& options, ComposeProgress const& progress);

/// The project's containers (all states), of `services` only when given
/// (an unknown service is an Error), by service in dependency order, then number.
Result<std::vector<container::ContainerRecord>> project_containers(Context& ctx, compose::Project const& project,
    std::vector<std::string> const& services = {}, bool one_off = false);

/// The labels compose puts on what it makes (compose/convert.h).
using compose::number_label;
using compose::oneoff_label;
using compose::project_label;
using compose::service_label;

/// The value of a label of a container ("" when it has none).
std::string container_label(container::ContainerRecord const& rec, std::string const& key);

enum class ComposeAction { Start, Stop, Restart, Kill, Remove, Pause, Unpause };
struct ComposeActionOptions {
    std::vector<std::string> services;
    std::optional<int> timeout;            ///< stop, restart
    std::string signal = "SIGKILL";        ///< kill
    bool force = false;                    ///< rm: running ones too (stopped first)
    bool volumes = false;                  ///< rm -v: their anonymous volumes
    std::string storage_driver;
};
/// start/stop/restart/kill/rm/pause/unpause over the project's containers
/// (start in dependency order, stop in reverse); returns the names acted on.
Result<std::vector<std::string>> compose_action(Context& ctx, compose::Project const& project, ComposeAction action,
    ComposeActionOptions const& options);

/// The running container `index` (1-based) of `service`.
Result<container::ContainerRecord> service_container(Context& ctx, compose::Project const& project,
    std::string const& service, int index);

struct ComposeRunOptions {
    std::string service;
    std::vector<std::string> command;      ///< empty: the service's
    std::optional<std::string> entrypoint;
    std::vector<std::string> env;
    std::string name;                      ///< empty: PROJECT-SERVICE-run-XXXXXXXX
    std::string user, workdir;
    bool remove = false, detach = false, no_deps = false, service_ports = false, tty = false, interactive = false;
    std::vector<std::string> publish, volumes;
};
/// A one-off container of a service (dependencies brought up first), run
/// attached (its exit status) or detached (0).
Result<int> compose_run(Context& ctx, compose::Project const& project, ComposeRunOptions const& options,
    ComposeUpOptions const& up, ComposeProgress const& progress, Warn const& warn, std::string* id_out = nullptr);

/// Builds the images of services with build: (all, or the named ones).
using ComposeBuildOutput = std::function<void(std::string const& line)>;
ErrorOr compose_build(Context& ctx, compose::Project const& project, std::vector<std::string> const& services,
    PullOptions const& pull_options, ComposeBuildOutput const& output);
/// Pulls the images of services with image: (a failure of a service with build: too is only reported).
ErrorOr compose_pull(Context& ctx, compose::Project const& project, std::vector<std::string> const& services,
    PullOptions const& pull_options, ComposeProgress const& progress);
/// Pushes the images of services with build: and image:.
ErrorOr compose_push(Context& ctx, compose::Project const& project, std::vector<std::string> const& services,
    ComposeProgress const& progress);

struct ComposeProjectSummary {
    std::string name;
    std::string status;                    ///< "running(2), exited(1)"
    std::string config_files;
};
/// Every project that has containers in the store, by name.
Result<std::vector<ComposeProjectSummary>> compose_projects(Context& ctx, bool all);

} // namespace berth::engine
