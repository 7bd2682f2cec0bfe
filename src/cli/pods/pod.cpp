// berth pod create|ps|inspect|start|stop|restart|kill|pause|unpause|rm|prune|exists|clone,
// with Podman's output: create and clone print the pod ID, ps a table (or --format),
// inspect a JSON document (an array for several pods), the lifecycle
// commands the full ID of each pod they acted on.
#include "cli/commands.h"
#include "engine/containers/container_query.h"
#include "engine/containers/lifecycle.h"
#include "engine/pods/pods.h"

#include <cstdio>

namespace berth::cli {

namespace {

void add_pod_create(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        engine::PodCreateOptions options;
        std::string name_arg, share;
        CLI::Option* share_option = nullptr;
    };
    auto a = std::make_shared<Args>();
    auto& o = a->options;
    auto* cmd = group.add_subcommand("create", "Create a new empty pod");
    cmd->add_option("name", a->name_arg, "Name of the pod (as --name)");
    cmd->add_option("-n,--name", o.name, "Name of the pod");
    cmd->add_option("--infra", o.infra, "Create an infra container that holds the shared namespaces (default true)");
    cmd->add_option("--infra-name", o.infra_name, "Name of the infra container (default: the pod ID's first 12 digits and -infra)");
    a->share_option = cmd->add_option("--share", a->share,
        "Namespaces the containers share: a list of cgroup, ipc, net, pid, uts, or none; +LIST adds to ipc,net,uts (the default)");
    cmd->add_option("-p,--publish", o.publish, "Publish a port of the pod on the host: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]")
        ->allow_extra_args(false);
    cmd->add_option("--network,--net", o.network, "Network mode of the pod: none, host, private (the default), pasta[:OPTIONS], slirp4netns[:OPTIONS]");
    cmd->add_option("--hostname", o.hostname, "Hostname of the pod (default: the pod's name)");
    cmd->add_option("-l,--label", o.labels, "Set a label (KEY=VALUE)")->allow_extra_args(false);
    cmd->add_option("--add-host", o.add_hosts, "Add a line to the pod's /etc/hosts: HOST:IP")->allow_extra_args(false);
    cmd->add_option("--dns", o.dns, "DNS server for the pod's /etc/resolv.conf")->allow_extra_args(false);
    cmd->add_option("-v,--volume", o.volumes, "Mount a volume in the pod's containers: SRC:DST[:OPTIONS] (as run -v)")->allow_extra_args(false);
    cmd->add_option("--infra-conmon-pidfile", o.infra_conmon_pidfile,
        "Write the pid of the infra container's monitor to this file whenever it starts");
    cmd->add_option("--pod-id-file", o.pod_id_file, "Write the pod's ID to this file");
    cmd->add_flag("--replace", o.replace, "Remove a pod of the same name first (stopping its containers)");
    cmd->add_option("--exit-policy", o.exit_policy,
        "What the pod does when its last container exits: continue (keep the infra running, the default) or stop (stop the pod)");
    cmd->callback([a, &globals, &exit_code] {
        auto& o = a->options;
        if (!a->name_arg.empty()) {
            if (!o.name.empty() && o.name != a->name_arg) {
                exit_code = report(Error { EINVAL, "cannot specify --name and NAME at the same time" });
                return;
            }
            o.name = a->name_arg;
        }
        if (a->share_option->count())
            o.share = a->share;
        o.create_command = globals.command_line;
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto pod = engine::create_pod(*ctx, o, [](std::string const& w) { std::fprintf(stderr, "berth: %s\n", w.c_str()); });
        if (!pod) {
            exit_code = report(pod.error());
            return;
        }
        std::printf("%s\n", pod->id.c_str());
    });
}

Json pod_row(engine::PodReport const& r, bool no_trunc)
{
    Json names = Json::array(), ids = Json::array(), statuses = Json::array();
    std::string ctr_names;
    for (auto const& c : r.containers) {
        ctr_names += (ctr_names.empty() ? "" : ",") + c.name;
        ids.push_back(c.id);
        statuses.push_back(engine::status_name(c));
    }
    auto trunc = [&](std::string const& id) { return no_trunc ? id : id.substr(0, 12); };
    return Json {
        { "ID", trunc(r.pod.id) },
        { "Id", r.pod.id },
        { "Name", r.pod.name },
        { "Status", r.status },
        { "Created", human_ago(r.pod.created) },
        { "CreatedAt", go_time(r.pod.created) },
        { "InfraID", trunc(r.pod.infra_id) },
        { "InfraId", r.pod.infra_id },
        { "NumberOfContainers", r.containers.size() },
        { "Labels", r.pod.labels },
        { "ContainerNames", ctr_names },
        { "ContainerIds", ids },
        { "ContainerStatuses", statuses },
        { "Cgroup", "" },
        { "Networks", "" },
    };
}

void add_pod_ps(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string format;
        bool quiet = false, no_trunc = false, noheading = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("ps", "List pods");
    cmd->alias("ls");
    cmd->alias("list");
    cmd->add_option("--format", a->format, "Go template for each pod ('table ...' for a table)");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the pod IDs (in full)");
    cmd->add_flag("--no-trunc", a->no_trunc, "Print the full IDs");
    cmd->add_flag("--noheading", a->noheading, "Do not print headers");
    cmd->add_option("-f,--filter", a->filters, "Filter pods: id=, name=, label=, status=")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_pod_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto pods = engine::list_pods(*ctx);
        if (!pods) {
            exit_code = report(pods.error());
            return;
        }
        std::vector<Json> rows;
        for (auto const& r : *pods)
            if (engine::pod_matches(r, *filters))
                rows.push_back(pod_row(r, a->no_trunc));
        if (a->quiet) {
            // As Podman 4: the full IDs, --no-trunc or not.
            for (auto const& row : rows)
                std::printf("%s\n", row["Id"].get<std::string>().c_str());
            return;
        }
        std::string format = a->format.empty()
            ? "table {{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}\t{{.NumberOfContainers}}"
            : a->format;
        exit_code = print_formatted(format, rows,
            { { "ID", "POD ID" }, { "InfraID", "INFRA ID" }, { "NumberOfContainers", "# OF CONTAINERS" } },
            a->noheading ? berth::format::Heading::Omit : berth::format::Heading::Show);
    });
}

