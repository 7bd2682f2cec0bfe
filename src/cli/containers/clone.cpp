// berth container clone CONTAINER [NAME [IMAGE]]: a copy of a container, made
// from the options it was created with, printing the copy's ID, as Podman's.
#include "cli/commands.h"
#include "cli/create.h"
#include "engine/containers/clone.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct CloneArgs {
    std::vector<std::string> args;  ///< CONTAINER [NAME [IMAGE]]
    engine::ContainerCloneOptions options;
    std::string name, pod, memory, memory_swap, cpus;
    uint64_t cpu_shares = 0;
};

int run_clone(CloneArgs& a, CLI::App const& cmd, Globals const& globals)
{
    if (a.args.empty() || a.args.size() > 3)
        return report(Error { EINVAL, "container clone takes a container, and optionally a name and an image: "
                                      "berth container clone [options] CONTAINER [NAME [IMAGE]]" });
    auto& o = a.options;
    o.name = a.args.size() > 1 ? a.args[1] : a.name;
    if (a.args.size() > 1 && !a.name.empty() && a.name != a.args[1])
        return report(Error { EINVAL, "the new name is given twice (--name " + a.name + " and " + a.args[1] + "): give one" });
    if (a.args.size() > 2)
        o.image = a.args[2];
    auto given = [&](char const* flag) { return cmd.get_option(flag)->count() > 0; };
    if (given("--pod"))
        o.pod = a.pod;
    if (given("--memory"))
        o.memory = a.memory;
    if (given("--memory-swap"))
        o.memory_swap = a.memory_swap;
    if (given("--cpus"))
        o.cpus = a.cpus;
    if (given("--cpu-shares"))
        o.cpu_shares = a.cpu_shares;
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto original = engine::find_container(*ctx, a.args.front());
    if (!original)
        return report(original.error());
    auto copy = engine::clone_container(*ctx, *original, o, print_warning);
    if (!copy)
        return report(copy.error());
    std::printf("%s\n", copy->id.c_str());
    return 0;
}

} // namespace

void setup_clone(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CloneArgs>();
    auto* cmd = parent.add_subcommand("clone", "Create a copy of an existing container");
    cmd->add_option("args", a->args, "CONTAINER [NAME [IMAGE]]: the container to copy, the copy's name and another image");
    cmd->add_option("--name", a->name, "Name of the copy (default: the container's name and -clone)");
    cmd->add_option("--pod", a->pod, "Put the copy in this pod instead of the container's");
    cmd->add_flag("--destroy", a->options.destroy, "Remove the original container once copied");
    cmd->add_flag("-f,--force", a->options.force, "With --destroy, stop the original first if it runs");
    cmd->add_flag("--run", a->options.run, "Start the copy (detached)");
    cmd->add_option("-m,--memory", a->memory, "Memory limit of the copy (e.g. 512m, 1g)");
    cmd->add_option("--memory-swap", a->memory_swap, "Memory plus swap limit of the copy, -1 for unlimited swap");
    cmd->add_option("--cpus", a->cpus, "Number of CPUs of the copy (e.g. 1.5)");
    cmd->add_option("-c,--cpu-shares", a->cpu_shares, "CPU shares of the copy (relative weight)");
    cmd->callback([a, cmd, &globals, &exit_code] { exit_code = run_clone(*a, *cmd, globals); });
}

} // namespace berth::cli
