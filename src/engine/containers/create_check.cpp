// The one validation of a container spec (container::CreateOptions), run by
// create_container before anything is pulled or written, so that every
// front-end that builds a spec (run/create today; compose, kube play, build
// next) gets the same checks, messages and exit status (125). Each rule that
// has a subject of its own lives in the module that owns it (ports, cgroups,
// user namespaces, devices, healthchecks, logs, restart policies); this file
// runs them in order and holds the rules that tie flags together.
#include "engine/containers/containers.h"
#include "engine/containers/healthcheck.h"

#include "container/spec_builder.h"
#include "network/mode.h"
#include "network/ports.h"
#include "rootless/idmap.h"
#include "runtime/cgroups.h"
#include "runtime/devices.h"

#include "base/fs.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cstring>
#include <sys/stat.h>
#include <pwd.h>
#include <set>

namespace berth::engine {

namespace {

/// The network mode, parsed once (network/mode.h), and -p. The default mode
/// is resolved later (resolve_network, which knows who runs berth); a mode
/// given that has no helper drops the ports with a warning, as Podman.
ErrorOr check_network(container::CreateOptions& o, Warn const& warn)
{
    auto mode = TRY(network::parse_network_mode(o.network));
    struct stat st {};
    if (mode.kind == network::NetworkMode::Kind::Path && ::stat(mode.value.c_str(), &st) < 0)
        return Error::from_errno("cannot find specified network namespace path: stat " + mode.value);
    TRY(network::parse_publish_list(o.publish));
    for (auto const& e : o.expose)
        TRY(network::parse_exposed(e));
    if ((!o.publish.empty() || o.publish_all) && mode.kind != network::NetworkMode::Kind::Default && !mode.publishes()) {
        if (warn)
            warn(network::discarded_ports_warning);
        o.publish.clear();
        o.publish_all = false;
    }
    return {};
}

/// Two mounts on one destination: Podman refuses them, as the second would hide the first.
ErrorOr check_mount_destinations(container::CreateOptions const& o)
{
    std::set<std::string> seen;
    for (auto const& m : TRY(container::mount_requests(o))) {
        std::string dest = m.destination;
        while (dest.size() > 1 && dest.back() == '/')
            dest.pop_back();
        if (!seen.insert(dest).second)
            return Error { EINVAL, "\"" + dest + "\": duplicate mount destination" };
    }
    return {};
}

ErrorOr check_group_add(container::CreateOptions const& o)
{
    bool keep = std::find(o.group_add.begin(), o.group_add.end(), "keep-groups") != o.group_add.end();
    if (keep && o.group_add.size() > 1)
        return Error { EINVAL, "the '--group-add keep-groups' option is not allowed with any other --group-add option" };
    return {};
}

/// Checks the resource flags, --cgroups and --sdnotify; `warn`s once when no delegated
/// cgroup v2 hierarchy can honour them: the container still runs, without limits.
ErrorOr check_resources(container::CreateOptions const& o, Warn const& warn)
{
    TRY(container::resources_from_options(o));
    if (o.sdnotify != "container" && o.sdnotify != "conmon" && o.sdnotify != "ignore")
        return Error { EINVAL, "invalid --sdnotify \"" + o.sdnotify + "\": use container, conmon or ignore" };
    if (o.cgroups != "disabled" && o.cgroups != "enabled" && o.cgroups != "no-conmon" && o.cgroups != "split")
        return Error { EINVAL, "invalid --cgroups \"" + o.cgroups + "\": use enabled, disabled, no-conmon or split" };
    auto flags = container::resource_flags(o);
    if (flags.empty() || o.cgroups == "disabled")
        return {};
    auto cgroups = runtime::cgroups::probe(o.cgroup_parent);
    if (cgroups.available)
        return {};
    std::string names;
    for (auto const& f : flags)
        names += (names.empty() ? "" : ", ") + f;
    if (warn)
        warn(names + " cannot be honoured: " + cgroups.reason + "; running without resource limits");
    return {};
}

/// --dns* need a network (Podman refuses them with --network none); --add-host HOST:IP.
ErrorOr check_name_resolution(container::CreateOptions const& o)
{
    if (o.network == "none" && (!o.dns.empty() || !o.dns_search.empty() || !o.dns_options.empty()))
        return Error { EINVAL, "conflicting options: dns and the network mode: none" };
    for (auto const& h : o.add_hosts) {
        auto colon = h.find(':');
        std::string ip = colon == std::string::npos ? "" : h.substr(colon + 1);
        unsigned char buf[sizeof(struct in6_addr)];
        if (colon == 0 || colon == std::string::npos)
            return Error { EINVAL, "bad format for add-host: \"" + h + "\": use --add-host HOST:IP" };
        if (::inet_pton(AF_INET, ip.c_str(), buf) != 1 && ::inet_pton(AF_INET6, ip.c_str(), buf) != 1)
            return Error { EINVAL, "invalid IP address in add-host: \"" + ip + "\": use --add-host HOST:IP" };
    }
    return {};
}

/// --ipc, --uts, --cgroupns, --pid: a mode Podman knows, a namespace path that
/// exists (absolute); a hostname needs a UTS namespace of the container's own.
/// (container:NAME is looked up by check_namespace_containers, which has the store.)
ErrorOr check_namespaces(container::CreateOptions const& o)
{
    for (auto const& ns : container::namespace_flags()) {
        auto mode = TRY(container::parse_namespace_mode(o.*ns.field, ns.flag));
        if (mode.kind != container::NamespaceMode::Kind::Path)
            continue;
        struct stat st {};
        if (::stat(mode.value.c_str(), &st) < 0) {
            int code = errno;
            std::string reason = std::strerror(code);
            reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));  // Go's wording
            return Error { code, std::string("cannot find specified ") + ns.podman + " namespace path: stat " + mode.value + ": " + reason };
        }
        if (mode.value[0] != '/')
            return Error { EINVAL, std::string("invalid ") + ns.podman + " namespace path " + mode.value + ": give an absolute path" };
    }
    auto uts = TRY(container::parse_namespace_mode(o.uts, "--uts"));
    if (uts.kind == container::NamespaceMode::Kind::Host && !o.hostname.empty())
        return Error { EINVAL, "cannot set hostname when running in the host UTS namespace" };
    return {};
}

