// berth stop, restart, kill, pause, unpause: per container, Podman's flags,
// output and messages (see targets.h for the reporting rules). stop and
// restart --filter take every container ps --filter matches, printing IDs.
#include "cli/targets.h"
#include "engine/containers/containers.h"
#include "engine/system/events.h"

#include <memory>
#include <optional>

namespace berth::cli {

namespace {

struct Args {
    std::vector<std::string> containers;
    bool all = false, ignore = false, latest = false, running = false;
    std::shared_ptr<std::optional<int>> time = std::make_shared<std::optional<int>>();
    std::string signal = "KILL";
    std::vector<std::string> cidfiles;
    std::vector<std::string> filters;
};

CLI::App* add_common(CLI::App& parent, std::shared_ptr<Args> a, char const* name, char const* help, bool with_ignore)
{
    auto* cmd = parent.add_subcommand(name, help);
    cmd->add_option("container", a->containers, "Containers (names, IDs or unique ID prefixes)");
    cmd->add_flag("-a,--all", a->all, std::string(name) == "restart" || std::string(name) == "pause" || std::string(name) == "unpause"
            ? "Act on all containers"
            : "Act on all running containers");
    cmd->add_flag("-l,--latest", a->latest, "Act on the latest container berth is aware of");
    if (with_ignore)
        cmd->add_flag("-i,--ignore", a->ignore, "Ignore errors when a specified container is missing");
    return cmd;
}

void add_filter_option(CLI::App* cmd, std::shared_ptr<Args> const& a, std::string const& verb)
{
    cmd->add_option("-f,--filter", a->filters, verb + " the containers that match, as ps --filter (id=, name=, label=, status=, ...)")
        ->allow_extra_args(false);
}

/// --all of kill (and restart --running) acts on running containers only;
/// stop --all takes every container, as Podman 4.3.1 does, and prints each ID.
std::vector<std::string> running_ids(Globals const& globals)
{
    std::vector<std::string> ids;
    int code = 0;
    auto ctx = open_or_report(globals, code);
    if (!ctx)
        return ids;
    auto targets = engine::resolve_targets(*ctx, {}, true);
    if (targets)
        for (auto const& t : *targets)
            if (engine::is_active(t.record.state))
                ids.push_back(t.record.id);
    return ids;
}

/// --filter: the IDs of the containers ps --filter matches, in any state, as
/// Podman's stop and restart take them; nullopt once a failure is reported.
std::optional<std::vector<std::string>> filtered_ids(Globals const& globals, std::vector<std::string> const& filters, int& exit_code)
{
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return std::nullopt;
    auto entries = matching_containers(*ctx, filters);
    if (!entries) {
        exit_code = report(entries.error());
        return std::nullopt;
    }
    std::vector<std::string> ids;
    for (auto const& e : *entries)
        ids.push_back(e.record.id);
    return ids;
}

int run_targets(Args const& a, Globals const& globals, bool running_only, TargetAction const& action)
{
    TargetOptions options;
    options.ignore = a.ignore;
    options.latest = a.latest;
    if (!a.filters.empty()) {
        if (!a.containers.empty())
            return report(Error { EINVAL, "--filter takes no arguments" });
        int exit_code = 0;
        auto ids = filtered_ids(globals, a.filters, exit_code);
        if (!ids)
            return exit_code;
        if (ids->empty())
            return 0;
        return for_each_container(globals, *ids, options, action);
    }
    if (a.all && running_only) {
        if (!a.containers.empty())
            return report(Error { EINVAL, "--all and container names cannot be used together" });
        auto ids = running_ids(globals);
        if (ids.empty())
            return 0;
        return for_each_container(globals, ids, options, action);
    }
    options.all = a.all;
    return for_each_container(globals, a.containers, options, action);
}

} // namespace

void setup_stop(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<Args>();
    auto* cmd = add_common(parent, a, "stop", "Stop one or more containers", true);
    add_time_option(cmd, a->time, "Seconds to wait for stop before killing the container (default: its --stop-timeout, 10)", TimeoutAlias::Yes);
    cmd->add_option("--cidfile", a->cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    add_filter_option(cmd, a, "Stop");
    cmd->callback([a, &globals, &exit_code] {
        // With --ignore a missing file is no container, as Podman: a unit's
        // ExecStop after a failed start finds no ID file.
        if (auto r = read_cidfiles(a->cidfiles, a->containers, a->ignore); !r) {
            exit_code = report(r.error());
            return;
        }
        if (!a->cidfiles.empty() && a->containers.empty() && !a->all && !a->latest && a->filters.empty())
            return;
        exit_code = run_targets(*a, globals, false, [a](engine::Context& ctx, engine::Target const& t) {
            return engine::stop_container(ctx, t.record, *a->time);
        });
    });
}

void setup_restart(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<Args>();
    auto* cmd = add_common(parent, a, "restart", "Restart one or more containers", false);
    add_time_option(cmd, a->time, "Seconds to wait for stop before killing the container (default: its --stop-timeout, 10)", TimeoutAlias::Yes);
    cmd->add_flag("--running", a->running, "Restart only running containers");
    cmd->add_option("--cidfile", a->cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    add_filter_option(cmd, a, "Restart");
    cmd->callback([a, &globals, &exit_code] {
        if (auto r = read_cidfiles(a->cidfiles, a->containers); !r) {
            exit_code = report(r.error());
            return;
        }
        exit_code = run_targets(*a, globals, a->running, [a](engine::Context& ctx, engine::Target const& t) -> ErrorOr {
            TRY(engine::stop_container(ctx, t.record, *a->time));
            engine::StartOptions so;
            so.attach = false;
            auto paths = ctx.paths;
            TRY(engine::start_container(ctx, t.record.id, so));
            engine::record_container_event(paths, "restart", t.record);
            return {};
        });
    });
}

void setup_kill(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<Args>();
    auto* cmd = add_common(parent, a, "kill", "Kill one or more running containers with a specific signal", false);
    cmd->add_option("-s,--signal", a->signal, "Signal to send to the container (default KILL)");
    cmd->add_option("--cidfile", a->cidfiles, "Read the container ID from the file")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto sig = engine::parse_signal(a->signal);
        if (!sig) {
            exit_code = report(sig.error());
            return;
        }
        if (auto r = read_cidfiles(a->cidfiles, a->containers); !r) {
            exit_code = report(r.error());
            return;
        }
        int signal = *sig;
        exit_code = run_targets(*a, globals, true, [signal](engine::Context& ctx, engine::Target const& t) {
            return engine::kill_container(ctx, t.record, signal);
        });
    });
}

void setup_pause(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<Args>();
    auto* cmd = add_common(parent, a, "pause", "Pause all the processes in one or more containers", false);
    cmd->callback([a, &globals, &exit_code] {
        exit_code = run_targets(*a, globals, true, [](engine::Context& ctx, engine::Target const& t) {
            return engine::pause_container(ctx, t.record);
        });
    });
}

void setup_unpause(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<Args>();
    auto* cmd = add_common(parent, a, "unpause", "Unpause the processes in one or more containers", false);
    cmd->callback([a, &globals, &exit_code] {
        TargetOptions options;
        options.latest = a->latest;
        std::vector<std::string> names = a->containers;
        if (a->all) {
            // --all: every paused container.
            int code = 0;
            auto ctx = open_or_report(globals, code);
            if (!ctx) {
                exit_code = code;
                return;
            }
            auto targets = engine::resolve_targets(*ctx, {}, true);
            if (targets)
                for (auto const& t : *targets)
                    if (t.record.state == container::State::Paused)
                        names.push_back(t.record.id);
            if (names.empty())
                return;
        }
        exit_code = for_each_container(globals, names, options, [](engine::Context& ctx, engine::Target const& t) {
            return engine::unpause_container(ctx, t.record);
        });
    });
}

} // namespace berth::cli
