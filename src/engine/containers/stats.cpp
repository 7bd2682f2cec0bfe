// top and stats from /proc and cgroup v2. See stats.h.
#include "engine/containers/stats.h"

#include "base/fs.h"
#include "base/process_stat.h"
#include "engine/containers/lifecycle.h"
#include "runtime/cgroups.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::engine {

namespace {

struct Proc {
    int host_pid = 0;
    int pid = 0;          ///< in the container's pid namespace
    int ppid = 0;         ///< in the container's pid namespace (0 for init)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string comm;
    std::string args;
    std::string state;
    int64_t utime = 0, stime = 0, start = 0;  ///< clock ticks
    int64_t rss_pages = 0, vsize = 0;
    int tty_nr = 0;
    int nice = 0;
};

std::string proc_path(int pid, char const* file) { return "/proc/" + std::to_string(pid) + "/" + file; }

/// The last NSpid (or PPid mapping) value: the pid as the innermost namespace sees it.
int last_field(std::string const& line)
{
    std::istringstream in(line);
    std::string word;
    int value = 0;
    while (in >> word)
        if (std::isdigit(static_cast<unsigned char>(word[0])))
            value = std::atoi(word.c_str());
    return value;
}

std::optional<Proc> read_proc(int pid)
{
    auto stat = read_process_stat(pid);
    auto status = fs::read_file(proc_path(pid, "status"));
    if (!stat || !status)
        return std::nullopt;
    Proc p;
    p.host_pid = p.pid = pid;
    p.comm = stat->comm;
    p.state = std::string(1, stat->state);
    p.ppid = stat->ppid;
    p.tty_nr = stat->tty_nr;
    p.utime = stat->utime;
    p.stime = stat->stime;
    p.nice = stat->nice;
    p.start = stat->start_time;
    p.vsize = stat->vsize;
    p.rss_pages = stat->rss_pages;
    std::istringstream lines(*status);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("NSpid:", 0) == 0)
            p.pid = last_field(line);
        else if (line.rfind("Uid:", 0) == 0)
            std::sscanf(line.c_str(), "Uid: %*u %u", &p.uid);
        else if (line.rfind("Gid:", 0) == 0)
            std::sscanf(line.c_str(), "Gid: %*u %u", &p.gid);
    }
    if (auto cmdline = fs::read_file(proc_path(pid, "cmdline")); cmdline && !cmdline->empty()) {
        std::string args = *cmdline;
        while (!args.empty() && args.back() == '\0')
            args.pop_back();
        for (auto& c : args)
            if (c == '\0')
                c = ' ';
        p.args = args;
    } else {
        p.args = "[" + p.comm + "]";
    }
    return p;
}

/// uid -> name from the container's /etc/passwd (through /proc/PID/root).
std::map<uid_t, std::string> read_names(int init, char const* file)
{
    std::map<uid_t, std::string> out;
    auto text = fs::read_file(proc_path(init, "root") + "/etc/" + file);
    if (!text)
        return out;
    std::istringstream in(*text);
    for (std::string line; std::getline(in, line);) {
        auto c1 = line.find(':');
        auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
        auto c3 = c2 == std::string::npos ? c2 : line.find(':', c2 + 1);
        if (c3 == std::string::npos)
            continue;
        out.emplace(static_cast<uid_t>(std::atoll(line.substr(c2 + 1, c3 - c2 - 1).c_str())), line.substr(0, c1));
    }
    return out;
}

/// The host's process uid as seen inside the container's user namespace: /proc shows it from ours already.
std::string go_duration(double seconds)
{
    // Go's time.Duration String(): "3.766048637s", "1m2.5s", "1h0m0s".
    char buf[64];
    if (seconds < 60) {
        std::snprintf(buf, sizeof buf, "%.9f", seconds);
        std::string s = buf;
        while (s.back() == '0')
            s.pop_back();
        if (s.back() == '.')
            s.pop_back();
        return s + "s";
    }
    auto total = static_cast<int64_t>(seconds);
    int64_t h = total / 3600, m = total % 3600 / 60;
    double sec = seconds - static_cast<double>(h * 3600 + m * 60);
    std::string rest = go_duration(sec);
    if (h > 0)
        return std::to_string(h) + "h" + std::to_string(m) + "m" + rest;
    return std::to_string(m) + "m" + rest;
}

