// `auto-update`: brings running containers labelled
// io.containers.autoupdate=registry|local up to date with their image, as
// Podman 4.3's `podman auto-update`.
//
// Podman restarts the container's systemd unit (label PODMAN_SYSTEMD_UNIT) and
// the unit's `run --replace` picks up the new image. berth does that too where
// systemd runs; without a unit, or on a host without systemd (CI runners,
// containers, WSL), berth recreates the container itself from its stored
// create options with the new image under the same name: the old container is
// stopped and renamed aside, the new one created and started, and the old one
// removed once the new one has run for a grace period. The hard part is the
// rollback: a new container that fails to start, or exits non-zero within the
// grace period, is removed and the old one takes its name back and starts
// again, so a failed update leaves what ran before running.
#pragma once

#include "base/error.h"
#include "engine/context.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

struct AutoUpdateOptions {
    bool dry_run = false;              ///< only report what would be updated ("pending")
    bool rollback = true;              ///< restore the old container (or image) when the update fails
    std::string authfile;              ///< --authfile; a container's io.containers.autoupdate.authfile label wins
    std::optional<bool> tls_verify;    ///< --tls-verify
    std::string storage_driver;        ///< for the recreated containers' start
    std::chrono::milliseconds grace { 2000 };  ///< how long a recreated container must not fail
};

/// One container that has an auto-update policy, as Podman reports it.
struct AutoUpdateReport {
    std::string unit;                  ///< its PODMAN_SYSTEMD_UNIT label ("" without one)
    std::string container_id;
    std::string container_name;
    std::string image;                 ///< the reference it was created from
    std::string policy;                ///< "registry" or "local"
    std::string updated;               ///< "true", "false", "pending", "rolled back" or "failed"
};

struct AutoUpdateResult {
    std::vector<AutoUpdateReport> reports;   ///< by container name
    std::vector<Error> errors;               ///< one per container that could not be checked or updated
};

/// Checks every running container with an auto-update policy and updates
/// those whose image changed: `registry` compares the manifest digest its
/// reference has in the registry with its image's and pulls the new one;
/// `local` compares its image with the local image now named by its
/// reference. A container's failure is one entry in `errors` (its report,
/// if any, says "failed"); the others go on. An Error only when the
/// containers cannot be listed.
Result<AutoUpdateResult> auto_update(Context& ctx, AutoUpdateOptions const& options);

} // namespace berth::engine
