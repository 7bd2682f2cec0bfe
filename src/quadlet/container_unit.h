// Quadlet's .container files turned into systemd services, as Podman's
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

#include <string>

namespace berth::quadlet {

/// What the unit runs: berth's absolute path.
struct GeneratorEnvironment {
    std::string executable;
};

/// The service for `file` (NAME.container, drop-ins merged), named NAME.service.
/// Errors: an unknown key in [Container] ("FILE:LINE: unsupported key X in
/// section [Container]"), no Image=, a value that does not split into words.
Result<std::string> container_service(UnitFile const& file, GeneratorEnvironment const& env);

/// The keys of [Container] this generator knows, sorted.
std::vector<std::string> supported_container_keys();

} // namespace berth::quadlet
