// validate_container_spec: the one check of a container spec, whatever
// front-end built it. Each rule's message, the order in which rules are
// tried (the first bad field is the error), the defaults it fills in, and the
// exit status every such error maps to (125, bad input).
#include <doctest/doctest.h>

#include "engine/containers/containers.h"

#include <string>
#include <vector>

using namespace berth;

namespace {

/// The message of the spec's validation error ("" when it is valid); every such error exits 125.
std::string error_of(container::CreateOptions const& spec)
{
    auto r = engine::validate_container_spec(spec, {});
    if (r)
        return "";
    CHECK(exit_status(r.error().kind) == 125);
    return r.error().message;
}

bool mentions(std::string const& message, std::string const& what)
{
    return message.find(what) != std::string::npos;
}

} // namespace

TEST_CASE("validate_container_spec: a plain spec passes; the network mode is defaulted")
{
    container::CreateOptions spec;
    spec.image = "busybox";
    auto valid = engine::validate_container_spec(spec, {});
    REQUIRE(valid.has_value());
    CHECK(valid->network == "");  // resolved by create (resolve_network), which knows who runs berth
    spec.publish = { "8080:80" };
    CHECK(engine::validate_container_spec(spec, {})->publish.size() == 1);
    spec.network = "host";
    std::vector<std::string> warnings;
    auto discarded = engine::validate_container_spec(spec, [&](std::string const& w) { warnings.push_back(w); });
    REQUIRE(discarded.has_value());  // as Podman: a warning, and the ports dropped
    CHECK(discarded->publish.empty());
    REQUIRE(warnings.size() == 1);
    CHECK(mentions(warnings[0], "Port mappings have been discarded"));
    spec.publish.clear();
    spec.network = "bridge";  // the default network podman: found (or not) by the engine at create
    CHECK(error_of(spec).empty());
    spec.network = "no such mode";
    CHECK(mentions(error_of(spec), "unknown"));
    spec.network = "pasta";
    spec.publish = { "80:80:80:80" };
    CHECK(mentions(error_of(spec), "-p/--publish"));
}

TEST_CASE("validate_container_spec: the first bad field is the error, in a fixed order")
{
    std::vector<std::string> warnings;
    auto warn = [&](std::string const& w) { warnings.push_back(w); };
    container::CreateOptions bad;
    bad.publish = { "80:80:80:80" };
    bad.health_on_failure = "sometimes";
    bad.restart = "sometimes";
    auto r = engine::validate_container_spec(bad, warn);
    REQUIRE(!r);
    CHECK(mentions(r.error().message, "-p/--publish"));

    bad.publish.clear();
    bad.cgroups = "sometimes";
    CHECK(mentions(error_of(bad), "--cgroups"));

    bad.cgroups = "disabled";
    bad.memory = "512m";  // not honoured, but with --cgroups disabled nobody asked: no warning
    r = engine::validate_container_spec(bad, warn);
    REQUIRE(!r);
    CHECK(mentions(r.error().message, "--health-on-failure"));
    CHECK(warnings.empty());

    bad.health_on_failure = "kill";
    CHECK(mentions(error_of(bad), "invalid restart policy \"sometimes\""));
}

TEST_CASE("validate_container_spec: each rule names its field")
{
    auto check = [](auto change, std::string const& expected) {
        container::CreateOptions spec;
        change(spec);
        auto message = error_of(spec);
        CHECK_MESSAGE(mentions(message, expected), expected << " <- " << message);
    };
    check([](auto& s) { s.userns = "sometimes"; }, "userns");
    check([](auto& s) { s.uidmap = { "0:x:1" }; }, "uidmap");
    check([](auto& s) { s.devices = { "/no/such/device" }; }, "/no/such/device");
    check([](auto& s) { s.healthcheck_interval = "soon"; }, "soon");
    check([](auto& s) { s.health_startup_cmd = "true"; s.health_startup_interval = "later"; }, "later");
    check([](auto& s) { s.volumes = { "data:relative" }; }, "it must be absolute");
    check([](auto& s) { s.umask = "0999"; }, "invalid umask string 0999");
    check([](auto& s) { s.umask = "00022"; }, "invalid umask string 00022");
    check([](auto& s) { s.oom_score_adj = 1001; }, "--oom-score-adj 1001");
    check([](auto& s) { s.personality = "LINUX64"; }, "--personality \"LINUX64\"");
    check([](auto& s) { s.image_volume = "copy"; }, "image volume mode \"copy\"");
    check([](auto& s) { s.volumes_from = { "ctr:rx" }; }, "--volumes-from \"ctr:rx\"");
    check([](auto& s) { s.mounts = { "type=nfs,target=/x" }; }, "type must be bind, volume or tmpfs");
    check([](auto& s) { s.restart = "on-failure:x"; }, "invalid restart policy \"on-failure:x\"");
    check([](auto& s) { s.remove = true; s.restart = "always"; }, "the --rm option conflicts with --restart");
    check([](auto& s) { s.log_driver = "syslog"; }, "invalid log driver \"syslog\"");
    check([](auto& s) { s.log_opts = { "max-size=big" }; }, "invalid --log-opt max-size=\"big\"");
    check([](auto& s) { s.pull = "sometimes"; }, "invalid --pull \"sometimes\"");
    check([](auto& s) { s.memory = "lots"; }, "--memory");
    container::CreateOptions fine;
    fine.remove = true;
    fine.restart = "no";
    CHECK(error_of(fine).empty());
}

