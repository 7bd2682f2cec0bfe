// What `pod top`, `pod logs` and `pod stats` look at: the containers of a pod,
// chosen and ordered as Podman does, handed to the container functions that
// do the work (top_table, read_logs, sample_stats). The infra container is a
// process like any other for top and stats, but it writes no logs of interest,
// so logs leave it out.
#include "engine/pods/pods.h"

#include "engine/containers/lifecycle.h"
#include "engine/containers/stats.h"

#include <algorithm>

namespace berth::engine {

using container::ContainerRecord;
using container::PodRecord;

namespace {

/// The pod's containers that run, the infra first, then the members newest first.
Result<std::vector<ContainerRecord>> running_containers(Context& ctx, PodRecord const& pod)
{
    auto report = TRY(pod_report(ctx, pod));
    std::stable_partition(report.containers.begin(), report.containers.end(),
        [&](ContainerRecord const& c) { return c.id == pod.infra_id; });
    std::vector<ContainerRecord> out;
    for (auto& c : report.containers)
        if (c.state == container::State::Running)
            out.push_back(std::move(c));
    return out;
}

} // namespace

Result<std::vector<std::vector<std::string>>> pod_top_table(Context& ctx, PodRecord const& pod,
    std::vector<std::string> const& descriptors)
{
    std::vector<std::vector<std::string>> table;
    for (auto const& c : TRY(running_containers(ctx, pod))) {
        auto rows = TRY_CTX(top_table(c, descriptors), "container " + c.name);
        // One header: the first container's.
        table.insert(table.end(), rows.begin() + (table.empty() ? 0 : 1), rows.end());
    }
    return table;
}

Result<std::vector<ContainerRecord>> pod_log_containers(Context& ctx, PodRecord const& pod, std::string const& container)
{
    if (!container.empty()) {
        auto rec = TRY(find_container(ctx, container));
        if (rec.pod_id != pod.id)
            return Error { ENOENT, "container " + container + " is not in pod " + pod.name + ": no such container" };
        return std::vector<ContainerRecord> { std::move(rec) };
    }
    auto report = TRY(pod_report(ctx, pod));
    std::vector<ContainerRecord> out;
    for (auto& c : report.containers)
        if (c.id != pod.infra_id)
            out.push_back(std::move(c));
    return out;
}

Result<std::vector<PodMember>> running_pod_members(Context& ctx, std::vector<PodRecord> const& pods)
{
    std::vector<PodMember> out;
    for (auto const& pod : pods)
        for (auto& c : TRY(running_containers(ctx, pod)))
            out.push_back({ pod, std::move(c) });
    return out;
}

} // namespace berth::engine
