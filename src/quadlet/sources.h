// Where Quadlet files are found and what becomes of them: Podman's documented
// search paths (podman-systemd.unit(5)), the drop-ins of each file, and the
// services written into a systemd generator's output directory. The I/O half
// of Quadlet; the parser and the unit text are pure (unit_file.h,
// container_unit.h).
#pragma once

#include "base/error.h"
#include "quadlet/container_unit.h"
#include "quadlet/unit_file.h"

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::quadlet {

/// The directories searched, in order (a name found in an earlier one wins):
/// $QUADLET_UNIT_DIRS (colon-separated) if set; else as root
/// /run/containers/systemd, /etc/containers/systemd, /usr/share/containers/systemd;
/// for a user $XDG_RUNTIME_DIR/containers/systemd, $XDG_CONFIG_HOME (~/.config)/containers/systemd,
/// /etc/containers/systemd/users/UID, /etc/containers/systemd/users.
std::vector<std::string> search_dirs(bool user);

struct Source {
    std::string name;  ///< "web.container"
    std::string path;  ///< where it was found
};

/// The kinds of Quadlet file, by the suffix of their names.
inline constexpr char const* source_kinds[] = { ".container", ".volume", ".network", ".pod", ".kube", ".image", ".build" };

/// The Quadlet files (every kind) in `dirs`, by name, the first of each name only.
std::vector<Source> find_sources(std::vector<std::string> const& dirs);

/// The drop-ins of `source`: NAME.container.d/*.conf in every search
/// directory, ordered by file name (a name in an earlier directory wins).
std::vector<std::string> drop_in_paths(Source const& source, std::vector<std::string> const& dirs);

/// The file, parsed, with its drop-ins (NAME.container.d/*.conf in every
/// search directory, by file name; a name in an earlier directory wins) merged.
Result<UnitFile> load_source(Source const& source, std::vector<std::string> const& dirs);

/// "web.container" → "web.service", "data.volume" → "data-volume.service" (and -network, -pod, -kube, -image, -build).
std::string service_name(std::string const& source_name);
/// The service of a loaded source: a .pod's ServiceName= (NAME → NAME.service), else service_name()'s.
std::string service_name(std::string const& source_name, UnitFile const& file);

/// The service text of a loaded source, by its kind.
Result<std::string> service_text(Source const& source, UnitFile const& file, GeneratorEnvironment const& env);

/// What the units of `sources` are made with: `executable`, and what each
/// source makes and which pod each container joins
/// (a file that does not load is left out; its own unit reports the error).
GeneratorEnvironment generator_environment(std::string executable, std::vector<Source> const& sources, std::vector<std::string> const& dirs);

/// Writes `text` as DIR/SERVICE and, for each unit its [Install] WantedBy= or
/// RequiredBy= names, the DIR/UNIT.wants (.requires) link a `systemctl enable`
/// would make (generated units cannot be enabled).
ErrorOr write_service(std::string const& dir, std::string const& service, std::string const& text, UnitFile const& source);

} // namespace berth::quadlet
