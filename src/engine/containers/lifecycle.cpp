// stop, kill, wait, pause, rm, rename and the container's processes. See lifecycle.h.
#include "engine/containers/lifecycle.h"
#include "engine/pods/pods.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/process_stat.h"
#include "container/removal.h"
#include "container/volume_store.h"
#include "engine/containers/containers.h"
#include "engine/system/events.h"
#include "runtime/cgroups.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

namespace berth::engine {

using container::ContainerRecord;
using container::ContainerStore;
using container::State;

namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

/// The record now, corrected (by refresh_container) when its monitor is gone; nullopt: removed.
Result<std::optional<ContainerRecord>> current(Context& ctx, std::string const& id)
{
    auto cs = TRY(container_records(ctx));
    auto rec = TRY(cs.get(id));
    if (rec)
        refresh_container(ctx, *rec);
    return rec;
}

/// Polls until the record leaves the running/paused states (or is gone); false on timeout.
Result<bool> wait_exited(Context& ctx, std::string const& id, int timeout_ms)
{
    // A deadline, not a count of sleeps: on a loaded machine each look at the
    // record takes far longer than the sleep between two.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        auto rec = TRY(current(ctx, id));
        if (!rec || !is_active(rec->state))
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        sleep_ms(20);
    }
}

/// Waits until the process is gone; false on timeout.
bool wait_process_gone(int64_t pid, int timeout_ms)
{
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (process_alive(pid)) {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        sleep_ms(10);
    }
    return true;
}

std::string read_link(std::string const& path)
{
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

/// Whether `pid` is PID 1 of its pid namespace (its NSpid ends in 1): a
/// container that joined another's (--pid container:NAME) is not, and the
/// other processes of that namespace are not its own.
bool leads_pid_namespace(int pid)
{
    auto status = fs::read_file("/proc/" + std::to_string(pid) + "/status");
    if (!status)
        return false;
    auto at = status->find("\nNSpid:");
    if (at == std::string::npos)
        return false;
    auto end = status->find('\n', at + 1);
    std::string line = status->substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    auto last = line.find_last_of(" \t");
    return last != std::string::npos && line.substr(last + 1) == "1";
}

/// The container's v2 cgroup directory when it is berth's own ("berth-*") and has a freezer.
std::optional<std::string> freezer_dir(int64_t pid)
{
    auto dir = runtime::cgroups::container_cgroup_dir(pid);
    if (!dir)
        return std::nullopt;
    if (::access((*dir + "/cgroup.freeze").c_str(), W_OK) != 0)
        return std::nullopt;
    return dir;
}

ErrorOr signal_all(std::vector<int> const& pids, int sig)
{
    for (int pid : pids)
        if (::kill(pid, sig) != 0 && errno != ESRCH)
            return Error::from_errno("send " + signal_name(sig) + " to process " + std::to_string(pid));
    return {};
}

/// Freezes (true) or thaws the container's processes.
ErrorOr freeze(ContainerRecord const& rec, bool frozen)
{
    if (auto dir = freezer_dir(rec.pid)) {
        // A cgroup file is written in place (no temp file and rename, as fs::write_file_atomic does).
        std::string path = *dir + "/cgroup.freeze";
        int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        bool ok = fd >= 0 && ::write(fd, frozen ? "1" : "0", 1) == 1;
        int saved = errno;
        if (fd >= 0)
            ::close(fd);
        errno = saved;
        if (!ok)
            return Error::from_errno("write " + path);
        return {};
    }
    auto pids = container_pids(rec.pid);
    if (pids.empty())
        return Error { ESRCH, "container " + rec.name + " has no processes" };
    if (frozen) // children first, so that init cannot react to a stopped child before it stops itself
        std::reverse(pids.begin(), pids.end());
    return signal_all(pids, frozen ? SIGSTOP : SIGCONT);
}

ErrorOr set_state(Context& ctx, std::string const& id, State from, State to)
{
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(id));
    auto rec = TRY(cs.get(id));
    if (!rec)
        return Error { ENOENT, "no container with ID \"" + id + "\" found: no such container" };
    if (rec->state != from)
        return {};
    rec->state = to;
    return cs.update(*rec);
}

