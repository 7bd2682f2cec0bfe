// berth compose: the project flags (-f, -p, --project-directory,
// --env-file, --profile) on the group, and one subcommand each for up, down,
// logs, exec, run, start/stop/restart/kill/rm/pause/unpause, build, pull and
// push (ps, ls, images, port, top and config are in compose_ps.cpp).
// Progress goes to stderr as docker compose prints it (" Container
// NAME  Started"); `up` without -d then follows the logs ("web-1  | ...")
// until the containers exit, and Ctrl-C stops them.
#include "cli/compose/compose.h"

#include "cli/create.h"
#include "engine/containers/logs.h"

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace berth::cli {

namespace compose_cli {

int with_project(engine::ComposeFiles const& files, Globals const& globals, bool existing, WithProject const& f)
{
    auto project = existing ? engine::existing_compose_project(files) : engine::load_compose_project(files);
    if (!project)
        return report(project.error());
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    return f(*ctx, *project);
}

int with_containers(engine::ComposeFiles const& files, Globals const& globals, std::vector<std::string> const& services, WithContainers const& f)
{
    return with_project(files, globals, true, [&](engine::Context& ctx, compose::Project const& p) {
        auto records = engine::project_containers(ctx, p, services);
        if (!records)
            return report(records.error());
        return f(ctx, *records);
    });
}

void print_progress(std::string const& kind, std::string const& name, std::string const& what)
{
    std::fprintf(stderr, " %s %s  %s\n", kind.c_str(), name.c_str(), what.c_str());
}

} // namespace compose_cli

namespace {

using namespace compose_cli;
using Files = std::shared_ptr<engine::ComposeFiles>;

/// "web-1  | " padded to the widest prefix, as docker compose prints the logs of several containers.
std::vector<std::string> log_prefixes(std::vector<container::ContainerRecord> const& records, bool one_off_names)
{
    std::vector<std::string> names;
    size_t width = 0;
    for (auto const& r : records) {
        auto service = engine::container_label(r, engine::service_label);
        auto number = engine::container_label(r, engine::number_label);
        names.push_back(one_off_names || service.empty() ? r.name : service + "-" + number);
        width = std::max(width, names.back().size());
    }
    for (auto& n : names)
        n += std::string(width - n.size(), ' ') + "  | ";
    return names;
}

struct LogsArgs {
    std::vector<std::string> services;
    bool follow = false, timestamps = false, no_prefix = false;
    std::string tail = "all";
};

int print_logs(engine::Context& ctx, std::vector<container::ContainerRecord> const& records, LogsArgs const& a)
{
    auto prefixes = log_prefixes(records, false);
    engine::LogsOptions o;
    o.follow = a.follow;
    if (a.tail != "all") {
        try {
            o.tail = std::stoll(a.tail);
        } catch (std::exception const&) {
            return report(Error { EINVAL, "--tail must be a number or \"all\", not \"" + a.tail + "\"" });
        }
    }
    auto emit = [&](size_t i, engine::LogLine const& l) {
        std::string line = (a.no_prefix ? "" : prefixes[i]) + (a.timestamps ? l.time + " " : "") + l.text + (l.newline ? "\n" : "");
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    };
    if (auto done = engine::read_logs(ctx, records, o, emit); !done)
        return report(done.error());
    return 0;
}

void add_logs(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<LogsArgs>();
    auto* cmd = group.add_subcommand("logs", "Show the logs of the project's containers");
    cmd->add_option("service", a->services, "Only these services");
    cmd->add_flag("-f,--follow", a->follow, "Follow the logs until the containers exit");
    cmd->add_flag("-t,--timestamps", a->timestamps, "Show each line's timestamp");
    cmd->add_flag("--no-log-prefix", a->no_prefix, "Leave out the \"SERVICE-N  | \" prefix");
    cmd->add_option("-n,--tail", a->tail, "Only the last N lines of each container (\"all\": every line)");
    cmd->callback([a, files, &globals, &exit_code] {
        exit_code = with_containers(*files, globals, a->services, [&](engine::Context& ctx, auto const& records) { return print_logs(ctx, records, *a); });
    });
}

struct UpArgs {
    engine::ComposeUpOptions options;
    bool detach = false, abort_on_exit = false;
    CreateArgs pull;
};

/// up without -d: the logs until every container exits; SIGINT/SIGTERM stop the project's containers.
int attach_up(engine::Context& ctx, Globals const& globals, compose::Project const& p,
    std::vector<container::ContainerRecord> const& records)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);  // ends the stopper when the containers exit by themselves
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // The stopper waits for a signal on its own thread, with its own store connection.
    std::thread stopper([&] {
        int sig = 0;
        sigwait(&set, &sig);
        if (sig == SIGUSR1)
            return;
        std::fprintf(stderr, "Gracefully stopping... (press Ctrl+C again to force)\n");
        int code = 0;
        auto own = open_or_report(globals, code);
        if (!own)
            return;
        engine::ComposeActionOptions o;
        (void)engine::compose_action(*own, p, engine::ComposeAction::Stop, o);
    });
    // The containers' monitors are our children (start_container spawned
    // them): reaped, so that an exited one is gone and the logs end.
    std::signal(SIGCHLD, SIG_IGN);
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    LogsArgs a;
    a.follow = true;
    int code = print_logs(ctx, records, a);
    pthread_kill(stopper.native_handle(), SIGUSR1);
    stopper.join();
    return code;
}

