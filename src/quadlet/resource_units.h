// The Quadlet kinds beside .container, as Podman's Quadlet documents them
// (podman-systemd.unit(5)): .network, .image and .build make one thing each
// with a oneshot service that stays active; .pod becomes a service that
// creates and runs the pod its containers join; .kube plays a Kubernetes
// YAML file. Pure, as container_service: the caller reads the file.
//
// The hard part is the references between files: a container's
// Network=db.network, Pod=app.pod, Image=base.image or Image=app.build names
// what that file makes (resource_name) and binds the container's service to
// that file's. The generator learns every file's resource first
// (GeneratorEnvironment), then writes the units.
#pragma once

#include "base/error.h"
#include "quadlet/container_unit.h"
#include "quadlet/unit_file.h"

#include <string>

namespace berth::quadlet {

/// What the file `source_name` (data.volume, db.network, app.pod,
/// base.image, app.build) makes: the volume, network or pod name
/// (VolumeName=, NetworkName=, PodName=, else "systemd-" and the file's
/// stem), the image (.image: ImageTag=, else Image=; .build: its first
/// ImageTag=); empty for the other kinds, or when the file names none.
std::string resource_name(UnitFile const& file, std::string const& source_name);

/// NAME.network → NAME-network.service: a oneshot `berth network create
/// --ignore` with Driver=, IPAMDriver= (host-local only), Subnet=, Gateway=,
/// IPRange= (by position), IPv6=, Internal=, DisableDNS=, DNS=, InterfaceName=, Options=, Label=,
/// PodmanArgs=; NetworkDeleteOnStop=yes removes it when the service stops.
Result<std::string> network_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env);

/// NAME.image → NAME-image.service: a oneshot `berth image pull` of Image=
/// with AllTags=, Arch=, OS=, Variant=, TLSVerify=, AuthFile=, CertDir=, Creds=,
/// PodmanArgs=; ImageTag= is the name containers use for it.
Result<std::string> image_service(UnitFile const& file, GeneratorEnvironment const& env);

/// NAME.build → NAME-build.service: a oneshot `berth build` tagged with
/// every ImageTag= (at least one), with File=, Label=, Pull=, Target=, Arch=,
/// TLSVerify=, AuthFile=, PodmanArgs=, from the context SetWorkingDirectory=
/// names (a path or URL; `unit`: the unit file's directory; `file`: File='s).
Result<std::string> build_service(UnitFile const& file, GeneratorEnvironment const& env);

/// NAME.pod → NAME-pod.service (ServiceName=: that service instead):
/// `berth pod create --exit-policy=stop` (ExecStartPre; ExitPolicy=continue
/// keeps the pod up when its containers exit) with PodName=, PublishPort=,
/// Network=, Volume=, Label=, HostName=, AddHost=, DNS=, PodmanArgs=, then
/// pod start, stop and rm; the services of the containers that join it
/// (env.pod_containers) are wanted and started after it.
Result<std::string> pod_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env);

/// NAME.kube → NAME-kube.service: `berth kube play --replace
/// --service-container=true` of Yaml= (relative to the unit file) with
/// PublishPort=, Network=, ConfigMap=, AutoUpdate= (--annotation
/// io.containers.autoupdate[/CONTAINER]=POLICY), PodmanArgs=, as Type=notify
/// (the service container's monitor is the main process, and ends with the
/// pods), and `berth kube down` after it stops (ExecStopPost);
/// SetWorkingDirectory=yaml (or unit) runs both in that file's directory.
Result<std::string> kube_service(UnitFile const& file, GeneratorEnvironment const& env);

} // namespace berth::quadlet
