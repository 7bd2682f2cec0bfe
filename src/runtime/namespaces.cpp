// Namespaces of the container: which ones clone creates, which ones are
// joined by path, and the id mappings of a new user namespace.
//
// The subtle parts: a namespace created by clone is owned by the user
// namespace of the *caller*, so when the spec joins a user namespace by path
// the init must setns into it first and only then unshare the others, or they
// would belong to the wrong owner (and a new pid namespace cannot be made that
// way without a second fork, which we refuse). And uid_map/gid_map must be
// written from outside the new namespace, before the init uses any id.
#include "runtime/init.h"

#include "runtime/kernel.h"

#include <fcntl.h>
#include <sched.h>

namespace berth::runtime {

unsigned long long clone_flag(NamespaceType type)
{
    switch (type) {
    case NamespaceType::Pid: return CLONE_NEWPID;
    case NamespaceType::Network: return CLONE_NEWNET;
    case NamespaceType::Mount: return CLONE_NEWNS;
    case NamespaceType::Ipc: return CLONE_NEWIPC;
    case NamespaceType::Uts: return CLONE_NEWUTS;
    case NamespaceType::User: return CLONE_NEWUSER;
    case NamespaceType::Cgroup: return CLONE_NEWCGROUP;
    }
    return 0;
}

unsigned long long new_namespace_flags(Spec const& spec)
{
    unsigned long long flags = 0;
    for (auto const& ns : spec.linux_config.namespaces) {
        if (ns.path.empty())
            flags |= clone_flag(ns.type);
    }
    return flags;
}

Result<std::vector<JoinedNamespace>> open_namespaces(Spec const& spec)
{
    std::vector<JoinedNamespace> joins;
    auto open_one = [&](Namespace const& ns) -> ErrorOr {
        int fd = ::open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return Error::from_errno("open " + std::string(namespace_type_name(ns.type)) + " namespace " + ns.path);
        joins.push_back({ ns.type, UniqueFd(fd) });
        return {};
    };
    // The user namespace first: joining it grants the capabilities the other setns calls need.
    for (auto const& ns : spec.linux_config.namespaces) {
        if (!ns.path.empty() && ns.type == NamespaceType::User)
            TRY(open_one(ns));
    }
    for (auto const& ns : spec.linux_config.namespaces) {
        if (!ns.path.empty() && ns.type != NamespaceType::User)
            TRY(open_one(ns));
    }
    return joins;
}

std::string format_id_mappings(std::vector<IdMapping> const& mappings)
{
    std::string text;
    for (auto const& m : mappings)
        text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " + std::to_string(m.size) + "\n";
    return text;
}

ErrorOr write_id_mappings(pid_t pid, Spec const& spec)
{
    std::string proc = "/proc/" + std::to_string(pid);
    // A privileged writer (CAP_SETGID over the parent namespace, which root and
    // root-in-berth's-namespace have) may write several ranges and keep
    // setgroups allowed, so /proc/<pid>/setgroups is left alone.
    TRY_CTX(kernel::write_file(proc + "/uid_map", format_id_mappings(spec.linux_config.uid_mappings)), "write uid mappings");
    TRY_CTX(kernel::write_file(proc + "/gid_map", format_id_mappings(spec.linux_config.gid_mappings)), "write gid mappings");
    return {};
}

ErrorOr join_namespaces(InitPlan const& plan)
{
    for (auto const& ns : plan.joins) {
        std::string what = std::string(namespace_type_name(ns.type)) + " namespace";
        TRY(kernel::setns(ns.fd.get(), static_cast<int>(clone_flag(ns.type)), what));
    }
    if (plan.unshare_flags && ::unshare(static_cast<int>(plan.unshare_flags)) < 0)
        return Error::from_errno("unshare namespaces");
    return {};
}

} // namespace berth::runtime
