// Host facts for `berth info`. Field names follow `podman info` where it has
// one (cgroupVersion, uidmap entries as container_id/host_id/size), so tools
// written against Podman's output keep working.
#include "rootless/host_info.h"

#include "base/command.h"
#include "base/fs.h"
#include "rootless/subid.h"
#include "rootless/userns.h"

#include <linux/magic.h>
#include <pwd.h>
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

} // namespace

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
    return Json {
        { "rootless", paths.rootless },
        { "uidmap", id_map_json(paths, true) },
        { "gidmap", id_map_json(paths, false) },
        { "kernel", uts.release },
        { "os", "linux" },
        { "arch", go_arch(uts.machine) },
        { "hostname", uts.nodename },
        { "distribution", distribution_json() },
        { "cgroupVersion", cgroup_version() },
        { "helpers", std::move(helpers) },
    };
}

} // namespace berth::rootless