void add_pod_inspect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("inspect", "Show pods in detail");
    cmd->add_option("pod", a->names, "Pod names or IDs")->required();
    cmd->add_option("-f,--format", a->format, "Go template for each pod");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::vector<Json> docs;
        for (auto const& name : a->names) {
            auto pod = engine::find_pod(*ctx, name);
            auto r = pod ? engine::pod_report(*ctx, *pod) : Result<engine::PodReport>(pod.error());
            if (!r) {
                exit_code = report(r.error());
                continue;
            }
            docs.push_back(engine::inspect_pod(*r));
        }
        int code = 0;
        if (!a->format.empty())
            code = print_formatted(a->format, docs);
        else if (docs.size() == 1)
            print_json(docs.front());
        else if (!docs.empty())
            print_json(Json(docs));
        if (exit_code == 0)
            exit_code = code;
    });
}

/// A pod command that acts on each named pod (or all with -a) and prints its ID.
struct PodTargets {
    std::vector<std::string> names;
    bool all = false;
    std::vector<std::string> id_files;  ///< --pod-id-file
    bool ignore = false;                ///< --ignore: a missing pod (or ID file) is no error
};

CLI::App* add_pod_action(CLI::App& group, char const* name, char const* help, std::shared_ptr<PodTargets> const& t)
{
    auto* cmd = group.add_subcommand(name, help);
    cmd->add_option("pod", t->names, "Pod names or IDs");
    cmd->add_flag("-a,--all", t->all, "Act on every pod");
    cmd->add_option("--pod-id-file", t->id_files, "Read the pod ID from the file (as pod create --pod-id-file wrote it)")
        ->allow_extra_args(false);
    return cmd;
}

using PodAction = std::function<ErrorOr(engine::Context&, container::PodRecord const&)>;

int run_pod_action(PodTargets const& t, Globals const& globals, PodAction const& action)
{
    int exit_code = 0;
    auto names = t.names;
    if (auto read = read_cidfiles(t.id_files, names, t.ignore); !read)
        return report(read.error());
    if (names.empty() && !t.id_files.empty() && !t.all)
        return 0;  // --ignore and no ID file: a unit's ExecStop after a failed start
    if (names.empty() && !t.all)
        return report(Error { EINVAL, "you must provide at least one name or id" });
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    std::vector<container::PodRecord> pods;
    if (t.all) {
        auto all = engine::list_pods(*ctx);
        if (!all)
            return report(all.error());
        for (auto const& r : *all)
            pods.push_back(r.pod);
    }
    for (auto const& name : names) {
        auto pod = engine::find_pod(*ctx, name);
        if (!pod && t.ignore && pod.error().code == ENOENT)
            continue;
        if (!pod)
            return report(pod.error());
        pods.push_back(*pod);
    }
    for (auto const& pod : pods) {
        if (auto done = action(*ctx, pod); !done) {
            exit_code = report(done.error());
            continue;
        }
        std::printf("%s\n", pod.id.c_str());
        std::fflush(stdout);
    }
    return exit_code;
}

