// berth kube generate|play|down, and the older spellings Podman keeps:
// generate kube, play kube. Output as Podman 4.3 prints it: the YAML (or
// nothing with -f FILE), play's "Pod:\nID\nContainer(s):\nID..." blocks and
// down's "Pods stopped:" / "Pods removed:" lists.
#include "cli/commands.h"
#include "cli/create.h"
#include "engine/kube/kube.h"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace berth::cli {

namespace {

struct GenerateArgs {
    std::vector<std::string> names;
    std::string filename;
    engine::KubeGenerateOptions options;
};

/// Writes `text` to a new file (Podman refuses to overwrite one).
ErrorOr write_new_file(std::string const& path, std::string const& text)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return Error { errno, errno == EEXIST ? "cannot write to \"" + path + "\": file exists" : "open " + path + ": " + std::strerror(errno) };
    size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            int e = errno;
            ::close(fd);
            return Error { e, "write " + path + ": " + std::strerror(e) };
        }
        done += static_cast<size_t>(n);
    }
    if (::close(fd) != 0)
        return Error { errno, "write " + path + ": " + std::strerror(errno) };
    return {};
}

void add_generate(CLI::App& parent, char const* name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<GenerateArgs>();
    auto* cmd = parent.add_subcommand(name, "Generate Kubernetes YAML from containers, pods or volumes");
    cmd->add_option("name", a->names, "Containers, pods or volumes (names or IDs)")->required();
    cmd->add_flag("-s,--service", a->options.service, "Also generate a Service of type NodePort for the published ports");
    cmd->add_option("-f,--filename", a->filename, "Write the YAML to this file (which must not exist) instead of stdout");
    cmd->add_option("-t,--type", a->options.type, "Kind of the workload object: pod, deployment, daemonset or job")->capture_default_str();
    cmd->add_option("-r,--replicas", a->options.replicas, "Replicas of a deployment (--type deployment)")->capture_default_str();
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto yaml = engine::generate_kube(*ctx, a->names, a->options);
        if (!yaml) {
            exit_code = report(yaml.error());
            return;
        }
        if (a->filename.empty()) {
            std::fputs(yaml->c_str(), stdout);
            return;
        }
        if (auto done = write_new_file(a->filename, *yaml); !done)
            exit_code = report(done.error());
    });
}

void print_down(engine::KubeDownReport const& r)
{
    std::printf("Pods stopped:\n");
    for (auto const& id : r.stopped)
        std::printf("%s\n", id.c_str());
    std::printf("Pods removed:\n");
    for (auto const& id : r.removed)
        std::printf("%s\n", id.c_str());
}

void print_play(engine::KubePlayReport const& r)
{
    if (!r.replaced.removed.empty())
        print_down(r.replaced);
    if (!r.volumes.empty()) {
        std::printf("Volumes:\n");
        for (auto const& v : r.volumes)
            std::printf("%s\n", v.c_str());
    }
    for (auto const& pod : r.pods) {
        std::printf("Pod:\n%s\n%s:\n", pod.id.c_str(), pod.containers.size() == 1 ? "Container" : "Containers");
        for (auto const& id : pod.containers)
            std::printf("%s\n", id.c_str());
        std::printf("\n");
    }
}

struct PlayArgs {
    engine::KubePlayOptions options;
    std::vector<std::string> configmaps;
    bool down = false;
    bool quiet = false;
    CreateArgs pull;  ///< -q for the pull progress lines
};

void add_play(CLI::App& parent, char const* name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PlayArgs>();
    auto& o = a->options;
    auto* cmd = parent.add_subcommand(name, "Create pods, containers and volumes from Kubernetes YAML");
    cmd->add_option("file", o.file, "The YAML file (Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim)")->required();
    cmd->add_flag("--down", a->down, "Stop and remove the pods the file made (as kube down)");
    cmd->add_flag("--replace", o.replace, "Remove pods of the same names (and their containers) first");
    cmd->add_flag("--start", o.start, "Start the pods (--start=false: only create them)")->default_str("true");
    cmd->add_flag("--service-container", o.service_container,
        "Run a service container as long as the pods, for a systemd unit of Type=notify (the pods stop when their containers exit)");
    cmd->add_option("--configmap", a->configmaps, "A YAML file of ConfigMaps the pods use (repeatable, or comma-separated)")
        ->allow_extra_args(false)->delimiter(',');
    cmd->add_option("--publish", o.publish, "Publish a port of every pod: [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] (with the file's hostPorts)")
        ->allow_extra_args(false);
    cmd->add_option("--network,--net", o.network, "Network mode of the pods: none, host, pasta[:OPTIONS], slirp4netns[:OPTIONS]");
    cmd->add_option("--annotation", o.annotations,
        "Add an annotation to every pod's containers: KEY=VALUE (repeatable; io.containers.autoupdate[/CONTAINER]=POLICY sets auto-update)")
        ->allow_extra_args(false);
    cmd->add_option_function<bool>("--build", [a](bool v) { a->options.build = v; },
        "Build images from the directory beside the file named after each image: default when missing, --build always, --build=false never")
        ->expected(0, 1)->default_str("true");
    cmd->add_flag("-q,--quiet", a->pull.quiet, "Do not print pull or build progress");
    cmd->add_option("--authfile", a->pull.authfile, "Credentials for pulling the images (auth.json)");
    cmd->add_option_function<bool>("--tls-verify", [a](bool v) { a->pull.tls_verify = v; },
        "Require HTTPS and verify certificates when pulling the images (default true)");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        if (a->down) {
            auto r = engine::down_kube(*ctx, a->options.file);
            if (!r) {
                exit_code = report(r.error());
                return;
            }
            print_down(*r);
            return;
        }
        a->options.configmaps = a->configmaps;
        a->options.create_command = globals.command_line;
        if (!a->pull.quiet)
            a->options.build_output = [](std::string const& line) { std::printf("%s\n", line.c_str()); };
        auto r = engine::play_kube(*ctx, a->options, pull_options_for_create(a->pull), globals.engine.storage_driver, print_warning);
        if (!r) {
            exit_code = report(r.error());
            return;
        }
        print_play(*r);
    });
}

void add_down(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto file = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("down", "Stop and remove the pods a Kubernetes YAML file made (not its volumes)");
    cmd->add_option("file", *file, "The YAML file given to kube play")->required();
    cmd->callback([file, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto r = engine::down_kube(*ctx, *file);
        if (!r) {
            exit_code = report(r.error());
            return;
        }
        print_down(*r);
    });
}

} // namespace

void setup_kube_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("kube", "Generate Kubernetes YAML, or play it as pods");
    group->require_subcommand(1);
    add_generate(*group, "generate", globals, exit_code);
    add_play(*group, "play", globals, exit_code);
    add_down(*group, globals, exit_code);
}

void setup_generate_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    add_generate(command_group(parent, "generate", "Generate structured data: systemd units (generate systemd), Kubernetes YAML (generate kube)"), "kube", globals, exit_code);
}

void setup_play_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("play", "Play structured data (kube: Kubernetes YAML)");
    group->require_subcommand(1);
    add_play(*group, "kube", globals, exit_code);
}

} // namespace berth::cli
