#include "config/engine_config.h"

#include "base/fs.h"
#include "config/toml_read.h"

#include <cstdlib>
#include <sys/stat.h>

namespace berth::config {

namespace {

/// The table `name` of `parent`, or nullptr; a key of that name that is not a table is an error.
Result<toml::table const*> subtable(toml::table const& parent, std::string_view name)
{
    auto const* node = parent.get(name);
    if (!node)
        return static_cast<toml::table const*>(nullptr);
    if (auto const* table = node->as_table())
        return table;
    return Error::msg("[" + std::string(name) + "] must be a table");
}

/// Readers of one key into an optional field: `set(table, "key", field)`.
ErrorOr set(toml::table const& table, std::string_view key, std::optional<std::string>& field)
{
    if (auto const* node = table.get(key))
        field = TRY(toml_string(*node, key));
    return {};
}

ErrorOr set(toml::table const& table, std::string_view key, std::optional<int64_t>& field)
{
    if (auto const* node = table.get(key))
        field = TRY(toml_integer(*node, key));
    return {};
}

ErrorOr set(toml::table const& table, std::string_view key, std::optional<bool>& field)
{
    if (auto const* node = table.get(key))
        field = TRY(toml_bool(*node, key));
    return {};
}

ErrorOr set(toml::table const& table, std::string_view key, std::optional<std::vector<std::string>>& field)
{
    if (auto const* node = table.get(key))
        field = TRY(toml_string_array(*node, key));
    return {};
}

ErrorOr parse_containers_table(toml::table const& root, ContainersConf& c)
{
    if (auto const* t = TRY(subtable(root, "containers"))) {
        TRY(set(*t, "default_ulimits", c.default_ulimits));
        TRY(set(*t, "env", c.env));
        TRY(set(*t, "default_capabilities", c.default_capabilities));
        TRY(set(*t, "log_driver", c.log_driver));
        TRY(set(*t, "log_size_max", c.log_size_max));
        TRY(set(*t, "pids_limit", c.pids_limit));
        TRY(set(*t, "tz", c.tz));
        TRY(set(*t, "http_proxy", c.http_proxy));
        TRY(set(*t, "netns", c.netns));
    }
    if (auto const* t = TRY(subtable(root, "engine"))) {
        TRY(set(*t, "runtime", c.runtime));
        TRY(set(*t, "events_logger", c.events_logger));
        TRY(set(*t, "cgroup_manager", c.cgroup_manager));
        TRY(set(*t, "network_cmd_path", c.network_cmd_path));
        TRY(set(*t, "volume_path", c.volume_path));
        TRY(set(*t, "tmp_dir", c.tmp_dir));
        if (auto const* runtimes = TRY(subtable(*t, "runtimes")))
            for (auto const& [name, paths] : *runtimes)
                c.runtimes[std::string(name.str())] = TRY(toml_string_array(paths, name.str()));
    }
    if (auto const* t = TRY(subtable(root, "network"))) {
        TRY(set(*t, "default_rootless_network_cmd", c.default_rootless_network_cmd));
        TRY(set(*t, "default_network", c.default_network));
        TRY(set(*t, "default_subnet", c.default_subnet));
    }
    if (c.events_logger && *c.events_logger != "file" && *c.events_logger != "journald" && *c.events_logger != "none")
        return Error::msg("events_logger \"" + *c.events_logger + "\": use file, journald or none");
    if (c.cgroup_manager && *c.cgroup_manager != "cgroupfs" && *c.cgroup_manager != "systemd")
        return Error::msg("cgroup_manager \"" + *c.cgroup_manager + "\": use cgroupfs or systemd");
    return {};
}

bool exists(std::string const& path)
{
    struct stat st {};
    return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

ErrorOr read_containers_conf(std::string const& path, ContainersConf& into)
{
    auto text = TRY_CTX(fs::read_file(path), "containers.conf " + path);
    TRY(parse_containers_conf(text, path, into));
    return {};
}

/// `path` and the *.conf files of `path`.d, those that exist.
ErrorOr read_with_dropins(std::string const& path, ContainersConf& into)
{
    if (exists(path))
        TRY(read_containers_conf(path, into));
    for (auto const& file : dropin_files(path + ".d"))
        TRY(read_containers_conf(file, into));
    return {};
}

} // namespace

ErrorOr parse_containers_conf(std::string_view text, std::string const& path, ContainersConf& into)
{
    auto root = TRY_CTX(parse_toml(text, path), "containers.conf " + path);
    TRY_CTX(parse_containers_table(root, into), "containers.conf " + path);
    into.files.push_back(path);
    return {};
}

ErrorOr parse_storage_conf(std::string_view text, std::string const& path, StorageConf& into)
{
    std::string what = "storage.conf " + path;
    auto root = TRY_CTX(parse_toml(text, path), what);
    if (auto const* storage = TRY_CTX(subtable(root, "storage"), what)) {
        TRY_CTX(set(*storage, "driver", into.driver), what);
        TRY_CTX(set(*storage, "graphroot", into.graphroot), what);
        TRY_CTX(set(*storage, "runroot", into.runroot), what);
        TRY_CTX(set(*storage, "rootless_storage_path", into.rootless_storage_path), what);
        if (auto const* options = TRY_CTX(subtable(*storage, "options"), what)) {
            TRY_CTX(set(*options, "mount_program", into.mount_program), what);
            TRY_CTX(set(*options, "mountopt", into.mountopt), what);
            if (auto const* overlay = TRY_CTX(subtable(*options, "overlay"), what)) {
                TRY_CTX(set(*overlay, "mount_program", into.mount_program), what);
                TRY_CTX(set(*overlay, "mountopt", into.mountopt), what);
            }
        }
    }
    into.file = path;
    return {};
}

ConfigEnvironment ConfigEnvironment::current(bool rootless)
{
    auto env = [](char const* name) {
        char const* value = std::getenv(name);
        return std::string(value ? value : "");
    };
    ConfigEnvironment e;
    e.rootless = rootless;
    e.containers_conf = env("CONTAINERS_CONF");
    e.containers_conf_override = env("CONTAINERS_CONF_OVERRIDE");
    e.storage_conf = env("CONTAINERS_STORAGE_CONF");
    if (auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty())
        e.config_home = xdg;
    else if (auto home = env("HOME"); !home.empty())
        e.config_home = fs::join(home, ".config");
    return e;
}

Result<ContainersConf> load_containers_conf(ConfigEnvironment const& env)
{
    ContainersConf conf;
    if (!env.containers_conf.empty()) {
        TRY(read_containers_conf(env.containers_conf, conf));
    } else {
        TRY(read_with_dropins(fs::join(env.vendor_dir, "containers.conf"), conf));
        TRY(read_with_dropins(fs::join(env.system_dir, "containers.conf"), conf));
        if (env.rootless && !env.config_home.empty())
            TRY(read_with_dropins(fs::join(env.config_home, "containers/containers.conf"), conf));
    }
    if (!env.containers_conf_override.empty())
        TRY(read_containers_conf(env.containers_conf_override, conf));
    return conf;
}

Result<StorageConf> load_storage_conf(ConfigEnvironment const& env)
{
    StorageConf conf;
    std::string path;
    if (!env.storage_conf.empty()) {
        path = env.storage_conf;
    } else {
        std::vector<std::string> candidates;
        if (env.rootless && !env.config_home.empty())
            candidates.push_back(fs::join(env.config_home, "containers/storage.conf"));
        candidates.push_back(fs::join(env.system_dir, "storage.conf"));
        candidates.push_back(fs::join(env.vendor_dir, "storage.conf"));
        for (auto const& c : candidates)
            if (exists(c)) {
                path = c;
                break;
            }
        if (path.empty())
            return conf;
    }
    auto text = TRY_CTX(fs::read_file(path), "storage.conf " + path);
    TRY(parse_storage_conf(text, path, conf));
    // A system-wide file describes root's store; rootless uses its rootless_storage_path.
    bool users_own = !env.config_home.empty() && path.starts_with(env.config_home + "/");
    if (env.rootless && env.storage_conf.empty() && !users_own) {
        conf.graphroot = conf.rootless_storage_path;
        conf.runroot.reset();
    }
    return conf;
}

std::string resolve_runtime(ContainersConf const& conf, std::string const& runtime)
{
    if (auto it = conf.runtimes.find(runtime); it != conf.runtimes.end())
        for (auto const& candidate : it->second)
            if (exists(candidate))
                return candidate;
    return runtime;
}

} // namespace berth::config
