// cgroup v2 resource control: flag parsing, OCI linux.resources, the v2
// files, the delegation probe and the per-container cgroup.
//
// The hard part is the probe (see cgroups.h): a cgroup2 mount alone means
// nothing on a hybrid host, where it carries no memory/cpu/pids controller.
// We require the controllers in the parent's cgroup.subtree_control and write
// access to the parent, which is what systemd's delegation (user@.service) or
// root gives. Containers get a leaf "berth-<name>" directly under that parent;
// a leaf has no children, so the "no internal processes" rule never bites.
// Empty leaves of exited containers are removed by the next container
// (rmdir of a populated cgroup fails with EBUSY, so a live one is safe).
#include "runtime/cgroups.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/unique_fd.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime::cgroups {

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

/// "1.5" -> 1.5; false on anything but digits and at most one dot.
bool parse_decimal(std::string_view s, double& out)
{
    if (s.empty() || s.find_first_not_of("0123456789.") != std::string_view::npos)
        return false;
    if (std::count(s.begin(), s.end(), '.') > 1 || s == ".")
        return false;
    out = std::strtod(std::string(s).c_str(), nullptr);
    return true;
}

ErrorOr write_at(int dir_fd, std::string const& name, std::string const& value)
{
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC));
    if (!fd.valid())
        return Error::from_errno("cgroup: open " + name);
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        return Error::from_errno("cgroup: write " + value + " to " + name);
    return {};
}

std::string number_or_max(int64_t value)
{
    return value < 0 ? "max" : std::to_string(value);
}

/// Removes the empty "berth-*" cgroups left beside `path` by exited containers.
void remove_stale_siblings(std::string const& path)
{
    auto slash = path.rfind('/');
    std::string parent = path.substr(0, slash);
    DIR* dir = ::opendir(parent.c_str());
    if (!dir)
        return;
    while (auto* entry = ::readdir(dir)) {
        std::string_view name = entry->d_name;
        if (entry->d_type == DT_DIR && name.rfind("berth-", 0) == 0)
            ::rmdir((parent + "/" + std::string(name)).c_str());  // EBUSY while populated: kept
    }
    ::closedir(dir);
}

} // namespace

Result<int64_t> parse_size(std::string_view text)
{
    auto bad = Error { EINVAL, "invalid size \"" + std::string(text) + "\": use a number with an optional unit b, k, m, g, t (e.g. 512m)" };
    std::string s = lower(text);
    size_t unit_at = s.find_first_not_of("0123456789.");
    double number = 0;
    if (!parse_decimal(std::string_view(s).substr(0, unit_at), number))
        return bad;
    std::string unit = unit_at == std::string::npos ? "" : s.substr(unit_at);
    if (unit.size() == 2 && unit[1] == 'b' && unit[0] != 'b')
        unit.pop_back();  // "mb" -> "m"
    double scale = 1;
    if (unit.empty() || unit == "b")
        scale = 1;
    else if (unit == "k")
        scale = 1024.0;
    else if (unit == "m")
        scale = 1024.0 * 1024;
    else if (unit == "g")
        scale = 1024.0 * 1024 * 1024;
    else if (unit == "t")
        scale = 1024.0 * 1024 * 1024 * 1024;
    else
        return bad;
    double bytes = number * scale;
    if (bytes >= 9.2e18)
        return bad;
    return static_cast<int64_t>(bytes);
}

Result<int64_t> parse_swap(std::string_view text)
{
    if (text == "-1")
        return -1;
    return parse_size(text);
}

Result<int64_t> parse_cpus(std::string_view text, uint64_t period)
{
    double cpus = 0;
    if (!parse_decimal(text, cpus) || cpus > 1e6)
        return Error { EINVAL, "invalid --cpus \"" + std::string(text) + "\": use a decimal number of CPUs, e.g. 1.5" };
    return static_cast<int64_t>(std::llround(cpus * static_cast<double>(period)));
}

std::string cpu_max(std::optional<int64_t> quota, uint64_t period)
{
    std::string q = quota && *quota > 0 ? std::to_string(*quota) : "max";
    return q + " " + std::to_string(period);
}

uint64_t shares_to_weight(uint64_t shares)
{
    if (shares == 0)
        return 100;
    shares = std::clamp<uint64_t>(shares, 2, 262144);
    return 1 + ((shares - 2) * 9999) / 262142;
}

Json to_oci(Resources const& r)
{
    Json out = Json::object();
    if (r.memory)
        out["memory"]["limit"] = *r.memory;
    if (r.memory_swap)
        out["memory"]["swap"] = *r.memory_swap;
    if (r.cpu_quota) {
        out["cpu"]["quota"] = *r.cpu_quota;
        out["cpu"]["period"] = r.cpu_period;
    }
    if (r.cpu_shares)
        out["cpu"]["shares"] = *r.cpu_shares;
    if (r.pids)
        out["pids"]["limit"] = *r.pids;
    return out;
}

