// Path resolution for root and rootless berth. Inside berth's own user
// namespace the process is uid 0 but still a rootless user: the marker
// variable set by enter() says so, and /proc/self/uid_map gives back the host
// uid that names /tmp/berth-$UID. Files owned by the user show as uid 0 there,
// which is why ownership is compared against owner_uid (geteuid()), not uid.
#include "rootless/paths.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/sys.h"
#include "rootless/userns.h"

#include <cstdlib>
#include <cstring>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::rootless {

namespace {

// The host id that id 0 maps to in a uid_map/gid_map, or `fallback`.
uint32_t host_id_of_root(std::string const& map_file, uint32_t fallback)
{
    auto map = read_id_map(map_file);
    if (!map)
        return fallback;
    for (auto const& m : *map) {
        if (m.container_id == 0 && m.size > 0)
            return m.host_id;
    }
    return fallback;
}

std::string home_of(uid_t uid)
{
    if (char const* home = std::getenv("HOME"); home && *home)
        return home;
    if (struct passwd* pw = ::getpwuid(uid))
        return pw->pw_dir;
    return "/";
}

// An XDG variable is only honoured when absolute (XDG Base Directory spec).
std::string xdg(PathEnvironment const& env, std::string const& name, std::string const& fallback)
{
    auto it = env.vars.find(name);
    if (it != env.vars.end() && !it->second.empty() && it->second[0] == '/')
        return it->second;
    return fallback;
}

// mkdir -p with `mode` on every directory it creates.
ErrorOr ensure_dir(std::string const& path, mode_t mode)
{
    auto made = fs::mkdir_p(path, mode);
    if (!made && (made.error().code == EACCES || made.error().code == EPERM || made.error().code == EROFS))
        return Error { made.error().code, "create directory " + path + ": " + made.error().message
                + ": choose a --root/--runroot you can write, or fix the permissions of the directory" };
    TRY_CTX(std::move(made), "create directory " + path);
    return {};
}

// $XDG_RUNTIME_DIR if it is the user's private directory, else "".
std::string usable_xdg_runtime_dir(PathEnvironment const& env)
{
    std::string dir = xdg(env, "XDG_RUNTIME_DIR", "");
    if (dir.empty())
        return "";
    struct stat st {};
    if (::stat(dir.c_str(), &st) < 0) {
        log::debug("paths: XDG_RUNTIME_DIR {} is unusable: {}", dir, std::strerror(errno));
        return "";
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != env.owner_uid || (st.st_mode & 07777) != 0700) {
        log::debug("paths: XDG_RUNTIME_DIR {} is not a 0700 directory owned by uid {}", dir, env.uid);
        return "";
    }
    return dir;
}

Result<std::string> rootless_run_dir(PathEnvironment const& env)
{
    if (std::string xdg_dir = usable_xdg_runtime_dir(env); !xdg_dir.empty()) {
        std::string dir = fs::join(xdg_dir, "berth");
        TRY(ensure_private_dir(dir, env.owner_uid));
        return dir;
    }
    std::string dir = fs::join(env.tmp_dir, "berth-" + std::to_string(env.uid));
    TRY(ensure_private_dir(dir, env.owner_uid));
    return dir;
}

Result<Paths> resolve_root(std::string const& root_flag, std::string const& runroot_flag)
{
    Paths p;
    p.data_dir = root_flag.empty() ? "/var/lib/berth" : root_flag;
    p.run_dir = runroot_flag.empty() ? "/run/berth" : runroot_flag;
    p.config_dir = "/etc/containers";
    TRY(ensure_dir(p.data_dir, 0700));
    TRY(ensure_dir(p.run_dir, 0700));
    return p;
}

} // namespace

ErrorOr ensure_private_dir(std::string const& path, uid_t owner)
{
    if (::mkdir(path.c_str(), 0700) < 0 && errno != EEXIST)
        return Error::from_errno("create runtime directory " + path);
    struct stat st = TRY(sys::lstat(path));
    if (!S_ISDIR(st.st_mode))
        return Error { ENOTDIR, "runtime directory " + path + " is not a directory: remove it, or set XDG_RUNTIME_DIR" };
    if (st.st_uid != owner)
        return Error { EPERM,
            "runtime directory " + path + " is owned by uid " + std::to_string(st.st_uid) + ", not by you: "
                + "remove it, or set XDG_RUNTIME_DIR to a private directory of yours" };
    // umask may have narrowed it, or an old berth left it wider: make it exactly 0700.
    if ((st.st_mode & 07777) != 0700 && ::chmod(path.c_str(), 0700) < 0)
        return Error::from_errno("chmod 0700 " + path);
    return {};
}

PathEnvironment current_path_environment()
{
    PathEnvironment env;
    env.owner_uid = ::geteuid();
    if (::geteuid() != 0) {
        env.rootless = true;
        env.uid = ::geteuid();
        env.gid = ::getegid();
    } else if (std::getenv(userns_env_var) && inside_user_namespace()) {
        env.rootless = true;
        env.uid = host_id_of_root("/proc/self/uid_map", 0);
        env.gid = host_id_of_root("/proc/self/gid_map", 0);
    }
    env.home = home_of(env.uid);
    for (char const* name : { "XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME" }) {
        if (char const* value = std::getenv(name))
            env.vars[name] = value;
    }
    return env;
}

Result<Paths> resolve_paths(PathEnvironment const& env, std::string const& root_flag, std::string const& runroot_flag)
{
    if (!env.rootless)
        return resolve_root(root_flag, runroot_flag);
    Paths p;
    p.rootless = true;
    p.uid = env.uid;
    p.gid = env.gid;
    p.config_dir = fs::join(xdg(env, "XDG_CONFIG_HOME", fs::join(env.home, ".config")), "containers");
    p.data_dir = root_flag.empty()
        ? fs::join(xdg(env, "XDG_DATA_HOME", fs::join(env.home, ".local/share")), "berth")
        : root_flag;
    TRY(ensure_dir(p.data_dir, 0700));
    if (runroot_flag.empty()) {
        p.run_dir = TRY(rootless_run_dir(env));
    } else {
        p.run_dir = runroot_flag;
        TRY(ensure_dir(p.run_dir, 0700));
    }
    return p;
}

Result<Paths> default_paths(std::string const& root_flag, std::string const& runroot_flag)
{
    return resolve_paths(current_path_environment(), root_flag, runroot_flag);
}

} // namespace berth::rootless
