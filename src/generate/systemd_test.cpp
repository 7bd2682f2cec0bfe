// Golden tests of the systemd units: each case renders a unit from fixed
// records and compares it with testdata/NAME.service byte for byte.
// BERTH_UPDATE_GOLDEN=1 writes the files instead (review the diff!).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "generate/systemd.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

using namespace berth;
using namespace berth::generate;

namespace {

std::string const id1 = "1111111111111111111111111111111111111111111111111111111111111111";
std::string const id2 = "2222222222222222222222222222222222222222222222222222222222222222";
std::string const id3 = "3333333333333333333333333333333333333333333333333333333333333333";
std::string const pod_id = "9999999999999999999999999999999999999999999999999999999999999999";

UnitEnvironment environment()
{
    UnitEnvironment env;
    env.executable = "/usr/bin/berth";
    env.global_args = { "--root", "/var/lib/b", "--runroot", "/run/b" };
    env.run_dir = "/run/b";
    env.version = "0.1.0";
    env.timestamp = "Sun Dec  6 23:31:11 UTC 2026";
    return env;
}

FlagArity arity()
{
    FlagArity a;
    a.global_booleans = { "--noout", "--syslog", "-r", "--remote" };
    a.run_booleans = { "-d", "--detach", "--rm", "-i", "--interactive", "-t", "--tty", "--replace", "--init", "-P" };
    a.pod_create_booleans = { "--replace" };
    return a;
}

ContainerInput web()
{
    ContainerInput c;
    c.id = id1;
    c.name = "web";
    c.monitor_pidfile = "/run/b/containers/" + id1 + "/monitor.pid";
    c.create_command = { "berth", "--root", "/var/lib/b", "--runroot=/run/b", "create", "--name", "web", "-p", "8080:80",
        "-e", "GREETING=hello world", "-e", "RATE=100%", "--rm", "--cidfile", "/tmp/x", "busybox", "sh", "-c",
        "echo $HOME; sleep 1000" };
    return c;
}

PodInput pod()
{
    PodInput p;
    p.id = pod_id;
    p.name = "p1";
    p.infra.id = id2;
    p.infra.name = "999999999999-infra";
    p.infra.monitor_pidfile = "/run/b/containers/" + id2 + "/monitor.pid";
    p.create_command = { "berth", "--root", "/var/lib/b", "pod", "create", "--name", "p1", "-p", "8081:80" };
    ContainerInput m;
    m.id = id3;
    m.name = "pc1";
    m.pod_name = "p1";
    m.stop_timeout = 5;
    m.monitor_pidfile = "/run/b/containers/" + id3 + "/monitor.pid";
    m.create_command = { "berth", "--root", "/var/lib/b", "run", "-d", "--pod", "p1", "--name", "pc1", "busybox", "sleep", "1000" };
    p.members = { m };
    return p;
}

void check_golden(std::string const& name, std::string const& text)
{
    std::string path = std::string(GENERATE_TESTDATA) + "/" + name;
    if (std::getenv("BERTH_UPDATE_GOLDEN")) {
        std::ofstream(path) << text;
        return;
    }
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "missing golden file " << path);
    std::stringstream golden;
    golden << in.rdbuf();
    CHECK_MESSAGE(text == golden.str(), "unit differs from " << path << ":\n" << text);
}

} // namespace

TEST_CASE("generate systemd: a container, started and stopped by ID")
{
    auto unit = container_unit(web(), {}, environment(), arity());
    REQUIRE(unit);
    CHECK(unit->name == "container-" + id1);
    check_golden("container.service", unit->text);
}

TEST_CASE("generate systemd: --new runs the create command, rewritten and escaped for systemd")
{
    SystemdOptions o;
    o.new_unit = true;
    o.use_names = true;
    auto unit = container_unit(web(), o, environment(), arity());
    REQUIRE(unit);
    CHECK(unit->name == "container-web");
    check_golden("container-new.service", unit->text);
}

TEST_CASE("generate systemd: every unit option, a template, no header")
{
    SystemdOptions o;
    o.template_unit = true;
    o.use_names = true;
    o.no_header = true;
    o.restart_policy = "always";
    o.restart_sec = 5;
    o.start_timeout = 20;
    o.stop_timeout = 3;
    o.container_prefix = "ctr";
    o.separator = "_";
    o.env = { "A=1", "B=two words" };
    o.wants = { "a.service", "b.service" };
    o.after = { "x.service" };
    o.requires_units = { "r.service" };
    auto unit = container_unit(web(), o, environment(), arity());
    REQUIRE(unit);
    CHECK(unit->name == "ctr_web@");
    check_golden("container-options.service", unit->text);
}

