// ps rows and container inspect documents. See container_query.h.
#include "engine/secrets/secrets.h"
#include "engine/containers/container_query.h"
#include "engine/containers/network_setup.h"
#include "engine/pods/pods.h"

#include "base/fs.h"
#include "base/process_stat.h"
#include "base/timestamp.h"
#include "container/options.h"
#include "network/ports.h"
#include "runtime/cgroups.h"
#include "container/spec_builder.h"
#include "engine/containers/containers.h"
#include "engine/containers/healthcheck.h"
#include "engine/images/images.h"
#include "engine/containers/lifecycle.h"
#include "engine/containers/logs.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <ftw.h>
#include <map>
#include <regex>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::engine {

using container::ContainerRecord;
using container::State;

namespace {

/// The running record's monitor is the very process that started it (pid and
/// start time, field 22 of /proc/PID/stat) and not a zombie: refresh_container's
/// test, in one small read. False when unsure (no start time recorded).
bool monitor_alive(ContainerRecord const& rec)
{
    if (rec.monitor_pid <= 0 || rec.monitor_start <= 0)
        return false;
    auto st = read_process_stat(rec.monitor_pid);
    return st && st->state != 'Z' && st->start_time == rec.monitor_start;
}

/// Image facts needed per container, read once per image.
struct ImageFacts {
    bool found = false;
    int64_t size = 0;
    image::ImageConfig config;
    std::string digest;
};

class ImageCache {
public:
    explicit ImageCache(Context& ctx) : m_ctx(ctx) {}
    ImageFacts const& get(std::string const& id)
    {
        auto it = m_facts.find(id);
        if (it != m_facts.end())
            return it->second;
        ImageFacts facts;
        if (auto rec = m_ctx.store->get_image(id); rec && *rec) {
            facts.size = (*rec)->size;
            facts.digest = (*rec)->manifest_digest.str();
            if (auto config = image_config(m_ctx, **rec)) {
                facts.config = std::move(*config);
                facts.found = true;
            }
        }
        return m_facts.emplace(id, std::move(facts)).first->second;
    }

private:
    Context& m_ctx;
    std::map<std::string, ImageFacts> m_facts;
};

std::vector<std::string> strings(Json const& config, char const* key)
{
    std::vector<std::string> out;
    if (config.contains(key) && config[key].is_array())
        for (auto const& v : config[key])
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

/// Entrypoint and cmd as the container runs them (Docker's rules: --entrypoint drops the image's cmd).
std::pair<std::vector<std::string>, std::vector<std::string>> entrypoint_and_cmd(Json const& config, image::ImageConfig const& image)
{
    std::vector<std::string> entrypoint = image.entrypoint;
    std::vector<std::string> cmd = image.cmd;
    if (config.contains("entrypoint") && config["entrypoint"].is_string()) {
        auto ep = config["entrypoint"].get<std::string>();
        entrypoint.clear();
        cmd.clear();
        if (!ep.empty()) {
            if (auto parsed = json::parse(ep, "entrypoint"); parsed && parsed->is_array())
                entrypoint = strings(Json { { "e", *parsed } }, "e");
            else
                entrypoint = { ep };
        }
    }
    auto given = strings(config, "command");
    if (!given.empty())
        cmd = given;
    return { entrypoint, cmd };
}

std::vector<std::string> effective_command(Json const& config, image::ImageConfig const& image)
{
    auto [entrypoint, cmd] = entrypoint_and_cmd(config, image);
    entrypoint.insert(entrypoint.end(), cmd.begin(), cmd.end());
    return entrypoint;
}

std::map<std::string, std::string> labels_of(ContainerRecord const& rec, image::ImageConfig const* image)
{
    std::map<std::string, std::string> labels;
    if (image)
        labels = image->labels;
    for (auto const& l : strings(rec.config, "labels")) {
        auto eq = l.find('=');
        labels[l.substr(0, eq)] = eq == std::string::npos ? "" : l.substr(eq + 1);
    }
    return labels;
}

bool image_matches(std::string const& pattern, ContainerRecord const& rec)
{
    if (rec.image_id.rfind(pattern, 0) == 0 || rec.image_name == pattern)
        return true;
    // "busybox" matches ".../busybox:latest"; "busybox:latest" too; or a regex like Podman's.
    std::string name = rec.image_name;
    std::string no_tag = name.substr(0, name.rfind(':') == std::string::npos || name.rfind(':') < name.rfind('/') ? name.size() : name.rfind(':'));
    for (auto const& candidate : { name, no_tag }) {
        auto slash = candidate.rfind('/');
        std::string tail = slash == std::string::npos ? candidate : candidate.substr(slash + 1);
        if (candidate == pattern || tail == pattern
            || (candidate.size() > pattern.size()
                && candidate.compare(candidate.size() - pattern.size(), pattern.size(), pattern) == 0
                && candidate[candidate.size() - pattern.size() - 1] == '/'))
            return true;
    }
    try {
        return std::regex_search(name, std::regex(pattern));
    } catch (std::regex_error const&) {
        return false;
    }
}

struct Matcher {
    std::map<std::string, std::vector<std::string>> by_key;
    int64_t before = INT64_MAX, since = INT64_MIN;
};

bool matches_one(std::string const& key, std::string const& value, PsEntry const& e, ImageFacts const& image)
{
    auto const& r = e.record;
    if (key == "id")
        return r.id.rfind(value, 0) == 0;
    if (key == "name") {
        try {
            return std::regex_search(r.name, std::regex(value));
        } catch (std::regex_error const&) {
            return r.name == value;
        }
    }
    if (key == "status")
        return status_name(r) == value || (value == "stopped" && r.state == State::Exited);
    if (key == "exited")
        return r.state == State::Exited && std::to_string(r.exit_code) == value;
    if (key == "ancestor")
        return image_matches(value, r);
    if (key == "pod")
        return !r.pod_id.empty() && (e.pod_name == value || r.pod_id.rfind(value, 0) == 0);
    if (key == "health")
        return value == "none" ? !r.config.contains("healthcheck") : e.health == value;
    if (key == "label") {
        auto labels = labels_of(r, image.found ? &image.config : nullptr);
        auto eq = value.find('=');
        auto it = labels.find(value.substr(0, eq));
        return it != labels.end() && (eq == std::string::npos || it->second == value.substr(eq + 1));
    }
    return true;
}

} // namespace

Result<std::vector<PsFilter>> parse_ps_filters(std::vector<std::string> const& raw)
{
    static std::set<std::string> const known { "id", "name", "label", "status", "ancestor", "exited", "before", "since", "health", "pod" };
    static std::set<std::string> const states { "created", "running", "paused", "exited", "stopped", "unknown", "restarting", "removing", "configured", "initialized", "stopping" };
    std::vector<PsFilter> out;
    for (auto const& f : raw) {
        auto eq = f.find('=');
        if (eq == std::string::npos)
            return Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" };
        PsFilter filter { f.substr(0, eq), f.substr(eq + 1) };
        if (!known.count(filter.key))
            return Error { EINVAL, filter.key + " is an invalid filter: valid filters are id, name, label, status, ancestor, exited, before, since, health, pod" };
        if (filter.key == "health" && filter.value != "starting" && filter.value != "healthy" && filter.value != "unhealthy" && filter.value != "none")
            return Error { EINVAL, "invalid health filter \"" + filter.value + "\": use starting, healthy, unhealthy or none" };
        if (filter.key == "status" && !states.count(filter.value))
            return Error { EINVAL, "unknown container state: " + filter.value + ": invalid argument" };
        if (filter.key == "exited" && (filter.value.empty() || filter.value.find_first_not_of("0123456789") != std::string::npos))
            return Error { EINVAL, "exited code out of range \"" + filter.value + "\": give a number" };
        out.push_back(std::move(filter));
    }
    return out;
}

Result<int64_t> parse_until(std::string const& v)
{
    // The one parser of times and durations (logs --since/--until), as
    // Podman reads both with one; it also refuses a duration past int64.
    auto ns = parse_log_time(v, static_cast<int64_t>(std::time(nullptr)) * 1'000'000'000);
    if (!ns)
        return Error { EINVAL, "invalid until filter \"" + v + "\": use a timestamp or a duration like 10m" };
    return *ns / 1'000'000'000;
}

namespace {

/// Every container, newest first, with only the config keys ps needs: the
/// ps_config column holds them (container_store.h; SQLite's json_extract picks
/// them out of rows written by an older berth), so no row's whole config is
/// parsed here (~70 against ~25 ms of CPU at 1,000 containers, and json_extract
/// against ps_config ~8 ms more). A record that claims to run costs one read of
/// its monitor's /proc/PID/stat; only when that monitor is gone (or a stopped
/// record's start was interrupted) is the record read in full and refreshed as
/// find_container does.
Result<std::vector<ContainerRecord>> list_for_ps(Context& ctx)
{
    TRY(container_records(ctx));  // creates the table
    auto& db = ctx.store->database();
    auto stmt = TRY(db.prepare("SELECT id, name, image_id, image_name, created, state, pid, monitor_pid, exit_code, started, finished, "
                               "CASE WHEN ps_config <> '' THEN ps_config ELSE "
                               "json_object('command', json(json_extract(config, '$.command')), 'entrypoint', json_extract(config, '$.entrypoint'), "
                               "'labels', json(json_extract(config, '$.labels')), 'remove', json_extract(config, '$.remove'), "
                               "'healthcheck', json(json_extract(config, '$.healthcheck')), 'publish', json(json_extract(config, '$.publish'))) END, monitor_start, pod_id "
                               "FROM containers ORDER BY created DESC, rowid DESC"));
    std::vector<ContainerRecord> out;
    while (TRY(stmt.step())) {
        ContainerRecord r;
        r.id = stmt.text(0);
        r.name = stmt.text(1);
        r.image_id = stmt.text(2);
        r.image_name = stmt.text(3);
        r.created = stmt.integer(4);
        r.state = container::parse_state(stmt.text(5));
        r.pid = stmt.integer(6);
        r.monitor_pid = stmt.integer(7);
        r.exit_code = stmt.integer(8);
        r.started = stmt.integer(9);
        r.finished = stmt.integer(10);
        r.config = TRY(json::parse(stmt.text(11), "container config"));
        r.monitor_start = stmt.integer(12);
        r.pod_id = stmt.text(13);
        if (r.config.contains("remove") && r.config["remove"].is_number())
            r.config["remove"] = r.config["remove"].get<int>() != 0;
        for (auto const* key : { "command", "labels", "entrypoint", "healthcheck" })
            if (r.config.contains(key) && r.config[key].is_null())
                r.config.erase(key);
        out.push_back(std::move(r));
    }
    for (auto& r : out)
        if (is_active(r.state) ? !monitor_alive(r) : may_need_refresh(ctx, r)) {
            auto found = find_container(ctx, r.id);
            if (!found && found.error().code == ENOENT) {
                r.id.clear();  // removed since the query: dropped below
                continue;
            }
            auto full = TRY(std::move(found));
            r.state = full.state;
            r.pid = full.pid;
            r.monitor_pid = full.monitor_pid;
            r.exit_code = full.exit_code;
            r.started = full.started;
            r.finished = full.finished;
        }
    std::erase_if(out, [](ContainerRecord const& r) { return r.id.empty(); });
    return out;
}

} // namespace

Result<std::vector<PsEntry>> query_containers(Context& ctx, PsQuery const& query)
{
    auto records = TRY(list_for_ps(ctx));
    Matcher m;
    for (auto const& f : query.filters) {
        if (f.key == "before" || f.key == "since") {
            auto other = TRY(find_container(ctx, f.value));
            if (f.key == "before")
                m.before = std::min(m.before, other.created * 1000 + 0);
            else
                m.since = std::max(m.since, other.created * 1000 + 999);
            continue;
        }
        m.by_key[f.key].push_back(f.value);
    }
    ImageCache images(ctx);
    auto pods = TRY(pods_by_id(ctx));
    std::vector<PsEntry> out;
    for (auto& rec : records) {
        // list_for_ps checked the monitors that have a start time; the rest by pid here.
        if (is_active(rec.state) && rec.monitor_start <= 0 && !process_alive(rec.pid) && !process_alive(rec.monitor_pid)) {
            rec.state = State::Exited;
            rec.pid = 0;
        }
        bool status_filter = m.by_key.count("status") > 0;
        if (!query.all && !status_filter && query.last < 0 && !is_active(rec.state))
            continue;
        if (rec.created * 1000 >= m.before || rec.created * 1000 <= m.since)
            continue;
        PsEntry e;
        e.record = std::move(rec);
        if (auto it = pods.find(e.record.pod_id); it != pods.end()) {
            e.pod_name = it->second.name;
            e.infra = it->second.infra_id == e.record.id;
        }
        if (is_active(e.record.state) && e.record.config.contains("healthcheck"))
            if (auto health = read_health(ctx, e.record))
                e.health = health->status;
        auto const& image = images.get(e.record.image_id);
        bool ok = true;
        for (auto const& [key, values] : m.by_key) {
            bool any = false;
            for (auto const& v : values)
                any = any || matches_one(key, v, e, image);
            ok = ok && any;
        }
        if (!ok)
            continue;
        e.command = effective_command(e.record.config, image.config);
        e.image_size = image.size;
        if (query.size)
            e.rw_size = disk_usage(fs::join(ctx.paths.layout().bundle_dir(e.record.id), "upper"));
        out.push_back(std::move(e));
        if (query.last >= 0 && static_cast<int>(out.size()) >= query.last)
            break;
    }
    return out;
}

namespace {

thread_local int64_t g_usage = 0;
thread_local std::set<std::pair<dev_t, ino_t>>* g_seen = nullptr;

int add_usage(char const*, struct stat const* st, int type, struct FTW*)
{
    if (type == FTW_F && g_seen->insert({ st->st_dev, st->st_ino }).second)
        g_usage += st->st_size;
    return 0;
}

} // namespace

std::string status_name(ContainerRecord const& rec)
{
    bool active = rec.state == State::Running || rec.state == State::Paused;
    if (active && rec.config.value("stopped_by_user", false))
        return "stopping";
    return std::string(container::state_name(rec.state));
}

namespace {

Json nanos_time(int64_t seconds)
{
    return seconds > 0 ? Json(timestamp::rfc3339(seconds)) : Json("0001-01-01T00:00:00Z");
}

/// The defaults, the image's variables, --env-file and -e, later ones replacing earlier ones.
std::vector<std::string> container_env(ContainerRecord const& rec, image::ImageConfig const& image)
{
    std::vector<std::string> env = container::default_env();
    auto set = [&](std::string const& entry) { container::set_env(env, entry); };
    for (auto const& e : image.env)
        set(e);
    for (auto const& e : strings(rec.config, "env_files"))
        set(e);
    for (auto const& e : strings(rec.config, "env"))
        if (e.find('=') != std::string::npos)
            set(e);
    return env;
}

Json env_with_defaults(ContainerRecord const& rec, image::ImageConfig const& image, std::string const& hostname)
{
    std::vector<std::string> env = container_env(rec, image);
    container::set_env(env, "HOSTNAME=" + hostname);
    return env;
}

Json mounts_json(Context& ctx, ContainerRecord const& rec)
{
    Json out = Json::array();
    auto options = container::CreateOptions::from_json(rec.config);
    if (!options)
        return out;
    auto requests = container::mount_requests(*options);
    if (!requests)
        return out;
    for (auto const& m : *requests) {
        Json j;
        std::string name = m.source;
        if (m.type == container::MountRequest::Type::Volume && name.empty())
            name = container::anonymous_volume(rec, m.destination);
        j["Type"] = m.type == container::MountRequest::Type::Bind ? "bind" : m.type == container::MountRequest::Type::Volume ? "volume" : "tmpfs";
        j["Name"] = m.type == container::MountRequest::Type::Volume ? name : "";
        j["Source"] = m.type == container::MountRequest::Type::Volume ? ctx.paths.layout().volume_data_dir(name)
                                                                       : m.type == container::MountRequest::Type::Tmpfs ? "tmpfs" : m.source;
        j["Destination"] = m.destination;
        j["Driver"] = m.type == container::MountRequest::Type::Volume ? "local" : "";
        j["Mode"] = "";
        Json opts = Json::array();
        opts.push_back("rbind");
        j["Options"] = opts;
        j["RW"] = !m.read_only;
        j["Propagation"] = m.propagation.empty() ? "rprivate" : m.propagation;
        out.push_back(std::move(j));
    }
    return out;
}

Json labels_json(std::map<std::string, std::string> const& labels)
{
    Json out = Json::object();
    for (auto const& [k, v] : labels)
        out[k] = v;
    return out;
}

} // namespace

std::string ports_text(container::ContainerRecord const& rec)
{
    return network::ports_text(network::published_ports(rec.config));
}

std::vector<PublishedPort> published_ports(container::ContainerRecord const& rec)
{
    std::vector<PublishedPort> out;
    for (auto const& m : network::published_ports(rec.config))
        out.push_back({ network::port_key(m), network::host_address(m) });
    return out;
}

int64_t disk_usage(std::string const& path)
{
    std::set<std::pair<dev_t, ino_t>> seen;
    g_seen = &seen;
    g_usage = 0;
    ::nftw(path.c_str(), add_usage, 32, FTW_PHYS);
    g_seen = nullptr;
    return g_usage;
}

namespace {

/// Podman's HostConfig.RestartPolicy: the policy's name as given ("" without --restart), and on-failure's count.
Json restart_policy_json(container::RestartPolicy const& policy)
{
    return Json { { "Name", container::restart_policy_name(policy.kind) }, { "MaximumRetryCount", policy.max_retries } };
}

/// A byte count as Go's units.HumanSizeWithPrecision(n, 3): "0B", "1.5kB", "10MB".
std::string human_size(int64_t bytes)
{
    static char const* const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
    double n = static_cast<double>(bytes);
    size_t unit = 0;
    while (n >= 1000 && unit + 1 < std::size(units)) {
        n /= 1000;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g%s", n, units[unit]);
    return buf;
}

/// Podman's HostConfig.LogConfig from the container's --log-driver and --log-opt.
Json log_config_json(Json const& config, std::string const& bundle_dir)
{
    LogSettings logs;
    logs.path = fs::join(bundle_dir, "ctr.log");
    if (auto options = container::CreateOptions::from_json(config))
        if (auto resolved = log_settings(*options, bundle_dir))
            logs = *resolved;
    std::string tag;
    for (auto const& opt : config.value("log_opts", std::vector<std::string> {}))
        if (opt.rfind("tag=", 0) == 0)
            tag = opt.substr(4);
    // Podman: no log file, no Path, with the none driver.
    return Json { { "Type", logs.driver }, { "Config", nullptr }, { "Path", logs.driver == "none" ? "" : logs.path }, { "Tag", tag },
        { "Size", human_size(logs.max_size) } };
}

} // namespace

image::ImageConfig committed_config(ContainerRecord const& rec, image::ImageConfig image)
{
    auto const& c = rec.config;
    std::tie(image.entrypoint, image.cmd) = entrypoint_and_cmd(c, image);
    image.env = container_env(rec, image);
    std::string workdir = c.value("workdir", "");
    if (!workdir.empty())
        image.working_dir = workdir;
    std::string user = c.value("user", "");
    if (!user.empty())
        image.user = user;
    image.labels = labels_of(rec, &image);
    for (auto const& port : published_ports(rec))
        if (std::find(image.exposed_ports.begin(), image.exposed_ports.end(), port.key) == image.exposed_ports.end())
            image.exposed_ports.push_back(port.key);
    return image;
}

Result<Json> inspect_container(Context& ctx, ContainerRecord const& given, bool size)
{
    ContainerRecord rec = given;
    if (is_active(rec.state) && !process_alive(rec.pid) && !process_alive(rec.monitor_pid)) {
        rec.state = State::Exited;
        rec.pid = 0;
    }
    ImageCache images(ctx);
    auto const& image = images.get(rec.image_id);
    auto const& c = rec.config;
    auto [entrypoint, cmd] = entrypoint_and_cmd(c, image.config);
    auto command = entrypoint;
    command.insert(command.end(), cmd.begin(), cmd.end());
    std::string hostname = c.value("hostname", "");
    if (hostname.empty())
        hostname = rec.id.substr(0, 12);
    std::string dir = ctx.paths.layout().bundle_dir(rec.id);
    std::string stop_signal = c.value("stop_signal", "");
    if (stop_signal.empty())
        stop_signal = image.config.stop_signal.empty() ? "SIGTERM" : image.config.stop_signal;
    auto sig = parse_signal(stop_signal);
    std::string user = c.value("user", "");
    if (user.empty())
        user = image.config.user;
    std::string workdir = c.value("workdir", "");
    if (workdir.empty())
        workdir = image.config.working_dir.empty() ? "/" : image.config.working_dir;
    Json annotations = Json::object();
    for (auto const& a : strings(c, "annotations")) {
        auto eq = a.find('=');
        annotations[a.substr(0, eq)] = eq == std::string::npos ? "" : a.substr(eq + 1);
    }
    Json tmpfs = Json::object();
    for (auto const& t : strings(c, "tmpfs")) {
        auto colon = t.find(':');
        tmpfs[t.substr(0, colon)] = colon == std::string::npos ? "" : t.substr(colon + 1);
    }
    bool running = rec.state == State::Running || rec.state == State::Paused;
    Json state {
        { "OciVersion", "1.0.2" },
        { "Status", status_name(rec) },
        { "Running", running },
        { "Paused", rec.state == State::Paused },
        { "Restarting", false },
        { "OOMKilled", false },
        { "Dead", false },
        { "Pid", running ? rec.pid : 0 },
        { "ConmonPid", running ? rec.monitor_pid : 0 },
        { "ExitCode", rec.exit_code },
        { "Error", "" },
        { "StartedAt", nanos_time(rec.started) },
        { "FinishedAt", nanos_time(rec.finished) },
        { "Health", Json { { "Status", "" }, { "FailingStreak", 0 }, { "Log", nullptr } } },
    };
    if (auto health = read_health(ctx, rec))
        state["Health"] = health->to_json();
    std::string network = c.value("network", "none");
    Json config {
        { "Hostname", hostname },
        { "Domainname", "" },
        { "User", user },
        { "AttachStdin", false },
        { "AttachStdout", false },
        { "AttachStderr", false },
        { "Tty", c.value("tty", false) },
        { "OpenStdin", c.value("interactive", false) },
        { "StdinOnce", false },
        { "Env", env_with_defaults(rec, image.config, hostname) },
        { "Cmd", cmd.empty() ? Json(nullptr) : Json(cmd) },
        { "Image", rec.image_name },
        { "Volumes", nullptr },
        { "WorkingDir", workdir },
        { "Entrypoint", entrypoint.empty() ? Json("") : Json(entrypoint.size() == 1 ? Json(entrypoint.front()) : Json(entrypoint)) },
        { "OnBuild", nullptr },
        { "Labels", labels_json(labels_of(rec, image.found ? &image.config : nullptr)) },
        { "Annotations", annotations },
        { "StopSignal", sig ? *sig : SIGTERM },
        { "StopTimeout", c.value("stop_timeout", 10) },
        { "CreateCommand", c.contains("create_command") && !c["create_command"].empty() ? c["create_command"] : Json(nullptr) },
        { "Umask", "0022" },
        { "Secrets", inspect_container_secrets(ctx, strings(c, "secrets")) },
    };
    if (auto hc = healthcheck_of(rec))
        config["Healthcheck"] = hc->inspect_json();
    if (auto startup = startup_healthcheck_of(rec))
        config["StartupHealthCheck"] = startup->to_json();
    auto on_failure = parse_health_on_failure(c.value("health_on_failure", ""));
    config["HealthcheckOnFailureAction"] = health_on_failure_name(on_failure ? *on_failure : HealthOnFailure::None);
    // The resource flags as given, in Podman's units: bytes, nano-CPUs, and
    // twice the memory as memory+swap when only the memory is limited.
    auto size_of = [&](char const* key, int64_t fallback) {
        auto text = c.value(key, "");
        auto v = text.empty() ? Result<int64_t>(fallback) : runtime::cgroups::parse_size(text);
        return v ? *v : fallback;
    };
    int64_t memory = size_of("memory", 0);
    int64_t memory_swap = 0;
    if (auto text = c.value("memory_swap", ""); !text.empty())
        memory_swap = runtime::cgroups::parse_swap(text).value_or(0);
    else if (memory > 0)
        memory_swap = 2 * memory;
    int64_t cpu_quota = 0;
    if (auto text = c.value("cpus", ""); !text.empty())
        cpu_quota = runtime::cgroups::parse_cpus(text).value_or(0);
    Json host_config {
        { "Memory", memory },
        { "MemorySwap", memory_swap },
        { "NanoCpus", cpu_quota * 10000 },
        { "CpuPeriod", cpu_quota > 0 ? 100000 : 0 },
        { "CpuQuota", cpu_quota },
        { "CpuShares", c.value("cpu_shares", uint64_t(0)) },
        { "PidsLimit", c.value("pids_limit", int64_t(0)) },
        { "Binds", strings(c, "volumes") },
        { "CgroupManager", "cgroupfs" },
        { "CgroupMode", c.value("cgroupns", "").empty() ? "private" : c.value("cgroupns", "") },
        { "ContainerIDFile", c.value("cidfile", "") },
        { "LogConfig", log_config_json(c, dir) },
        { "NetworkMode", network::parse_network_mode(network).value_or(network::NetworkMode {}).kind == network::NetworkMode::Kind::Bridge ? std::string("bridge") : network },
        { "PortBindings", network::port_bindings_json(network::published_ports(c)) },
        { "RestartPolicy", restart_policy_json(rec.restart) },
        { "AutoRemove", c.value("remove", false) },
        { "VolumeDriver", "" },
        { "VolumesFrom", nullptr },
        { "CapAdd", strings(c, "cap_add") },
        { "CapDrop", strings(c, "cap_drop") },
        { "Dns", strings(c, "dns") },
        { "DnsOptions", strings(c, "dns_options") },
        { "DnsSearch", strings(c, "dns_search") },
        { "ExtraHosts", strings(c, "add_hosts") },
        { "GroupAdd", strings(c, "group_add") },
        { "IpcMode", c.value("ipc", "").empty() ? "private" : c.value("ipc", "") },
        { "Cgroup", "" },
        { "Cgroups", "default" },
        { "Links", nullptr },
        { "OomScoreAdj", c.value("oom_score_adj", 0) },
        { "PidMode", c.value("pid", "").empty() ? "private" : c.value("pid", "") },
        { "Privileged", c.value("privileged", false) },
        { "PublishAllPorts", c.value("publish_all", false) },
        { "ReadonlyRootfs", c.value("read_only", false) },
        { "SecurityOpt", strings(c, "security_opt") },
        { "Tmpfs", tmpfs },
        { "UTSMode", !c.value("uts", "").empty() ? c.value("uts", "") : network == "host" ? "host" : "private" },
        { "UsernsMode", c.value("userns", "") },
        { "IDMappings", { { "UidMap", strings(c, "uidmap") }, { "GidMap", strings(c, "gidmap").empty() ? strings(c, "uidmap") : strings(c, "gidmap") } } },
        { "ShmSize", size_of("shm_size", 65536000) },
        { "Runtime", "oci" },
        { "ConsoleSize", Json::array({ 0, 0 }) },
        { "Isolation", "" },
        { "Devices", strings(c, "devices") },
        { "Sysctls", strings(c, "sysctls") },
        { "Ulimits", strings(c, "ulimits") },
        { "Init", c.value("init", false) },
    };
    Json network_settings {
        { "EndpointID", "" },
        { "Gateway", "" },
        { "IPAddress", "" },
        { "IPPrefixLen", 0 },
        { "IPv6Gateway", "" },
        { "GlobalIPv6Address", "" },
        { "GlobalIPv6PrefixLen", 0 },
        { "MacAddress", "" },
        { "Bridge", "" },
        { "SandboxID", "" },
        { "HairpinMode", false },
        { "LinkLocalIPv6Address", "" },
        { "LinkLocalIPv6PrefixLen", 0 },
        { "Ports", network::port_bindings_json(network::published_ports(c)) },
        { "SandboxKey", "" },
    };
    if (network::parse_network_mode(network).value_or(network::NetworkMode {}).kind == network::NetworkMode::Kind::Bridge) {
        // As Podman: the default network's addresses at the top too.
        auto networks = inspect_networks(ctx, rec.id);
        if (networks.size() == 1 && networks.contains(network::default_network_name))
            for (char const* key : { "Gateway", "IPAddress", "IPPrefixLen", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen", "MacAddress" })
                network_settings[key] = networks.begin().value()[key];
        network_settings["Networks"] = std::move(networks);
    }
    Json doc {
        { "Id", rec.id },
        { "Created", nanos_time(rec.created) },
        { "Path", command.empty() ? "" : command.front() },
        { "Args", command.size() > 1 ? Json(std::vector<std::string>(command.begin() + 1, command.end())) : Json::array() },
        { "State", state },
        { "Image", rec.image_id },
        { "ImageDigest", image.digest },
        { "ImageName", rec.image_name },
        { "Rootfs", "" },
        { "Pod", rec.pod_id },
        { "ResolvConfPath", fs::join(dir, "resolv.conf") },
        { "HostnamePath", fs::join(dir, "hostname") },
        { "HostsPath", fs::join(dir, "hosts") },
        { "StaticDir", dir },
        { "OCIConfigPath", fs::join(dir, "config.json") },
        { "OCIRuntime", c.value("runtime", "").empty() ? "berth" : c.value("runtime", "") },
        { "Name", rec.name },
        { "RestartCount", rec.restart_count },
        { "Driver", rec.driver },
        { "MountLabel", "" },
        { "ProcessLabel", "" },
        { "AppArmorProfile", "" },
        { "ExecIDs", Json::array() },
        { "GraphDriver", Json { { "Name", rec.driver }, { "Data", nullptr } } },
        { "Mounts", mounts_json(ctx, rec) },
        { "Dependencies", Json::array() },
        { "NetworkSettings", network_settings },
        { "Namespace", "" },
        { "IsInfra", false },
        { "IsService", false },
        { "Config", config },
        { "HostConfig", host_config },
    };
    if (size) {
        doc["SizeRw"] = disk_usage(fs::join(dir, "upper"));
        doc["SizeRootFs"] = image.size + doc["SizeRw"].get<int64_t>();
    }
    return doc;
}

} // namespace berth::engine