void add_pod_lifecycle(CLI::App& group, Globals& globals, int& exit_code)
{
    auto simple = [&](char const* name, char const* help, PodAction action) {
        auto t = std::make_shared<PodTargets>();
        auto* cmd = add_pod_action(group, name, help, t);
        cmd->callback([t, action, &globals, &exit_code] { exit_code = run_pod_action(*t, globals, action); });
        return std::make_pair(cmd, t);
    };
    simple("start", "Start every container of pods (the infra container first)",
        [](engine::Context& ctx, container::PodRecord const& pod) { return engine::start_pod(ctx, pod); });
    simple("pause", "Pause every running container of pods",
        [](engine::Context& ctx, container::PodRecord const& pod) { return engine::pause_pod(ctx, pod, true); });
    simple("unpause", "Unpause every paused container of pods",
        [](engine::Context& ctx, container::PodRecord const& pod) { return engine::pause_pod(ctx, pod, false); });
    auto timeout = std::make_shared<std::optional<int>>();
    auto [stop, stop_t] = simple("stop", "Stop every container of pods (the infra container last)",
        [timeout](engine::Context& ctx, container::PodRecord const& pod) { return engine::stop_pod(ctx, pod, *timeout); });
    stop->add_option_function<int>("-t,--time", [timeout](int v) { *timeout = v; },
        "Seconds to wait for each container to stop before killing it (default: its stop timeout)");
    stop->add_flag("-i,--ignore", stop_t->ignore, "Ignore pods (and --pod-id-file files) that do not exist");
    auto [restart, restart_t] = simple("restart", "Stop, then start every container of pods",
        [timeout](engine::Context& ctx, container::PodRecord const& pod) -> ErrorOr {
            TRY(engine::stop_pod(ctx, pod, *timeout));
            return engine::start_pod(ctx, pod);
        });
    restart->add_option_function<int>("-t,--time", [timeout](int v) { *timeout = v; },
        "Seconds to wait for each container to stop before killing it (default: its stop timeout)");
    auto signal = std::make_shared<std::string>("KILL");
    auto [kill, kill_t] = simple("kill", "Send a signal to every running container of pods",
        [signal](engine::Context& ctx, container::PodRecord const& pod) -> ErrorOr {
            int sig = TRY(engine::parse_signal(*signal));
            return engine::kill_pod(ctx, pod, sig);
        });
    kill->add_option("-s,--signal", *signal, "Signal to send (default KILL)");
    auto force = std::make_shared<bool>(false);
    auto [rm, rm_t] = simple("rm", "Remove pods and their containers",
        [force, timeout](engine::Context& ctx, container::PodRecord const& pod) {
            return engine::remove_pod(ctx, pod, *force, *timeout);
        });
    rm->alias("remove");
    rm->add_flag("-f,--force", *force, "Stop and remove running containers too");
    rm->add_flag("-i,--ignore", rm_t->ignore, "Ignore pods (and --pod-id-file files) that do not exist");
    rm->add_option_function<int>("-t,--time", [timeout](int v) { *timeout = v; },
        "Seconds to wait for each container to stop before killing it (with --force)");
}

void add_pod_prune(CLI::App& group, Globals& globals, int& exit_code)
{
    auto force = std::make_shared<bool>(false);
    auto* cmd = group.add_subcommand("prune", "Remove every pod none of whose containers runs");
    cmd->add_flag("-f,--force", *force, "Do not ask for confirmation");
    cmd->callback([force, &globals, &exit_code] {
        if (!*force) {
            auto yes = confirm("WARNING! This will remove all stopped/exited pods..\n");
            if (!yes)
                exit_code = report(yes.error());
            if (!yes || !*yes)
                return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto removed = engine::prune_pods(*ctx);
        if (!removed) {
            exit_code = report(removed.error());
            return;
        }
        for (auto const& id : *removed)
            std::printf("%s\n", id.c_str());
    });
}


void add_pod_clone(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> args;  ///< POD [NAME]
        engine::PodCloneOptions options;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("clone", "Clone an existing pod and its containers");
    cmd->add_option("args", a->args, "POD [NAME]: the pod to clone and the new pod's name (as --name)");
    cmd->add_option("-n,--name", a->options.name, "Name of the new pod (default: the pod's name and -clone)");
    cmd->add_flag("--destroy", a->options.destroy, "Remove the original pod once cloned");
    cmd->add_flag("--start", a->options.start, "Start the new pod");
    cmd->callback([a, &globals, &exit_code] {
        if (a->args.empty() || a->args.size() > 2) {
            exit_code = report(Error { EINVAL, "pod clone takes a pod and optionally a new name: berth pod clone [options] POD [NAME]" });
            return;
        }
        if (a->args.size() == 2)
            a->options.name = a->args[1];
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto pod = engine::find_pod(*ctx, a->args.front());
        auto clone = pod ? engine::clone_pod(*ctx, *pod, a->options, [](std::string const& w) { std::fprintf(stderr, "berth: %s\n", w.c_str()); })
                         : Result<container::PodRecord>(pod.error());
        if (!clone) {
            exit_code = report(clone.error());
            return;
        }
        std::printf("%s\n", clone->id.c_str());
    });
}

} // namespace

void setup_pod_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("pod", "Manage pods");
    group->require_subcommand(1);
    add_pod_create(*group, globals, exit_code);
    add_pod_ps(*group, globals, exit_code);
    add_pod_inspect(*group, globals, exit_code);
    add_pod_lifecycle(*group, globals, exit_code);
    add_pod_prune(*group, globals, exit_code);
    add_exists_command(*group, globals, exit_code, "pod", "Exit 0 if a pod exists, 1 if not",
        [](engine::Context& ctx, std::string const& name) { return engine::find_pod(ctx, name); });
    add_pod_clone(*group, globals, exit_code);
    add_pod_observers(*group, globals, exit_code);
}

} // namespace berth::cli
