// Podman's containers.conf and storage.conf, read from Podman's paths: the
// settings berth shares with Podman (runtime, events logger, cgroup manager,
// network command, volume path, container defaults; the store's driver, root
// and mount program). Unknown keys and tables are ignored, as Podman ignores
// them; a wrong type or a syntax error names the file (and the line).
//
// parse_* are pure (text in, settings merged in) and unit-tested; load()
// finds the files the way Podman does:
//   containers.conf: $CONTAINERS_CONF alone if set; else
//     /usr/share/containers/containers.conf, /etc/containers/containers.conf,
//     then (rootless) $XDG_CONFIG_HOME/containers/containers.conf, each
//     followed by the *.conf files of its containers.conf.d/; then
//     $CONTAINERS_CONF_OVERRIDE. Later files override the keys they set.
//   storage.conf: $CONTAINERS_STORAGE_CONF alone if set; else (rootless)
//     $XDG_CONFIG_HOME/containers/storage.conf if it exists; else
//     /etc/containers/storage.conf, else /usr/share/containers/storage.conf.
#pragma once

#include "base/error.h"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::config {

struct ContainersConf {
    // [containers]
    std::optional<std::vector<std::string>> default_ulimits;       ///< "nofile=1024:2048"
    std::optional<std::vector<std::string>> env;                   ///< "KEY=VALUE"
    std::optional<std::vector<std::string>> default_capabilities;  ///< "CHOWN", "CAP_CHOWN"
    std::optional<std::string> log_driver;
    std::optional<int64_t> log_size_max;  ///< bytes, -1 unlimited
    std::optional<int64_t> pids_limit;    ///< 0 or -1 unlimited
    std::optional<std::string> tz;        ///< "local" or a zone name, as --tz
    std::optional<bool> http_proxy;       ///< pass the host's proxy variables (default true)
    std::optional<std::string> netns;     ///< the default network mode: private (the engine's), none, host, pasta, slirp4netns
    // [engine]
    std::optional<std::string> runtime;   ///< a name of [engine.runtimes], a name in PATH or a path
    std::map<std::string, std::vector<std::string>> runtimes;  ///< [engine.runtimes]: name -> candidate paths
    std::optional<std::string> events_logger;   ///< file | journald | none
    std::optional<std::string> cgroup_manager;  ///< cgroupfs | systemd
    std::optional<std::string> network_cmd_path;
    std::optional<std::string> volume_path;
    std::optional<std::string> tmp_dir;
    // [network]
    std::optional<std::string> default_rootless_network_cmd;  ///< pasta | slirp4netns
    std::optional<std::string> default_network;
    std::optional<std::string> default_subnet;  ///< the subnet of the network "podman" (10.88.0.0/16)
    std::vector<std::string> files;  ///< the files read, in order
};

struct StorageConf {
    // [storage]
    std::optional<std::string> driver;
    std::optional<std::string> graphroot;
    std::optional<std::string> runroot;
    std::optional<std::string> rootless_storage_path;
    // [storage.options] / [storage.options.overlay]
    std::optional<std::string> mount_program;
    std::optional<std::string> mountopt;
    std::string file;  ///< the file read, or ""
};

/// Merges the keys that `text` (the contents of `path`) sets into `into`.
ErrorOr parse_containers_conf(std::string_view text, std::string const& path, ContainersConf& into);
ErrorOr parse_storage_conf(std::string_view text, std::string const& path, StorageConf& into);

/// Where the files are looked for: the environment and the user's config home.
struct ConfigEnvironment {
    bool rootless = false;
    std::string containers_conf;           ///< $CONTAINERS_CONF
    std::string containers_conf_override;  ///< $CONTAINERS_CONF_OVERRIDE
    std::string storage_conf;              ///< $CONTAINERS_STORAGE_CONF
    std::string config_home;               ///< $XDG_CONFIG_HOME, else $HOME/.config, else ""
    std::string system_dir = "/etc/containers";
    std::string vendor_dir = "/usr/share/containers";
    static ConfigEnvironment current(bool rootless);
};

/// Reads every containers.conf that exists; a file named by an environment variable must exist.
Result<ContainersConf> load_containers_conf(ConfigEnvironment const& env);
/// Reads the storage.conf that applies; none is fine.
Result<StorageConf> load_storage_conf(ConfigEnvironment const& env);

/// `runtime` resolved through [engine.runtimes]: the first candidate path
/// that exists, else `runtime` itself (a path, or a name to look up in PATH).
std::string resolve_runtime(ContainersConf const& conf, std::string const& runtime);

} // namespace berth::config