double uptime_seconds()
{
    auto text = fs::read_file("/proc/uptime");
    return text ? std::atof(text->c_str()) : 0;
}

std::string tty_name(int tty_nr)
{
    if (tty_nr == 0)
        return "?";
    int major = (tty_nr >> 8) & 0xfff, minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    if (major == 136)
        return "pts/" + std::to_string(minor);
    return "tty" + std::to_string(minor);
}

struct Descriptor {
    char const* name;
    char const* header;
};
constexpr Descriptor descriptors_known[] = { { "args", "COMMAND" }, { "capamb", "AMBIENT CAPS" }, { "comm", "COMMAND" },
    { "etime", "ELAPSED" }, { "group", "GROUP" }, { "nice", "NI" }, { "pcpu", "%CPU" }, { "pgid", "PGID" }, { "pid", "PID" },
    { "ppid", "PPID" }, { "rgroup", "RGROUP" }, { "ruser", "RUSER" }, { "state", "STATE" }, { "time", "TIME" }, { "tty", "TTY" },
    { "user", "USER" }, { "vsz", "VSZ" }, { "rss", "RSS" }, { "hpid", "HPID" }, { "huser", "HUSER" }, { "uid", "UID" } };
constexpr std::pair<char const*, char const*> aliases[] = { { "%cpu", "pcpu" }, { "cmd", "args" }, { "command", "args" },
    { "ucomm", "comm" }, { "stat", "state" }, { "s", "state" } };

} // namespace

Result<std::vector<std::vector<std::string>>> top_table(container::ContainerRecord const& rec, std::vector<std::string> const& given)
{
    std::vector<std::string> wanted;
    for (auto const& g : given) {
        std::string word;
        std::istringstream in(g);
        while (std::getline(in, word, ',')) {
            std::string w;
            for (char c : word)
                if (c != ' ')
                    w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (w.empty())
                continue;
            for (auto const& [alias, target] : aliases)
                if (w == alias)
                    w = target;
            bool known = false;
            for (auto const& d : descriptors_known)
                known = known || w == d.name;
            if (!known)
                return Error { EINVAL, "unknown descriptor: " + word + ": use user, pid, ppid, pcpu, etime, tty, time, args, comm, group, nice, pgid, state, vsz, rss, hpid, huser, uid" };
            wanted.push_back(w);
        }
    }
    if (wanted.empty())
        wanted = { "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args" };
    std::vector<std::vector<std::string>> table;
    std::vector<std::string> header;
    for (auto const& w : wanted)
        for (auto const& d : descriptors_known)
            if (w == d.name)
                header.push_back(d.header);
    table.push_back(header);
    auto pids = container_pids(rec.pid);
    if (pids.empty())
        return Error { EINVAL, "top can only be used on running containers" };
    auto users = read_names(pids.front(), "passwd");
    auto groups = read_names(pids.front(), "group");
    long ticks = ::sysconf(_SC_CLK_TCK);
    double now = uptime_seconds();
    std::map<int, int> host_to_ns;
    std::vector<Proc> procs;
    for (int pid : pids)
        if (auto p = read_proc(pid)) {
            host_to_ns[pid] = p->pid;
            procs.push_back(std::move(*p));
        }
    for (auto const& p : procs) {
        std::vector<std::string> row;
        double age = now - static_cast<double>(p.start) / static_cast<double>(ticks);
        double cpu_seconds = static_cast<double>(p.utime + p.stime) / static_cast<double>(ticks);
        auto name_of = [](auto const& names, unsigned id) {
            auto it = names.find(id);
            return it == names.end() ? std::to_string(id) : it->second;
        };
        for (auto const& w : wanted) {
            char buf[64];
            if (w == "user" || w == "ruser")
                row.push_back(name_of(users, p.uid));
            else if (w == "group" || w == "rgroup")
                row.push_back(name_of(groups, p.gid));
            else if (w == "uid")
                row.push_back(std::to_string(p.uid));
            else if (w == "pid")
                row.push_back(std::to_string(p.pid));
            else if (w == "hpid")
                row.push_back(std::to_string(p.host_pid));
            else if (w == "huser") {
                struct stat st {};
                row.push_back(::stat(proc_path(p.host_pid, "").c_str(), &st) == 0 ? std::to_string(st.st_uid) : "?");
            } else if (w == "ppid")
                row.push_back(std::to_string(host_to_ns.count(p.ppid) ? host_to_ns[p.ppid] : 0));
            else if (w == "pgid")
                row.push_back(std::to_string(p.pid));
            else if (w == "pcpu") {
                std::snprintf(buf, sizeof buf, "%.3f", age > 0 ? 100.0 * cpu_seconds / age : 0.0);
                row.push_back(buf);
            } else if (w == "etime")
                row.push_back(go_duration(age > 0 ? age : 0));
            else if (w == "time")
                row.push_back(go_duration(std::floor(cpu_seconds)));
            else if (w == "tty")
                row.push_back(tty_name(p.tty_nr));
            else if (w == "args")
                row.push_back(p.args);
            else if (w == "comm")
                row.push_back(p.comm);
            else if (w == "nice")
                row.push_back(std::to_string(p.nice));
            else if (w == "state")
                row.push_back(p.state);
            else if (w == "vsz")
                row.push_back(std::to_string(p.vsize / 1024));
            else if (w == "rss")
                row.push_back(std::to_string(p.rss_pages * ::sysconf(_SC_PAGESIZE) / 1024));
            else
                row.push_back("-");
        }
        table.push_back(std::move(row));
    }
    return table;
}