/// config["stopped_by_user"] = true: the exit that follows must not trigger the --restart policy.
ErrorOr mark_stopped_by_user(Context& ctx, std::string const& id)
{
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(id));
    auto rec = TRY(cs.get(id));
    if (!rec || rec->config.value("stopped_by_user", false))
        return {};
    rec->config["stopped_by_user"] = true;
    return cs.update(*rec);
}

std::string improper(std::string const& what) { return what + ": container state improper"; }

} // namespace

bool is_active(State state) { return state == State::Running || state == State::Paused; }

Result<std::vector<Target>> resolve_targets(Context& ctx, std::vector<std::string> const& names, bool all, bool ignore_missing)
{
    std::vector<Target> out;
    if (all) {
        for (auto& rec : TRY(list_containers(ctx))) {
            auto fresh = TRY(current(ctx, rec.id));
            if (fresh)
                out.push_back({ fresh->id, std::move(*fresh) });
        }
        return out;
    }
    for (auto const& name : names) {
        auto cs = TRY(container_records(ctx));
        auto found = cs.find(name);
        if (!found) {
            if (ignore_missing && found.error().code == ENOENT)
                continue;
            return std::move(found).error();
        }
        auto fresh = TRY(current(ctx, found->id));
        if (fresh)
            out.push_back({ name, std::move(*fresh) });
    }
    return out;
}

Result<container::ContainerRecord> latest_container(Context& ctx)
{
    auto all = TRY(list_containers(ctx));
    if (all.empty())
        return Error { ENOENT, "unable to get latest container: no such container" };
    return std::move(all.front());
}

