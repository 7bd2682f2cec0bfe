// compose up and run: networks and volumes first, then each service in
// dependency order — its image (built when it has build:), its containers
// created or recreated when their config changed, its dependencies' conditions
// waited for, then started (see compose.h).
#include "engine/compose/compose.h"

#include "compose/convert.h"
#include "engine/containers/healthcheck.h"
#include "engine/containers/lifecycle.h"
#include "engine/networks/networks.h"
#include "engine/volumes/volumes.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>
#include <unistd.h>

namespace berth::engine {

namespace {

/// The named services and, unless no_deps, what they depend on; all when none are named.
Result<std::set<std::string>> selected_services(compose::Project const& p, std::vector<std::string> const& names, bool no_deps)
{
    std::set<std::string> out;
    if (names.empty()) {
        for (auto const& s : p.services)
            out.insert(s.name);
        return out;
    }
    std::vector<std::string> todo;
    for (auto const& name : names) {
        if (!p.service(name))
            return Error { ENOENT, "no such service: " + name + (std::find(p.disabled.begin(), p.disabled.end(), name) != p.disabled.end() ? " (its profile is not active: add --profile)" : "") };
        todo.push_back(name);
    }
    while (!todo.empty()) {
        auto name = todo.back();
        todo.pop_back();
        if (!out.insert(name).second || no_deps)
            continue;
        for (auto const& d : p.service(name)->depends_on)
            if (p.service(d.service))
                todo.push_back(d.service);
    }
    return out;
}

/// A service with its optional env files that do not exist left out.
compose::Service with_env_files(compose::Service s)
{
    std::vector<std::string> files;
    for (auto const& f : s.env_files) {
        if (!f.empty() && f[0] == '?') {
            if (::access(f.c_str() + 1, F_OK) == 0)
                files.push_back(f.substr(1));
        } else {
            files.push_back(f);
        }
    }
    s.env_files = files;
    return s;
}

ErrorOr ensure_networks(Context& ctx, compose::Project const& p, std::set<std::string> const& services, ComposeProgress const& progress)
{
    std::set<std::string> used;
    for (auto const& s : p.services)
        if (services.count(s.name))
            for (auto const& n : s.networks)
                used.insert(n.name);
    for (auto const& n : p.networks) {
        if (!used.count(n.key) || find_network(ctx, n.name))
            continue;
        if (n.external)
            return Error { ENOENT, "network " + n.name + " declared as external, but could not be found: create it with `berth network create " + n.name + "`" };
        network::CreateOptions o;
        o.name = n.name;
        if (!n.driver.empty())
            o.driver = n.driver;
        o.internal = n.internal;
        o.labels = n.labels;
        o.labels[compose::project_label] = p.name;
        o.labels[compose::network_label] = n.key;
        TRY_CTX(create_network(ctx, o, true), "network " + n.key);
        progress("Network", n.name, "Created");
    }
    return {};
}

ErrorOr ensure_volumes(Context& ctx, compose::Project const& p, std::set<std::string> const& services, ComposeProgress const& progress)
{
    std::set<std::string> used;
    for (auto const& s : p.services)
        if (services.count(s.name))
            for (auto const& m : s.volumes)
                if (m.type == compose::Mount::Type::Volume && !m.source.empty())
                    used.insert(m.source);
    for (auto const& v : p.volumes) {
        if (!used.count(v.key) || get_volume(ctx, v.name))
            continue;
        if (v.external)
            return Error { ENOENT, "volume " + v.name + " declared as external, but could not be found: create it with `berth volume create " + v.name + "`" };
        auto labels = v.labels;
        labels[compose::project_label] = p.name;
        labels[compose::volume_label] = v.key;
        TRY_CTX(create_volume(ctx, v.name, labels, {}, true), "volume " + v.key);
        progress("Volume", v.name, "Created");
    }
    return {};
}

/// Waits until every container of `dep`'s service meets its condition.
ErrorOr wait_for_dependency(Context& ctx, compose::Project const& p, compose::Service const& s, compose::Dependency const& dep, int timeout)
{
    if (dep.condition == "service_started")
        return {};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
    bool healthy = dep.condition == "service_healthy";
    for (;;) {
        auto containers = TRY(project_containers(ctx, p, { dep.service }));
        bool met = !containers.empty();
        for (auto const& rec : containers) {
            if (healthy) {
                if (!healthcheck_of(rec))
                    return Error { EINVAL, "service " + s.name + " depends on " + dep.service + " being healthy, but " + rec.name + " has no healthcheck: add one to service " + dep.service };
                if (rec.state != container::State::Running)
                    return Error { EIO, "dependency failed to start: container " + rec.name + " exited (" + std::to_string(rec.exit_code) + ")" };
                auto health = read_health(ctx, rec);
                if (health && health->status == health_unhealthy)
                    return Error { EIO, "dependency failed to start: container " + rec.name + " is unhealthy" };
                met = met && health && health->status == health_healthy;
            } else if (rec.state == container::State::Exited) {
                if (rec.exit_code != 0)
                    return Error { EIO, "service \"" + dep.service + "\" didn't complete successfully: exit " + std::to_string(rec.exit_code) };
            } else {
                met = false;
            }
        }
        if (met)
            return {};
        if (std::chrono::steady_clock::now() > deadline)
            return Error { ETIMEDOUT, "service " + s.name + ": gave up after " + std::to_string(timeout) + "s waiting for " + dep.service
                    + (healthy ? " to be healthy" : " to complete") };
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

/// Builds the service's image when it has build: and (--build, pull_policy: build, or the image is missing).
ErrorOr ensure_image(Context& ctx, compose::Project const& p, compose::Service const& s, ComposeUpOptions const& options)
{
    if (!s.build)
        return {};
    if (!options.build && s.pull_policy != "build" && find_image(ctx, compose::image_name(p, s)))
        return {};
    return compose_build(ctx, p, { s.name }, options.pull_options, {});
}

/// The container of replica `number`: kept when it matches the file, else (re)created.
Result<container::ContainerRecord> converge(Context& ctx, compose::Project const& p, compose::Service const& s, int number,
    ComposeUpOptions const& options, ComposeProgress const& progress, Warn const& warn)
{
    auto spec = compose::create_options(p, with_env_files(s), number);
    spec.create_command = options.create_command;
    std::string hash;
    for (auto const& l : spec.labels)
        if (l.rfind(std::string(compose::config_hash_label) + "=", 0) == 0)
            hash = l.substr(l.find('=') + 1);
    if (auto existing = find_container(ctx, spec.name)) {
        if (container_label(*existing, compose::project_label) != p.name)
            return Error { EEXIST, "service " + s.name + ": the container name \"" + spec.name + "\" is in use by a container outside project " + p.name + ": remove or rename it" };
        auto image = find_image(ctx, spec.image);
        bool same = container_label(*existing, compose::config_hash_label) == hash && (!image || image->id == existing->image_id);
        if (same && !options.force_recreate) {
            progress("Container", spec.name, "Running");
            return *existing;
        }
        RemoveOptions ro;
        ro.force = true;
        TRY(remove_container(ctx, *existing, ro));
        progress("Container", spec.name, "Recreate");
    }
    auto rec = TRY_CTX(create_container(ctx, spec, options.pull_options, options.storage_driver, warn), "service " + s.name);
    progress("Container", spec.name, "Created");
    return rec;
}

/// Containers of a service numbered above its replicas, and (with remove) orphans.
ErrorOr remove_extra(Context& ctx, compose::Project const& p, std::set<std::string> const& selected, bool remove_orphans,
    ComposeProgress const& progress, Warn const& warn)
{
    std::vector<std::string> orphans;
    for (auto const& rec : TRY(project_containers(ctx, p))) {
        auto const* s = p.service(container_label(rec, compose::service_label));
        bool orphan = !s && std::find(p.disabled.begin(), p.disabled.end(), container_label(rec, compose::service_label)) == p.disabled.end();
        bool extra = s && selected.count(s->name) && std::atoi(container_label(rec, compose::number_label).c_str()) > s->replicas;
        if (orphan && !remove_orphans) {
            orphans.push_back(rec.name);
            continue;
        }
        if (!orphan && !extra)
            continue;
        RemoveOptions ro;
        ro.force = true;
        TRY(remove_container(ctx, rec, ro));
        progress("Container", rec.name, "Removed");
    }
    if (!orphans.empty() && warn) {
        std::string names;
        for (auto const& n : orphans)
            names += (names.empty() ? "" : ", ") + n;
        warn("found orphan containers (" + names + ") for project " + p.name + ": remove them with --remove-orphans");
    }
    return {};
}

} // namespace

Result<std::vector<container::ContainerRecord>> compose_up(Context& ctx, compose::Project const& p,
    ComposeUpOptions const& options, ComposeProgress const& progress, Warn const& warn)
{
    auto selected = TRY(selected_services(p, options.services, options.no_deps));
    TRY(remove_extra(ctx, p, selected, options.remove_orphans, progress, warn));
    TRY(ensure_networks(ctx, p, selected, progress));
    TRY(ensure_volumes(ctx, p, selected, progress));
    TRY(ensure_compose_secrets(ctx, p, selected, progress));
    std::vector<container::ContainerRecord> out;
    // Services come in dependency order: a dependency is up before its dependents are created.
    for (auto const& s : p.services) {
        if (!selected.count(s.name))
            continue;
        TRY_CTX(ensure_image(ctx, p, s, options), "service " + s.name);
        for (auto const& dep : s.depends_on)
            if (selected.count(dep.service) && !options.no_start)
                TRY(wait_for_dependency(ctx, p, s, dep, options.wait_timeout));
        for (int number = 1; number <= s.replicas; ++number) {
            auto rec = TRY(converge(ctx, p, s, number, options, progress, warn));
            if (!options.no_start && rec.state != container::State::Running) {
                StartOptions so;
                so.attach = false;
                so.storage_driver = options.storage_driver;
                TRY_CTX(start_container(ctx, rec.id, so), "service " + s.name + ": start " + rec.name);
                progress("Container", rec.name, "Started");
                rec = TRY(find_container(ctx, rec.id));
            }
            out.push_back(rec);
        }
    }
    return out;
}

Result<int> compose_run(Context& ctx, compose::Project const& p, ComposeRunOptions const& options,
    ComposeUpOptions const& up, ComposeProgress const& progress, Warn const& warn, std::string* id_out)
{
    auto const* s = p.service(options.service);
    if (!s)
        return Error { ENOENT, "no such service: " + options.service };
    if (!options.no_deps && !s->depends_on.empty()) {
        auto deps = up;
        deps.services.clear();
        for (auto const& d : s->depends_on)
            if (p.service(d.service))
                deps.services.push_back(d.service);
        if (!deps.services.empty())
            TRY(compose_up(ctx, p, deps, progress, warn));
        for (auto const& d : s->depends_on)
            if (p.service(d.service))
                TRY(wait_for_dependency(ctx, p, *s, d, up.wait_timeout));
    } else {
        std::set<std::string> only { s->name };
        TRY(ensure_networks(ctx, p, only, progress));
        TRY(ensure_volumes(ctx, p, only, progress));
    }
    TRY(ensure_compose_secrets(ctx, p, { s->name }, progress));
    TRY(ensure_image(ctx, p, *s, up));
    auto spec = compose::create_options(p, with_env_files(*s), 1);
    std::mt19937_64 rng(std::random_device {}());
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(rng()));
    spec.name = options.name.empty() ? p.name + "-" + s->name + "-run-" + suffix : options.name;
    for (auto& l : spec.labels)
        if (l.rfind(std::string(compose::oneoff_label) + "=", 0) == 0)
            l = std::string(compose::oneoff_label) + "=True";
    if (!options.command.empty())
        spec.command = options.command;
    if (options.entrypoint)
        spec.entrypoint = *options.entrypoint;
    spec.env.insert(spec.env.end(), options.env.begin(), options.env.end());
    if (!options.user.empty())
        spec.user = options.user;
    if (!options.workdir.empty())
        spec.workdir = options.workdir;
    if (!options.service_ports)
        spec.publish.clear();
    spec.publish.insert(spec.publish.end(), options.publish.begin(), options.publish.end());
    spec.volumes.insert(spec.volumes.end(), options.volumes.begin(), options.volumes.end());
    spec.remove = options.remove;
    spec.restart.clear();
    spec.detach = options.detach;
    spec.tty = options.tty;
    spec.interactive = options.interactive;
    spec.create_command = up.create_command;
    StartOptions so;
    so.attach = !options.detach;
    so.storage_driver = up.storage_driver;
    return run_container(ctx, spec, up.pull_options, so, id_out, warn);
}

} // namespace berth::engine