Result<Resources> from_oci(Json const& j)
{
    Resources r;
    if (j.is_null())
        return r;
    if (!j.is_object())
        return Error::msg("linux.resources: expected an object");
    auto integer = [&](char const* section, char const* key, auto& field) -> ErrorOr {
        if (!j.contains(section) || !j.at(section).is_object() || !j.at(section).contains(key))
            return {};
        auto const& v = j.at(section).at(key);
        if (!v.is_number_integer())
            return Error::msg(std::string("linux.resources.") + section + "." + key + ": expected an integer");
        field = v.get<typename std::remove_reference_t<decltype(field)>::value_type>();
        return {};
    };
    TRY(integer("memory", "limit", r.memory));
    TRY(integer("memory", "swap", r.memory_swap));
    TRY(integer("cpu", "quota", r.cpu_quota));
    TRY(integer("cpu", "shares", r.cpu_shares));
    TRY(integer("pids", "limit", r.pids));
    std::optional<uint64_t> period;
    TRY(integer("cpu", "period", period));
    if (period && *period > 0)
        r.cpu_period = *period;
    return r;
}

std::vector<std::pair<std::string, std::string>> v2_files(Resources const& r)
{
    std::vector<std::pair<std::string, std::string>> files;
    if (r.memory)
        files.emplace_back("memory.max", number_or_max(*r.memory));
    if (r.memory_swap) {
        // OCI/Docker give memory+swap; v2's memory.swap.max is the swap alone.
        int64_t swap = *r.memory_swap;
        if (swap > 0 && r.memory && *r.memory > 0)
            swap = std::max<int64_t>(0, swap - *r.memory);
        files.emplace_back("memory.swap.max", number_or_max(swap));
    }
    if (r.cpu_quota)
        files.emplace_back("cpu.max", cpu_max(r.cpu_quota, r.cpu_period));
    if (r.cpu_shares)
        files.emplace_back("cpu.weight", std::to_string(shares_to_weight(*r.cpu_shares)));
    if (r.pids)
        files.emplace_back("pids.max", *r.pids <= 0 ? "max" : std::to_string(*r.pids));
    return files;
}

std::vector<std::string> controllers_needed(Resources const& r)
{
    std::vector<std::string> out;
    if (r.memory || r.memory_swap)
        out.push_back("memory");
    if (r.cpu_quota || r.cpu_shares)
        out.push_back("cpu");
    if (r.pids)
        out.push_back("pids");
    return out;
}

std::pair<std::string, bool> find_cgroup2_mount(std::string_view mountinfo)
{
    std::string v2;
    bool v1 = false;
    std::istringstream in { std::string(mountinfo) };
    for (std::string line; std::getline(in, line);) {
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER"
        auto dash = line.find(" - ");
        if (dash == std::string::npos)
            continue;
        std::istringstream pre(line.substr(0, dash)), post(line.substr(dash + 3));
        std::string id, parent, dev, root, mount_point, fstype;
        pre >> id >> parent >> dev >> root >> mount_point;
        post >> fstype;
        if (fstype == "cgroup2" && v2.empty())
            v2 = mount_point;
        else if (fstype == "cgroup")
            v1 = true;
    }
    return { v2, v1 };
}

std::string v2_path_from_proc(std::string_view proc_cgroup)
{
    std::istringstream in { std::string(proc_cgroup) };
    for (std::string line; std::getline(in, line);)
        if (line.rfind("0::", 0) == 0)
            return line.substr(3);
    return "";
}

Availability probe(std::string const& parent)
{
    Availability a;
    auto mountinfo = fs::read_file("/proc/self/mountinfo");
    auto own = fs::read_file("/proc/self/cgroup");
    if (!mountinfo || !own) {
        a.reason = "cannot read /proc/self/mountinfo or /proc/self/cgroup";
        return a;
    }
    std::tie(a.mount, a.hybrid) = find_cgroup2_mount(*mountinfo);
    a.own = v2_path_from_proc(*own);
    if (a.mount.empty()) {
        a.reason = "no delegated cgroup v2 hierarchy (cgroup v1 host)";
        return a;
    }
    std::string dir = parent_dir(a, parent);
    auto controllers = fs::read_file(dir + "/cgroup.subtree_control");
    std::string enabled = controllers ? " " + *controllers + " " : "";
    for (char const* c : { "memory", "cpu", "pids" }) {
        if (enabled.find(std::string(" ") + c + " ") == std::string::npos && enabled.find(std::string(" ") + c + "\n") == std::string::npos) {
            a.reason = a.hybrid ? "no delegated cgroup v2 hierarchy (cgroup v1/v2 hybrid host)"
                                : "cgroup v2 controller " + std::string(c) + " not enabled in " + dir + "/cgroup.subtree_control";
            return a;
        }
    }
    if (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/cgroup.procs").c_str(), W_OK) != 0) {
        a.reason = "no delegated cgroup v2 hierarchy (" + dir + " is not writable)";
        return a;
    }
    a.available = true;
    return a;
}

