// kube generate, play and down over the store (see kube.h).
#include "engine/kube/kube.h"

#include "berth_config.h"
#include "base/fs.h"
#include "base/sys.h"
#include "base/scope_guard.h"
#include "base/timestamp.h"
#include "build/executor.h"
#include "container/spec_builder.h"
#include "engine/containers/container_query.h"
#include "engine/containers/healthcheck.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/images.h"
#include "engine/pods/pods.h"
#include "engine/volumes/volumes.h"
#include "kube/generate.h"
#include "kube/play.h"
#include "network/ports.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::engine {

namespace {

Result<kube::ContainerInput> container_input(Context& ctx, container::ContainerRecord const& rec)
{
    kube::ContainerInput in;
    in.record = rec;
    in.options = TRY(container::CreateOptions::from_json(rec.config));
    // An image removed since (rmi -f) leaves nothing to compare with: everything is written out.
    if (auto image = find_image(ctx, rec.image_id))
        in.image = TRY(image_config(ctx, *image));
    in.ports = network::published_ports(rec.config);
    if (auto hc = HealthConfig::from_json(rec.config.value("healthcheck", Json())); hc && !hc->argv().empty()) {
        auto seconds = [](int64_t ns) { return ns / nanos_per_second; };
        in.probe = kube::Probe { hc->argv(), seconds(hc->interval_ns), seconds(hc->timeout_ns), seconds(hc->start_period_ns), hc->retries };
    }
    return in;
}

/// "Directory" or "File" for each bind source of the pod's containers that exists.
void stat_host_paths(kube::PodInput& pod)
{
    for (auto const& c : pod.containers) {
        auto mounts = container::mount_requests(c.options);
        if (!mounts)
            continue;
        for (auto const& m : *mounts) {
            struct stat st {};
            if (m.type != container::MountRequest::Type::Bind || ::stat(m.source.c_str(), &st) != 0)
                continue;
            pod.host_path_types[m.source] = S_ISDIR(st.st_mode) ? "Directory" : S_ISREG(st.st_mode) ? "File" : "";
            if (pod.host_path_types[m.source].empty())
                pod.host_path_types.erase(m.source);
        }
    }
}

/// The members of a pod in creation order (the infra left out); the pod's ports go on the first.
Result<kube::PodInput> pod_input(Context& ctx, container::PodRecord const& pod)
{
    auto report = TRY(pod_report(ctx, pod));
    kube::PodInput in;
    in.name = pod.name;
    in.hostname = pod.hostname.empty() ? pod.name : pod.hostname;
    in.host_network = pod.config.value("network", "") == "host";
    std::vector<network::PortMapping> ports;
    for (auto it = report.containers.rbegin(); it != report.containers.rend(); ++it) {
        if (it->id == pod.infra_id) {
            ports = network::published_ports(it->config);
            continue;
        }
        in.containers.push_back(TRY(container_input(ctx, *it)));
    }
    if (in.containers.empty())
        return Error { EINVAL, "pod " + pod.name + " has no containers but the infra container: there is nothing to generate" };
    in.containers.front().ports = ports;
    return in;
}

void add_volume(std::vector<container::VolumeRecord>& volumes, container::VolumeRecord volume)
{
    if (std::none_of(volumes.begin(), volumes.end(), [&](auto const& v) { return v.name == volume.name; }))
        volumes.push_back(std::move(volume));
}

} // namespace

