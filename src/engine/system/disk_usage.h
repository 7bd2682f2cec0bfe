// `system df` and `system prune`: what the store's images, containers and
// volumes take on disk and what removing the unused ones would give back,
// and that removal. Sizes: an image is the sum of its layers (a layer shared
// with other images is its "shared" part), a container its writable layer, a
// volume its directory.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <cstdint>
#include <string>
#include <vector>

namespace berth::engine {

struct ImageUsage {
    std::string id;
    std::vector<std::string> names;  ///< empty: dangling
    int64_t created = 0;
    int64_t size = 0;
    int64_t shared_size = 0;          ///< of layers other images use too
    int containers = 0;               ///< containers created from it
};

struct ContainerUsage {
    std::string id, name, image_id, state;
    std::vector<std::string> command;
    int64_t created = 0;
    int64_t size = 0;                 ///< its writable layer
    int volumes = 0;                  ///< named volumes it mounts
    bool active = false;              ///< running or paused
};

struct VolumeUsage {
    std::string name;
    int links = 0;                    ///< containers using it
    int64_t size = 0;
};

struct DiskUsage {
    std::vector<ImageUsage> images;
    std::vector<ContainerUsage> containers;
    std::vector<VolumeUsage> volumes;
    int64_t images_size = 0;          ///< every layer counted once
};

/// `system df`: one entry per image, container and volume.
Result<DiskUsage> disk_usage_report(Context& ctx);

/// One line of `system df`: TYPE TOTAL ACTIVE SIZE RECLAIMABLE.
struct DiskSummary {
    std::string type;                 ///< "Images", "Containers", "Local Volumes"
    int total = 0, active = 0;
    int64_t size = 0, reclaimable = 0;
};
/// Podman's three summary lines: what is unused (images without containers,
/// containers not running, volumes without links) is reclaimable.
std::vector<DiskSummary> summarize(DiskUsage const& usage);

struct SystemPruneOptions {
    bool all = false;                 ///< -a: every image without containers, not only dangling ones
    bool volumes = false;             ///< --volumes: unused volumes too
    std::vector<std::string> filters; ///< label=, label!=, until=
};
struct SystemPruneReport {
    std::vector<std::string> containers, networks, volumes, images;
    int64_t reclaimed = 0;            ///< bytes
};
/// Checks the filters (Podman's "KEY is an invalid filter").
ErrorOr check_prune_filters(std::vector<std::string> const& filters);
/// `system prune`: stopped containers, then the networks no container is on,
/// then (with volumes) unused volumes,
/// then dangling (with all: unused) images, each only where the filters match.
Result<SystemPruneReport> system_prune(Context& ctx, SystemPruneOptions const& options);

} // namespace berth::engine
