// `kube generate`: Kubernetes YAML for containers, pods and volumes, as a
// pure function of their stored records (no store, no file system: the
// engine gathers the inputs), so golden-file tests pin the output down.
//
// The hard part is saying only what differs from the image, in the words a
// cluster accepts: Podman's split of ENTRYPOINT/CMD into command/args (left
// out when they are the image's own), the environment the user added, the
// capabilities relative to the container runtime default of Kubernetes
// (CRI-O's and Docker's 14, not Podman's 11), and names that are DNS-1123
// labels (Podman drops the underscores of generated names). The documents are
// JSON objects printed by format::to_yaml, which sorts keys as sigs.k8s.io/yaml does.
#pragma once

#include "base/json.h"
#include "container/container_store.h"
#include "container/options.h"
#include "container/volume_store.h"
#include "image/config.h"
#include "network/ports.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace berth::kube {

/// A container's healthcheck, as a livenessProbe.
struct Probe {
    std::vector<std::string> command;           ///< what the exec probe runs (CMD-SHELL: /bin/sh -c CMD)
    int64_t period_seconds = 0;                 ///< 0: left out
    int64_t timeout_seconds = 0;
    int64_t initial_delay_seconds = 0;
    int failure_threshold = 0;
};

/// One container as generate sees it.
struct ContainerInput {
    container::ContainerRecord record;
    container::CreateOptions options;           ///< record.config parsed
    image::ImageConfig image;                   ///< the config of its image
    std::vector<network::PortMapping> ports;    ///< what it publishes (for a pod's first member: the pod's)
    std::optional<Probe> probe;                 ///< its healthcheck
};

/// One pod (or the pod a set of loose containers becomes).
struct PodInput {
    std::string name;                           ///< the pod's name ("NAME-pod" for loose containers, as Podman)
    std::string hostname;                       ///< a pod's --hostname; "" for none
    std::vector<ContainerInput> containers;     ///< in creation order, without the infra container
    std::map<std::string, std::string> host_path_types;  ///< bind source -> "Directory" | "File" (the engine stats them)
    bool host_network = false;                  ///< the pod's --network host
    std::set<std::string> empty_dirs;           ///< named volumes that are the pod's emptyDirs (kube play's POD-NAME)
};

struct GenerateOptions {
    enum class Type { Pod, Deployment, DaemonSet, Job } type = Type::Pod;
    int replicas = 1;                           ///< spec.replicas of a Deployment
    bool service = false;                       ///< -s: a NodePort Service for each pod's ports
    std::string version;                        ///< "berth-0.1.0", in the header comment
    std::string created;                        ///< RFC 3339 creationTimestamp of every object
};

/// "--type": "pod", "deployment", "daemonset" or "job"; anything else is an Error naming the value.
Result<GenerateOptions::Type> parse_type(std::string const& text);

/// A DNS-1123 label from a name: lowercase, '_' dropped (Podman's
/// removeUnderscores), other characters outside [a-z0-9-] made '-', at most 63.
std::string kube_name(std::string const& name);

/// The Pod (or Deployment) object of one pod.
Json pod_object(PodInput const& pod, GenerateOptions const& options);
/// The NodePort Service of a pod's published ports; null when it publishes none.
Json service_object(PodInput const& pod, GenerateOptions const& options);
/// The PersistentVolumeClaim of a named volume.
Json volume_claim_object(container::VolumeRecord const& volume, GenerateOptions const& options);

/// The whole file: the header comment naming options.version, then each
/// pod's Service (with -s) and Pod or Deployment, then a claim for each of
/// `volumes` (the engine passes the named volumes the pods mount and those
/// asked for by name), each document after a "---" line.
std::string generate_yaml(std::vector<PodInput> const& pods, std::vector<container::VolumeRecord> const& volumes,
    GenerateOptions const& options);

} // namespace berth::kube
