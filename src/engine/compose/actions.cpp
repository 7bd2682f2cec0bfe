// What acts on a project's existing containers, found by their labels:
// down, start/stop/restart/kill/rm/pause/unpause, the container of a
// service for exec and port, ls; and build, pull, push of its images.
#include "engine/compose/compose.h"

#include "build/executor.h"
#include "compose/convert.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/interchange.h"
#include "engine/networks/networks.h"
#include "engine/volumes/volumes.h"

#include <algorithm>
#include <map>
#include <set>

namespace berth::engine {

namespace {

/// The position of a service in start order (unknown services last).
size_t service_rank(compose::Project const& p, std::string const& service)
{
    for (size_t i = 0; i < p.services.size(); ++i)
        if (p.services[i].name == service)
            return i;
    return p.services.size();
}

ErrorOr check_services(compose::Project const& p, std::vector<std::string> const& services)
{
    for (auto const& name : services)
        if (!p.service(name) && p.config_files.size())
            return Error { ENOENT, "no such service: " + name };
    return {};
}

} // namespace

std::string container_label(container::ContainerRecord const& rec, std::string const& key)
{
    auto labels = rec.config.find("labels");
    if (labels == rec.config.end() || !labels->is_array())
        return "";
    for (auto const& l : *labels) {
        auto text = l.get<std::string>();
        if (text.size() > key.size() && text.compare(0, key.size(), key) == 0 && text[key.size()] == '=')
            return text.substr(key.size() + 1);
    }
    return "";
}

Result<std::vector<container::ContainerRecord>> project_containers(Context& ctx, compose::Project const& p,
    std::vector<std::string> const& services, bool one_off)
{
    TRY(check_services(p, services));
    std::vector<container::ContainerRecord> out;
    for (auto& rec : TRY(list_containers(ctx))) {
        if (container_label(rec, compose::project_label) != p.name)
            continue;
        if (!one_off && container_label(rec, compose::oneoff_label) == "True")
            continue;
        auto service = container_label(rec, compose::service_label);
        if (!services.empty() && std::find(services.begin(), services.end(), service) == services.end())
            continue;
        out.push_back(std::move(rec));
    }
    std::stable_sort(out.begin(), out.end(), [&](auto const& a, auto const& b) {
        auto ra = service_rank(p, container_label(a, compose::service_label)), rb = service_rank(p, container_label(b, compose::service_label));
        if (ra != rb)
            return ra < rb;
        return std::atoi(container_label(a, compose::number_label).c_str()) < std::atoi(container_label(b, compose::number_label).c_str());
    });
    return out;
}

ErrorOr compose_down(Context& ctx, compose::Project const& p, ComposeDownOptions const& options, ComposeProgress const& progress)
{
    if (!options.rmi.empty() && options.rmi != "local" && options.rmi != "all")
        return Error { EINVAL, "--rmi must be local or all, not \"" + options.rmi + "\"" };
    auto containers = TRY(project_containers(ctx, p, {}, true));
    // Orphans stay without --remove-orphans, unless the project is known by its name only.
    if (!options.remove_orphans && !p.config_files.empty())
        std::erase_if(containers, [&](auto const& rec) {
            auto service = container_label(rec, compose::service_label);
            return !p.service(service) && std::find(p.disabled.begin(), p.disabled.end(), service) == p.disabled.end();
        });
    std::reverse(containers.begin(), containers.end());
    for (auto const& rec : containers)
        (void)begin_stop(ctx, rec, options.timeout);
    for (auto const& rec : containers) {
        TRY(stop_container(ctx, TRY(find_container(ctx, rec.id)), options.timeout));
        progress("Container", rec.name, "Stopped");
    }
    for (auto const& rec : containers) {
        RemoveOptions ro;
        ro.force = true;
        ro.volumes = options.volumes;
        TRY(remove_container(ctx, TRY(find_container(ctx, rec.id)), ro));
        progress("Container", rec.name, "Removed");
    }
    auto label = std::string(compose::project_label) + "=" + p.name;
    for (auto const& n : TRY(list_networks(ctx, { NetworkFilter { "label", label } }))) {
        TRY(remove_network(ctx, n.name, false));
        progress("Network", n.name, "Removed");
    }
    TRY(remove_compose_secrets(ctx, p, progress));
    if (options.volumes)
        for (auto const& v : TRY(list_volumes(ctx, { VolumeFilter { "label", label } }))) {
            TRY(remove_volume(ctx, v.name, false));
            progress("Volume", v.name, "Removed");
        }
    if (!options.rmi.empty()) {
        std::set<std::string> images;
        for (auto const& s : p.services)
            if (options.rmi == "all" || s.image.empty())
                images.insert(compose::image_name(p, s));
        for (auto const& image : images) {
            if (!find_image(ctx, image))
                continue;
            auto reports = remove_images(ctx, { image }, Force::No);
            if (!reports.empty() && reports.front().error)
                return *reports.front().error;
            progress("Image", image, "Removed");
        }
    }
    return {};
}

Result<std::vector<std::string>> compose_action(Context& ctx, compose::Project const& p, ComposeAction action,
    ComposeActionOptions const& options)
{
    auto containers = TRY(project_containers(ctx, p, options.services, action == ComposeAction::Remove));
    bool reverse = action == ComposeAction::Stop || action == ComposeAction::Kill || action == ComposeAction::Remove;
    if (reverse)
        std::reverse(containers.begin(), containers.end());
    int sig = action == ComposeAction::Kill ? TRY(parse_signal(options.signal)) : 0;
    StartOptions so;
    so.attach = false;
    so.storage_driver = options.storage_driver;
    std::vector<std::string> done;
    for (auto const& rec : containers) {
        switch (action) {
        case ComposeAction::Start:
            if (rec.state == container::State::Running)
                continue;
            TRY(start_container(ctx, rec.id, so));
            break;
        case ComposeAction::Stop:
            if (!is_active(rec.state))
                continue;
            TRY(stop_container(ctx, rec, options.timeout));
            break;
        case ComposeAction::Restart:
            TRY(stop_container(ctx, rec, options.timeout));
            TRY(start_container(ctx, rec.id, so));
            break;
        case ComposeAction::Kill:
            if (rec.state != container::State::Running)
                continue;
            TRY(kill_container(ctx, rec, sig));
            break;
        case ComposeAction::Remove: {
            if (is_active(rec.state) && !options.force)
                continue;
            RemoveOptions ro;
            ro.force = true;
            ro.volumes = options.volumes;
            TRY(remove_container(ctx, rec, ro));
            break;
        }
        case ComposeAction::Pause:
            if (rec.state != container::State::Running)
                continue;
            TRY(pause_container(ctx, rec));
            break;
        case ComposeAction::Unpause:
            if (rec.state != container::State::Paused)
                continue;
            TRY(unpause_container(ctx, rec));
            break;
        }
        done.push_back(rec.name);
    }
    return done;
}

Result<container::ContainerRecord> service_container(Context& ctx, compose::Project const& p, std::string const& service, int index)
{
    if (!p.config_files.empty() && !p.service(service))
        return Error { ENOENT, "no such service: " + service };
    for (auto const& rec : TRY(project_containers(ctx, p, { service })))
        if (std::atoi(container_label(rec, compose::number_label).c_str()) == index) {
            if (rec.state != container::State::Running)
                return Error { EINVAL, "service \"" + service + "\" is not running: container " + rec.name + " is " + std::string(state_name(rec.state)) };
            return rec;
        }
    return Error { ENOENT, "service \"" + service + "\" has no container number " + std::to_string(index) + ": run `compose up` first" };
}

ErrorOr compose_build(Context& ctx, compose::Project const& p, std::vector<std::string> const& services,
    PullOptions const& pull_options, ComposeBuildOutput const& output)
{
    TRY(check_services(p, services));
    for (auto const& s : p.services) {
        if (!s.build || (!services.empty() && std::find(services.begin(), services.end(), s.name) == services.end()))
            continue;
        build::BuildOptions bo;
        bo.context_dir = s.build->context.empty() || s.build->context[0] != '/' ? p.working_dir + "/" + s.build->context : s.build->context;
        if (!s.build->dockerfile.empty())
            bo.containerfile = s.build->dockerfile[0] == '/' ? s.build->dockerfile : bo.context_dir + "/" + s.build->dockerfile;
        bo.tags = { compose::image_name(p, s) };
        bo.build_args = s.build->args;
        bo.target = s.build->target;
        bo.pull_options = pull_options;
        if (output)
            bo.observer = [&](build::BuildEvent const& e) {
                if (e.kind == build::BuildEvent::Kind::Step || e.kind == build::BuildEvent::Kind::Tagged)
                    output(e.text);
            };
        TRY_CTX(build::build_image(ctx, bo), "service " + s.name + ": build");
    }
    return {};
}

ErrorOr compose_pull(Context& ctx, compose::Project const& p, std::vector<std::string> const& services,
    PullOptions const& pull_options, ComposeProgress const& progress)
{
    TRY(check_services(p, services));
    for (auto const& s : p.services) {
        if (s.image.empty() || (!services.empty() && std::find(services.begin(), services.end(), s.name) == services.end()))
            continue;
        auto pulled = pull(ctx, s.image, pull_options);
        if (!pulled && !s.build)
            return std::move(pulled.error()).with_context("service " + s.name);
        progress("Image", s.image, pulled ? "Pulled" : "Skipped (it has build:)");
    }
    return {};
}

ErrorOr compose_push(Context& ctx, compose::Project const& p, std::vector<std::string> const& services, ComposeProgress const& progress)
{
    TRY(check_services(p, services));
    for (auto const& s : p.services) {
        if (!s.build || s.image.empty() || (!services.empty() && std::find(services.begin(), services.end(), s.name) == services.end()))
            continue;
        TRY_CTX(push_image(ctx, s.image, "", PushOptions {}), "service " + s.name);
        progress("Image", s.image, "Pushed");
    }
    return {};
}

Result<std::vector<ComposeProjectSummary>> compose_projects(Context& ctx, bool all)
{
    std::map<std::string, std::map<std::string, int>> states;
    std::map<std::string, std::string> files;
    for (auto const& rec : TRY(list_containers(ctx))) {
        auto name = container_label(rec, compose::project_label);
        if (name.empty())
            continue;
        states[name][std::string(state_name(rec.state))]++;
        files[name] = container_label(rec, compose::config_files_label);
    }
    std::vector<ComposeProjectSummary> out;
    for (auto const& [name, counts] : states) {
        if (!all && !counts.count("running"))
            continue;
        ComposeProjectSummary s { name, "", files[name] };
        for (auto const& [state, n] : counts)
            s.status += (s.status.empty() ? "" : ", ") + state + "(" + std::to_string(n) + ")";
        out.push_back(s);
    }
    return out;
}

} // namespace berth::engine