void add_up(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<UpArgs>();
    auto& o = a->options;
    auto* cmd = group.add_subcommand("up", "Create and start the project's containers (with their networks and volumes)");
    cmd->add_option("service", o.services, "Only these services (and what they depend on)");
    cmd->add_flag("-d,--detach", a->detach, "Start them in the background and return");
    cmd->add_flag("--build", o.build, "Build the images of services with build: first");
    cmd->add_flag("--force-recreate", o.force_recreate, "Recreate the containers even when their configuration is unchanged");
    cmd->add_flag("--remove-orphans", o.remove_orphans, "Remove containers of services the files no longer have");
    cmd->add_flag("--no-start", o.no_start, "Only create them");
    cmd->add_flag("--no-deps", o.no_deps, "Do not start the services the named ones depend on");
    cmd->add_option("--wait-timeout", o.wait_timeout, "Seconds to wait for a dependency to become healthy or complete")->capture_default_str();
    cmd->add_flag("-q,--quiet-pull", a->pull.quiet, "Do not print pull progress");
    cmd->callback([a, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, false, [&](engine::Context& ctx, compose::Project const& p) {
            a->options.pull_options = pull_options_for_create(a->pull);
            a->options.storage_driver = globals.engine.storage_driver;
            a->options.create_command = globals.command_line;
            auto records = engine::compose_up(ctx, p, a->options, print_progress, print_warning);
            if (!records)
                return report(records.error());
            if (a->detach || a->options.no_start)
                return 0;
            return attach_up(ctx, globals, p, *records);
        });
    });
}

void add_down(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto o = std::make_shared<engine::ComposeDownOptions>();
    auto timeout = std::make_shared<int>(-1);
    auto* cmd = group.add_subcommand("down", "Stop and remove the project's containers and networks (-v: volumes too)");
    cmd->add_flag("-v,--volumes", o->volumes, "Remove the project's named volumes and the containers' anonymous ones");
    cmd->add_option("--rmi", o->rmi, "Remove images too: local (those built for services without image:) or all");
    cmd->add_flag("--remove-orphans", o->remove_orphans, "Remove containers of services the files no longer have");
    cmd->add_option("-t,--timeout", *timeout, "Seconds to wait for a container to stop before killing it");
    cmd->callback([o, timeout, files, &globals, &exit_code] {
        if (*timeout >= 0)
            o->timeout = *timeout;
        exit_code = with_project(*files, globals, true, [&](engine::Context& ctx, compose::Project const& p) {
            if (auto done = engine::compose_down(ctx, p, *o, print_progress); !done)
                return report(done.error());
            return 0;
        });
    });
}

void add_action(CLI::App& group, Files files, Globals& globals, int& exit_code, char const* name, char const* help, engine::ComposeAction action)
{
    auto o = std::make_shared<engine::ComposeActionOptions>();
    auto timeout = std::make_shared<int>(-1);
    auto* cmd = group.add_subcommand(name, help);
    cmd->add_option("service", o->services, "Only these services");
    if (action == engine::ComposeAction::Stop || action == engine::ComposeAction::Restart)
        cmd->add_option("-t,--timeout", *timeout, "Seconds to wait for a container to stop before killing it");
    if (action == engine::ComposeAction::Kill)
        cmd->add_option("-s,--signal", o->signal, "The signal to send")->capture_default_str();
    if (action == engine::ComposeAction::Remove) {
        cmd->add_flag("-f,--force")->description("Do not ask; accepted, as berth never asks");
        cmd->add_flag("-s,--stop", o->force, "Stop running containers first and remove them too");
        cmd->add_flag("-v,--volumes", o->volumes, "Remove the containers' anonymous volumes");
    }
    cmd->callback([o, timeout, files, action, &globals, &exit_code] {
        if (*timeout >= 0)
            o->timeout = *timeout;
        o->storage_driver = globals.engine.storage_driver;
        exit_code = with_project(*files, globals, true, [&](engine::Context& ctx, compose::Project const& p) {
            auto done = engine::compose_action(ctx, p, action, *o);
            if (!done)
                return report(done.error());
            char const* what[] = { "Started", "Stopped", "Restarted", "Killed", "Removed", "Paused", "Unpaused" };
            for (auto const& n : *done)
                print_progress("Container", n, what[static_cast<int>(action)]);
            return 0;
        });
    });
}

