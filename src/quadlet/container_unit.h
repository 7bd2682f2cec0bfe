// Quadlet's .container (and .volume) files turned into systemd services, as Podman's
// Quadlet does (podman-systemd.unit(5)): the [Container] keys become the flags
// of one `berth run` in ExecStart, [Unit], [Service] and [Install] pass
// through, and the [Container] section is kept as [X-Container] (systemd
// ignores X- sections) so the service shows where it came from. Pure: the
// caller reads the file and its drop-ins (unit_file.h) and writes the result.
//
// The hard part is being strict: a key Quadlet does not know is an error
// naming the file, line and key, so a typo never silently drops a setting.
#pragma once

#include "base/error.h"
#include "quadlet/unit_file.h"

#include <map>
#include <string>
#include <vector>

namespace berth::quadlet {

/// What the units are made with.
struct GeneratorEnvironment {
    std::string executable;  ///< berth's absolute path
    /// What each Quadlet file among the sources makes, by its file name, for
    /// the references of others ("Volume=data.volume:/path"): data.volume →
    /// its volume, db.network → its network, app.pod → its pod, base.image →
    /// its image, app.build → the image it builds (see resource_name).
    std::map<std::string, std::string> resource_names;
    /// The services of the containers that join each .pod (Pod=), which the pod's service wants.
    std::map<std::string, std::vector<std::string>> pod_containers;
    /// The service of each source whose ServiceName= names it (app.pod → "shop.service").
    std::map<std::string, std::string> service_names;

    /// The service of the source `source_name`: its ServiceName=, else service_name()'s.
    std::string service_of(std::string const& source_name) const;
};

/// The service for `file` (NAME.container, drop-ins merged), named NAME.service.
/// Errors: an unknown key in [Container] ("FILE:LINE: unsupported key X in
/// section [Container]"), no Image=, a value that does not split into words.
Result<std::string> container_service(UnitFile const& file, GeneratorEnvironment const& env);

/// The keys of [Container] this generator knows, sorted.
std::vector<std::string> supported_container_keys();

/// The volume a .volume file makes: VolumeName=, else "systemd-" and the file's name without ".volume".
std::string volume_name(UnitFile const& file, std::string const& source_name);

/// The oneshot service of a .volume file (NAME-volume.service): `berth volume
/// create --ignore` with its Label=, Device=, Type=, Options=, User=, Group=,
/// Copy=. Errors as container_service's, for [Volume].
Result<std::string> volume_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env);

} // namespace berth::quadlet