TEST_CASE("generate systemd: a pod and its member, bound together")
{
    SystemdOptions o;
    o.use_names = true;
    auto units = pod_units(pod(), o, environment(), arity());
    REQUIRE(units);
    REQUIRE(units->size() == 2);
    CHECK((*units)[0].name == "pod-p1");
    CHECK((*units)[1].name == "container-pc1");
    check_golden("pod.service", (*units)[0].text);
    check_golden("pod-member.service", (*units)[1].text);
}

TEST_CASE("generate systemd: a pod with --new creates the pod and joins its members by the pod ID file")
{
    SystemdOptions o;
    o.use_names = true;
    o.new_unit = true;
    auto units = pod_units(pod(), o, environment(), arity());
    REQUIRE(units);
    REQUIRE(units->size() == 2);
    check_golden("pod-new.service", (*units)[0].text);
    check_golden("pod-member-new.service", (*units)[1].text);
    // A pod created with an exit policy keeps it, and gets no --exit-policy=stop.
    auto continuing = pod();
    continuing.create_command.insert(continuing.create_command.end(), { "--exit-policy", "continue" });
    auto kept = pod_units(continuing, o, environment(), arity());
    REQUIRE(kept);
    CHECK((*kept)[0].text.find("\t--exit-policy continue \\\n") != std::string::npos);
    CHECK((*kept)[0].text.find("--exit-policy=stop") == std::string::npos);
}

TEST_CASE("generate systemd: a member alone with --new keeps its --pod")
{
    SystemdOptions o;
    o.new_unit = true;
    o.use_names = true;
    auto unit = container_unit(pod().members[0], o, environment(), arity());
    REQUIRE(unit);
    CHECK(unit->text.find("\t--pod p1 \\\n") != std::string::npos);
    CHECK(unit->text.find("--pod-id-file") == std::string::npos);
}

TEST_CASE("generate systemd: errors")
{
    SystemdOptions o;
    o.restart_policy = "sometimes";
    auto bad = container_unit(web(), o, environment(), arity());
    REQUIRE(!bad);
    CHECK(bad.error().message.find("sometimes is not a valid restart policy") == 0);

    SystemdOptions fresh;
    fresh.new_unit = true;
    auto c = web();
    c.create_command.clear();
    auto none = container_unit(c, fresh, environment(), arity());
    REQUIRE(!none);
    CHECK(none.error().message == "container web has no create command (it was not made by a berth command line): generate its unit without --new");

    SystemdOptions tmpl;
    tmpl.template_unit = true;
    auto p = pod_units(pod(), tmpl, environment(), arity());
    REQUIRE(!p);
    CHECK(p.error().message == "--template is not supported for pods");

    c = web();
    c.create_command = { "berth", "ps" };
    auto unreadable = container_unit(c, fresh, environment(), arity());
    REQUIRE(!unreadable);
    CHECK(unreadable.error().message == "cannot read the create command \"berth ps\"");
}

TEST_CASE("generate systemd: escaping a word for an Exec line")
{
    CHECK(escape_exec_word("plain") == "plain");
    CHECK(escape_exec_word("100%") == "100%%");
    CHECK(escape_exec_word("$HOME") == "$$HOME");
    CHECK(escape_exec_word("two words") == "\"two words\"");
    CHECK(escape_exec_word("say \"hi\"") == "\"say \\\"hi\\\"\"");
    CHECK(escape_exec_word("") == "\"\"");
    CHECK(escape_exec_word(";") == "\";\"");
}

TEST_CASE("generate systemd: -dit counts as -d; an attached value is not the next word")
{
    SystemdOptions o;
    o.new_unit = true;
    auto c = web();
    c.create_command = { "berth", "run", "-dit", "-p8080:80", "--name=web", "busybox" };
    auto unit = container_unit(c, o, environment(), arity());
    REQUIRE(unit);
    CHECK(unit->text.find("\t-d \\\n") == std::string::npos);
    CHECK(unit->text.find("\t--replace \\\n\t-dit \\\n\t-p8080:80 \\\n\t--name=web busybox\n") != std::string::npos);
}
