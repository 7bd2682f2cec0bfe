// Seccomp: the OCI linux.seccomp section compiled to a BPF program with
// libseccomp, Docker/Podman profile files translated to that section, and
// Podman's default profile.
//
// The filter is compiled before clone (seccomp_from_spec) and kept as plain
// cBPF, so the container init installs it with one seccomp(2) call and no
// allocation. Podman's default answers EPERM for syscalls it knows and denies,
// and ENOSYS for everything it does not list, so that new syscalls (clone3,
// faccessat2, ...) make libc fall back instead of failing.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <linux/filter.h>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// A compiled, ready-to-load seccomp filter.
struct SeccompProfile {
    std::vector<sock_filter> program; ///< cBPF from libseccomp (seccomp_export_bpf)
    unsigned flags = 0;               ///< SECCOMP_FILTER_FLAG_* from the spec's "flags"
    /// True when there is nothing to load.
    bool empty() const { return program.empty(); }
};

/// Compiles OCI runtime-spec linux.seccomp (defaultAction, defaultErrnoRet, architectures,
/// syscalls[{names, action, errnoRet, args[{index, value, valueTwo, op}]}], flags).
/// Syscall names unknown to this libseccomp or architecture are skipped (log::debug);
/// rules whose action is the default action are dropped. SCMP_ACT_NOTIFY is refused.
Result<SeccompProfile> seccomp_from_spec(Json const& linux_seccomp);

/// seccomp_from_spec() with a cache of compiled programs in `cache_dir` (created if
/// missing), as crun caches its BPF: libseccomp needs tens of milliseconds for the
/// default profile on three architectures, a cache hit a file read. The file holds the
/// exact spec text it was compiled from and is used only when that text matches, so a
/// hash collision cannot load a wrong filter. The directory must be as trusted as the
/// container's config.json. Cache failures are logged and fall back to compiling.
Result<SeccompProfile> seccomp_from_spec_cached(Json const& linux_seccomp, std::string const& cache_dir);

/// Translates a Docker/Podman seccomp.json (--security-opt seccomp=FILE) into OCI
/// linux.seccomp: "archMap" picks the native architecture and its sub-architectures;
/// "includes"/"excludes" {caps, arches, minKernel} are evaluated against
/// `effective_caps` and the running system; "name" and "names" are both accepted.
Result<Json> seccomp_from_docker_profile(std::string_view json_text, std::vector<std::string> const& effective_caps);
/// The same with Podman's default capabilities.
Result<Json> seccomp_from_docker_profile(std::string_view json_text);
/// As above, for an already-parsed profile.
Result<Json> seccomp_from_docker_profile_json(Json const& profile, std::vector<std::string> const& effective_caps);

/// Podman's default profile in Docker's seccomp.json format (what `seccomp=FILE` reads).
Json default_seccomp_profile();
/// Podman's default profile as OCI linux.seccomp for a container with `effective_caps`:
/// an allow list, EPERM for known dangerous syscalls (keyctl, mount, unshare, setns,
/// ptrace, bpf, ...) unless the capability that makes them safe is present, ENOSYS for
/// everything else, clone with CLONE_NEW* flags -> EPERM and clone3 -> ENOSYS without
/// CAP_SYS_ADMIN.
Json default_seccomp_spec(std::vector<std::string> const& effective_caps);

/// Loads the filter with seccomp(SECCOMP_SET_MODE_FILTER). Call it as the last step
/// before execve, after PR_SET_NO_NEW_PRIVS or while CAP_SYS_ADMIN is effective.
/// An empty profile is a no-op. Does not allocate on success and does not throw.
ErrorOr install_seccomp(SeccompProfile const& profile);

} // namespace berth::runtime