namespace {

int64_t read_number(std::string const& path, int64_t fallback = 0)
{
    auto text = fs::read_file(path);
    if (!text || text->empty() || !std::isdigit(static_cast<unsigned char>((*text)[0])))
        return fallback;
    return std::atoll(text->c_str());
}

int64_t host_cpu_ns()
{
    auto text = fs::read_file("/proc/stat");
    if (!text)
        return 0;
    std::istringstream in(text->substr(0, text->find('\n')));
    std::string cpu;
    in >> cpu;
    int64_t total = 0;
    for (int64_t v; in >> v;)
        total += v;
    return total * (1000000000 / ::sysconf(_SC_CLK_TCK));
}

} // namespace

namespace {

Result<StatsSample> sample_stats(container::ContainerRecord const& rec, ProcessTable const& table)
{
    auto pids = container_pids(rec.pid, table);
    if (pids.empty())
        return Error { EINVAL, "container " + rec.name + " is not running" };
    StatsSample s;
    struct timespec ts {};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    s.when_ns = static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    s.system_ns = host_cpu_ns();
    long ticks = ::sysconf(_SC_CLK_TCK);
    int64_t page = ::sysconf(_SC_PAGESIZE);
    s.memory_limit = static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * page;
    for (int pid : pids) {
        auto p = read_proc(pid);
        if (!p)
            continue;
        ++s.pids;
        s.cpu_ns += (p->utime + p->stime) * (1000000000 / ticks);
        s.memory += p->rss_pages * page;
        if (auto io = fs::read_file(proc_path(pid, "io"))) {
            std::istringstream in(*io);
            for (std::string line; std::getline(in, line);) {
                if (line.rfind("read_bytes:", 0) == 0)
                    s.block_read += std::atoll(line.c_str() + 11);
                else if (line.rfind("write_bytes:", 0) == 0)
                    s.block_write += std::atoll(line.c_str() + 12);
            }
        }
    }
    if (auto dir = runtime::cgroups::container_cgroup_dir(rec.pid)) {
        if (auto usage = fs::read_file(*dir + "/cpu.stat")) {
            auto pos = usage->find("usage_usec ");
            if (pos != std::string::npos)
                s.cpu_ns = std::atoll(usage->c_str() + pos + 11) * 1000;
        }
        s.memory = read_number(*dir + "/memory.current", s.memory);
        s.memory_limit = read_number(*dir + "/memory.max", s.memory_limit);
        s.pids = read_number(*dir + "/pids.current", s.pids);
    }
    return s;
}

} // namespace

Result<StatsSample> sample_stats(container::ContainerRecord const& rec)
{
    return sample_stats(rec, read_process_table());
}

std::vector<Result<StatsSample>> sample_stats(std::vector<container::ContainerRecord const*> const& records)
{
    auto table = read_process_table();
    std::vector<Result<StatsSample>> out;
    for (auto const* rec : records)
        out.push_back(sample_stats(*rec, table));
    return out;
}

} // namespace berth::engine
