// Leftovers of removed containers: see container_check.h.
#include "container/container_check.h"

#include "base/fs.h"
#include "container/rootfs.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>

namespace berth::container {

static bool is_container_id(std::string_view s)
{
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string container_id_of_lock(std::string_view name)
{
    auto id = store::Layout::container_of_lock(name);
    return is_container_id(id) ? std::string(id) : "";
}

namespace {

// Whether another process holds the lock file at `path` (false when there is none).
bool lock_is_held(std::string const& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    return fd.valid() && ::flock(fd.get(), LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

enum class Entry { Lock, RunDir, Bundle };

struct Finder {
    ContainerStore& containers;
    store::Cleanup cleanup;
    std::vector<store::Problem> problems;

    // Judges one entry of container `id`; a removal happens under the container's lock.
    ErrorOr visit(std::string const& id, std::string const& path, Entry entry)
    {
        static constexpr char const* what[] = { "stale lock file ", "stale run directory ", "stale container directory " };
        store::Problem p { what[static_cast<int>(entry)] + path, "container " + id.substr(0, 12) + " does not exist", false };
        if (cleanup == store::Cleanup::Report) {
            // Without taking the lock, which would create a lock file for a report to leave behind.
            if (lock_is_held(containers.layout().container_lock(id)) || TRY(containers.get(id)))
                return {};
            problems.push_back(std::move(p));
            return {};
        }
        // A lock file is judged only if it is still there: its holder may have
        // removed it (with the container) since the directory was listed.
        auto held = entry == Entry::Lock ? containers.try_lock_existing(id) : containers.try_lock(id);
        if (!held)
            return {}; // gone, or a command is working on that container (or creating it)
        if (TRY(containers.get(id)))
            return {};
        if (entry == Entry::Bundle)
            TRY(unmount_rootfs(path));
        if (entry != Entry::Lock)
            TRY(fs::remove_tree(path));
        held->remove_file(); // last: see base/file_lock.cpp
        p.repaired = true;
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

Result<std::vector<store::Problem>> check_leftovers(ContainerStore& containers, store::Cleanup cleanup)
{
    Finder finder { containers, cleanup, {} };
    auto const& layout = containers.layout();
    for (auto const& name : TRY(fs::list_dir(layout.locks_dir()))) {
        if (auto id = container_id_of_lock(name); !id.empty())
            TRY(finder.visit(id, name, Entry::Lock));
    }
    TRY(finder.visit_dir(layout.container_run_dirs(), Entry::RunDir));
    TRY(finder.visit_dir(layout.bundles_dir(), Entry::Bundle));
    return std::move(finder.problems);
}

} // namespace berth::container
