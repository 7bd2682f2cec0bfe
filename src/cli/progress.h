// Progress lines for commands that copy images (save, load, import, push).
#pragma once

#include "engine/images/interchange.h"

namespace berth::cli {

/// Prints copy events as Podman does ("Copying blob 0123456789ab done") to stderr;
/// prints nothing when `quiet`. Defined in cli/images/save.cpp.
engine::CopyObserver copy_progress(bool quiet);

} // namespace berth::cli
