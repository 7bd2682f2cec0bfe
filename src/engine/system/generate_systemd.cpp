// `generate systemd`'s engine half: the records of a container or a pod
// become the typed inputs of generate/systemd.h, with the facts that module
// must not look up itself (the clock, the version, the store's paths).
#include "engine/system/generate_systemd.h"

#include "base/fs.h"
#include "base/sys.h"
#include "berth_config.h"
#include "container/options.h"
#include "engine/containers/containers.h"
#include "engine/pods/pods.h"
#include "monitor/protocol.h"

#include <algorithm>
#include <ctime>

namespace berth::engine {

namespace {

/// Go's time.UnixDate, as Podman's header: "Sun Dec  6 23:31:11 UTC 2026".
std::string header_time()
{
    std::time_t now = std::time(nullptr);
    struct tm tm {};
    ::localtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Z %Y", &tm);
    return buf;
}

generate::ContainerInput input_of(Context& ctx, container::ContainerRecord const& rec)
{
    generate::ContainerInput in;
    in.id = rec.id;
    in.name = rec.name;
    in.monitor_pidfile = fs::join(ctx.paths.layout().container_run_dir(rec.id), monitor::monitor_pid_file_name);
    in.stop_timeout = static_cast<unsigned>(std::max(0, rec.config.value("stop_timeout", 10)));
    if (auto cmd = rec.config.find("create_command"); cmd != rec.config.end() && cmd->is_array())
        in.create_command = cmd->get<std::vector<std::string>>();
    return in;
}

} // namespace

Result<std::vector<generate::Unit>> generate_systemd(Context& ctx, SystemdRequest const& request)
{
    generate::UnitEnvironment env;
    env.executable = request.executable;
    env.global_args = request.global_args;
    env.run_dir = ctx.paths.run_dir;
    env.version = BERTH_VERSION;
    env.timestamp = header_time();
    auto container = find_container(ctx, request.name_or_id);
    if (container) {
        auto in = input_of(ctx, *container);
        if (!container->pod_id.empty()) {
            auto pod = TRY(find_pod(ctx, container->pod_id));
            if (pod.infra_id == container->id)
                return Error { EINVAL, "container " + container->name + " is the infra container of pod " + pod.name
                        + ": generate the units of the pod" };
            in.pod_name = pod.name;
        }
        auto unit = TRY(generate::container_unit(in, request.options, env, request.arity));
        return std::vector<generate::Unit> { std::move(unit) };
    }
    if (container.error().code != ENOENT)
        return container.error();
    auto pod = find_pod(ctx, request.name_or_id);
    if (!pod) {
        if (pod.error().code != ENOENT)
            return pod.error();
        return Error { ENOENT, request.name_or_id + " does not refer to a container or pod" };
    }
    auto report = TRY(pod_report(ctx, *pod));
    generate::PodInput in;
    in.id = pod->id;
    in.name = pod->name;
    if (auto cmd = pod->config.find("create_command"); cmd != pod->config.end() && cmd->is_array())
        in.create_command = cmd->get<std::vector<std::string>>();
    // Oldest first: the order they were added to the pod.
    for (auto it = report.containers.rbegin(); it != report.containers.rend(); ++it) {
        if (it->id == pod->infra_id)
            in.infra = input_of(ctx, *it);
        else
            in.members.push_back(input_of(ctx, *it));
    }
    for (auto& m : in.members)
        m.pod_name = pod->name;
    return generate::pod_units(in, request.options, env, request.arity);
}

Result<std::vector<std::string>> write_unit_files(std::vector<generate::Unit> const& units, std::string const& dir)
{
    std::vector<std::string> paths;
    for (auto const& unit : units) {
        std::string path = fs::join(dir, unit.name + ".service");
        TRY_CTX(fs::write_file_replace(path, unit.text), "writing " + path);
        paths.push_back(path);
    }
    return paths;
}

Result<std::string> berth_executable()
{
    return sys::readlink("/proc/self/exe");
}

} // namespace berth::engine