TEST_CASE("validate_container_spec: two mounts on one destination; keep-groups alone")
{
    container::CreateOptions spec;
    spec.image = "busybox";
    spec.volumes = { "/tmp:/data", "/var:/data/" };
    CHECK(error_of(spec) == "\"/data\": duplicate mount destination");
    spec.volumes = { "/tmp:/data" };
    spec.tmpfs = { "/data" };
    CHECK(error_of(spec) == "\"/data\": duplicate mount destination");
    spec.tmpfs = { "/other" };
    CHECK(error_of(spec).empty());
    spec.group_add = { "keep-groups", "10" };
    CHECK(mentions(error_of(spec), "'--group-add keep-groups' option is not allowed with any other"));
    spec.group_add = { "keep-groups" };
    CHECK(error_of(spec).empty());
}

TEST_CASE("validate_container_spec: the run flags Podman checks, with its messages")
{
    container::CreateOptions spec;
    spec.image = "busybox";
    auto with = [&](auto change) {
        auto s = spec;
        change(s);
        return error_of(s);
    };
    CHECK(mentions(with([](auto& s) { s.network = "none"; s.dns = { "192.0.2.1" }; }), "conflicting options: dns and the network mode: none"));
    CHECK(with([](auto& s) { s.dns = { "192.0.2.1" }; }).empty());  // no network given: allowed
    CHECK(mentions(with([](auto& s) { s.add_hosts = { "nohost" }; }), "bad format for add-host"));
    CHECK(mentions(with([](auto& s) { s.add_hosts = { "h:999.1.1.1" }; }), "invalid IP address in add-host"));
    CHECK(with([](auto& s) { s.add_hosts = { "h:::1", "g:192.0.2.1" }; }).empty());
    CHECK(mentions(with([](auto& s) { s.ipc = "bogus"; }), "unrecognized namespace mode bogus passed"));
    CHECK(mentions(with([](auto& s) { s.pid = "ns:/no/such/ns"; }), "cannot find specified PID namespace path: stat /no/such/ns: no such file or directory"));
    CHECK(mentions(with([](auto& s) { s.pid = "ns:relative-path-that-does-not-exist"; }), "cannot find specified PID namespace path"));
    CHECK(with([](auto& s) { s.pid = "host"; }).empty());
    CHECK(mentions(with([](auto& s) { s.uts = "host"; s.hostname = "x"; }), "cannot set hostname when running in the host UTS namespace"));
    CHECK(mentions(with([](auto& s) { s.attach = { "stdout", "bogus" }; }), "invalid stream \"bogus\" for --attach"));
    CHECK(mentions(with([](auto& s) { s.systemd = "maybe"; }), "--systemd values must be one of"));
    CHECK(mentions(with([](auto& s) { s.timeout = -1; }), "--timeout"));
    CHECK(mentions(with([](auto& s) { s.env_merge = { "A=${A" }; }), "--env-merge"));
    CHECK(mentions(with([](auto& s) { s.replace = true; }), "cannot replace container without --name being set"));
    CHECK(mentions(with([](auto& s) { s.pidfile = "/no/such/dir/pid"; }), "/no/such/dir"));
    CHECK(mentions(with([](auto& s) { s.tz = "../../etc/passwd"; }), "unknown time zone"));
    CHECK(mentions(with([](auto& s) { s.tz = "No/Such_Zone"; }), "unknown time zone No/Such_Zone"));
    CHECK(with([](auto& s) { s.tz = "local"; }).empty());
    CHECK(mentions(with([](auto& s) { s.hostuser = { "no-such-user-berth" }; }), "unknown user no-such-user-berth"));
}