Result<std::string> generate_kube(Context& ctx, std::vector<std::string> const& names, KubeGenerateOptions const& options)
{
    kube::GenerateOptions go;
    go.type = TRY(kube::parse_type(options.type));
    if (options.replicas < 1)
        return Error { EINVAL, "--replicas must be at least 1" };
    if (options.replicas != 1 && go.type != kube::GenerateOptions::Type::Deployment)
        return Error { EINVAL, "--replicas is only used with --type deployment" };
    go.replicas = options.replicas;
    go.service = options.service;
    go.version = "berth-" BERTH_VERSION;
    go.created = timestamp::rfc3339(static_cast<int64_t>(std::time(nullptr)));
    if (names.empty())
        return Error { EINVAL, "give at least one container, pod or volume" };
    std::vector<kube::PodInput> pods;
    kube::PodInput loose;
    std::vector<container::VolumeRecord> volumes;
    for (auto const& name : names) {
        if (auto rec = find_container(ctx, name)) {
            if (!rec->pod_id.empty()) {
                auto pod = TRY(find_pod(ctx, rec->pod_id));
                return Error { EINVAL, "container " + rec->name + " is in pod " + pod.name + ": generate the pod instead" };
            }
            if (loose.containers.empty())
                loose.name = rec->name + "-pod";
            loose.containers.push_back(TRY(container_input(ctx, *rec)));
        } else if (auto pod = find_pod(ctx, name)) {
            pods.push_back(TRY(pod_input(ctx, *pod)));
        } else if (auto volume = get_volume(ctx, name)) {
            add_volume(volumes, *volume);
        } else {
            return Error { ENOENT, "name or ID \"" + name + "\" not found" };
        }
    }
    if (!loose.containers.empty())
        pods.insert(pods.begin(), std::move(loose));
    // A claim for every named volume the pods mount.
    for (auto& pod : pods) {
        stat_host_paths(pod);
        for (auto const& c : pod.containers)
            for (auto const& use : c.record.volumes)
                if (!use.anonymous) {
                    // A volume named by -v is made at the first start: until then it has no record.
                    auto volume = get_volume(ctx, use.volume);
                    container::VolumeRecord missing;
                    missing.name = use.volume;
                    // The volume kube play made for this pod's emptyDir is an emptyDir again.
                    if (volume && volume->labels.count(kube::empty_dir_label) && volume->labels.at(kube::empty_dir_label) == pod.name) {
                        pod.empty_dirs.insert(use.volume);
                        continue;
                    }
                    add_volume(volumes, volume ? *volume : missing);
                }
    }
    return kube::generate_yaml(pods, volumes, go);
}

