// What pasta and slirp4netns have in common as processes of berth-launch
// (then berth-monitor): bind mounts of the container's namespaces for the
// helper to open, the fork and exec with PR_SET_PDEATHSIG (the helper dies
// with its parent, even by kill -9), and its log's last line for errors.
#pragma once

#include "base/error.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::network {

/// Bind mounts /proc/PID/ns/NAME on run_dir/NAME-ns (or run_dir/FILE_NAME) and returns that path.
Result<std::string> bind_namespace(std::string const& run_dir, pid_t pid, char const* name, char const* file_name = nullptr);
/// Undoes bind_namespace.
void unbind_namespace(std::string const& path);

/// The namespaces of `init_pid` bound for a helper; unbound on destruction.
struct BoundNamespaces {
    std::string net, user;  ///< user: empty unless the container has its own user namespace
    BoundNamespaces() = default;
    BoundNamespaces(BoundNamespaces const&) = delete;
    BoundNamespaces& operator=(BoundNamespaces const&) = delete;
    ~BoundNamespaces();
};
ErrorOr bind_namespaces(BoundNamespaces& out, std::string const& run_dir, pid_t init_pid, bool own_userns);

/// Forks and execs argv (argv[0] looked up in PATH) as this process's child:
/// SIGTERM when this process dies, default signals, stdin and stdout
/// /dev/null, stderr appended to log_path, and no fd but `keep` (which become
/// 3, 4, ... in order), in the directory `cwd` (unchanged if "").
Result<pid_t> spawn_helper(std::vector<std::string> const& argv, std::string const& log_path, std::vector<int> const& keep = {},
    std::string const& cwd = "");

/// The last line of the helper's log, for an error message.
std::string last_log_line(std::string const& path);

/// The package that provides a helper program, for "install ..." messages.
char const* helper_package(std::string const& program);

} // namespace berth::network
