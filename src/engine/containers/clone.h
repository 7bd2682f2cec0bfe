// `container clone` and the copy of a container that `pod clone` makes: a new
// container from the options an existing one was created with (its stored
// CreateOptions), named after it unless named, as Podman 4.3 does.
#pragma once

#include "base/error.h"
#include "container/container_store.h"
#include "container/options.h"
#include "engine/containers/containers.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace berth::engine {

/// BASE-clone, else the first of BASE-clone1, BASE-clone2, ... that `taken` says is free.
Result<std::string> clone_name(std::string const& base, std::function<Result<bool>(std::string const&)> const& taken);

/// Whether a container has the name `name`.
Result<bool> container_name_taken(Context& ctx, std::string const& name);

/// The options `original` was created with, made ready for a create of its
/// copy named `name` (empty: a free ORIGINAL-clone): no --cidfile or
/// --replace, its restart policy as recorded, and --env-file's lines (read
/// by the original's create) as -e's.
Result<container::CreateOptions> clone_create_options(Context& ctx, container::ContainerRecord const& original, std::string const& name);

/// Clears the namespace modes of `o` that point at the infra container
/// `infra_id` (container:ID): the create's join of a pod sets them anew.
void leave_pod_infra(container::CreateOptions& o, std::string const& infra_id);

/// `container clone`'s flags.
struct ContainerCloneOptions {
    std::string name;                        ///< --name or the second argument; empty: ORIGINAL-clone
    std::string image;                       ///< the third argument: another image; empty: the original's
    std::optional<std::string> pod;          ///< --pod: another pod ("" leaves every pod)
    bool destroy = false;                    ///< --destroy: remove the original once cloned
    bool force = false;                      ///< -f: with --destroy, stop a running original first
    bool run = false;                        ///< --run: start the copy, detached
    std::optional<std::string> memory, memory_swap, cpus;  ///< -m, --memory-swap, --cpus
    std::optional<uint64_t> cpu_shares;      ///< -c/--cpu-shares
};

/// A copy of `original` with `options` over what it was created with; the
/// copy's record. --force without --destroy is Podman's error; a failed
/// --destroy or --run leaves the copy and says so.
Result<container::ContainerRecord> clone_container(Context& ctx, container::ContainerRecord const& original,
    ContainerCloneOptions const& options, Warn const& warn = {});

} // namespace berth::engine
