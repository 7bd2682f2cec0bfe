// Capability names, Podman's set arithmetic and the container-side application.
//
// Names come from a table of our own rather than libcap's cap_to_name(), which
// allocates and prints unknown numbers as digits. The application runs in the
// container init after clone, so it only does syscalls and libcap calls that
// report failure by return value; every message names the capability and the
// privilege that was missing.
#include "runtime/capabilities.h"

#include "base/fs.h"
#include "base/log.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sys/capability.h>
#include <sys/prctl.h>

namespace berth::runtime {

namespace {

// Index = capability number (include/uapi/linux/capability.h).
constexpr char const* k_capability_names[] = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};
constexpr int k_known_capabilities = sizeof(k_capability_names) / sizeof(k_capability_names[0]);

constexpr char const* k_default_capabilities[] = {
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
};

bool equals_ignoring_case(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
    });
}

bool contains(std::vector<std::string> const& list, std::string_view item)
{
    return std::find(list.begin(), list.end(), item) != list.end();
}

Result<std::vector<std::string>> normalize_all(std::vector<std::string> const& names)
{
    std::vector<std::string> out;
    out.reserve(names.size());
    for (auto const& name : names)
        out.push_back(TRY(normalize_capability(name)));
    return out;
}

uint64_t known_mask()
{
    int last = last_capability();
    return last >= 63 ? ~uint64_t(0) : (uint64_t(1) << (last + 1)) - 1;
}

// Owns a libcap cap_t.
struct CapHandle {
    cap_t caps;
    explicit CapHandle(cap_t c) : caps(c) {}
    CapHandle(CapHandle const&) = delete;
    CapHandle& operator=(CapHandle const&) = delete;
    ~CapHandle()
    {
        if (caps)
            cap_free(caps);
    }
};

ErrorOr set_flag_from_mask(cap_t caps, cap_flag_t flag, uint64_t mask)
{
    for (cap_value_t cap = 0; cap < 64; ++cap) {
        if (!(mask & (uint64_t(1) << cap)))
            continue;
        if (cap_set_flag(caps, flag, 1, &cap, CAP_SET) < 0)
            return Error::from_errno("set capabilities: cap_set_flag " + capability_name(cap));
    }
    return {};
}

// After a setresuid away from uid 0 the effective set is empty; PR_CAPBSET_DROP needs
// CAP_SETPCAP there, so raise effective to the whole permitted set first.
ErrorOr raise_effective_to_permitted()
{
    CapHandle current(cap_get_proc());
    if (!current.caps)
        return Error::from_errno("set capabilities: cap_get_proc");
    if (cap_fill(current.caps, CAP_EFFECTIVE, CAP_PERMITTED) < 0)
        return Error::from_errno("set capabilities: cap_fill");
    if (cap_set_proc(current.caps) < 0)
        return Error::from_errno("set capabilities: raise the effective set to the permitted set");
    return {};
}

ErrorOr drop_bounding_set(uint64_t keep)
{
    int last = last_capability();
    for (int cap = 0; cap <= last; ++cap) {
        if (cap < 64 && (keep & (uint64_t(1) << cap)))
            continue;
        int present = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present <= 0)
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return Error::from_errno("drop " + capability_name(cap)
                + " from the bounding set (needs CAP_SETPCAP)");
    }
    return {};
}

ErrorOr set_process_capabilities(CapabilityMasks const& masks)
{
    CapHandle caps(cap_init());
    if (!caps.caps)
        return Error::from_errno("set capabilities: cap_init");
    TRY(set_flag_from_mask(caps.caps, CAP_EFFECTIVE, masks.effective));
    TRY(set_flag_from_mask(caps.caps, CAP_PERMITTED, masks.permitted));
    TRY(set_flag_from_mask(caps.caps, CAP_INHERITABLE, masks.inheritable));
    if (cap_set_proc(caps.caps) < 0)
        return Error::from_errno("set capabilities: capset (effective must be within permitted, "
                                 "permitted within the current permitted set)");
    return {};
}

ErrorOr set_ambient(uint64_t ambient)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
        // Kernels before 4.3 have no ambient set: nothing to clear.
        if (errno == EINVAL && ambient == 0)
            return {};
        return Error::from_errno("clear the ambient capability set");
    }
    for (int cap = 0; cap < 64; ++cap) {
        if (!(ambient & (uint64_t(1) << cap)))
            continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
            return Error::from_errno("raise ambient " + capability_name(cap)
                + " (it must be both permitted and inheritable)");
    }
    return {};
}

} // namespace

Result<int> capability_from_name(std::string_view name)
{
    std::string_view bare = name;
    if (bare.size() > 4 && equals_ignoring_case(bare.substr(0, 4), "CAP_"))
        bare.remove_prefix(4);
    for (int cap = 0; cap < k_known_capabilities; ++cap) {
        if (equals_ignoring_case(bare, k_capability_names[cap]))
            return cap;
    }
    return Error { EINVAL, "unknown capability \"" + std::string(name) + "\": see capabilities(7) for the names" };
}

