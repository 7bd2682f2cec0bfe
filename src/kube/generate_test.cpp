// kube generate's output compared with golden files (testdata/*.yaml), as
// podman's pkg/systemd/generate tests do. KUBE_GOLDEN_UPDATE=1 rewrites them
// (then read the diff: the golden files are the specification).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "kube/generate.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

using namespace berth;
using namespace berth::kube;

namespace {

std::string golden_path(std::string const& name)
{
    char const* dir = std::getenv("KUBE_GOLDEN_DIR");
    return std::string(dir ? dir : "testdata") + "/" + name;
}

void check_golden(std::string const& name, std::string const& actual)
{
    auto path = golden_path(name);
    if (std::getenv("KUBE_GOLDEN_UPDATE")) {
        std::ofstream(path) << actual;
        return;
    }
    std::ifstream in(path);
    REQUIRE_MESSAGE(in.good(), "missing golden file " << path);
    std::stringstream expected;
    expected << in.rdbuf();
    CHECK(actual == expected.str());
}

image::ImageConfig busybox_image()
{
    image::ImageConfig image;
    image.env = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    image.cmd = { "sh" };
    return image;
}

ContainerInput make_container(std::string const& name, container::CreateOptions options)
{
    ContainerInput in;
    in.record.name = name;
    in.record.image_name = "127.0.0.1:5000/busybox:latest";
    options.image = in.record.image_name;
    in.options = std::move(options);
    in.image = busybox_image();
    return in;
}

GenerateOptions fixed_options()
{
    GenerateOptions o;
    o.version = "berth-0.1.0";
    o.created = "2026-01-02T03:04:05Z";
    return o;
}

} // namespace

TEST_CASE("a lone container: command, env, port, bind and named volume, caps, workdir")
{
    container::CreateOptions o;
    o.command = { "sh", "-c", "echo hi" };
    o.env = { "FOO=bar", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    o.volumes = { "vol1:/data", "/tmp:/hosttmp:ro" };
    o.workdir = "/data";
    o.cap_add = { "NET_ADMIN" };
    o.cap_drop = { "CHOWN" };
    auto c = make_container("c1", o);
    c.ports = { network::PortMapping { "", 8080, 80, "tcp" } };
    PodInput pod { "c1-pod", "", { c }, { { "/tmp", "Directory" } } };
    container::VolumeRecord vol;
    vol.name = "vol1";
    check_golden("container.yaml", generate_yaml({ pod }, { vol }, fixed_options()));
}

TEST_CASE("a pod of two containers with -s: entrypoint and args, privileged, read-only, user, UDP port")
{
    container::CreateOptions web;
    web.command = { "httpd", "-f", "-p", "80" };
    web.volumes = { "vol1:/www" };
    web.user = "1000:1000";
    web.read_only = true;
    web.cap_drop = { "all" };
    auto w = make_container("web", web);
    w.ports = { network::PortMapping { "127.0.0.1", 8081, 80, "tcp" }, network::PortMapping { "", 5353, 53, "udp" } };
    w.record.restart.kind = container::RestartPolicy::Kind::OnFailure;
    container::CreateOptions side;
    side.entrypoint = "/bin/sh";
    side.command = { "-c", "sleep 100" };
    side.env = { "A=1" };
    side.privileged = true;
    side.tmpfs = { "/scratch" };
    auto s = make_container("side_car", side);
    s.probe = Probe { { "/bin/sh", "-c", "test -e /tmp" }, 5, 2, 0, 3 };
    PodInput pod { "p1", "p1", { w, s }, {} };
    auto o = fixed_options();
    o.service = true;
    check_golden("pod-service.yaml", generate_yaml({ pod }, {}, o));
}

TEST_CASE("--type deployment: the pod as a template, replicas, no restart policy but Always")
{
    container::CreateOptions o;
    o.command = { "sleep", "1000" };
    auto c = make_container("app", o);
    c.record.restart.kind = container::RestartPolicy::Kind::No;
    PodInput pod { "app-pod", "", { c }, {} };
    auto opts = fixed_options();
    opts.type = GenerateOptions::Type::Deployment;
    opts.replicas = 3;
    check_golden("deployment.yaml", generate_yaml({ pod }, {}, opts));
}

TEST_CASE("--type daemonset and job: a template with a selector; a Job's pod restarts Never or OnFailure")
{
    container::CreateOptions o;
    o.command = { "sleep", "1000" };
    auto c = make_container("app", o);
    c.record.restart.kind = container::RestartPolicy::Kind::Always;
    PodInput pod { "app-pod", "", { c }, {} };
    auto opts = fixed_options();
    opts.type = GenerateOptions::Type::DaemonSet;
    check_golden("daemonset.yaml", generate_yaml({ pod }, {}, opts));
    opts.type = GenerateOptions::Type::Job;
    check_golden("job.yaml", generate_yaml({ pod }, {}, opts));
    pod.containers[0].record.restart.kind = container::RestartPolicy::Kind::OnFailure;
    CHECK(generate_yaml({ pod }, {}, opts).find("restartPolicy: OnFailure") != std::string::npos);
}

TEST_CASE("--env-file variables, --network host, --stop-timeout")
{
    container::CreateOptions o;
    o.env_files = { "FROM_FILE=1", "X=file" };
    o.env = { "X=flag" };
    o.network = "host";
    o.stop_timeout = 2;
    auto doc = pod_object(PodInput { "h-pod", "", { make_container("h", o) }, {} }, fixed_options());
    CHECK(doc["spec"]["terminationGracePeriodSeconds"] == 2);
    CHECK(doc["spec"]["containers"][0]["env"]
        == Json::parse(R"([{"name": "FROM_FILE", "value": "1"}, {"name": "X", "value": "flag"}])"));
    CHECK(doc["spec"]["hostNetwork"] == true);
}

TEST_CASE("the image's own command and environment are left out")
{
    container::CreateOptions o;
    o.env = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };
    auto c = make_container("plain", o);
    PodInput pod { "plain-pod", "", { c }, {} };
    auto doc = pod_object(pod, fixed_options());
    auto const& ctr = doc["spec"]["containers"][0];
    CHECK_FALSE(ctr.contains("command"));
    CHECK_FALSE(ctr.contains("args"));
    CHECK_FALSE(ctr.contains("env"));
    // Only the arguments differ: the image's entrypoint stays, args replace CMD.
    auto with_ep = make_container("ep", container::CreateOptions {});
    with_ep.image.entrypoint = { "/entry" };
    with_ep.options.command = { "x" };
    auto doc2 = pod_object(PodInput { "ep-pod", "", { with_ep }, {} }, fixed_options());
    CHECK_FALSE(doc2["spec"]["containers"][0].contains("command"));
    CHECK(doc2["spec"]["containers"][0]["args"] == Json::array({ "x" }));
}

