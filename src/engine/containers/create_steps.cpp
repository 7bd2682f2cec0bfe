// Steps of create and start for Podman's less common run flags (see
// create_steps.h). The subtle parts: containers.conf's default ulimits may ask
// for more than this process may grant (root without CAP_SYS_RESOURCE), so
// they are clamped here, never refused; and --userns=auto must not hand out a
// range another container maps, so it looks at every container's mappings.
#include "engine/containers/create_steps.h"

#include "base/fs.h"
#include "base/log.h"
#include "container/user.h"
#include "engine/containers/containers.h"
#include "engine/containers/lifecycle.h"
#include "network/etc_files.h"
#include "rootless/idmap.h"
#include "rootless/userns.h"
#include "runtime/cgroups.h"
#include "runtime/rlimits.h"

#include <algorithm>
#include <cctype>
#include <grp.h>
#include <pwd.h>
#include <sstream>
#include <sys/resource.h>

namespace berth::engine {

using container::CreateOptions;
using container::MountRequest;

namespace {

/// "nofile=1048576:1048576" with both values lowered to this process's hard
/// limit; an unparsable entry is an Error (the caller warns and skips it).
Result<std::string> clamp_ulimit(std::string const& text)
{
    auto limit = TRY(runtime::parse_ulimit(text));
    int resource = TRY(runtime::rlimit_from_name(limit.at("type").get<std::string>()));
    uint64_t soft = limit.at("soft").get<uint64_t>(), hard = limit.at("hard").get<uint64_t>();
    struct rlimit current {};
    if (::getrlimit(resource, &current) == 0 && current.rlim_max != RLIM_INFINITY) {
        hard = std::min<uint64_t>(hard, current.rlim_max);
        soft = std::min(soft, hard);
    }
    auto value = [](uint64_t v) { return v == runtime::k_rlimit_infinity ? std::string("-1") : std::to_string(v); };
    return text.substr(0, text.find('=')) + "=" + value(soft) + ":" + value(hard);
}

bool has_key(std::vector<std::string> const& entries, std::string const& key)
{
    return std::any_of(entries.begin(), entries.end(), [&](auto const& e) { return e.rfind(key + "=", 0) == 0; });
}

/// containers.conf spells capabilities "CHOWN" or "CAP_CHOWN"; the spec wants the latter.
std::string capability_name(std::string name)
{
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
    return name.rfind("CAP_", 0) == 0 ? name : "CAP_" + name;
}

bool passwd_has(std::string const& passwd, int field, std::string const& value)
{
    std::istringstream in(passwd);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string f;
        for (int i = 0; i <= field && std::getline(fields, f, ':'); ++i)
            if (i == field && f == value)
                return true;
    }
    return false;
}

/// The lines --user (a uid the image's passwd lacks) and --hostuser add to /etc/passwd.
Result<std::string> passwd_additions(CreateOptions const& o, std::string const& passwd, StartFiles const& files,
    std::string const& home)
{
    std::string extra;
    auto const& wanted = files.wanted_user;
    if (files.keep_id && files.user && !passwd_has(passwd, 2, std::to_string(files.user->uid))) {
        // As Podman: the user's name, ids and GECOS from the host, home the working directory.
        struct passwd* pw = ::getpwuid(static_cast<uid_t>(files.user->uid));
        std::string name = pw ? pw->pw_name : std::to_string(files.user->uid);
        if (!passwd_has(passwd, 0, name))
            extra += name + ":*:" + std::to_string(files.user->uid) + ":" + std::to_string(files.user->gid) + ":"
                + (pw && pw->pw_gecos ? pw->pw_gecos : "") + ":" + home + ":/bin/sh\n";
    } else if (!wanted.empty() && std::isdigit(static_cast<unsigned char>(wanted[0])) && files.user
        && !passwd_has(passwd, 2, std::to_string(files.user->uid))) {
        container::PasswdFields f { std::to_string(files.user->uid), std::to_string(files.user->uid),
            std::to_string(files.user->gid), "container user", home };
        extra += o.passwd_entry.empty() ? f.username + ":*:" + f.uid + ":" + f.gid + ":" + f.name + ":" + f.home + ":/bin/sh"
                                        : container::expand_passwd_entry(o.passwd_entry, f);
        extra += "\n";
    }
    for (auto const& name : o.hostuser) {
        bool numeric = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); });
        struct passwd* pw = numeric ? ::getpwuid(static_cast<uid_t>(std::stoul(name))) : ::getpwnam(name.c_str());
        if (!pw)
            return Error { ENOENT, "--hostuser: user: unknown user " + name };
        if (passwd_has(passwd, 0, pw->pw_name) || passwd_has(extra, 0, pw->pw_name))
            continue;
        extra += std::string(pw->pw_name) + ":*:" + std::to_string(pw->pw_uid) + ":" + std::to_string(pw->pw_gid) + ":"
            + (pw->pw_gecos ? pw->pw_gecos : "") + ":" + home + ":/bin/sh\n";
    }
    return extra;
}

} // namespace

