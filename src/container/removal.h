// Removing a container, in one place for `rm`, `run --rm` (at the container's
// exit, by whichever berth records it) and a run whose start failed. The
// hard part is the order: the rootfs is unmounted before its directory goes,
// the bundle is renamed out of the way at once (a large upper layer is then
// deleted by a detached child, so `rm` does not wait for it), and the lock
// file goes last, since its holder is the caller (base/file_lock.cpp).
#pragma once

#include "base/error.h"
#include "container/container_store.h"

#include <string>

namespace berth::container {

/// Removes what container `id` left: unmounts its rootfs, deletes its bundle
/// and run directories (containers.layout()), its record (already gone is
/// fine) and its lock file. The caller holds the container lock.
ErrorOr remove_container(ContainerStore& containers, std::string const& id);

} // namespace berth::container