TEST_CASE("names become DNS-1123 labels; no ports, no Service; --type")
{
    CHECK(kube_name("happy_turing") == "happyturing");
    CHECK(kube_name("My.App") == "my-app");
    CHECK(kube_name(std::string(80, 'a')).size() == 63);
    CHECK(kube_name("-x-") == "x");
    PodInput pod { "p", "", { make_container("c", {}) }, {} };
    CHECK(service_object(pod, fixed_options()).is_null());
    // A member kube play named POD-NAME gets its own name back.
    PodInput played { "web", "", { make_container("web-server", {}), make_container("web", {}) }, {} };
    auto doc = pod_object(played, fixed_options());
    CHECK(doc["spec"]["containers"][0]["name"] == "server");
    CHECK(doc["spec"]["containers"][1]["name"] == "web");
    // The volume kube play made for an emptyDir is one again, by its own name.
    container::CreateOptions o;
    o.volumes = { "web-scratch:/scratch" };
    PodInput scratch { "web", "", { make_container("web-server", o) }, {}, false, { "web-scratch" } };
    auto sdoc = pod_object(scratch, fixed_options());
    CHECK(sdoc["spec"]["volumes"] == Json::parse(R"([{"name": "scratch", "emptyDir": {}}])"));
    CHECK(sdoc["spec"]["containers"][0]["volumeMounts"] == Json::parse(R"([{"name": "scratch", "mountPath": "/scratch"}])"));
    CHECK(parse_type("pod").value() == GenerateOptions::Type::Pod);
    CHECK(parse_type("deployment").value() == GenerateOptions::Type::Deployment);
    CHECK(parse_type("daemonset").value() == GenerateOptions::Type::DaemonSet);
    CHECK(parse_type("job").value() == GenerateOptions::Type::Job);
    CHECK(parse_type("cronjob").error().message == "invalid type \"cronjob\": use pod, deployment, daemonset or job");
}
