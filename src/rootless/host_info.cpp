// Host facts for `berth info`. Field names follow `podman info` where it has
// one (cgroupVersion, uidmap entries as container_id/host_id/size), so tools
// written against Podman's output keep working.
#include "rootless/host_info.h"

#include "base/command.h"
#include "base/fs.h"
#include "rootless/subid.h"
#include "rootless/userns.h"

#include <cmath>
#include <cstdio>
#include <linux/magic.h>
#include <pwd.h>
#include <sched.h>
#include <sstream>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace berth::rootless {

namespace {

Json mapping_json(std::vector<IdMapping> const& map)
{
    Json out = Json::array();
    for (auto const& m : map)
        out.push_back({ { "container_id", m.container_id }, { "host_id", m.host_id }, { "size", m.size } });
    return out;
}

// The map in effect, or for a rootless user still outside, the one enter() would install.
Json id_map_json(Paths const& paths, bool uids)
{
    std::string proc_file = uids ? "/proc/self/uid_map" : "/proc/self/gid_map";
    if (!paths.rootless || inside_user_namespace())
        return mapping_json(read_id_map(proc_file).value_or(std::vector<IdMapping> {}));
    uint32_t id = uids ? paths.uid : paths.gid;
    std::string user;
    if (struct passwd* pw = ::getpwuid(paths.uid))
        user = pw->pw_name;
    auto ranges = subordinate_ranges(uids ? "/etc/subuid" : "/etc/subgid", user, paths.uid);
    return mapping_json(build_mappings(id, ranges.value_or(std::vector<IdMapping> {})));
}

// ID and VERSION_ID from /etc/os-release.
Json distribution_json()
{
    Json out = Json::object();
    auto text = fs::read_file("/etc/os-release");
    if (!text)
        text = fs::read_file("/usr/lib/os-release");
    if (!text)
        return out;
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        size_t eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\''))
            value = value.substr(1, value.size() - 2);
        if (key == "ID")
            out["distribution"] = value;
        else if (key == "VERSION_ID")
            out["version"] = value;
        else if (key == "VERSION_CODENAME")
            out["codename"] = value;
    }
    return out;
}

// {"path", "version"} for a helper that answers --version, or null when absent.
Json helper_json(std::string const& name)
{
    auto path = find_program(name);
    if (!path)
        return nullptr;
    Json out = { { "path", *path } };
    auto result = run_command({ *path, "--version" }, std::chrono::seconds(2));
    if (result && !result->timed_out) {
        std::string version = version_line(name, result->out, result->err);
        if (!version.empty())
            out["version"] = version;
    }
    return out;
}

// Podman lists id mappings only for rootless; for root both are empty (null
// in Podman's JSON, [] in its templates: empty arrays read the same to both).
Json id_mappings_json(Paths const& paths)
{
    if (!paths.rootless)
        return { { "uidmap", Json::array() }, { "gidmap", Json::array() } };
    return { { "uidmap", id_map_json(paths, true) }, { "gidmap", id_map_json(paths, false) } };
}

// Go's runtime.NumCPU: the CPUs this process may run on.
int online_cpus()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0)
        return CPU_COUNT(&set);
    long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? static_cast<int>(n) : 1;
}

std::string trim_trailing_breaks(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

// dpkg -S answers "pkg[:arch]: /path" per owned path; dpkg-query names the
// packages as Podman does (Package_Version_Architecture).
std::map<std::string, std::string> dpkg_packages(std::string const& dpkg, std::vector<std::string> const& paths)
{
    std::map<std::string, std::string> owner;  // path -> package
    std::vector<std::string> argv = { dpkg, "-S" };
    argv.insert(argv.end(), paths.begin(), paths.end());
    auto search = run_command(argv, std::chrono::seconds(5));
    if (!search || search->timed_out)
        return {};
    std::istringstream lines(search->out);
    std::string line;
    std::vector<std::string> query = { "/usr/bin/dpkg-query", "-W", "-f", "${Package} ${Package}_${Version}_${Architecture}\\n" };
    while (std::getline(lines, line)) {
        size_t sep = line.find(": ");
        if (sep == std::string::npos)
            continue;
        std::string package = line.substr(0, line.find_first_of(":,"));
        owner[line.substr(sep + 2)] = package;
        query.push_back(package);
    }
    std::map<std::string, std::string> names;  // package -> full name
    if (query.size() > 4) {
        if (auto r = run_command(query, std::chrono::seconds(5)); r && !r->timed_out) {
            std::istringstream in(r->out);
            while (std::getline(in, line))
                if (size_t sp = line.find(' '); sp != std::string::npos)
                    names[line.substr(0, sp)] = line.substr(sp + 1);
        }
    }
    std::map<std::string, std::string> out;
    for (auto const& [path, package] : owner)
        if (auto it = names.find(package); it != names.end())
            out[path] = it->second;
    return out;
}

} // namespace

std::string uptime_text(double seconds)
{
    double whole = std::floor(seconds);
    double hours = std::floor(whole / 3600);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.0fh %.0fm %.2fs", hours, std::fmod(std::floor(whole / 60), 60), std::fmod(whole, 60));
    std::string out = buf;
    if (hours > 0) {
        std::snprintf(buf, sizeof buf, " (Approximately %.2f days)", hours / 24);
        out += buf;
    }
    return out;
}

