// Image config + CreateOptions -> the container's OCI runtime spec
// (config.json), the contract between what the user asked and how it runs
// (DESIGN.md "Runtime"). The spec is built as OCI JSON so the same document
// goes to berth's own runtime and to `--runtime PATH` (runc, crun).
//
// The hard parts are Docker's rules: --entrypoint replaces the image's
// ENTRYPOINT and clears its CMD (unless arguments are given); environment
// layers (defaults < image < --env-host < --env-file < -e) with later names
// winning; the user is resolved against the image's /etc/passwd only once the
// rootfs is mounted, so the builder takes already-resolved ids.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/options.h"
#include "container/user.h"
#include "image/config.h"
#include "runtime/cgroups.h"
#include "rootless/idmap.h"
#include "runtime/spec.h"

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace berth::container {

/// A mount ready for the spec: the source is a host path.
struct ResolvedMount {
    MountRequest request;
    std::string host_path;   ///< bind and volume: the directory on the host
    std::string overlay_dir; ///< ":O": an empty directory of the container's for the overlay's upper/ and work/
};

/// What the builder needs besides the image and the flags.
struct SpecContext {
    std::string id;
    std::string rootfs;                       ///< merged directory
    bool rootless = false;
    std::map<std::string, std::string> host_env;
    ResolvedUser user;
    std::vector<ResolvedMount> mounts;        ///< -v, --mount, --tmpfs, resolved by the engine
    std::vector<std::string> default_capabilities;
    rootless::ContainerIdMaps id_maps;        ///< --userns=keep-id, --uidmap: the container's own user namespace
};

/// Podman's 11 default capabilities ("CAP_CHOWN", ...), used when the runtime offers none.
std::vector<std::string> podman_default_capabilities();

/// The argv: Docker's ENTRYPOINT/CMD rules. Empty means "no command" (an error for the caller).
std::vector<std::string> resolve_args(image::ImageConfig const& image, CreateOptions const& options);
/// Sets "KEY=VALUE" in `env`: replaces the entry of KEY in place, else appends it.
void set_env(std::vector<std::string>& env, std::string const& entry);

/// What every container's environment starts from, as Podman's: PATH,
/// TERM=xterm (with or without -t) and container=berth; the image's and the
/// user's variables override them.
std::vector<std::string> default_env();
/// The environment in order, later duplicates replacing earlier ones in place.
Result<std::vector<std::string>> resolve_env(image::ImageConfig const& image, CreateOptions const& options,
    std::map<std::string, std::string> const& host_env, std::string const& hostname, std::string const& home);
/// -w, else the image's WorkingDir, else "/".
std::string resolve_workdir(image::ImageConfig const& image, CreateOptions const& options);
/// --hostname, else the first 12 characters of the id.
std::string resolve_hostname(CreateOptions const& options, std::string const& id);
/// --user, else the image's User, else "" (root).
std::string requested_user(image::ImageConfig const& image, CreateOptions const& options);
/// All mount requests from -v, --mount and --tmpfs, in that order.
Result<std::vector<MountRequest>> mount_requests(CreateOptions const& options);
/// Capabilities after --cap-add/--cap-drop ("ALL" allowed), as "CAP_X" names.
Result<std::vector<std::string>> resolve_capabilities(std::vector<std::string> defaults, CreateOptions const& options);

/// --systemd: always, or true with /sbin/init, /usr/sbin/init,
/// /usr/local/sbin/init or systemd as the command (Podman's rule).
bool systemd_mode(image::ImageConfig const& image, CreateOptions const& options);

/// Where --init's binary is mounted in the container (Podman: /run/podman-init).
inline constexpr char const* init_destination = "/run/berth-init";
/// -m, --memory-swap, --cpus, --cpu-shares, --pids-limit as cgroup resources.
Result<runtime::cgroups::Resources> resources_from_options(CreateOptions const& options);
/// The resource flags that were given ("--memory", "--cpus" ...), for the warning
/// when they cannot be honoured.
std::vector<std::string> resource_flags(CreateOptions const& options);

/// The whole OCI spec as config.json.
Result<Json> build_spec_json(image::ImageConfig const& image, CreateOptions const& options, SpecContext const& context);
/// The same, typed and validated, with the seccomp profile filled in (default,
/// a profile file, or none for seccomp=unconfined and --privileged).
Result<runtime::Spec> build_spec(image::ImageConfig const& image, CreateOptions const& options, SpecContext const& context);

} // namespace berth::container
