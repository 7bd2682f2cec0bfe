// Internal to the runtime: what start() prepares before clone (InitPlan) and
// the steps the container init runs after it. Everything that can be parsed,
// compiled or opened is done in the parent, so the init mostly makes syscalls
// and its failures are about the kernel, not about the spec.
#pragma once

#include "base/error.h"
#include "base/unique_fd.h"
#include "runtime/capabilities.h"
#include "runtime/container.h"
#include "runtime/rlimits.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::runtime {

/// A namespace to join, opened by path in the parent.
struct JoinedNamespace {
    NamespaceType type;
    UniqueFd fd;
};

struct InitPlan {
    Spec const* spec = nullptr;
    std::string rootfs;                  ///< absolute host path
    Stdio stdio;
    int sync_fd = -1;                    ///< the init's end of the sync socket
    bool new_user_namespace = false;     ///< the parent writes the id maps before "go"
    unsigned long long unshare_flags = 0;  ///< new namespaces made after joining a user namespace by path
    std::vector<JoinedNamespace> joins;  ///< user first; never pid (joined by the parent)
    std::optional<CapabilityMasks> capabilities;
    SeccompProfile seccomp;
    std::vector<Rlimit> rlimits;
};

/// The container init: runs every step and execs; on failure sends the error
/// over plan.sync_fd and _exits. Never returns. The plan is the init's own
/// copy: a pty it opens is recorded in plan.stdio.pty_slave.
[[noreturn]] void container_init(InitPlan& plan) noexcept;

// namespaces.cpp
/// CLONE_NEWUSER, CLONE_NEWNS, ... for one namespace type.
unsigned long long clone_flag(NamespaceType type);
/// The flags for the namespaces the spec creates (entries without a path).
unsigned long long new_namespace_flags(Spec const& spec);
/// Opens the namespaces the spec joins by path, user first.
Result<std::vector<JoinedNamespace>> open_namespaces(Spec const& spec);
/// "0 1000 1\n1 100000 65536\n": the text of a uid_map/gid_map file.
std::string format_id_mappings(std::vector<IdMapping> const& mappings);
/// Parent: writes /proc/<pid>/uid_map and gid_map.
ErrorOr write_id_mappings(pid_t pid, Spec const& spec);
/// Init: joins the opened namespaces in order, then unshares `unshare_flags`.
ErrorOr join_namespaces(InitPlan const& plan);

// rootfs.cpp
/// Init: everything in the mount namespace, from making / a slave to the
/// read-only root; returns with "/" the container's root and cwd "/".
ErrorOr setup_rootfs(InitPlan& plan);

// devices.cpp
/// Init, before pivot_root: default devices (when /dev is a fresh mount),
/// the spec's devices, the /dev symlinks and /dev/console.
ErrorOr create_devices(int root_fd, Spec const& spec, int console_fd);
/// Init, after pivot_root: opens a pty in the container's /dev/pts, binds its
/// slave on /dev/console, owns it to `uid`, sends the master to the parent and
/// returns the slave.
Result<UniqueFd> open_container_terminal(int root_fd, int sync_fd, uid_t uid);

// process.cpp
/// Init, after setup_rootfs: stdio, user, capabilities, no_new_privs, cwd,
/// fds, seccomp, execve. Returns only with an error.
Error exec_process(InitPlan const& plan);
/// The fds a process being set up as (or in) the container keeps: stdio, the
/// pty slave, --preserve-fds, the sync socket and the namespaces to join.
/// Every other fd is closed before anything else (kernel::close_fds_except).
std::vector<int> inherited_fds(InitPlan const& plan);
/// Resolves the executable as execvp would, but with the container's PATH
/// (from `env`, else default_path_env), relative to the current root.
Result<std::string> find_executable(std::string const& name, std::vector<std::string> const& env);

} // namespace berth::runtime
