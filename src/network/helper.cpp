// plan_helper() and attach_helper(): see helper.h. The programs' own parts
// are in pasta.cpp and slirp4netns.cpp.
#include "network/helper.h"

#include "network/pasta.h"
#include "network/slirp4netns.h"

#include "base/fs.h"
#include "network/teardown.h"

namespace berth::network {

namespace {

char const* program_name(HelperPlan::Program p)
{
    switch (p) {
    case HelperPlan::Program::Pasta: return "pasta";
    case HelperPlan::Program::Slirp4netns: return "slirp4netns";
    case HelperPlan::Program::None: break;
    }
    return "none";
}

Json ports_to_json(std::vector<PortMapping> const& ports)
{
    Json out = Json::array();
    for (auto const& m : ports)
        out.push_back({ { "host_ip", m.host_ip }, { "host_port", m.host_port }, { "container_port", m.container_port }, { "protocol", m.protocol } });
    return out;
}

} // namespace

Json HelperPlan::to_json() const
{
    return Json { { "program", program_name(program) }, { "executable", executable }, { "args", args }, { "forwards", ports_to_json(forwards) },
        { "proxy_target", proxy_target }, { "publishes", publishes } };
}

Result<HelperPlan> HelperPlan::from_json(Json const& j)
{
    HelperPlan p;
    try {
        std::string name = j.at("program").get<std::string>();
        p.program = name == "pasta" ? Program::Pasta : name == "slirp4netns" ? Program::Slirp4netns : Program::None;
        p.executable = j.at("executable").get<std::string>();
        p.args = j.at("args").get<std::vector<std::string>>();
        p.proxy_target = j.value("proxy_target", "");  // absent in a plan stored before the proxy
        for (auto const& f : j.at("forwards")) {
            PortMapping m;
            m.host_ip = f.at("host_ip").get<std::string>();
            m.host_port = f.at("host_port").get<uint16_t>();
            m.container_port = f.at("container_port").get<uint16_t>();
            m.protocol = f.at("protocol").get<std::string>();
            p.forwards.push_back(std::move(m));
        }
        p.publishes = j.value("publishes", !p.forwards.empty());  // absent in a plan stored before it
    } catch (Json::exception const& e) {
        return Error { EINVAL, std::string("network helper plan: ") + e.what() };
    }
    return p;
}

Result<HelperPlan> plan_helper(NetworkMode const& mode, std::vector<PortMapping> const& ports, std::string const& executable)
{
    HelperPlan plan;
    switch (mode.kind) {
    case NetworkMode::Kind::Pasta:
        plan.program = HelperPlan::Program::Pasta;
        plan.executable = executable.empty() ? "pasta" : executable;
        plan.args = pasta_args(mode.options, ports);
        plan.forwards = ports;
        plan.publishes = !ports.empty() || pasta_forwards_own_ports(mode.options, "tcp") || pasta_forwards_own_ports(mode.options, "udp");
        break;
    case NetworkMode::Kind::Slirp4netns:
        plan.program = HelperPlan::Program::Slirp4netns;
        plan.executable = executable.empty() ? "slirp4netns" : executable;
        plan.args = TRY(slirp4netns_args(mode.options));
        plan.forwards = ports;
        plan.publishes = !ports.empty();
        if (!ports.empty() && TRY(parse_slirp4netns_options(mode.options)).proxy_ports)
            plan.proxy_target = TRY(slirp4netns_guest_address(mode.options));
        break;
    default:
        break;
    }
    return plan;
}

ErrorOr attach_helper(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    // The monitor awaits the exit of helpers that publish ports before it
    // reports the container's (teardown.h stop_helper).
    if (plan.publishes)
        TRY(fs::write_file_replace(fs::join(run_dir, helper_ports_file_name), ""));
    switch (plan.program) {
    case HelperPlan::Program::Pasta:
        return start_pasta(plan, run_dir, init_pid, own_userns);
    case HelperPlan::Program::Slirp4netns:
        return start_slirp4netns(plan, run_dir, init_pid, own_userns);
    case HelperPlan::Program::None:
        break;
    }
    return {};
}

} // namespace berth::network
