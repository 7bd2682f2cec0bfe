// `kube play`: a Kubernetes YAML file read into a plan of what to create —
// named volumes (PersistentVolumeClaims, kept; and the pod's own: emptyDirs,
// ConfigMaps and Secrets with their files), pods with their published ports, and each
// container's create options, the same container::CreateOptions that `run`
// fills. Pure: the engine reads the files, executes the plan and runs every
// container through its own create, so a played container gets the same
// validation as one made by `run`.
//
// The hard part is errors: a YAML file has no line a user can hold on to
// once it is parsed, so every error names the file, the object (KIND NAME)
// and the key path in it (spec.containers[0].image); a YAML syntax error
// names the line and column.
#pragma once

#include "base/error.h"
#include "container/options.h"

#include <map>
#include <string>
#include <vector>

namespace berth::kube {

struct PlayInput {
    std::string file;                           ///< the file's name, for errors
    std::string text;                           ///< its YAML (one or more documents)
    std::vector<std::pair<std::string, std::string>> configmaps;  ///< --configmap files: (name, text)
    std::string network;                        ///< --network: every pod's (empty: the default)
    std::vector<std::string> publish;           ///< --publish: more ports of every pod
    std::map<std::string, std::string> annotations;  ///< --annotation: every pod's, over its metadata.annotations
};

/// A named volume the file needs.
struct PlayVolume {
    std::string name;
    std::map<std::string, std::string> files;   ///< a ConfigMap's or Secret's keys as files
    bool operator==(PlayVolume const&) const = default;
};

/// A host path to prepare (hostPath type DirectoryOrCreate / FileOrCreate) or check (Directory / File).
struct PlayHostPath {
    std::string path;
    std::string type;
    std::string where;                          ///< "FILE: Pod NAME: spec.volumes[1].hostPath", for errors
};

struct PlayPod {
    std::string name;
    std::string hostname;
    std::string network;
    std::vector<std::string> publish;           ///< -p of the pod: the containers' hostPorts, then --publish
    std::vector<std::string> labels;            ///< metadata.labels, KEY=VALUE
    std::vector<container::CreateOptions> containers;  ///< named POD-CONTAINER; pod left for the engine to fill
    std::vector<PlayHostPath> host_paths;
    /// The volumes that live as long as the pod (named empty_dir_volume): its emptyDirs, and its
    /// ConfigMap and Secret volumes with their files. Made with the pod, removed with it.
    std::vector<PlayVolume> pod_volumes;
};

struct PlayPlan {
    std::vector<PlayVolume> volumes;
    std::vector<PlayPod> pods;
};

/// The label berth auto-update acts on, and its authfile's. kube play sets
/// them on a container from its pod's annotations of the same names (the
/// file's, or --annotation's), as Podman's: KEY/CONTAINER for that container
/// wins over KEY for every container of the pod.
inline constexpr char const* auto_update_key = "io.containers.autoupdate";
inline constexpr char const* auto_update_authfile_key = "io.containers.autoupdate.authfile";

/// The plan for a file. Pod and Deployment (one pod per replica, named
/// NAME-pod-N as Podman 4.3 does), ConfigMap, Secret and
/// PersistentVolumeClaim are read; a Service is skipped (berth publishes
/// hostPorts itself); any other kind, a key of the wrong type, a missing
/// required key or a reference to a ConfigMap or Secret the file lacks is an
/// Error "FILE: KIND NAME: KEY: WHAT".
Result<PlayPlan> plan_play(PlayInput const& input);

/// The label of a volume kube play made for a pod's emptyDir; its value is the pod's name.
inline constexpr char const* empty_dir_label = "io.berth.kube.emptydir";
/// The name of that volume: POD-VOLUME.
std::string empty_dir_volume(std::string const& pod, std::string const& volume);

/// The names of the pods a file makes, for `kube down` (its errors as plan_play's).
Result<std::vector<std::string>> pod_names(PlayInput const& input);

} // namespace berth::kube
