// A Compose service into the container spec `run` fills
// (container::CreateOptions), so a service's container gets the same
// validation as `berth run`; and the labels by which the engine finds a
// project's containers, volumes and networks again. Pure.
#pragma once

#include "compose/project.h"
#include "container/options.h"

#include <string>

namespace berth::compose {

inline constexpr char const* project_label = "com.docker.compose.project";
inline constexpr char const* service_label = "com.docker.compose.service";
inline constexpr char const* number_label = "com.docker.compose.container-number";
inline constexpr char const* oneoff_label = "com.docker.compose.oneoff";
inline constexpr char const* working_dir_label = "com.docker.compose.project.working_dir";
inline constexpr char const* config_files_label = "com.docker.compose.project.config_files";
inline constexpr char const* config_hash_label = "com.docker.compose.config-hash";
inline constexpr char const* volume_label = "com.docker.compose.volume";
inline constexpr char const* network_label = "com.docker.compose.network";

inline constexpr char const* secret_label = "com.docker.compose.secret";

/// The --secret value of a service's secret, the berth secret being `name`:
/// NAME,target=T[,uid=U][,gid=G][,mode=M].
std::string secret_flag(std::string const& name, ServiceSecret const& secret);

/// PROJECT-SERVICE-N (or the service's container_name).
std::string container_name(Project const& project, Service const& service, int number);
/// The image a service runs: its image, else PROJECT-SERVICE (what build makes).
std::string image_name(Project const& project, Service const& service);

/// The service's container spec for replica `number` (1-based), labelled
/// with the project; the config-hash label is a digest of everything else,
/// so `up` sees whether a container still matches its file.
container::CreateOptions create_options(Project const& project, Service const& service, int number);

/// The --network value of a service: its network_mode (service:X becoming
/// container:PROJECT-X-1), else its networks by their real names, each
/// with the service's name and its aliases as aliases (Podman's
/// NET:alias=A,ip=IP,NET2:alias=A).
std::string network_option(Project const& project, Service const& service);

} // namespace berth::compose