void apply_container_defaults(config::ContainersConf const& conf, CreateOptions& o, std::map<std::string, std::string> const& host_env)
{
    if (conf.default_ulimits) {
        std::vector<std::string> defaults;
        for (auto const& u : *conf.default_ulimits) {
            if (has_key(o.ulimits, u.substr(0, u.find('='))))
                continue;  // --ulimit of that name wins
            if (auto clamped = clamp_ulimit(u))
                defaults.push_back(*clamped);
            else
                log::warn("containers.conf default_ulimits \"{}\": {}; ignored", u, clamped.error().message);
        }
        o.ulimits.insert(o.ulimits.begin(), defaults.begin(), defaults.end());
    }
    o.default_env = conf.env.value_or(std::vector<std::string> {});
    o.http_proxy = o.http_proxy.value_or(conf.http_proxy.value_or(true));
    if (*o.http_proxy)
        for (char const* name : { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY", "no_proxy", "NO_PROXY" })
            if (auto it = host_env.find(name); it != host_env.end())
                o.default_env.push_back(it->first + "=" + it->second);
    if (conf.default_capabilities && o.default_capabilities.empty())
        for (auto const& cap : *conf.default_capabilities)
            o.default_capabilities.push_back(capability_name(cap));
    if (o.log_driver.empty() && conf.log_driver)
        o.log_driver = *conf.log_driver;
    if (conf.log_size_max && *conf.log_size_max > 0 && !has_key(o.log_opts, "max-size"))
        o.log_opts.push_back("max-size=" + std::to_string(*conf.log_size_max));
    if (o.tz.empty() && conf.tz)
        o.tz = *conf.tz;
    // Podman drops its default pids limit where no cgroup can hold it, without a word.
    if (!o.pids_limit && conf.pids_limit && *conf.pids_limit > 0 && o.cgroups != "disabled"
        && runtime::cgroups::probe(o.cgroup_parent).available)
        o.pids_limit = *conf.pids_limit;
}

ErrorOr read_label_files(CreateOptions& o)
{
    std::vector<std::string> labels;
    for (auto const& file : o.label_files) {
        auto text = TRY_CTX(fs::read_file(file), "unable to process labels");
        auto entries = container::parse_label_file(text);
        labels.insert(labels.end(), entries.begin(), entries.end());
    }
    labels.insert(labels.end(), o.labels.begin(), o.labels.end());
    o.labels = std::move(labels);
    o.label_files.clear();  // read once, here
    return {};
}

ErrorOr replace_named_container(Context& ctx, CreateOptions const& o)
{
    if (!o.replace || o.name.empty())
        return {};
    auto cs = TRY(container_records(ctx));
    if (!TRY(cs.name_in_use(o.name)))
        return {};
    auto rec = TRY(find_container(ctx, o.name));
    TRY_CTX(remove_container(ctx, rec, RemoveOptions { .force = true }), "--replace");
    return {};
}

ErrorOr choose_auto_userns(Context& ctx, CreateOptions& o)
{
    if (o.userns != "auto" && o.userns.rfind("auto:", 0) != 0)
        return {};
    uint32_t size = TRY(rootless::auto_userns_size(o.userns));
    std::vector<rootless::IdMapping> uids, gids;
    if (ctx.paths.rootless) {
        // berth's namespace: 0 is the user, 1.. the subordinate ids.
        auto count = [](std::string const& file) -> Result<uint32_t> {
            return static_cast<uint32_t>(std::min<uint64_t>(rootless::mapped_id_count(TRY(rootless::read_id_map(file))), UINT32_MAX));
        };
        uint32_t nu = TRY(count("/proc/self/uid_map")), ng = TRY(count("/proc/self/gid_map"));
        if (nu > 1 && ng > 1)
            uids = { { 0, 1, nu - 1 } }, gids = { { 0, 1, ng - 1 } };
    } else {
        struct passwd* pw = ::getpwnam("containers");
        uid_t uid = pw ? pw->pw_uid : static_cast<uid_t>(-1);
        uids = TRY(rootless::subordinate_ranges("/etc/subuid", "containers", uid));
        gids = TRY(rootless::subordinate_ranges("/etc/subgid", "containers", uid));
    }
    if (uids.empty() || gids.empty())
        return Error { ENOENT, ctx.paths.rootless
                ? "--userns=auto: the user has no subordinate ids (add a range to /etc/subuid and /etc/subgid)"
                : "--userns=auto: no subordinate ids for the user \"containers\" in /etc/subuid and /etc/subgid "
                  "(add a range, e.g. containers:2147483647:2147483648)" };
    // Every range another container maps is taken.
    std::vector<rootless::IdMapping> used_uids, used_gids;
    auto cs = TRY(container_records(ctx));
    for (auto const& rec : TRY(cs.list())) {
        auto other = CreateOptions::from_json(rec.config);
        if (!other)
            continue;
        for (auto const& m : rootless::parse_id_map_flags(other->uidmap, "--uidmap").value_or(std::vector<rootless::IdMapping> {}))
            used_uids.push_back(m);
        for (auto const& m : rootless::parse_id_map_flags(other->gidmap.empty() ? other->uidmap : other->gidmap, "--gidmap").value_or(std::vector<rootless::IdMapping> {}))
            used_gids.push_back(m);
    }
    uint32_t uid_start = TRY(rootless::pick_auto_range(uids, used_uids, size));
    uint32_t gid_start = TRY(rootless::pick_auto_range(gids, used_gids, size));
    o.uidmap = { "0:" + std::to_string(uid_start) + ":" + std::to_string(size) };
    o.gidmap = { "0:" + std::to_string(gid_start) + ":" + std::to_string(size) };
    o.userns.clear();
    return {};
}

ErrorOr check_namespace_containers(Context& ctx, CreateOptions& o)
{
    for (auto const& ns : container::namespace_flags()) {
        auto& text = o.*ns.field;
        auto mode = TRY(container::parse_namespace_mode(text, ns.flag));
        if (mode.kind != container::NamespaceMode::Kind::Container)
            continue;
        std::string what = ns.podman;
        std::transform(what.begin(), what.end(), what.begin(), [](unsigned char c) { return std::tolower(c); });
        auto rec = TRY_CTX(find_container(ctx, mode.value), "looking up container to share " + what + " namespace with");
        text = "container:" + rec.id;  // as Podman keeps it: a rename does not lose it
    }
    return {};
}

ErrorOr resolve_namespace_containers(Context& ctx, CreateOptions& o)
{
    for (auto const& ns : container::namespace_flags()) {
        auto& text = o.*ns.field;
        auto mode = TRY(container::parse_namespace_mode(text, ns.flag));
        if (mode.kind != container::NamespaceMode::Kind::Container)
            continue;
        auto rec = TRY_CTX(find_container(ctx, mode.value), std::string(ns.flag));
        if (!is_active(rec.state) || rec.pid <= 0)
            return Error { EINVAL, "cannot get namespace path unless container " + rec.id + " is running: container is stopped" };
        text = "ns:/proc/" + std::to_string(rec.pid) + "/ns/" + ns.type;
    }
    return {};
}

Result<std::vector<container::ResolvedMount>> start_files(CreateOptions const& o, image::ImageConfig const& image,
    StartFiles const& files)
{
    std::vector<container::ResolvedMount> out;
    auto add = [&](std::string const& name, std::string const& destination, std::string const& content) -> ErrorOr {
        std::string path = fs::join(files.bundle_dir, name);
        TRY(fs::write_file_replace(path, content, 0644));
        MountRequest m;
        m.type = MountRequest::Type::Bind;
        m.destination = destination;
        m.source = path;
        out.push_back({ m, path });
        return {};
    };
    TRY(add("hostname", "/etc/hostname", network::hostname_file(files.hostname)));
    NetworkStart none;
    auto const& net = files.network ? *files.network : none;
    if (!net.etc_from.empty()) {
        // --network container:NAME: its hosts and resolv.conf, as Podman shares them.
        for (auto [name, destination] : { std::pair { "hosts", "/etc/hosts" }, std::pair { "resolv.conf", "/etc/resolv.conf" } }) {
            if ((o.no_hosts && std::string(name) == "hosts") || !fs::exists(fs::join(net.etc_from, name)))
                continue;
            MountRequest m;
            m.type = MountRequest::Type::Bind;
            m.destination = destination;
            m.source = fs::join(net.etc_from, name);
            out.push_back({ m, m.source });
        }
    } else {
        if (!o.no_hosts) {
            network::HostsInputs hosts { net.mode, files.hostname, files.name, o.add_hosts,
                net.mode.kind == network::NetworkMode::Kind::Host ? fs::read_file("/etc/hosts").value_or("") : "",
                net.host_address, net.container_address };
            TRY(add("hosts", "/etc/hosts", network::hosts_file(hosts)));
        }
        auto host_resolv = fs::read_file("/etc/resolv.conf").value_or("");
        TRY(add("resolv.conf", "/etc/resolv.conf", network::resolv_conf(host_resolv, o.dns, o.dns_search, o.dns_options, net.dns)));
    }
    TRY(add(".containerenv", "/run/.containerenv", files.containerenv));
    if (o.passwd) {
        auto passwd = container::read_in_root(files.rootfs, "etc/passwd").value_or("");
        auto extra = TRY(passwd_additions(o, passwd, files, container::resolve_workdir(image, o)));
        if (!extra.empty())
            TRY(add("passwd", "/etc/passwd", passwd + (passwd.empty() || passwd.back() == '\n' ? "" : "\n") + extra));
        auto group = container::read_in_root(files.rootfs, "etc/group").value_or("");
        if (files.keep_id && files.user && !passwd_has(group, 2, std::to_string(files.user->gid))) {
            struct group* gr = ::getgrgid(static_cast<gid_t>(files.user->gid));
            struct passwd* pw = ::getpwuid(static_cast<uid_t>(files.user->uid));
            std::string line = (gr ? gr->gr_name : std::to_string(files.user->gid)) + ":x:" + std::to_string(files.user->gid) + ":"
                + (pw ? pw->pw_name : "") + "\n";
            TRY(add("group", "/etc/group", group + (group.empty() || group.back() == '\n' ? "" : "\n") + line));
        }
    }
    if (!o.tz.empty()) {
        // A copy, as Podman makes: the container never sees a host path.
        std::string zone = o.tz == "local" ? "/etc/localtime" : "/usr/share/zoneinfo/" + o.tz;
        auto content = TRY_CTX(fs::read_file(zone), "finding timezone " + o.tz);
        TRY(add("localtime", "/etc/localtime", content));
    }
    return out;
}

ErrorOr write_pid_files(CreateOptions const& o, pid_t container, pid_t monitor)
{
    if (!o.pidfile.empty())
        TRY_CTX(fs::write_file_atomic(o.pidfile, std::to_string(container)), "--pidfile");
    if (!o.conmon_pidfile.empty())
        TRY_CTX(fs::write_file_atomic(o.conmon_pidfile, std::to_string(monitor)), "--conmon-pidfile");
    return {};
}

void remove_run_image(Context& ctx, std::string const& image)
{
    // Removing the last name removes the image: never under a container that uses it.
    auto found = find_image(ctx, image);
    auto cs = container_records(ctx);
    auto containers = cs ? cs->list() : Result<std::vector<container::ContainerRecord>>(cs.error());
    if (!found || !containers) {
        log::warn("--rmi {}: {}", image, (!found ? found.error() : containers.error()).message);
        return;
    }
    for (auto const& rec : *containers)
        if (rec.image_id == found->id && found->names.size() <= 1) {
            log::warn("--rmi {}: image used by {}: image is in use by a container", image, rec.id);
            return;
        }
    for (auto const& report : remove_images(ctx, { image }, Force::No))
        if (report.error)
            log::warn("--rmi {}: {}", image, report.error->message);
}

} // namespace berth::engine
