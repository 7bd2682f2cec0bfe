// What `berth system check` finds, shared by the store, the container module
// and the engine: one Problem per thing that is wrong, saying what it is, what
// is wrong with it and whether it was repaired. The store's own repair after a
// killed writer (Store::repair) runs the same finders in Cleanup::Remove mode,
// so the explicit check and the silent repair cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace berth::store {

/// Whether a finder only reports leftovers or also removes them.
enum class Cleanup { Report, Remove };

struct Problem {
    std::string what;       ///< "damaged image 1a2b3c4d5e6f", "half-written blob .tmp-AbC123"
    std::string detail;     ///< "layer sha256:... is missing"
    bool repaired = false;  ///< removed or fixed by this check
};

struct CheckOptions {
    bool repair = false;
    bool quick = false;               ///< skip re-hashing config and manifest blobs
    int64_t max_age = 0;              ///< seconds: unreferenced layers younger than this are left alone
    std::vector<std::string> keep_images;  ///< damaged images that --repair must not remove (used by containers)
};

} // namespace berth::store
