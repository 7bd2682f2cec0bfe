// `berth quadlet list|print`: the Quadlet files berth-generator would turn
// into units for this user (root: the system's), from src/quadlet/.
#pragma once

#include "base/error.h"

#include <string>
#include <vector>

namespace berth::engine {

struct QuadletEntry {
    std::string name;  ///< "web.container"
    std::string unit;  ///< "web.service"
    std::string path;  ///< where it is
};

/// Every Quadlet file in the search path (a user's unless root), by name.
std::vector<QuadletEntry> list_quadlets();

/// The text of the Quadlet file `name` ("web.container", or "web"), with its
/// drop-ins after it, each preceded by a "# PATH" line. ENOENT names the directories searched.
Result<std::string> quadlet_text(std::string const& name);

} // namespace berth::engine