static constexpr std::pair<char const*, int> signal_table[] = { { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
    { "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
    { "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },
    { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },
    { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU }, { "URG", SIGURG },
    { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
    { "IO", SIGIO }, { "PWR", SIGPWR }, { "SYS", SIGSYS } };

Result<int> parse_signal(std::string const& text)
{
    auto invalid = Error { EINVAL, "invalid signal: " + text };
    if (text.empty())
        return invalid;
    if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        int n = std::atoi(text.c_str());
        if (n < 1 || n > SIGRTMAX)
            return invalid;
        return n;
    }
    std::string upper;
    for (char c : text)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.rfind("SIG", 0) == 0)
        upper = upper.substr(3);
    for (auto const& [name, sig] : signal_table)
        if (upper == name)
            return sig;
    if (upper.rfind("RTMIN+", 0) == 0 || upper.rfind("RTMAX-", 0) == 0) {
        int n = std::atoi(upper.c_str() + 6);
        int sig = upper[2] == 'M' && upper[3] == 'I' ? SIGRTMIN + n : SIGRTMAX - n;
        if (sig >= SIGRTMIN && sig <= SIGRTMAX)
            return sig;
    }
    return invalid;
}

std::string signal_name(int sig)
{
    for (auto const& [name, number] : signal_table)
        if (number == sig)
            return std::string("SIG") + name;
    return std::to_string(sig);
}

ProcessTable read_process_table()
{
    ProcessTable table;
    table.own_pid_namespace = read_link("/proc/self/ns/pid");
    DIR* d = ::opendir("/proc");
    if (!d)
        return table;
    while (auto* e = ::readdir(d)) {
        if (!std::isdigit(static_cast<unsigned char>(e->d_name[0])))
            continue;
        std::string dir = std::string("/proc/") + e->d_name;
        int pid = std::atoi(e->d_name);
        auto stat = read_process_stat(pid);
        if (!stat)
            continue;
        int ppid = stat->ppid;
        table.children[ppid].push_back(pid);
        std::string ns = read_link(dir + "/ns/pid");
        if (!ns.empty() && ns != table.own_pid_namespace)
            table.by_pid_namespace[ns].push_back(pid);
    }
    ::closedir(d);
    return table;
}

std::vector<int> container_pids(int64_t init_pid, ProcessTable const& table)
{
    std::vector<int> out;
    if (!process_alive(init_pid))
        return out;
    int init = static_cast<int>(init_pid);
    std::set<int> members { init };
    // Descendants of init, breadth first...
    std::vector<int> queue { init };
    for (size_t i = 0; i < queue.size(); ++i) {
        auto it = table.children.find(queue[i]);
        if (it == table.children.end())
            continue;
        for (int child : it->second)
            if (members.insert(child).second)
                queue.push_back(child);
    }
    // ...and anything else in its pid namespace (processes `exec`ed into it from
    // outside), when the namespace is the container's own.
    std::string ns = read_link("/proc/" + std::to_string(init) + "/ns/pid");
    if (auto it = table.by_pid_namespace.find(ns); !ns.empty() && it != table.by_pid_namespace.end() && leads_pid_namespace(init))
        members.insert(it->second.begin(), it->second.end());
    out.push_back(init);
    for (int pid : members)
        if (pid != init)
            out.push_back(pid);
    return out;
}

std::vector<int> container_pids(int64_t init_pid)
{
    if (!process_alive(init_pid))
        return {};
    return container_pids(init_pid, read_process_table());
}

namespace {

/// Sends `sig` to the container's process 1. A record without a pid (0 or
/// less) is an error, never kill(0) or kill(-1): those signal berth's own
/// process group, or every process the user may signal.
ErrorOr signal_container(ContainerRecord const& rec, int sig, std::string const& what)
{
    if (rec.pid <= 0)
        return Error { ESRCH, what + " " + rec.name + ": the record has no process id: run `berth system check`" };
    if (::kill(static_cast<pid_t>(rec.pid), sig) != 0 && errno != ESRCH)
        return Error::from_errno(what + " " + rec.name + ": send " + signal_name(sig));
    return {};
}

/// The stop signal and timeout of `rec` (the container's --stop-signal and --stop-timeout unless given).
Result<std::pair<int, int>> stop_plan(ContainerRecord const& rec, std::optional<int> timeout)
{
    int sig = SIGTERM;
    std::string configured = rec.config.value("stop_signal", "");
    if (!configured.empty())
        sig = TRY(parse_signal(configured));
    int seconds = timeout ? *timeout : static_cast<int>(rec.config.value("stop_timeout", 10));
    return std::pair { sig, std::max(seconds, 0) };
}

} // namespace

ErrorOr begin_stop(Context& ctx, ContainerRecord const& rec, std::optional<int> timeout)
{
    if (rec.state != State::Running)
        return {};
    auto [sig, seconds] = TRY(stop_plan(rec, timeout));
    TRY(mark_stopped_by_user(ctx, rec.id));
    return signal_container(rec, seconds == 0 ? SIGKILL : sig, "stop");
}

ErrorOr stop_container(Context& ctx, ContainerRecord const& rec, std::optional<int> timeout)
{
    if (!is_active(rec.state))
        return {};
    auto [sig, seconds] = TRY(stop_plan(rec, timeout));
    TRY(mark_stopped_by_user(ctx, rec.id));
    // -t 0: SIGKILL at once, as Podman does.
    if (seconds > 0)
        TRY(signal_container(rec, sig, "stop"));
    if (rec.state == State::Paused)
        (void)freeze(rec, false);
    if (seconds == 0) {
        TRY(signal_container(rec, SIGKILL, "stop"));
    } else if (!wait_process_gone(rec.pid, seconds * 1000)) {
        log::warn("StopSignal {} failed to stop container {} in {} seconds, resorting to SIGKILL", signal_name(sig), rec.name, seconds);
        TRY(signal_container(rec, SIGKILL, "stop"));
    }
    // The monitor records the exit; give it time, then correct the record ourselves.
    if (!TRY(wait_exited(ctx, rec.id, 30000)))
        return Error { ETIMEDOUT, "stop " + rec.name + ": the container did not exit within 30 seconds of SIGKILL" };
    record_container_event(ctx.paths, "stop", rec);
    return {};
}

ErrorOr kill_container(Context& ctx, ContainerRecord const& rec, int sig)
{
    if (!is_active(rec.state))
        return Error { EINVAL, improper("can only kill running containers. " + rec.id + " is in state "
                                   + std::string(container::state_name(rec.state))) };
    TRY(signal_container(rec, sig, "kill"));
    record_container_event(ctx.paths, "kill", rec, { { "signal", std::to_string(sig) } });
    return {};
}

Result<int64_t> wait_container(Context& ctx, std::string const& id, std::vector<std::string> const& conditions, int interval_ms)
{
    std::set<State> wanted;
    for (auto const& c : conditions) {
        if (c == "stopped" || c == "exited")
            wanted.insert(State::Exited);
        else if (c == "running")
            wanted.insert(State::Running);
        else if (c == "created" || c == "configured")
            wanted.insert(State::Created);
        else if (c == "paused")
            wanted.insert(State::Paused);
        else
            return Error { EINVAL, "invalid condition \"" + c + "\": use created, running, paused, exited or stopped" };
    }
    if (wanted.empty())
        wanted.insert(State::Exited);
    for (;;) {
        auto rec = TRY(current(ctx, id));
        if (!rec)
            return Error { ENOENT, "no container with ID \"" + id + "\" found: no such container" };
        if (wanted.count(rec->state))
            return rec->state == State::Exited ? rec->exit_code : int64_t { -1 };
        // As Podman: waiting for an exit of a container that never started
        // returns at once, with exit code 0.
        if (wanted.count(State::Exited) && rec->state == State::Created)
            return rec->exit_code;
        sleep_ms(std::max(interval_ms, 10));
    }
}

ErrorOr pause_container(Context& ctx, ContainerRecord const& rec)
{
    if (rec.state != State::Running)
        return Error { EINVAL, improper(std::string(1, '"').append(container::state_name(rec.state)).append("\" is not running, can't pause")) };
    TRY_CTX(freeze(rec, true), "pause " + rec.name);
    TRY(set_state(ctx, rec.id, State::Running, State::Paused));
    record_container_event(ctx.paths, "pause", rec);
    return {};
}

ErrorOr unpause_container(Context& ctx, ContainerRecord const& rec)
{
    if (rec.state != State::Paused)
        return Error { EINVAL, improper("\"" + rec.id + "\" is not paused, can't unpause") };
    TRY_CTX(freeze(rec, false), "unpause " + rec.name);
    TRY(set_state(ctx, rec.id, State::Paused, State::Running));
    record_container_event(ctx.paths, "unpause", rec);
    return {};
}

std::vector<std::string> dependent_containers(Context& ctx, ContainerRecord const& rec)
{
    std::vector<std::string> out;
    auto cs = container_records(ctx);
    auto all = cs ? cs->list() : Result<std::vector<ContainerRecord>>(Error::msg(""));
    if (!all)
        return out;
    std::set<std::string> visiting;
    std::function<void(std::string const&)> visit = [&](std::string const& id) {
        if (!visiting.insert(id).second)
            return;
        for (auto const& c : *all) {
            auto it = c.config.find("requires");
            if (it == c.config.end() || !it->is_array() || std::find(it->begin(), it->end(), Json(id)) == it->end())
                continue;
            visit(c.id);  // what requires it goes first
            if (std::find(out.begin(), out.end(), c.id) == out.end())
                out.push_back(c.id);
        }
    };
    visit(rec.id);
    return out;
}

ErrorOr remove_with_dependents(Context& ctx, ContainerRecord const& rec, RemoveOptions const& options, bool depend,
    std::vector<std::string>& removed)
{
    auto dependents = dependent_containers(ctx, rec);
    if (!dependents.empty() && !depend) {
        std::string ids;
        for (auto const& id : dependents)
            ids += (ids.empty() ? "" : ",") + id;
        return Error { EEXIST, "container " + rec.id + " has dependent containers which must be removed before it: " + ids
            + ": container already exists" };
    }
    for (auto const& id : dependents) {
        auto dependent = find_container(ctx, id);
        if (!dependent)
            continue;  // removed meanwhile
        TRY(remove_container(ctx, *dependent, options));
        removed.push_back(id);
    }
    TRY(remove_container(ctx, rec, options));
    removed.push_back(rec.id);
    return {};
}

ErrorOr remove_container(Context& ctx, ContainerRecord const& given, RemoveOptions const& options)
{
    ContainerRecord rec = given;
    if (!options.with_pod)
        if (auto pod = TRY(pod_of_infra(ctx, rec)))
            return Error { EPERM, "container " + rec.id + " is the infra container of pod " + pod->id
                    + " and cannot be removed without removing the pod" };
    if (is_active(rec.state)) {
        // It may have exited since it was looked up (rm -f of several sends
        // every stop signal first): no signal for a pid it no longer owns.
        if (auto fresh = find_container(ctx, rec.id))
            rec = *fresh;
    }
    auto cs = TRY(container_records(ctx));
    std::optional<FileLock> lock;
    // Twice at most: a container found running under the lock (a start that
    // was interrupted, or one that raced us) is stopped once more with -f.
    for (int attempt = 0;; ++attempt) {
        if (is_active(rec.state)) {
            if (!options.force)
                return Error { EBUSY, "cannot remove container " + rec.id + " as it is running - running or paused containers cannot be removed without force: container state improper" };
            TRY(stop_container(ctx, rec, options.timeout));
        }
        lock = TRY(cs.lock(rec.id));
        auto now = TRY(cs.get(rec.id));
        if (!now) // removed meanwhile (--rm, or another rm): done, like Podman
            return {};
        // A created record may have a running container: its start's CLI was
        // killed after the monitor took over (the lock waited for that).
        adopt_interrupted_start(ctx, cs, *now);
        if (!is_active(now->state) || !process_alive(now->pid))
            break;
        rec = *now;
        if (attempt > 0)
            return Error { EBUSY, "cannot remove container " + rec.id + " as it is running: it was started again meanwhile" };
        lock.reset();
    }
    TRY(container::remove_container(cs, rec.id));
    if (options.volumes) {
        auto vs = TRY(container::VolumeStore::open(ctx.store->database(), ctx.paths.layout()));
        for (auto const& v : rec.volumes)
            if (v.anonymous)
                (void)vs.remove(v.volume);
    }
    record_container_event(ctx.paths, "remove", rec);
    return {};
}

ErrorOr rename_container(Context& ctx, ContainerRecord const& rec, std::string const& new_name)
{
    bool valid = !new_name.empty() && std::isalnum(static_cast<unsigned char>(new_name[0]))
        && std::all_of(new_name.begin(), new_name.end(), [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
           });
    if (!valid)
        return Error { EINVAL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument" };
    auto cs = TRY(container_records(ctx));
    auto lock = TRY(cs.lock(rec.id));
    if (new_name == rec.name)
        return {};
    if (TRY(cs.name_in_use(new_name)))
        return Error { EEXIST, "the container name \"" + new_name + "\" is already in use: remove that container or choose another name" };
    auto& db = ctx.store->database();
    auto txn = TRY(db.begin());
    auto stmt = TRY(db.prepare("UPDATE containers SET name = ?2 WHERE id = ?1"));
    stmt.bind(1, rec.id).bind(2, new_name);
    TRY_CTX(stmt.run(), "rename container " + rec.name);
    if (db.changes() == 0)
        return Error { ENOENT, "no container with ID \"" + rec.id + "\" found: no such container" };
    TRY(txn.commit());
    auto renamed = rec;
    renamed.name = new_name;
    record_container_event(ctx.paths, "rename", renamed, { { "oldName", rec.name } });
    return {};
}

} // namespace berth::engine
