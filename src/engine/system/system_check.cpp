// `system check`: the explicit, reporting form of the repair every command
// does on opening the store. Three passes, in an order that matters:
//   1. containers: one whose image record is gone or damaged, or whose bundle
//      directory is gone after it ran, is damaged; --repair --force removes it
//      (stopping it first), otherwise its image is kept for it;
//   2. the store (Store::check, under the store-wide locks): leftovers of
//      killed writers, damaged images except those kept in 1, missing and
//      unreferenced layers and blobs;
//   3. lock files, run directories and bundle directories of containers that
//      no longer exist (container::check_leftovers, under each one's lock).
// Nothing here prints: the CLI prints one line per Problem.
#include "engine/system/system.h"

#include "base/fs.h"
#include "container/container_check.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"

#include <map>

namespace berth::engine {

namespace {

// Why a container cannot run, or "" when it can. `image_damage` caches per image id.
std::string container_damage(Context& ctx, container::ContainerRecord const& rec, bool quick,
    std::map<std::string, std::string>& image_damage)
{
    if (!image_damage.contains(rec.image_id)) {
        auto image = ctx.store->get_image(rec.image_id);
        if (!image)
            image_damage[rec.image_id] = "its image " + rec.image_id.substr(0, 12) + " cannot be read: " + image.error().message;
        else if (!*image)
            image_damage[rec.image_id] = "its image " + rec.image_id.substr(0, 12) + " is gone";
        else if (auto damage = ctx.store->image_damage(**image, quick); !damage.empty())
            image_damage[rec.image_id] = "its image " + rec.image_id.substr(0, 12) + " is damaged: " + damage;
        else
            image_damage[rec.image_id] = "";
    }
    if (!image_damage[rec.image_id].empty())
        return image_damage[rec.image_id];
    // A created container has no directory until its first start.
    std::string bundle = container_bundle_dir(ctx, rec.id);
    if (rec.state != container::State::Created && !fs::is_dir(bundle))
        return "its directory " + bundle + " is gone";
    return "";
}

} // namespace

Result<std::vector<store::Problem>> system_check(Context& ctx, SystemCheckOptions const& options)
{
    std::vector<store::Problem> problems;
    store::CheckOptions store_options { options.repair, options.quick, options.max_age, {} };

    // 1. Containers, each judged under its lock: a removal in progress (its directory already
    // renamed away, its row not yet deleted) holds it. Released before remove_container takes it.
    auto cs = TRY(container_records(ctx));
    std::map<std::string, std::string> image_damage;
    for (auto const& listed : TRY(list_containers(ctx))) {
        container::ContainerRecord rec;
        std::string reason;
        {
            auto held = cs.try_lock(listed.id);
            if (!held)
                continue; // a command is working on it
            auto now = TRY(cs.get(listed.id));
            if (!now)
                continue; // removed meanwhile
            rec = std::move(*now);
            reason = container_damage(ctx, rec, options.quick, image_damage);
        }
        if (reason.empty())
            continue;
        store::Problem p { "damaged container " + rec.name + " (" + rec.id.substr(0, 12) + ")", reason, false };
        if (options.repair && options.force) {
            RemoveOptions remove;
            remove.force = true;
            remove.timeout = 0;
            TRY_CTX(remove_container(ctx, rec, remove), "check: remove container " + rec.name);
            p.repaired = true;
        } else {
            store_options.keep_images.push_back(rec.image_id);
            if (options.repair)
                p.detail += " (--force removes it)";
        }
        problems.push_back(std::move(p));
    }

    // 2. The store.
    for (auto& p : TRY(ctx.store->check(store_options)))
        problems.push_back(std::move(p));

    // 3. What removed containers left behind.
    for (auto& p : TRY(container::check_leftovers(cs,
             options.repair ? store::Cleanup::Remove : store::Cleanup::Report)))
        problems.push_back(std::move(p));
    return problems;
}

} // namespace berth::engine
