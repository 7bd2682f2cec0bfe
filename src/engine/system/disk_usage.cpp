// system df and system prune. See disk_usage.h.
#include "engine/system/disk_usage.h"

#include "engine/containers/container_query.h"
#include "engine/containers/containers.h"
#include "engine/images/images.h"
#include "engine/containers/lifecycle.h"
#include "engine/networks/networks.h"
#include "engine/volumes/volumes.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace berth::engine {

namespace {

/// The container's own labels (--label), KEY=VALUE.
std::map<std::string, std::string> container_labels(container::ContainerRecord const& rec)
{
    std::map<std::string, std::string> labels;
    if (rec.config.contains("labels") && rec.config["labels"].is_array())
        for (auto const& l : rec.config["labels"])
            if (l.is_string()) {
                auto s = l.get<std::string>();
                auto eq = s.find('=');
                labels[s.substr(0, eq)] = eq == std::string::npos ? "" : s.substr(eq + 1);
            }
    return labels;
}

struct PruneFilter {
    std::string key, value;
};

Result<std::vector<PruneFilter>> parse_prune_filters(std::vector<std::string> const& raw)
{
    std::vector<PruneFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        PruneFilter filter { f.substr(0, eq), eq == std::string::npos ? "" : f.substr(eq + 1) };
        if (filter.key != "label" && filter.key != "label!" && filter.key != "until")
            return Error { EINVAL, filter.key + " is an invalid filter: use label=, label!= or until=" };
        if (filter.key == "until")
            filter.value = std::to_string(TRY(parse_until(filter.value)));
        out.push_back(std::move(filter));
    }
    return out;
}

bool has_label(std::map<std::string, std::string> const& labels, std::string const& wanted)
{
    auto eq = wanted.find('=');
    auto it = labels.find(wanted.substr(0, eq));
    return it != labels.end() && (eq == std::string::npos || it->second == wanted.substr(eq + 1));
}

/// Every filter must hold: label= present, label!= absent, until= created before.
bool prune_matches(std::map<std::string, std::string> const& labels, int64_t created, std::vector<PruneFilter> const& filters)
{
    for (auto const& f : filters) {
        if (f.key == "label" && !has_label(labels, f.value))
            return false;
        if (f.key == "label!" && has_label(labels, f.value))
            return false;
        if (f.key == "until" && created >= std::atoll(f.value.c_str()))
            return false;
    }
    return true;
}

} // namespace

Result<DiskUsage> disk_usage_report(Context& ctx)
{
    DiskUsage usage;
    PsQuery q;
    q.all = true;
    q.size = true;
    auto entries = TRY(query_containers(ctx, q));
    std::map<std::string, int> users_of_image;
    for (auto const& e : entries)
        ++users_of_image[e.record.image_id];
    // Layers: how many images use each, and each one's size once.
    auto images = TRY(ctx.store->list_images());
    std::map<std::string, int> layer_users;
    std::map<std::string, int64_t> layer_size;
    for (auto const& image : images)
        for (auto const& layer : image.layers) {
            ++layer_users[layer.diff_id.str()];
            layer_size[layer.diff_id.str()] = layer.size;
        }
    for (auto const& [layer, size] : layer_size)
        usage.images_size += size;
    for (auto const& image : images) {
        ImageUsage u { image.id, image.names, image.created, image.size, 0, users_of_image[image.id] };
        for (auto const& layer : image.layers)
            if (layer_users[layer.diff_id.str()] > 1)
                u.shared_size += layer.size;
        usage.images.push_back(std::move(u));
    }
    // Volumes, and how many each container mounts.
    auto vs = TRY(open_volume_store(ctx));
    std::map<std::string, int> volumes_of_container;
    for (auto const& v : TRY(list_volumes(ctx))) {
        auto users = TRY(vs.users(v.name));
        for (auto const& id : users)
            ++volumes_of_container[id];
        usage.volumes.push_back({ v.name, static_cast<int>(users.size()), disk_usage(v.mountpoint) });
    }
    for (auto const& e : entries) {
        auto const& r = e.record;
        usage.containers.push_back({ r.id, r.name, r.image_id, std::string(state_name(r.state)), e.command, r.created, e.rw_size,
            volumes_of_container[r.id], is_active(r.state) });
    }
    return usage;
}