std::string capability_name(int cap)
{
    if (cap >= 0 && cap < k_known_capabilities)
        return std::string("CAP_") + k_capability_names[cap];
    return "CAP_" + std::to_string(cap);
}

Result<std::string> normalize_capability(std::string_view name)
{
    if (equals_ignoring_case(name, "ALL"))
        return std::string("ALL");
    return capability_name(TRY(capability_from_name(name)));
}

int last_capability()
{
    // Cached: the container init calls this after clone and must not read /proc then.
    static int const last = [] {
        auto text = fs::read_file("/proc/sys/kernel/cap_last_cap");
        if (text.has_value()) {
            int n = std::atoi(text.value().c_str());
            if (n > 0)
                return n;
        }
        int n = 0;
        while (n < 63 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0)
            ++n;
        return n;
    }();
    return last;
}

std::vector<std::string> default_capabilities()
{
    return { std::begin(k_default_capabilities), std::end(k_default_capabilities) };
}

std::vector<std::string> all_capabilities()
{
    std::vector<std::string> out;
    int last = std::min(last_capability(), k_known_capabilities - 1);
    for (int cap = 0; cap <= last; ++cap)
        out.push_back(capability_name(cap));
    return out;
}

Result<std::vector<std::string>> adjust_capabilities(std::vector<std::string> base,
    std::vector<std::string> const& add, std::vector<std::string> const& drop)
{
    base = TRY(normalize_all(base));
    if (contains(base, "ALL"))
        base = all_capabilities();
    auto cap_add = TRY(normalize_all(add));
    auto cap_drop = TRY(normalize_all(drop));
    if (contains(cap_drop, "ALL")) {
        if (contains(cap_add, "ALL"))
            return Error::msg("adding all capabilities and dropping all capabilities is not allowed");
        std::sort(cap_add.begin(), cap_add.end());
        cap_add.erase(std::unique(cap_add.begin(), cap_add.end()), cap_add.end());
        return cap_add;
    }
    if (contains(cap_add, "ALL")) {
        base = all_capabilities();
        cap_add.clear();
    }
    for (auto const& cap : cap_drop) {
        if (contains(cap_add, cap))
            return Error::msg("capability " + cap + " cannot be both added and dropped");
    }
    std::vector<std::string> caps;
    for (auto const& cap : base) {
        if (!contains(cap_drop, cap) && !contains(caps, cap))
            caps.push_back(cap);
    }
    for (auto const& cap : cap_add) {
        if (!contains(caps, cap))
            caps.push_back(cap);
    }
    std::sort(caps.begin(), caps.end());
    return caps;
}

Result<uint64_t> capability_mask(std::vector<std::string> const& names)
{
    uint64_t mask = 0;
    for (auto const& name : names) {
        int cap = TRY(capability_from_name(name));
        mask |= uint64_t(1) << cap;
    }
    return mask;
}

Result<CapabilityMasks> capability_masks(CapabilitySets const& sets)
{
    CapabilityMasks m;
    m.bounding = TRY_CTX(capability_mask(sets.bounding), "bounding capabilities");
    m.effective = TRY_CTX(capability_mask(sets.effective), "effective capabilities");
    m.permitted = TRY_CTX(capability_mask(sets.permitted), "permitted capabilities");
    m.inheritable = TRY_CTX(capability_mask(sets.inheritable), "inheritable capabilities");
    m.ambient = TRY_CTX(capability_mask(sets.ambient), "ambient capabilities");
    uint64_t known = known_mask();
    uint64_t unknown = (m.bounding | m.effective | m.permitted | m.inheritable | m.ambient) & ~known;
    for (int cap = 0; cap < 64 && unknown; ++cap) {
        if (unknown & (uint64_t(1) << cap))
            log::debug("capability {} is unknown to the running kernel: ignored", capability_name(cap));
    }
    m.bounding &= known;
    m.effective &= known;
    m.permitted &= known;
    m.inheritable &= known;
    m.ambient &= known;
    return m;
}

ErrorOr prepare_capabilities_for_setuid()
{
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return Error::from_errno("keep capabilities across setuid: prctl PR_SET_KEEPCAPS");
    return {};
}

ErrorOr apply_capabilities(CapabilityMasks const& masks)
{
    // 1. CAP_SETPCAP must be effective to shrink the bounding set.
    TRY(raise_effective_to_permitted());
    // 2. The bounding set first: inheritable may not exceed it.
    TRY(drop_bounding_set(masks.bounding));
    // 3. effective, permitted, inheritable in one capset.
    TRY(set_process_capabilities(masks));
    // 4. Ambient last: each one must already be permitted and inheritable.
    TRY(set_ambient(masks.ambient));
    return {};
}

ErrorOr apply_capabilities(CapabilitySets const& sets)
{
    return apply_capabilities(TRY(capability_masks(sets)));
}

} // namespace berth::runtime
