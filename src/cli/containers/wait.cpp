// berth wait, rename, port, container exists: the small per-container
// commands. wait prints each container's exit code; exists answers with its
// exit status only (0 yes, 1 no); port prints the -p mappings as Podman does.
#include "cli/targets.h"
#include "engine/containers/container_query.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

/// Go duration or plain milliseconds: "250ms", "1s", "500".
Result<int> parse_interval(std::string const& text)
{
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    std::string unit = end ? end : "";
    if (end == text.c_str() || v < 0)
        return Error { EINVAL, "invalid --interval \"" + text + "\": use a duration like 250ms or 1s" };
    if (unit.empty() || unit == "ms")
        return static_cast<int>(v);
    if (unit == "s")
        return static_cast<int>(v * 1000);
    if (unit == "m")
        return static_cast<int>(v * 60000);
    return Error { EINVAL, "invalid --interval \"" + text + "\": use a duration like 250ms or 1s" };
}

struct WaitArgs {
    std::vector<std::string> containers;
    std::vector<std::string> conditions;
    std::string interval = "250ms";
    bool latest = false, ignore = false;
};

} // namespace

void setup_wait(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<WaitArgs>();
    auto* cmd = parent.add_subcommand("wait", "Block on one or more containers");
    cmd->add_option("container", a->containers, "Containers to wait for (names, IDs or unique ID prefixes)");
    cmd->add_option("--condition", a->conditions, "Condition to wait on: created, running, paused, exited, stopped (default stopped)")->allow_extra_args(false);
    cmd->add_option("-i,--interval", a->interval, "Time interval to wait before polling for completion (default 250ms)");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->add_flag("--ignore", a->ignore, "Ignore a missing container and print -1");
    cmd->callback([a, &globals, &exit_code] {
        auto interval = parse_interval(a->interval);
        if (!interval) {
            exit_code = report(interval.error());
            return;
        }
        TargetOptions options;
        options.latest = a->latest;
        options.print = false;
        options.ignore = a->ignore;
        int ms = *interval;
        exit_code = for_each_container(globals, a->containers, options, [a, ms](engine::Context& ctx, engine::Target const& t) -> ErrorOr {
            auto code = TRY(engine::wait_container(ctx, t.record.id, a->conditions, ms));
            std::printf("%lld\n", static_cast<long long>(code));
            std::fflush(stdout);
            return {};
        });
    });
}

void setup_rename(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto names = std::make_shared<std::vector<std::string>>();
    auto* cmd = parent.add_subcommand("rename", "Rename an existing container");
    cmd->add_option("names", *names, "CONTAINER NEW_NAME")->expected(2)->required();
    cmd->callback([names, &globals, &exit_code] {
        auto new_name = (*names)[1];
        TargetOptions options;
        options.print = false;
        exit_code = for_each_container(globals, { (*names)[0] }, options, [new_name](engine::Context& ctx, engine::Target const& t) {
            return engine::rename_container(ctx, t.record, new_name);
        });
    });
}

void setup_port(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<WaitArgs>();
    auto all = std::make_shared<bool>(false);
    auto* cmd = parent.add_subcommand("port", "List port mappings or a specific mapping for the container");
    cmd->add_option("container", a->containers, "CONTAINER [PRIVATE_PORT[/PROTO]]")->expected(0, 2);
    cmd->add_flag("-a,--all", *all, "Display port information for all containers");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    cmd->callback([a, all, &globals, &exit_code] {
        TargetOptions options;
        options.all = *all;
        options.latest = a->latest;
        options.print = false;
        std::vector<std::string> names;
        if (!a->containers.empty())
            names.push_back(a->containers.front());
        if (names.empty() && !*all && !a->latest) {
            exit_code = report(Error { EINVAL, "you must supply a running container name or id" });
            return;
        }
        std::string wanted = a->containers.size() == 2 ? a->containers[1] : "";
        if (!wanted.empty() && wanted.find('/') == std::string::npos)
            wanted += "/tcp";
        bool prefix = *all;
        exit_code = for_each_container(globals, names, options, [wanted, prefix](engine::Context&, engine::Target const& t) -> ErrorOr {
            bool found = false;
            for (auto const& p : engine::published_ports(t.record)) {
                if (!wanted.empty() && p.key != wanted)
                    continue;
                found = true;
                std::string id = prefix ? t.record.id.substr(0, 12) + "\t" : "";
                std::printf("%s%s\n", id.c_str(), wanted.empty() ? (p.key + " -> " + p.host).c_str() : p.host.c_str());
            }
            if (!wanted.empty() && !found)
                return Error { ENOENT, "failed to find published port \"" + wanted + "\"" };
            return {};
        });
    });
}

void setup_container_exists(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto name = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("exists", "Check if a container exists in local storage (exit 0 yes, 1 no)");
    cmd->add_option("container", *name, "Container name or ID")->required();
    auto external = std::make_shared<bool>(false);
    cmd->add_flag("--external", *external, "Check for containers created outside berth too (there are none)");
    cmd->callback([name, external, &globals, &exit_code] {
        int code = 0;
        auto ctx = open_or_report(globals, code);
        if (!ctx) {
            exit_code = code;
            return;
        }
        auto found = engine::resolve_targets(*ctx, { *name }, false);
        if (found) {
            exit_code = 0;
            return;
        }
        exit_code = found.error().code == ENOENT ? 1 : report(found.error());
    });
}

} // namespace berth::cli
