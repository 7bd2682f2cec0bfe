// The resolved project as YAML, what `compose config` prints: every service
// in the long syntax, sorted by name, with the keys berth honours. Internal to
// the compose module (project.cpp fills Project::yaml with it).
#pragma once

#include "compose/project.h"

#include <string>

namespace berth::compose {

/// The project as a Compose file (name, services, networks, volumes, secrets).
std::string emit_yaml(Project const& project);

} // namespace berth::compose
