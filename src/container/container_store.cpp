// ContainerStore: the `containers` table and the per-container lock files.
// The table and its upgrades are in store/schema.cpp; the volumes a container
// mounts are rows of container_volumes, written and deleted with its own.
#include "container/container_store.h"

#include "base/fs.h"
#include "store/schema.h"

#include <array>
#include <charconv>
#include <map>
#include <cstdio>
#include <sys/random.h>

namespace berth::container {

static constexpr char const* columns
    = "id, name, image_id, image_name, created, state, pid, monitor_pid, exit_code, started, finished, driver, config, "
      "monitor_start, restart_count, restart_policy, restart_retries, pod_id";

std::string_view state_name(State state)
{
    switch (state) {
    case State::Created:
        return "created";
    case State::Running:
        return "running";
    case State::Exited:
        return "exited";
    case State::Paused:
        return "paused";
    case State::Initialized:
        return "initialized";
    }
    return "unknown";
}

State parse_state(std::string_view name)
{
    if (name == "running")
        return State::Running;
    if (name == "exited")
        return State::Exited;
    if (name == "paused")
        return State::Paused;
    if (name == "initialized")
        return State::Initialized;
    return State::Created;
}

Result<RestartPolicy> parse_restart_policy(std::string_view text)
{
    using Kind = RestartPolicy::Kind;
    for (auto kind : { Kind::Unset, Kind::No, Kind::Always, Kind::UnlessStopped })
        if (text == restart_policy_name(kind))
            return RestartPolicy { kind, 0 };
    constexpr std::string_view on_failure = "on-failure";
    if (text.substr(0, on_failure.size()) == on_failure) {
        auto rest = text.substr(on_failure.size());
        if (rest.empty())
            return RestartPolicy { Kind::OnFailure, 0 };
        int64_t n = -1;
        auto digits = rest.substr(1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (rest[0] == ':' && !digits.empty() && ec == std::errc() && end == digits.data() + digits.size() && n >= 0)
            return RestartPolicy { Kind::OnFailure, n };
    }
    return Error { EINVAL, "invalid restart policy \"" + std::string(text) + "\": use no, on-failure[:N], always or unless-stopped" };
}

std::string_view restart_policy_name(RestartPolicy::Kind kind)
{
    switch (kind) {
    case RestartPolicy::Kind::Unset:
        return "";
    case RestartPolicy::Kind::No:
        return "no";
    case RestartPolicy::Kind::OnFailure:
        return "on-failure";
    case RestartPolicy::Kind::Always:
        return "always";
    case RestartPolicy::Kind::UnlessStopped:
        return "unless-stopped";
    }
    return "";
}

std::string anonymous_volume(ContainerRecord const& record, std::string_view destination)
{
    for (auto const& v : record.volumes)
        if (v.anonymous && v.destination == destination)
            return v.volume;
    return "";
}

std::string ps_config(Json const& config)
{
    Json out = Json::object();
    if (config.is_object())
        for (auto const* key : ps_config_keys)
            if (auto it = config.find(key); it != config.end() && !it->is_null())
                out[key] = *it;
    return json::dump(out);
}

Result<ContainerStore> ContainerStore::open(store::Database& db, store::Layout layout)
{
    TRY(store::migrate(db));  // one PRAGMA read when the store opened it already
    TRY(fs::mkdir_p(layout.locks_dir(), 0700));
    return ContainerStore(db, std::move(layout));
}

ErrorOr ContainerStore::insert(ContainerRecord const& r)
{
    // The check and the insert in one write transaction (BEGIN IMMEDIATE):
    // two creates of the same name cannot both pass the check.
    auto txn = TRY(m_db->begin());
    if (TRY(name_in_use(r.name)))
        return Error { EEXIST, "the container name \"" + r.name + "\" is already in use: remove it or choose another name with --name" };
    auto stmt = TRY(m_db->prepare(std::string("INSERT INTO containers (") + columns
        + ", ps_config) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"));
    stmt.bind(1, r.id).bind(2, r.name).bind(3, r.image_id).bind(4, r.image_name).bind(5, r.created);
    stmt.bind(6, state_name(r.state)).bind(7, r.pid).bind(8, r.monitor_pid).bind(9, r.exit_code);
    stmt.bind(10, r.started).bind(11, r.finished).bind(12, r.driver).bind(13, json::dump(r.config));
    stmt.bind(14, r.monitor_start).bind(15, r.restart_count).bind(16, restart_policy_name(r.restart.kind));
    stmt.bind(17, r.restart.max_retries).bind(18, r.pod_id).bind(19, ps_config(r.config));
    TRY_CTX(stmt.run(), "insert container " + r.id);
    auto use = TRY(m_db->prepare("INSERT OR IGNORE INTO container_volumes (container_id, volume, destination, anonymous) "
                                 "VALUES (?1, ?2, ?3, ?4)"));
    for (auto const& v : r.volumes) {
        use.bind(1, r.id).bind(2, v.volume).bind(3, v.destination).bind(4, int64_t(v.anonymous));
        TRY_CTX(use.run(), "record the volumes of container " + r.id);
        use.reset();
    }
    auto secret = TRY(m_db->prepare("INSERT OR IGNORE INTO container_secrets (container_id, secret_id) VALUES (?1, ?2)"));
    for (auto const& id : r.secrets) {
        secret.bind(1, r.id).bind(2, id);
        TRY_CTX(secret.run(), "record the secrets of container " + r.id);
        secret.reset();
    }
    return txn.commit();
}

ErrorOr ContainerStore::update(ContainerRecord const& r)
{
    auto txn = TRY(m_db->begin());
    auto stmt = TRY(m_db->prepare("UPDATE containers SET state = ?2, pid = ?3, monitor_pid = ?4, exit_code = ?5, "
                                  "started = ?6, finished = ?7, driver = ?8, config = ?9, monitor_start = ?10, "
                                  "restart_count = ?11, ps_config = ?12 WHERE id = ?1"));
    stmt.bind(1, r.id).bind(2, state_name(r.state)).bind(3, r.pid).bind(4, r.monitor_pid).bind(5, r.exit_code);
    stmt.bind(6, r.started).bind(7, r.finished).bind(8, r.driver).bind(9, json::dump(r.config));
    stmt.bind(10, r.monitor_start).bind(11, r.restart_count).bind(12, ps_config(r.config));
    TRY_CTX(stmt.run(), "update container " + r.id);
    if (m_db->changes() == 0)
        return Error { ENOENT, "update container " + r.id + ": no such container" };
    return txn.commit();
}

ErrorOr ContainerStore::remove(std::string const& id)
{
    auto txn = TRY(m_db->begin());
    // Its relation rows first (the foreign key would cascade too, on a connection with foreign_keys on).
    auto uses = TRY(m_db->prepare("DELETE FROM container_volumes WHERE container_id = ?1"));
    uses.bind(1, id);
    TRY_CTX(uses.run(), "delete the volumes of container " + id);
    auto networks = TRY(m_db->prepare("DELETE FROM container_networks WHERE container_id = ?1"));
    networks.bind(1, id);
    TRY_CTX(networks.run(), "delete the networks of container " + id);
    auto secrets = TRY(m_db->prepare("DELETE FROM container_secrets WHERE container_id = ?1"));
    secrets.bind(1, id);
    TRY_CTX(secrets.run(), "delete the secrets of container " + id);
    auto stmt = TRY(m_db->prepare("DELETE FROM containers WHERE id = ?1"));
    stmt.bind(1, id);
    TRY_CTX(stmt.run(), "delete container " + id);
    if (m_db->changes() == 0)
        return Error { ENOENT, "delete container " + id + ": no such container" };
    return txn.commit();
}

Result<std::vector<ContainerRecord>> ContainerStore::query(std::string const& where, std::vector<std::string> const& args)
{
    auto stmt = TRY(m_db->prepare(std::string("SELECT ") + columns + " FROM containers " + where));
    for (size_t i = 0; i < args.size(); ++i)
        stmt.bind(static_cast<int>(i + 1), args[i]);
    std::vector<ContainerRecord> out;
    while (TRY(stmt.step())) {
        ContainerRecord r;
        r.id = stmt.text(0);
        r.name = stmt.text(1);
        r.image_id = stmt.text(2);
        r.image_name = stmt.text(3);
        r.created = stmt.integer(4);
        r.state = parse_state(stmt.text(5));
        r.pid = stmt.integer(6);
        r.monitor_pid = stmt.integer(7);
        r.exit_code = stmt.integer(8);
        r.started = stmt.integer(9);
        r.finished = stmt.integer(10);
        r.driver = stmt.text(11);
        r.config = TRY(json::parse(stmt.text(12), "container config"));
        r.monitor_start = stmt.integer(13);
        r.restart_count = stmt.integer(14);
        // Written by this berth's parse_restart_policy: an unknown name is a bug, read as no policy.
        r.restart.kind = parse_restart_policy(stmt.text(15)).value_or(RestartPolicy {}).kind;
        r.restart.max_retries = stmt.integer(16);
        r.pod_id = stmt.text(17);
        out.push_back(std::move(r));
    }
    TRY(read_volumes(out, where, args));
    return out;
}

ErrorOr ContainerStore::read_volumes(std::vector<ContainerRecord>& records, std::string const& where, std::vector<std::string> const& args)
{
    if (records.empty())
        return {};
    // One query whatever their number: the relation rows of one id, or of the records' own WHERE (ORDER BY dropped).
    std::string sql = "SELECT container_id, volume, destination, anonymous FROM container_volumes";
    auto order = where.find("ORDER BY");
    std::string filter = order == std::string::npos ? where : where.substr(0, order);
    bool one = records.size() == 1;
    if (one)
        sql += " WHERE container_id = ?1";
    else if (!filter.empty())
        sql += " WHERE container_id IN (SELECT id FROM containers " + filter + ")";
    auto stmt = TRY(m_db->prepare(sql + " ORDER BY rowid"));
    if (one)
        stmt.bind(1, records.front().id);
    else if (!filter.empty())
        for (size_t i = 0; i < args.size(); ++i)
            stmt.bind(static_cast<int>(i + 1), args[i]);
    std::map<std::string_view, ContainerRecord*> by_id;
    for (auto& r : records)
        by_id[r.id] = &r;
    while (TRY(stmt.step()))
        if (auto it = by_id.find(stmt.text(0)); it != by_id.end())
            it->second->volumes.push_back({ stmt.text(1), stmt.text(2), stmt.integer(3) != 0 });
    return {};
}

Result<std::optional<ContainerRecord>> ContainerStore::get(std::string const& id)
{
    auto rows = TRY(query("WHERE id = ?1", { id }));
    if (rows.empty())
        return std::optional<ContainerRecord> {};
    return std::optional<ContainerRecord> { std::move(rows.front()) };
}

Result<ContainerRecord> ContainerStore::find(std::string const& name_or_id)
{
    auto not_found = Error { ENOENT, "no container with name or ID \"" + name_or_id + "\" found: no such container" };
    if (name_or_id.empty())
        return not_found;
    auto by_name = TRY(query("WHERE name = ?1 OR id = ?1", { name_or_id }));
    if (!by_name.empty())
        return std::move(by_name.front());
    for (char c : name_or_id)
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            return not_found;
    auto by_prefix = TRY(query("WHERE substr(id, 1, ?2) = ?1", { name_or_id, std::to_string(name_or_id.size()) }));
    if (by_prefix.size() > 1)
        return Error { EINVAL, "more than one container matches ID prefix \"" + name_or_id + "\": give more of the ID" };
    if (by_prefix.empty())
        return not_found;
    return std::move(by_prefix.front());
}

Result<std::vector<ContainerRecord>> ContainerStore::list()
{
    return query("ORDER BY created DESC, rowid DESC", {});
}

Result<std::vector<ContainerRecord>> ContainerStore::list_pod(std::string const& pod_id)
{
    return query("WHERE pod_id = ?1 ORDER BY created DESC, rowid DESC", { pod_id });
}

Result<bool> ContainerStore::exists(char const* column, std::string const& value) const
{
    auto stmt = TRY(m_db->prepare(std::string("SELECT 1 FROM containers WHERE ") + column + " = ?1"));
    stmt.bind(1, value);
    return TRY(stmt.step());
}

Result<bool> ContainerStore::name_in_use(std::string const& name)
{
    return exists("name", name);
}

/// A container that is gone needs no lock file: a command that locks one
/// (rm racing --rm's cleanup, a cleanup after rm) removes the file it may
/// just have created, instead of leaving it behind.
Result<FileLock> ContainerStore::drop_file_if_gone(FileLock lock, std::string const& id) const
{
    if (!TRY(exists("id", id)))
        lock.remove_file();
    return lock;
}

Result<FileLock> ContainerStore::lock(std::string const& id) const
{
    auto lock = TRY_CTX(FileLock::acquire(m_layout.container_lock(id)), "lock container " + id);
    return drop_file_if_gone(std::move(lock), id);
}

Result<FileLock> ContainerStore::try_lock(std::string const& id) const
{
    auto lock = TRY(FileLock::try_acquire(m_layout.container_lock(id)));
    return drop_file_if_gone(std::move(lock), id);
}

Result<FileLock> ContainerStore::try_lock_existing(std::string const& id) const
{
    return FileLock::try_acquire_existing(m_layout.container_lock(id));
}

static void random_bytes(void* buf, size_t size)
{
    auto* p = static_cast<unsigned char*>(buf);
    size_t done = 0;
    while (done < size) {
        ssize_t n = ::getrandom(p + done, size - done, 0);
        if (n > 0)
            done += static_cast<size_t>(n);
    }
}

std::string generate_id()
{
    std::array<unsigned char, 32> bytes {};
    // Docker never hands out an all-digit short id: it would read as a number.
    for (;;) {
        random_bytes(bytes.data(), bytes.size());
        std::string hex;
        char buf[3];
        for (auto b : bytes) {
            std::snprintf(buf, sizeof buf, "%02x", b);
            hex += buf;
        }
        if (hex.substr(0, 12).find_first_of("abcdef") != std::string::npos)
            return hex;
    }
}

std::string generate_name(int attempt)
{
    // adjective_noun, harbour words of berth's own: 120 x 149 = 17,880 names,
    // about as many as Podman's, so that concurrent unnamed creates rarely
    // meet; when they do, the insert's EEXIST makes the loser pick again.
    static char const* const adjectives[] = {
        "able", "agile", "amber", "ardent", "astute", "balmy", "bold", "brave", "breezy", "bright", "brisk",
        "bubbly", "calm", "candid", "careful", "cheerful", "clever", "cosy", "crisp", "curious", "daring",
        "dashing", "deft", "devoted", "dreamy", "eager", "earnest", "easy", "elated", "elegant", "epic", "even",
        "fair", "faithful", "fearless", "festive", "fierce", "fine", "firm", "fleet", "fond", "frank", "free",
        "gentle", "giddy", "glad", "gleaming", "golden", "graceful", "grand", "hardy", "hearty", "honest",
        "hopeful", "humble", "jaunty", "jolly", "jovial", "keen", "kind", "lively", "loyal", "lucid", "lucky",
        "merry", "mighty", "mellow", "modest", "narrow", "neat", "nifty", "nimble", "noble", "patient", "peaceful",
        "plucky", "polite", "proud", "quick", "quiet", "quirky", "radiant", "rapid", "ready", "regal", "relaxed",
        "restful", "robust", "rosy", "rugged", "salty", "serene", "sharp", "shiny", "silent", "silver", "sleek",
        "smooth", "snug", "sober", "solid", "spry", "stately", "steady", "stoic", "sturdy", "sunny", "swift",
        "tidy", "tranquil", "trusty", "upbeat", "valiant", "vivid", "warm", "wary", "wise", "witty", "zealous",
        "zesty" };
    static char const* const nouns[] = {
        "albatross", "anchor", "anemone", "archipelago", "atoll", "ballast", "barnacle", "barge", "beacon", "berth",
        "bilge", "binnacle", "bollard", "bosun", "bow", "bowline", "breakwater", "brig", "buoy", "cabin", "canal",
        "canoe", "capstan", "caravel", "cargo", "catamaran", "channel", "clipper", "coast", "compass", "coral",
        "corvette", "cove", "crab", "crest", "current", "cutter", "davit", "deck", "delta", "dinghy", "dock",
        "dolphin", "dory", "drifter", "dune", "eddy", "estuary", "ferry", "fjord", "flagship", "fleet", "flotilla",
        "foghorn", "frigate", "galleon", "galley", "gangway", "gull", "gulf", "halyard", "harbour", "hawser",
        "haven", "headland", "heron", "hull", "inlet", "isthmus", "jetty", "junk", "kayak", "keel", "kelp",
        "kestrel", "ketch", "lagoon", "lantern", "launch", "ledger", "lighthouse", "liner", "lobster", "lugger",
        "marina", "mariner", "mast", "mooring", "narwhal", "nautilus", "oar", "orca", "osprey", "otter", "paddle",
        "pelican", "pennant", "periscope", "petrel", "pier", "pilot", "piling", "pontoon", "porpoise", "port",
        "prow", "puffin", "quay", "raft", "reef", "rigging", "riptide", "rowboat", "rudder", "sail", "sailor",
        "schooner", "seal", "seahorse", "shanty", "shoal", "skiff", "sloop", "sonar", "spinnaker", "squall",
        "starboard", "steamer", "stern", "surf", "swell", "tanker", "tern", "tide", "tiller", "topsail", "trawler",
        "trident", "tugboat", "turtle", "voyager", "wake", "walrus", "wave", "wharf", "whaler", "windlass", "yacht",
        "yawl" };
    uint32_t r[3];
    random_bytes(r, sizeof r);
    std::string name = std::string(adjectives[r[0] % std::size(adjectives)]) + "_" + nouns[r[1] % std::size(nouns)];
    if (attempt >= 5)
        name.append("_").append(std::to_string(r[2] % 100000));  // not += "_" + ...: GCC 12's -Wrestrict false positive
    return name;
}

} // namespace berth::container