namespace {

/// Writes a ConfigMap's or Secret's files into a volume just created.
ErrorOr write_volume_files(container::VolumeRecord const& volume, std::map<std::string, std::string> const& files)
{
    for (auto const& [path, content] : files) {
        auto full = volume.mountpoint + "/" + path;
        TRY(fs::mkdir_p(full.substr(0, full.rfind('/'))));
        TRY_CTX(fs::write_file_atomic(full, content), "volume " + volume.name);
    }
    return {};
}

/// hostPath types: *OrCreate makes the path, Directory/File check it.
ErrorOr prepare_host_path(kube::PlayHostPath const& hp)
{
    struct stat st {};
    bool exists = ::stat(hp.path.c_str(), &st) == 0;
    if (hp.type == "DirectoryOrCreate" && !exists) {
        TRY_CTX(fs::mkdir_p(hp.path), hp.where);
        return {};
    }
    if (hp.type == "FileOrCreate" && !exists) {
        TRY_CTX(fs::mkdir_p(hp.path.substr(0, hp.path.rfind('/'))), hp.where);
        int fd = ::open(hp.path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return Error { errno, hp.where + ": create " + hp.path + ": " + std::strerror(errno) };
        ::close(fd);
        return {};
    }
    if ((hp.type == "Directory" || hp.type == "DirectoryOrCreate") && !(exists && S_ISDIR(st.st_mode)))
        return Error { ENOTDIR, hp.where + ": " + hp.path + " is not a directory" };
    if ((hp.type == "File" || hp.type == "FileOrCreate") && !(exists && S_ISREG(st.st_mode)))
        return Error { EINVAL, hp.where + ": " + hp.path + " is not a file" };
    return {};
}

/// A YAML file's text; "-" is standard input.
Result<std::string> read_yaml(std::string const& file)
{
    if (file == "-")
        return TRY_CTX(sys::read_all(STDIN_FILENO), "read standard input");
    return TRY_CTX(fs::read_file(file), "read " + file);
}

Result<kube::PlayInput> read_play_input(KubePlayOptions const& options)
{
    kube::PlayInput in;
    in.file = options.file;
    in.text = TRY(read_yaml(options.file));
    for (auto const& file : options.configmaps)
        in.configmaps.emplace_back(file, TRY_CTX(fs::read_file(file), "read --configmap " + file));
    in.network = options.network;
    in.publish = options.publish;
    for (auto const& a : options.annotations) {
        auto eq = a.find('=');
        if (eq == std::string::npos || eq == 0)
            return Error { EINVAL, "--annotation " + a + ": use KEY=VALUE" };
        in.annotations[a.substr(0, eq)] = a.substr(eq + 1);
    }
    return in;
}

/// A volume of the pod's own (an emptyDir, a ConfigMap's or Secret's files), made anew
/// when a removed pod of that name left it.
ErrorOr create_pod_volume(Context& ctx, kube::PlayVolume const& v, std::string const& pod)
{
    if (auto old = get_volume(ctx, v.name)) {
        auto label = old->labels.find(kube::empty_dir_label);
        if (label == old->labels.end() || label->second != pod)
            return Error { EEXIST, "volume " + v.name + " for a volume of pod " + pod + " exists already: remove it" };
        TRY(remove_volume(ctx, v.name, true, 0));
    }
    auto volume = TRY(create_volume(ctx, v.name, { { kube::empty_dir_label, pod } }, {}, false));
    return write_volume_files(volume, v.files);
}

/// Removes a pod, then its own volumes (emptyDir, ConfigMap, Secret).
ErrorOr remove_pod_and_scratch(Context& ctx, container::PodRecord const& pod)
{
    TRY(remove_pod(ctx, pod, true, 0));
    for (auto const& volume : TRY(list_volumes(ctx, { VolumeFilter { "label", std::string(kube::empty_dir_label) + "=" + pod.name } })))
        TRY(remove_volume(ctx, volume.name, true, 0));
    return {};
}

/// One pod of the plan: the pod, then its containers; removed again when one fails.
Result<KubePlayReport::Pod> play_pod(Context& ctx, kube::PlayPod const& p, KubePlayOptions const& options,
    std::string const& service_container, PullOptions const& pull_options, std::string const& storage_driver, Warn const& warn)
{
    PodCreateOptions po;
    po.name = p.name;
    po.hostname = p.hostname;
    po.network = p.network;
    po.publish = p.publish;
    po.labels = p.labels;
    po.create_command = options.create_command;
    if (!service_container.empty()) {
        // As Podman's: the pods of a service container's play stop when their containers exit.
        po.exit_policy = "stop";
        po.service_container = service_container;
    }
    auto pod = TRY_CTX(create_pod(ctx, po, warn), options.file + ": pod " + p.name);
    ArmedScopeGuard drop_pod([&] { (void)remove_pod_and_scratch(ctx, pod); });
    for (auto const& volume : p.pod_volumes)
        TRY(create_pod_volume(ctx, volume, p.name));
    KubePlayReport::Pod report { pod.id, {} };
    for (auto spec : p.containers) {
        spec.pod = pod.id;
        spec.create_command = options.create_command;
        auto rec = TRY_CTX(create_container(ctx, spec, pull_options, storage_driver, warn),
            options.file + ": pod " + p.name + ": container " + spec.name);
        report.containers.push_back(rec.id);
    }
    drop_pod.disarm();
    return report;
}

/// --service-container: the pause image running berth-init, on no network,
/// in no pod, named after 12 hex digits of a new id and "-service" as Podman's.
Result<container::ContainerRecord> create_service_container(Context& ctx, KubePlayOptions const& options,
    std::string const& storage_driver, Warn const& warn)
{
    container::CreateOptions spec;
    spec.image = TRY(ensure_pause_image(ctx));
    spec.name = container::generate_id().substr(0, 12) + "-service";
    spec.pull = "never";
    spec.network = "none";
    spec.detach = true;
    spec.sdnotify = "ignore";
    spec.create_command = options.create_command;
    return TRY_CTX(create_container(ctx, spec, {}, storage_driver, warn), options.file + ": the service container");
}

/// NOTIFY_SOCKET taken out of the environment, so that the containers the play starts do not get it.
std::string take_notify_socket()
{
    char const* env = std::getenv("NOTIFY_SOCKET");
    std::string socket = env ? env : "";
    ::unsetenv("NOTIFY_SOCKET");
    return socket;
}

/// kube down's work: every pod stopped, then every pod removed.
Result<KubeDownReport> stop_and_remove(Context& ctx, std::vector<container::PodRecord> const& pods)
{
    KubeDownReport report;
    for (auto const& pod : pods) {
        TRY(stop_pod(ctx, pod, std::nullopt));
        report.stopped.push_back(pod.id);
    }
    for (auto const& pod : pods) {
        TRY(remove_pod_and_scratch(ctx, pod));
        report.removed.push_back(pod.id);
    }
    return report;
}

} // namespace

namespace {

/// The directory beside the YAML file named after `image`, if it holds a Containerfile or Dockerfile.
std::string build_dir_of(std::string const& yaml_file, std::string const& image)
{
    std::string base = image.substr(image.rfind('/') == std::string::npos ? 0 : image.rfind('/') + 1);
    base = base.substr(0, base.find_first_of(":@"));
    if (base.empty() || base == "." || base == "..")
        return "";
    std::string dir;
    if (yaml_file == "-" || yaml_file.find('/') == std::string::npos) {
        dir = sys::getcwd().value_or(".");
    } else {
        dir = yaml_file.substr(0, yaml_file.rfind('/'));
        if (dir.empty())
            dir = "/";
    }
    dir = fs::join(dir, base);
    for (char const* name : { "Containerfile", "Dockerfile" })
        if (fs::exists(fs::join(dir, name)))
            return dir;
    return "";
}

/// --build: the images of the plan that have a build directory, built before any pod is made.
ErrorOr build_images(Context& ctx, kube::PlayPlan const& plan, KubePlayOptions const& options, PullOptions const& pull_options)
{
    if (options.build == false)
        return {};
    std::set<std::string> done;
    for (auto const& p : plan.pods)
        for (auto const& c : p.containers) {
            if (!done.insert(c.image).second)
                continue;
            auto dir = build_dir_of(options.file, c.image);
            if (dir.empty() || (!options.build && find_image(ctx, c.image)))
                continue;
            build::BuildOptions bo;
            bo.context_dir = dir;
            bo.tags = { c.image };
            bo.pull_options = pull_options;
            if (options.build_output)
                bo.observer = [&](build::BuildEvent const& e) {
                    if (e.kind == build::BuildEvent::Kind::Step || e.kind == build::BuildEvent::Kind::Tagged)
                        options.build_output(e.text);
                };
            TRY_CTX(build::build_image(ctx, bo), options.file + ": build " + c.image + " from " + dir);
        }
    return {};
}

} // namespace

Result<KubePlayReport> play_kube(Context& ctx, KubePlayOptions const& options, PullOptions const& pull_options,
    std::string const& storage_driver, Warn const& warn)
{
    auto plan = TRY(kube::plan_play(TRY(read_play_input(options))));
    if (options.service_container && !options.start)
        return Error { EINVAL, "--service-container runs as long as the pods do: leave out --start=false" };
    TRY(build_images(ctx, plan, options, pull_options));
    // Pods of the same names: removed with --replace, else an error before anything is made.
    std::vector<container::PodRecord> existing;
    for (auto const& p : plan.pods)
        if (auto pod = find_pod(ctx, p.name)) {
            if (!options.replace)
                return Error { EEXIST, options.file + ": pod " + p.name + " already exists: remove it, or use --replace" };
            existing.push_back(*pod);
        }
    KubePlayReport report;
    report.replaced = TRY(stop_and_remove(ctx, existing));
    for (auto const& p : plan.pods)
        for (auto const& hp : p.host_paths)
            TRY(prepare_host_path(hp));
    // A failure undoes the whole file: its pods, and the volumes it created.
    ArmedScopeGuard undo([&] {
        for (auto const& p : report.pods)
            if (auto pod = find_pod(ctx, p.id))
                (void)remove_pod_and_scratch(ctx, *pod);
        for (auto const& name : report.volumes)
            (void)remove_volume(ctx, name, true, 0);
        if (report.service_container.empty())
            return;
        if (auto service = find_container(ctx, report.service_container))
            (void)remove_container(ctx, *service, RemoveOptions { true, false, 0, false });
    });
    std::string notify_socket = options.service_container ? take_notify_socket() : "";
    if (options.service_container && !plan.pods.empty()) {
        report.service_container = TRY(create_service_container(ctx, options, storage_driver, warn)).id;
        StartOptions so;
        so.attach = false;
        so.storage_driver = storage_driver;
        TRY_CTX(start_container(ctx, report.service_container, so), options.file + ": start the service container");
    }
    for (auto const& v : plan.volumes) {
        // A claim whose volume exists uses it as it is.
        if (get_volume(ctx, v.name))
            continue;
        TRY_CTX(create_volume(ctx, v.name, {}, {}, false), options.file + ": volume " + v.name);
        report.volumes.push_back(v.name);
    }
    for (auto const& p : plan.pods)
        report.pods.push_back(TRY(play_pod(ctx, p, options, report.service_container, pull_options, storage_driver, warn)));
    undo.disarm();
    // A start that fails leaves what was created, as Podman does: `kube down` removes it.
    if (options.start)
        for (auto const& p : report.pods)
            TRY(start_pod(ctx, TRY(find_pod(ctx, p.id))));
    // --service-container: its monitor is the unit's main process, and the workload is ready.
    if (!notify_socket.empty()) {
        std::string message = "READY=1";
        if (!report.service_container.empty())
            message = "MAINPID=" + std::to_string(TRY(find_container(ctx, report.service_container)).monitor_pid) + "\n" + message;
        if (auto sent = sys::sd_notify(notify_socket, message); !sent && warn)
            warn("--service-container: " + sent.error().message);
    }
    return report;
}

Result<KubeDownReport> down_kube(Context& ctx, std::string const& file)
{
    kube::PlayInput in;
    in.file = file;
    in.text = TRY(read_yaml(file));
    std::vector<container::PodRecord> pods;
    for (auto const& name : TRY(kube::pod_names(in)))
        pods.push_back(TRY(find_pod(ctx, name)));
    return stop_and_remove(ctx, pods);
}

} // namespace berth::engine
