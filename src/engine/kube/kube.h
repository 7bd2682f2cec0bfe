// Kubernetes YAML: `kube generate` gathers the records of containers, pods
// and volumes (and their images' configs) and hands them to kube/generate.h;
// `kube play` reads a file into kube/play.h's plan and executes it through
// the engine's own operations — create_volume, create_pod, create_container
// (the same validation as `run`), start_pod — and `kube down` removes the
// pods a file made (not its volumes, as Podman 4.3).
//
// The hard part is not leaving half a workload behind: a pod whose container
// cannot be created (a bad spec, an image that does not exist) is removed
// again before the error is returned, and the file is planned entirely,
// with every error of the YAML found, before anything is created.
#pragma once

#include "base/error.h"
#include "engine/containers/containers.h"
#include "engine/context.h"
#include "engine/images/images.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

struct KubeGenerateOptions {
    std::string type = "pod";          ///< --type pod|deployment
    int replicas = 1;                  ///< --replicas (deployment)
    bool service = false;              ///< -s/--service
};

/// The YAML for containers, pods and volumes by name or id: each pod one
/// Pod (or Deployment), the loose containers together one pod named after
/// the first ("NAME-pod"), a claim for each named volume. Podman's
/// "name or ID \"x\" not found" for a name that is none of them.
Result<std::string> generate_kube(Context& ctx, std::vector<std::string> const& names, KubeGenerateOptions const& options);

struct KubePlayOptions {
    std::string file;                         ///< the YAML file; "-" is standard input
    std::vector<std::string> configmaps;      ///< --configmap files
    std::string network;                      ///< --network of every pod
    std::vector<std::string> publish;         ///< --publish: more ports of every pod
    std::vector<std::string> annotations;     ///< --annotation KEY=VALUE: on every pod's containers, over the file's
    /// --service-container: a container (the pause image, named ID-service)
    /// that runs as long as the file's pods, whose monitor is the main
    /// process of a Type=notify unit: the pods get --exit-policy=stop, and
    /// NOTIFY_SOCKET gets MAINPID (the service container's monitor) and
    /// READY=1 once they run, instead of reaching the containers.
    bool service_container = false;
    bool replace = false;                     ///< --replace: remove pods of the same names first
    bool start = true;                        ///< --start
    std::vector<std::string> create_command;  ///< argv, recorded on the pods and containers
    /// --build: a container's image is built from DIR/Containerfile (or
    /// Dockerfile) where DIR, beside the YAML file, is named after the image
    /// (its last path component, without tag): unset, when the image is not
    /// here; true, always; false, never (Podman's rules).
    std::optional<bool> build;
    std::function<void(std::string const&)> build_output;  ///< the build's STEP lines; may be empty
};

struct KubeDownReport {
    std::vector<std::string> stopped, removed;  ///< pod ids
};

struct KubePlayReport {
    KubeDownReport replaced;                  ///< the pods --replace removed first
    struct Pod {
        std::string id;
        std::vector<std::string> containers;  ///< their ids, in the file's order
    };
    std::vector<std::string> volumes;         ///< the volumes it created
    std::vector<Pod> pods;
    std::string service_container;            ///< --service-container: its id
};

/// Creates (and with options.start starts) what the file describes.
Result<KubePlayReport> play_kube(Context& ctx, KubePlayOptions const& options, PullOptions const& pull_options,
    std::string const& storage_driver, Warn const& warn = {});

/// Stops and removes the pods the file makes (with their containers, and
/// the service container of a --service-container play); an
/// error for a pod that does not exist. `file` "-" is standard input.
Result<KubeDownReport> down_kube(Context& ctx, std::string const& file);

} // namespace berth::engine