struct ExecArgs {
    engine::ExecOptions options;
    bool no_tty = false;
    int index = 1;
};

void add_exec(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<ExecArgs>();
    auto& o = a->options;
    auto* cmd = group.add_subcommand("exec", "Run a command in a service's running container");
    cmd->prefix_command();
    cmd->fallthrough(false);
    cmd->add_flag("-T,--no-TTY", a->no_tty, "No pseudo-TTY (the default when stdin is not a terminal)");
    cmd->add_flag("-d,--detach", o.detach, "Run the command in the background");
    cmd->add_option("-e,--env", o.env, "Set an environment variable (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("-u,--user", o.user, "User to run as");
    cmd->add_option("-w,--workdir", o.workdir, "Working directory");
    cmd->add_flag("--privileged", o.privileged, "Give the process every capability");
    cmd->add_option("--index", a->index, "The container of the service, when it has several")->capture_default_str();
    cmd->callback([a, cmd, files, &globals, &exit_code] {
        auto rest = cmd->remaining();
        if (rest.size() < 2) {
            exit_code = report(Error { EINVAL, "compose exec requires a service and a command: compose exec SERVICE COMMAND [ARG...]" });
            return;
        }
        exit_code = with_project(*files, globals, true, [&](engine::Context& ctx, compose::Project const& p) {
            auto rec = engine::service_container(ctx, p, rest.front(), a->index);
            if (!rec)
                return report(rec.error());
            a->options.command.assign(rest.begin() + 1, rest.end());
            a->options.tty = !a->no_tty && is_tty(STDIN_FILENO) && is_tty(STDOUT_FILENO);
            a->options.interactive = !a->options.detach;
            std::fflush(stdout);
            auto code = engine::exec_container(ctx, rec->id, a->options);
            if (!code)
                return report(code.error());
            return *code;
        });
    });
}

struct RunArgs {
    engine::ComposeRunOptions options;
    std::string entrypoint;
    bool no_tty = false;
    CreateArgs pull;
};

void add_run(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<RunArgs>();
    auto& o = a->options;
    auto* cmd = group.add_subcommand("run", "Run a one-off command in a new container of a service");
    cmd->prefix_command();
    cmd->fallthrough(false);
    cmd->add_flag("--rm", o.remove, "Remove the container when it exits");
    cmd->add_flag("-d,--detach", o.detach, "Run it in the background; print its ID");
    cmd->add_flag("--no-deps", o.no_deps, "Do not start the services it depends on");
    cmd->add_flag("--service-ports", o.service_ports, "Publish the service's ports (not published by default)");
    cmd->add_flag("-T,--no-TTY", a->no_tty, "No pseudo-TTY");
    cmd->add_option("--name", o.name, "The container's name");
    cmd->add_option("--entrypoint", a->entrypoint, "Override the image's entrypoint");
    cmd->add_option("-e,--env", o.env, "Set an environment variable (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("-u,--user", o.user, "User to run as");
    cmd->add_option("-w,--workdir", o.workdir, "Working directory");
    cmd->add_option("-p,--publish", o.publish, "Publish a port")->allow_extra_args(false);
    cmd->add_option("-v,--volume", o.volumes, "Mount a volume")->allow_extra_args(false);
    cmd->callback([a, cmd, files, &globals, &exit_code] {
        auto rest = cmd->remaining();
        if (rest.empty()) {
            exit_code = report(Error { EINVAL, "compose run requires a service: compose run SERVICE [COMMAND [ARG...]]" });
            return;
        }
        a->options.service = rest.front();
        a->options.command.assign(rest.begin() + 1, rest.end());
        if (cmd->count("--entrypoint"))
            a->options.entrypoint = a->entrypoint;
        a->options.tty = !a->no_tty && !a->options.detach && is_tty(STDIN_FILENO) && is_tty(STDOUT_FILENO);
        a->options.interactive = !a->options.detach;
        exit_code = with_project(*files, globals, false, [&](engine::Context& ctx, compose::Project const& p) {
            engine::ComposeUpOptions up;
            up.pull_options = pull_options_for_create(a->pull);
            up.storage_driver = globals.engine.storage_driver;
            up.create_command = globals.command_line;
            std::string id;
            std::fflush(stdout);
            auto code = engine::compose_run(ctx, p, a->options, up, print_progress, print_warning, &id);
            if (!code)
                return report(code.error());
            if (a->options.detach)
                std::printf("%s\n", id.c_str());
            return *code;
        });
    });
}

void add_images_commands(CLI::App& group, Files files, Globals& globals, int& exit_code)
{
    auto services = std::make_shared<std::vector<std::string>>();
    auto pull = std::make_shared<CreateArgs>();
    auto* build = group.add_subcommand("build", "Build the images of the services with build:");
    build->add_option("service", *services, "Only these services");
    build->callback([services, pull, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, false, [&](engine::Context& ctx, compose::Project const& p) {
            auto done = engine::compose_build(ctx, p, *services, pull_options_for_create(*pull), [](std::string const& line) { std::printf("%s\n", line.c_str()); });
            return done ? 0 : report(done.error());
        });
    });
    auto pull_services = std::make_shared<std::vector<std::string>>();
    auto* pull_cmd = group.add_subcommand("pull", "Pull the images of the services");
    pull_cmd->add_option("service", *pull_services, "Only these services");
    pull_cmd->add_flag("-q,--quiet", pull->quiet, "Do not print pull progress");
    pull_cmd->callback([pull_services, pull, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, false, [&](engine::Context& ctx, compose::Project const& p) {
            auto done = engine::compose_pull(ctx, p, *pull_services, pull_options_for_create(*pull), print_progress);
            return done ? 0 : report(done.error());
        });
    });
    auto push_services = std::make_shared<std::vector<std::string>>();
    auto* push = group.add_subcommand("push", "Push the images of the services that have build: and image:");
    push->add_option("service", *push_services, "Only these services");
    push->callback([push_services, files, &globals, &exit_code] {
        exit_code = with_project(*files, globals, false, [&](engine::Context& ctx, compose::Project const& p) {
            auto done = engine::compose_push(ctx, p, *push_services, print_progress);
            return done ? 0 : report(done.error());
        });
    });
}

} // namespace

