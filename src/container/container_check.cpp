// Leftovers of removed containers: see container_check.h.
#include "container/container_check.h"

#include "base/fs.h"
#include "base/scope_guard.h"
#include "container/rootfs.h"

namespace berth::container {

static bool is_container_id(std::string_view s)
{
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string container_id_of_lock(std::string_view name)
{
    constexpr std::string_view prefix = "container-", suffix = ".lock";
    if (!name.starts_with(prefix) || !name.ends_with(suffix))
        return "";
    auto id = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    return is_container_id(id) ? std::string(id) : "";
}

namespace {

enum class Entry { Lock, RunDir, Bundle };

struct Finder {
    ContainerStore& containers;
    store::Cleanup cleanup;
    std::vector<store::Problem> problems;

    // Judges one entry of container `id` under its lock; removes it when asked.
    ErrorOr visit(std::string const& id, std::string const& path, Entry entry)
    {
        bool had_lock_file = fs::exists(fs::join(containers.locks_dir(), "container-" + id + ".lock"));
        auto held = containers.try_lock(id);
        if (!held)
            return {}; // a command is working on that container (or creating it)
        if (TRY(containers.get(id)))
            return {};
        ArmedScopeGuard drop_ours([&] { held->remove_file(); }); // a report leaves no lock file of its own
        if (had_lock_file)
            drop_ours.disarm();
        static constexpr char const* what[] = { "stale lock file ", "stale run directory ", "stale container directory " };
        store::Problem p { what[static_cast<int>(entry)] + path, "container " + id.substr(0, 12) + " does not exist", false };
        if (cleanup == store::Cleanup::Remove) {
            drop_ours.disarm();
            if (entry == Entry::Bundle)
                TRY(unmount_rootfs(path));
            if (entry != Entry::Lock)
                TRY(fs::remove_tree(path));
            held->remove_file(); // last: see base/file_lock.cpp
            p.repaired = true;
        }
        problems.push_back(std::move(p));
        return {};
    }

    ErrorOr visit_dir(std::string const& dir, Entry entry)
    {
        if (!fs::is_dir(dir))
            return {};
        for (auto const& name : TRY(fs::list_dir(dir))) {
            if (is_container_id(name))
                TRY(visit(name, fs::join(dir, name), entry));
        }
        return {};
    }
};

} // namespace

Result<std::vector<store::Problem>> check_leftovers(ContainerStore& containers, std::string const& run_dir,
    std::string const& data_dir, store::Cleanup cleanup)
{
    Finder finder { containers, cleanup, {} };
    for (auto const& name : TRY(fs::list_dir(containers.locks_dir()))) {
        if (auto id = container_id_of_lock(name); !id.empty())
            TRY(finder.visit(id, name, Entry::Lock));
    }
    TRY(finder.visit_dir(fs::join(run_dir, "containers"), Entry::RunDir));
    TRY(finder.visit_dir(fs::join(data_dir, "containers"), Entry::Bundle));
    return std::move(finder.problems);
}

} // namespace berth::container