Json cpu_utilization(std::string const& proc_stat)
{
    std::istringstream in(first_line(proc_stat));
    std::string label;
    double user = 0, nice = 0, system = 0, idle = 0;
    in >> label >> user >> nice >> system >> idle;
    double total = user + system + idle;
    auto percent = [total](double part) { return total > 0 ? std::round(part / total * 100 * 100) / 100 : 0.0; };
    return { { "userPercent", percent(user) }, { "systemPercent", percent(system) }, { "idlePercent", percent(idle) } };
}

Json memory_info(std::string const& meminfo)
{
    Json out = { { "memTotal", 0 }, { "memFree", 0 }, { "swapTotal", 0 }, { "swapFree", 0 } };
    std::istringstream in(meminfo);
    std::string key;
    int64_t kib = 0;
    std::string unit;
    while (in >> key >> kib) {
        std::getline(in, unit);
        static std::pair<char const*, char const*> const fields[] = {
            { "MemTotal:", "memTotal" }, { "MemFree:", "memFree" }, { "SwapTotal:", "swapTotal" }, { "SwapFree:", "swapFree" } };
        for (auto const& [name, field] : fields)
            if (key == name)
                out[field] = kib * 1024;
    }
    return out;
}

std::map<std::string, std::string> owning_packages(std::vector<std::string> const& paths)
{
    std::map<std::string, std::string> out;
    if (paths.empty())
        return out;
    if (::access("/usr/bin/dpkg", X_OK) == 0) {
        out = dpkg_packages("/usr/bin/dpkg", paths);
    } else if (::access("/usr/bin/rpm", X_OK) == 0) {
        for (auto const& path : paths) {
            auto r = run_command({ "/usr/bin/rpm", "-q", "-f", path }, std::chrono::seconds(5));
            if (r && !r->timed_out && r->exit_code == 0)
                out[path] = first_line(r->out);
        }
    }
    for (auto const& path : paths)
        out.try_emplace(path, "Unknown");
    return out;
}

std::string version_output(std::string const& path)
{
    auto r = run_command({ path, "--version" }, std::chrono::seconds(2));
    if (!r || r->timed_out)
        return "";
    return trim_trailing_breaks(r->out.empty() ? r->err : r->out);
}

std::string cgroup_version(std::string const& mount_point)
{
    struct statfs st {};
    if (::statfs(mount_point.c_str(), &st) < 0)
        return "v1";
    if (st.f_type == CGROUP2_SUPER_MAGIC)
        return "v2";
    if (st.f_type == TMPFS_MAGIC && fs::is_dir(fs::join(mount_point, "unified")))
        return "hybrid";
    return "v1";
}

std::string version_line(std::string const& program, std::string const& out, std::string const& err)
{
    for (std::string const* text : { &out, &err }) {
        std::istringstream in(*text);
        std::string line;
        while (std::getline(in, line)) {
            std::string trimmed = first_line(line);
            if (trimmed.rfind(program, 0) == 0)
                return trimmed;
        }
    }
    std::string line = first_line(out);
    return line.empty() ? first_line(err) : line;
}

std::string go_arch(std::string const& machine)
{
    if (machine == "x86_64") return "amd64";
    if (machine == "aarch64" || machine == "arm64") return "arm64";
    if (machine == "i386" || machine == "i686") return "386";
    if (machine.rfind("armv", 0) == 0) return "arm";
    if (machine == "ppc64le") return "ppc64le";
    if (machine == "s390x") return "s390x";
    if (machine == "riscv64") return "riscv64";
    return machine;
}

Json host_info(Paths const& paths)
{
    struct utsname uts {};
    ::uname(&uts);
    Json helpers = Json::object();
    for (char const* name : { "newuidmap", "newgidmap" }) {
        if (auto path = find_program(name))
            helpers[name] = *path;
    }
    for (char const* name : { "fuse-overlayfs", "slirp4netns", "pasta", "runc" }) {
        if (Json h = helper_json(name); !h.is_null())
            helpers[name] = std::move(h);
    }
    Json out = memory_info(fs::read_file("/proc/meminfo").value_or(""));
    out.update(Json {
        { "rootless", paths.rootless },
        { "uidmap", id_map_json(paths, true) },
        { "gidmap", id_map_json(paths, false) },
        { "kernel", uts.release },
        { "os", "linux" },
        { "arch", go_arch(uts.machine) },
        { "hostname", uts.nodename },
        { "distribution", distribution_json() },
        { "cgroupVersion", cgroup_version() == "v2" ? "v2" : "v1" },
        { "helpers", std::move(helpers) },
        { "idMappings", id_mappings_json(paths) },
        { "cpus", online_cpus() },
        { "uptime", uptime_text(std::atof(fs::read_file("/proc/uptime").value_or("0").c_str())) },
        { "cpuUtilization", cpu_utilization(fs::read_file("/proc/stat").value_or("")) },
    });
    return out;
}

} // namespace berth::rootless