Json info()
{
    Availability a = probe();
    std::string version = a.mount.empty() ? "v1" : (a.hybrid ? "v1/v2 hybrid" : "v2");
    Json out { { "version", version }, { "resourceControl", a.available } };
    if (!a.available)
        out["reason"] = a.reason;
    // The controllers containers get: those enabled for the cgroups berth makes.
    Json controllers = Json::array();
    if (a.available) {
        std::istringstream in(fs::read_file(parent_dir(a, "") + "/cgroup.subtree_control").value_or(""));
        for (std::string c; in >> c;)
            controllers.push_back(c);
    }
    out["controllers"] = controllers;
    return out;
}

std::string parent_dir(Availability const& a, std::string const& parent)
{
    std::string base;
    if (!parent.empty()) {
        base = parent[0] == '/' ? parent : "/" + parent;
    } else {
        base = a.own.empty() ? "/" : a.own;
        auto slash = base.rfind('/');
        base = slash == 0 ? "/" : base.substr(0, slash);
    }
    if (base.size() > 1 && base.back() == '/')
        base.pop_back();
    return a.mount + (base == "/" ? "" : base);
}

std::string cgroup_dir(Availability const& a, std::string const& parent, std::string const& name)
{
    return parent_dir(a, parent) + "/berth-" + name;
}

ErrorOr write_limits(int dir_fd, Resources const& resources)
{
    for (auto const& [file, value] : v2_files(resources))
        TRY(write_at(dir_fd, file, value));
    return {};
}

ErrorOr enter(std::string const& path, Resources const& resources, pid_t pid)
{
    remove_stale_siblings(path);
    if (::mkdir(path.c_str(), 0755) < 0 && errno != EEXIST)
        return Error::from_errno("cgroup: create " + path);
    UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid())
        return Error::from_errno("cgroup: open " + path);
    TRY_CTX(write_limits(dir.get(), resources), path);
    TRY_CTX(write_at(dir.get(), "cgroup.procs", std::to_string(pid)), path);
    log::debug("cgroup: container {} in {}", pid, path);
    return {};
}

ErrorOr place(Spec const& spec, pid_t pid)
{
    auto const& path = spec.linux_config.cgroups_path;
    Resources resources = TRY(from_oci(spec.linux_config.resources));
    if (resources.empty() && path.empty())
        return {};
    std::string leaf = path.empty() ? "berth-" + std::to_string(pid) : path;
    auto slash = leaf.rfind('/');
    std::string parent = slash == std::string::npos ? "" : (slash == 0 ? "/" : leaf.substr(0, slash));
    Availability a = probe(parent);
    if (!a.available) {
        log::debug("cgroup: not placing the container: {}", a.reason);
        return {};
    }
    std::string name = slash == std::string::npos ? leaf : leaf.substr(slash + 1);
    // FIXME: the cgroup namespace was made at clone, in our own cgroup, so the
    // container sees its cgroup as a child of its namespace root. clone3 with
    // CLONE_INTO_CGROUP (the cgroup created before clone) would make it "/".
    return enter(parent_dir(a, parent) + "/" + name, resources, pid);
}

std::optional<std::string> container_cgroup_dir(int64_t pid)
{
    // Read once a process: with many containers the mount table is long, and
    // stats asks for every container's directory twice.
    static std::optional<std::string> const mount = []() -> std::optional<std::string> {
        auto mountinfo = fs::read_file("/proc/self/mountinfo");
        if (!mountinfo)
            return std::nullopt;
        return find_cgroup2_mount(*mountinfo).first;
    }();
    auto cgroup = fs::read_file("/proc/" + std::to_string(pid) + "/cgroup");
    if (!mount || !cgroup)
        return std::nullopt;
    auto path = v2_path_from_proc(*cgroup);
    auto slash = path.rfind('/');
    if (mount->empty() || slash == std::string::npos || path.compare(slash + 1, 6, "berth-") != 0)
        return std::nullopt;
    return *mount + path;
}

} // namespace berth::runtime::cgroups