/// -a, --systemd, --timeout, --env-merge, --replace, --pidfile and --conmon-pidfile.
ErrorOr check_run_flags(container::CreateOptions const& o)
{
    for (auto const& stream : o.attach)
        if (stream != "stdin" && stream != "stdout" && stream != "stderr")
            return Error { EINVAL, "invalid stream \"" + stream + "\" for --attach - must be one of stdin, stdout, or stderr" };
    if (o.systemd != "true" && o.systemd != "false" && o.systemd != "always")
        return Error { EINVAL, "--systemd values must be one of \"true, false, always\"" };
    if (o.timeout < 0)
        return Error { EINVAL, "invalid --timeout " + std::to_string(o.timeout) + ": give seconds, 0 for none" };
    for (auto const& e : o.env_merge)
        TRY(container::expand_env_merge(e, {}));  // the syntax; the values come at start
    if (o.replace && o.name.empty())
        return Error { EINVAL, "cannot replace container without --name being set" };
    for (auto const* file : { &o.pidfile, &o.conmon_pidfile }) {
        auto slash = file->rfind('/');
        std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file->substr(0, slash);
        if (!file->empty() && !fs::is_dir(dir))
            return Error { ENOENT, (file == &o.pidfile ? "--pidfile " : "--conmon-pidfile ") + *file + ": no directory " + dir };
    }
    return {};
}