void setup_compose(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto files = std::make_shared<engine::ComposeFiles>();
    auto* group = parent.add_subcommand("compose", "Run a Compose project: services, volumes and networks from compose.yaml");
    group->require_subcommand(1);
    group->add_option("-f,--file", files->files, "A Compose file (repeatable: later files override earlier ones)")->allow_extra_args(false);
    group->add_option("-p,--project-name", files->project_name, "The project's name (default: name:, else the directory's)");
    group->add_option("--project-directory", files->project_directory, "The project's directory (default: the first file's)");
    group->add_option("--env-file", files->env_files, "Read variables from this file instead of .env")->allow_extra_args(false);
    group->add_option("--profile", files->profiles, "Enable the services of this profile (repeatable)")->allow_extra_args(false);
    add_up(*group, files, globals, exit_code);
    add_down(*group, files, globals, exit_code);
    add_ps(*group, files, globals, exit_code);
    add_logs(*group, files, globals, exit_code);
    add_exec(*group, files, globals, exit_code);
    add_run(*group, files, globals, exit_code);
    using A = engine::ComposeAction;
    add_action(*group, files, globals, exit_code, "start", "Start the project's stopped containers", A::Start);
    add_action(*group, files, globals, exit_code, "stop", "Stop the project's running containers", A::Stop);
    add_action(*group, files, globals, exit_code, "restart", "Restart the project's containers", A::Restart);
    add_action(*group, files, globals, exit_code, "kill", "Send a signal to the project's running containers", A::Kill);
    add_action(*group, files, globals, exit_code, "rm", "Remove the project's stopped containers", A::Remove);
    add_action(*group, files, globals, exit_code, "pause", "Pause the project's running containers", A::Pause);
    add_action(*group, files, globals, exit_code, "unpause", "Unpause the project's paused containers", A::Unpause);
    add_images_commands(*group, files, globals, exit_code);
    add_config(*group, files, exit_code);
    add_ls(*group, globals, exit_code);
    add_images(*group, files, globals, exit_code);
    add_port(*group, files, globals, exit_code);
    add_top(*group, files, globals, exit_code);
}

} // namespace berth::cli
