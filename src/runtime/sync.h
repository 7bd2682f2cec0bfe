// The channel between start() and the container init: a SOCK_SEQPACKET socket
// pair (crun's sync socket, youki's channel). The parent sends one "go" byte
// once the id mappings are written; the init answers with nothing at all when
// execve succeeds (its end is O_CLOEXEC, so the parent reads EOF) or with one
// error message {errno, kind, text} when any step fails. Before that it may
// pass one fd (the pty master it allocated) with SCM_RIGHTS. A SEQPACKET message is
// delivered whole or not at all, so a half-written error cannot be misread.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::runtime {

/// Both ends, close-on-exec.
struct SyncPair {
    UniqueFd parent;
    UniqueFd child;
    static Result<SyncPair> create();
};

/// Parent: lets the init continue past its first step.
ErrorOr send_go(int fd);
/// Init: blocks until the parent's go; an error when the parent is gone.
ErrorOr wait_for_go(int fd);
/// Init: reports `error`; best effort (the parent may be gone), never throws.
void send_error(int fd, Error const& error) noexcept;
/// Init: passes `fd` (the master of the container's pty) to the parent.
ErrorOr send_fd(int sync_fd, int fd);
/// Parent: EOF means the init reached execve; a message is the init's error,
/// returned with its errno and kind. An fd the init passed on the way is
/// stored in `received` (closed if `received` is null).
ErrorOr receive_result(int fd, UniqueFd* received = nullptr);

} // namespace berth::runtime