std::vector<DiskSummary> summarize(DiskUsage const& usage)
{
    DiskSummary images { "Images", static_cast<int>(usage.images.size()), 0, usage.images_size, 0 };
    for (auto const& i : usage.images) {
        if (i.containers > 0)
            ++images.active;
        else
            images.reclaimable += i.size - i.shared_size;
    }
    DiskSummary containers { "Containers", static_cast<int>(usage.containers.size()), 0, 0, 0 };
    for (auto const& c : usage.containers) {
        containers.size += c.size;
        if (c.active)
            ++containers.active;
        else
            containers.reclaimable += c.size;
    }
    DiskSummary volumes { "Local Volumes", static_cast<int>(usage.volumes.size()), 0, 0, 0 };
    for (auto const& v : usage.volumes) {
        volumes.size += v.size;
        if (v.links > 0)
            ++volumes.active;
        else
            volumes.reclaimable += v.size;
    }
    return { images, containers, volumes };
}

ErrorOr check_prune_filters(std::vector<std::string> const& filters)
{
    TRY(parse_prune_filters(filters));
    return {};
}

Result<SystemPruneReport> system_prune(Context& ctx, SystemPruneOptions const& options)
{
    auto filters = TRY(parse_prune_filters(options.filters));
    SystemPruneReport report;
    // Stopped containers.
    PsQuery q;
    q.all = true;
    q.size = true;
    for (auto const& e : TRY(query_containers(ctx, q))) {
        // An infra container goes with its pod (pod rm, pod prune).
        if (is_active(e.record.state) || e.infra || !prune_matches(container_labels(e.record), e.record.created, filters))
            continue;
        TRY(remove_container(ctx, e.record, {}));
        report.containers.push_back(e.record.id);
        report.reclaimed += e.rw_size;
    }
    // Networks no container is on (the default network is never removed).
    for (auto const& name : TRY(unused_networks(ctx))) {
        auto network = find_network(ctx, name);
        if (!network || !prune_matches(network->labels, network->created, filters))
            continue;
        auto removed = remove_network(ctx, name, false);
        if (!removed && (removed.error().code == EBUSY || removed.error().code == ENOENT))
            continue;  // a container joined it meanwhile, or another prune took it
        TRY(std::move(removed));
        report.networks.push_back(name);
    }
    // Volumes no container uses.
    if (options.volumes) {
        auto vs = TRY(open_volume_store(ctx));
        for (auto const& name : TRY(vs.unused())) {
            auto v = TRY(vs.get(name));
            if (!v || !prune_matches(v->labels, v->created, filters))
                continue;
            int64_t size = disk_usage(v->mountpoint);
            auto removed = remove_volume(ctx, name, false);
            if (!removed && removed.error().code == EBUSY)
                continue;  // a container created meanwhile uses it
            TRY(std::move(removed));
            report.volumes.push_back(name);
            report.reclaimed += size;
        }
    }
    // Images no container uses: dangling ones, or all with -a.
    std::set<std::string> in_use;
    for (auto const& rec : TRY(list_containers(ctx)))
        in_use.insert(rec.image_id);
    for (auto const& image : TRY(ctx.store->list_images())) {
        if (in_use.count(image.id) || (!options.all && !image.names.empty()))
            continue;
        std::map<std::string, std::string> labels;
        if (!filters.empty())
            if (auto config = image_config(ctx, image))
                labels = config->labels;
        if (!prune_matches(labels, image.created, filters))
            continue;
        TRY(ctx.store->delete_image(image.id));
        report.images.push_back(image.id);
        report.reclaimed += image.size;
    }
    return report;
}

} // namespace berth::engine
