// PodStore: the `pods` table (store/schema.cpp, version 5) and the per-pod
// lock files; and the pure pod rules of pod_store.h.
#include "container/pod_store.h"

#include "base/fs.h"
#include "store/schema.h"

#include <algorithm>
#include <cctype>
#include <unistd.h>

namespace berth::container {

static constexpr char const* pod_columns = "id, name, created, infra_id, labels, shared, hostname, config";

std::vector<std::string> default_pod_share()
{
    return { "ipc", "net", "uts" };
}

Result<std::vector<std::string>> parse_pod_share(std::string const& text, std::vector<std::string> const& defaults)
{
    std::string_view rest = text;
    std::vector<std::string> out;
    if (rest.starts_with('+')) {
        out = defaults;
        rest.remove_prefix(1);
    }
    while (!rest.empty()) {
        auto comma = std::min(rest.find(','), rest.size());
        std::string name(rest.substr(0, comma));
        rest.remove_prefix(std::min(comma + 1, rest.size()));
        if (name == "none" || name.empty())
            continue;
        if (std::find(std::begin(pod_namespaces), std::end(pod_namespaces), name) == std::end(pod_namespaces))
            return Error { EINVAL, "invalid kernel namespace to share: " + name + ". Options are: cgroup, ipc, net, pid, uts or none" };
        out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string pod_status(std::vector<State> const& states)
{
    if (states.empty())
        return "Created";
    size_t running = 0, stopped = 0, paused = 0, created = 0;
    for (auto state : states) {
        switch (state) {
        case State::Running:
            ++running;
            break;
        case State::Exited:
            ++stopped;
            break;
        case State::Paused:
            ++paused;
            break;
        case State::Created:
        case State::Initialized:
            ++created;
            break;
        }
    }
    size_t all = states.size();
    if (running > 0 && running < all)
        return "Degraded";
    if (running == all)
        return "Running";
    if (stopped == all)
        return "Exited";
    if (stopped > 0)
        return "Stopped";
    if (paused == all)
        return "Paused";
    return "Created";
}

Result<PodStore> PodStore::open(store::Database& db, store::Layout layout)
{
    TRY(store::migrate(db));
    TRY(fs::mkdir_p(layout.locks_dir(), 0700));
    return PodStore(db, std::move(layout));
}

static std::string join_names(std::vector<std::string> const& names)
{
    std::string out;
    for (auto const& n : names)
        out += (out.empty() ? "" : ",") + n;
    return out;
}

ErrorOr PodStore::insert(PodRecord const& r)
{
    auto txn = TRY(m_db->begin());
    auto taken = TRY(m_db->prepare("SELECT 1 FROM pods WHERE name = ?1"));
    taken.bind(1, r.name);
    if (TRY(taken.step()))
        return Error { EEXIST, "adding pod to state: name \"" + r.name + "\" is in use: pod already exists" };
    auto stmt = TRY(m_db->prepare(std::string("INSERT INTO pods (") + pod_columns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt.bind(1, r.id).bind(2, r.name).bind(3, r.created).bind(4, r.infra_id).bind(5, json::dump(r.labels));
    stmt.bind(6, join_names(r.shared)).bind(7, r.hostname).bind(8, json::dump(r.config));
    TRY_CTX(stmt.run(), "insert pod " + r.id);
    return txn.commit();
}

ErrorOr PodStore::set_infra(std::string const& id, std::string const& infra_id)
{
    auto stmt = TRY(m_db->prepare("UPDATE pods SET infra_id = ?2 WHERE id = ?1"));
    stmt.bind(1, id).bind(2, infra_id);
    TRY_CTX(stmt.run(), "record the infra container of pod " + id);
    return {};
}

ErrorOr PodStore::remove(std::string const& id)
{
    auto stmt = TRY(m_db->prepare("DELETE FROM pods WHERE id = ?1"));
    stmt.bind(1, id);
    TRY_CTX(stmt.run(), "delete pod " + id);
    if (m_db->changes() == 0)
        return Error { ENOENT, "delete pod " + id + ": no such pod" };
    ::unlink(m_layout.pod_lock(id).c_str());  // nobody needs the lock of a pod that is gone
    return {};
}

Result<std::vector<PodRecord>> PodStore::query(std::string const& where, std::vector<std::string> const& args)
{
    auto stmt = TRY(m_db->prepare(std::string("SELECT ") + pod_columns + " FROM pods " + where));
    for (size_t i = 0; i < args.size(); ++i)
        stmt.bind(static_cast<int>(i + 1), args[i]);
    std::vector<PodRecord> out;
    while (TRY(stmt.step())) {
        PodRecord r;
        r.id = stmt.text(0);
        r.name = stmt.text(1);
        r.created = stmt.integer(2);
        r.infra_id = stmt.text(3);
        r.labels = TRY(json::parse(stmt.text(4), "pod labels"));
        for (std::string_view rest = stmt.text(5); !rest.empty();) {
            auto comma = std::min(rest.find(','), rest.size());
            r.shared.emplace_back(rest.substr(0, comma));
            rest.remove_prefix(std::min(comma + 1, rest.size()));
        }
        r.hostname = stmt.text(6);
        r.config = TRY(json::parse(stmt.text(7), "pod config"));
        out.push_back(std::move(r));
    }
    return out;
}

Result<PodRecord> PodStore::find(std::string const& name_or_id)
{
    auto not_found = Error { ENOENT, "no pod with name or ID " + name_or_id + " found: no such pod" };
    if (name_or_id.empty())
        return not_found;
    auto exact = TRY(query("WHERE name = ?1 OR id = ?1", { name_or_id }));
    if (!exact.empty())
        return std::move(exact.front());
    if (!std::all_of(name_or_id.begin(), name_or_id.end(), [](unsigned char c) { return std::isxdigit(c); }))
        return not_found;
    auto by_prefix = TRY(query("WHERE substr(id, 1, ?2) = ?1", { name_or_id, std::to_string(name_or_id.size()) }));
    if (by_prefix.size() > 1)
        return Error { EINVAL, "more than one pod matches ID prefix \"" + name_or_id + "\": give more of the ID" };
    if (by_prefix.empty())
        return not_found;
    return std::move(by_prefix.front());
}

Result<std::vector<PodRecord>> PodStore::list()
{
    return query("ORDER BY created DESC, rowid DESC", {});
}

Result<std::optional<PodRecord>> PodStore::infra_of(std::string const& container_id)
{
    auto rows = TRY(query("WHERE infra_id = ?1", { container_id }));
    if (rows.empty())
        return std::optional<PodRecord> {};
    return std::optional<PodRecord> { std::move(rows.front()) };
}

Result<FileLock> PodStore::lock(std::string const& id) const
{
    return TRY_CTX(FileLock::acquire(m_layout.pod_lock(id)), "lock pod " + id);
}

} // namespace berth::container