/// --umask, --oom-score-adj, --personality and --image-volume, with Podman's words.
ErrorOr check_process_flags(container::CreateOptions const& o)
{
    if (!o.umask.empty() && (o.umask.size() > 4 || o.umask.find_first_not_of("01234567") != std::string::npos))
        return Error { EINVAL, "invalid umask string " + o.umask + ": give octal digits, such as 0022" };
    if (o.oom_score_adj && (*o.oom_score_adj < -1000 || *o.oom_score_adj > 1000))
        return Error { EINVAL, "invalid --oom-score-adj " + std::to_string(*o.oom_score_adj) + ": give -1000 to 1000" };
    if (!o.personality.empty() && o.personality != "LINUX" && o.personality != "LINUX32")
        return Error { EINVAL, "invalid --personality \"" + o.personality + "\": use LINUX or LINUX32" };
    if (!o.image_volume.empty() && o.image_volume != "bind" && o.image_volume != "tmpfs" && o.image_volume != "ignore")
        return Error { EINVAL, "invalid image volume mode \"" + o.image_volume + "\" required value: bind, tmpfs, ignore" };
    for (auto const& from : o.volumes_from) {
        auto colon = from.find(':');
        std::string mode = colon == std::string::npos ? "" : from.substr(colon + 1);
        if (from.empty() || colon == 0 || (!mode.empty() && mode != "ro" && mode != "rw" && mode != "z" && mode != "Z"))
            return Error { EINVAL, "invalid --volumes-from \"" + from + "\": use CONTAINER[:ro|rw]" };
    }
    return {};
}

/// --tz names a zone of the host's /usr/share/zoneinfo (or "local"); --hostuser a host user.
ErrorOr check_host_names(container::CreateOptions const& o)
{
    if (!o.tz.empty() && o.tz != "local"
        && (o.tz.find("..") != std::string::npos || o.tz[0] == '/' || !fs::exists("/usr/share/zoneinfo/" + o.tz)))
        return Error { ENOENT, "finding timezone: unknown time zone " + o.tz };
    for (auto const& name : o.hostuser) {
        bool numeric = !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
        if (!(numeric ? ::getpwuid(static_cast<uid_t>(std::stoul(name))) : ::getpwnam(name.c_str())))
            return Error { ENOENT, "--hostuser: user: unknown user " + name };
    }
    return {};
}

ErrorOr check_pull_policy(std::string const& policy)
{
    if (policy != "missing" && policy != "always" && policy != "never" && policy != "newer")
        return Error { EINVAL, "invalid --pull \"" + policy + "\": use always, missing, never or newer" };
    return {};
}

/// --restart, and its conflict with --rm.
ErrorOr check_restart(container::CreateOptions const& o)
{
    auto policy = TRY(container::parse_restart_policy(o.restart));
    using Kind = container::RestartPolicy::Kind;
    if (o.remove && policy.kind != Kind::No && policy.kind != Kind::Unset)
        return Error { EINVAL, "the --rm option conflicts with --restart (other than \"no\"): use one of them" };
    return {};
}

} // namespace

Result<container::CreateOptions> validate_container_spec(container::CreateOptions spec, Warn const& warn)
{
    TRY(check_name_resolution(spec));
    TRY(check_network(spec, warn));
    TRY(check_namespaces(spec));
    TRY(check_run_flags(spec));
    TRY(check_process_flags(spec));
    TRY(check_host_names(spec));
    TRY(check_resources(spec, warn));
    TRY(rootless::validate_userns_flags({ spec.userns, spec.uidmap, spec.gidmap }));
    for (auto const& d : spec.devices)
        TRY(runtime::resolve_device_flag(d));
    TRY(resolve_healthcheck(spec, Json()));
    TRY(parse_health_on_failure(spec.health_on_failure));
    TRY(resolve_startup_healthcheck(spec, true));
    TRY(check_mount_destinations(spec));
    for (auto const& s : spec.secrets)
        TRY(container::parse_secret(s));
    TRY(check_group_add(spec));
    TRY(check_restart(spec));
    TRY(log_settings(spec, "/"));
    TRY(check_pull_policy(spec.pull));
    return spec;
}

} // namespace berth::engine
