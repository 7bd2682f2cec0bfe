// Linux capabilities for the container process: names, Podman's default set,
// --cap-add/--cap-drop arithmetic, and applying the five sets in the container
// init between clone and execve.
//
// The hard part is the order of the kernel's rules. Dropping from the bounding
// set needs CAP_SETPCAP in the effective set, which a setresuid to a non-root
// user clears (PR_SET_KEEPCAPS only keeps the permitted set); inheritable must
// stay within the bounding set; ambient caps need to be both permitted and
// inheritable. apply_capabilities() therefore raises effective to permitted
// first, drops the bounding set, then capsets, then raises ambient.
#pragma once

#include "base/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace berth::runtime {

/// "CAP_CHOWN", "chown" or "cap_chown" (case-insensitive) -> 0; an unknown name is an error naming it.
Result<int> capability_from_name(std::string_view name);
/// 0 -> "CAP_CHOWN"; a number this build does not know -> "CAP_<n>".
std::string capability_name(int cap);
/// "chown" -> "CAP_CHOWN"; "all" -> "ALL"; unknown -> error.
Result<std::string> normalize_capability(std::string_view name);
/// The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap).
int last_capability();
/// Podman's 11 default capabilities, sorted.
std::vector<std::string> default_capabilities();
/// Every capability the running kernel knows, in number order.
std::vector<std::string> all_capabilities();
/// Applies --cap-add/--cap-drop to `base` as Podman does: "ALL" in drop leaves only
/// `add`; "ALL" in add starts from all_capabilities(); a cap both added and dropped is
/// an error. The result is normalized ("CAP_X") and sorted.
Result<std::vector<std::string>> adjust_capabilities(std::vector<std::string> base,
    std::vector<std::string> const& add, std::vector<std::string> const& drop);

/// The OCI process.capabilities sets, by name.
struct CapabilitySets {
    std::vector<std::string> bounding, effective, permitted, inheritable, ambient;
};

/// The same sets as bit masks (bit n = capability n), restricted to what the kernel knows.
struct CapabilityMasks {
    uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

/// Resolves the names; caps the running kernel does not know are left out (log::debug),
/// as runc does. Call this before clone so the container init only does syscalls.
Result<CapabilityMasks> capability_masks(CapabilitySets const& sets);
/// The mask of a list of names; unknown names are an error.
Result<uint64_t> capability_mask(std::vector<std::string> const& names);

/// Sets PR_SET_KEEPCAPS so the permitted set survives a setresuid away from uid 0.
/// Call it before changing uid, then apply_capabilities() after.
ErrorOr prepare_capabilities_for_setuid();
/// In the container init, after setresuid/setresgid: drops every cap not in `bounding`
/// from the bounding set (PR_CAPBSET_DROP), sets effective/permitted/inheritable with
/// capset (libcap), clears the ambient set and raises the requested ambient caps.
/// Does not allocate beyond libcap's cap_t and does not throw.
ErrorOr apply_capabilities(CapabilityMasks const& masks);
/// capability_masks() then apply_capabilities().
ErrorOr apply_capabilities(CapabilitySets const& sets);

} // namespace berth::runtime
