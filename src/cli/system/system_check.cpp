// berth system check [--force] [--max DURATION] [--quick] [--repair]: prints one
// line per problem the engine found ("<what>: <detail>", prefixed "removed "
// when --repair dealt with it) and exits 0 when nothing is left to repair,
// else 125 with one line saying how to repair it, like podman 5.
#include "cli/commands.h"
#include "engine/containers/healthcheck.h"
#include "engine/system/system.h"

#include <cstdio>

namespace berth::cli {

namespace {

struct CheckArgs {
    bool force = false, quick = false, repair = false;
    std::string max = "0";
};

int run_check(CheckArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    engine::SystemCheckOptions options;
    options.force = a.force;
    options.quick = a.quick;
    options.repair = a.repair;
    auto max = engine::parse_duration(a.max, "--max");
    if (!max || *max < 0)
        return report(max ? Error { EINVAL, "invalid --max \"" + a.max + "\": must not be negative" } : max.error());
    options.max_age = *max / 1000000000;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto problems = engine::system_check(*ctx, options);
    if (!problems)
        return report(problems.error());
    size_t remaining = 0;
    for (auto const& p : *problems) {
        std::printf("%s%s: %s\n", p.repaired ? "removed " : "", p.what.c_str(), p.detail.c_str());
        remaining += p.repaired ? 0 : 1;
    }
    std::fflush(stdout);
    if (remaining == 0)
        return 0;
    std::string fix = a.repair ? "remove the damaged containers too with berth system check --repair --force"
                               : "repair with berth system check --repair";
    return report(Error::msg(std::to_string(remaining) + (remaining == 1 ? " problem" : " problems")
        + " found in the store: " + fix));
}

} // namespace

void add_system_check(CLI::App& group, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CheckArgs>();
    auto* cmd = group.add_subcommand("check", "Check image and container storage for damage and leftovers");
    cmd->add_flag("-f,--force", a->force, "With --repair, also remove containers that use damaged images");
    cmd->add_option("-m,--max", a->max, "Report unreferenced layers only when older than this duration");
    cmd->add_flag("-q,--quick", a->quick, "Skip checks that take long (re-hashing configs and manifests)");
    cmd->add_flag("-r,--repair", a->repair, "Remove damaged images, leftovers and stale files");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_check(*a, globals); });
}

} // namespace berth::cli
