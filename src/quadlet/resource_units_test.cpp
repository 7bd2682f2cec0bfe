// .network, .pod, .kube, .image and .build → services: a file of each kind
// with every supported key against its golden service (BERTH_UPDATE_GOLDEN=1
// rewrites them), the references a .container makes to them, and the errors.
#include "quadlet/resource_units.h"
#include "quadlet/sources.h"

#include "base/fs.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>

using namespace berth;
using namespace berth::quadlet;

namespace {

std::string read(std::string const& path) { return fs::read_file(path).value_or(""); }

/// As the generator would make it for the files in testdata/.
GeneratorEnvironment env()
{
    GeneratorEnvironment e { "/usr/bin/berth", {}, {}, {} };
    e.resource_names = { { "db.network", "dbnet" }, { "data.volume", "systemd-data" }, { "app.pod", "app" },
        { "base.image", "registry.example/base:1.0" }, { "app.build", "localhost/app:latest" } };
    e.pod_containers = { { "app.pod", { "web.service" } } };
    return e;
}

/// The service of `text` as the file /etc/containers/systemd/NAME.
Result<std::string> service_of(std::string const& name, std::string const& text)
{
    Source source { name, "/etc/containers/systemd/" + name };
    auto file = UnitFile::parse(source.path, text);
    REQUIRE(file);
    return service_text(source, *file, env());
}

/// testdata/NAME against testdata/its service's golden text.
void check_golden(std::string const& name)
{
    std::string dir = QUADLET_TESTDATA;
    auto service = service_of(name, read(dir + "/" + name));
    REQUIRE_MESSAGE(service, service.error().message);
    std::string golden = dir + "/" + service_name(name);
    if (std::getenv("BERTH_UPDATE_GOLDEN")) {
        std::ofstream(golden) << *service;
        return;
    }
    CHECK(*service == read(golden));
}

std::string error_of(std::string const& name, std::string const& text)
{
    auto service = service_of(name, text);
    REQUIRE(!service);
    return service.error().message;
}

bool has(Result<std::string> const& text, std::string const& part)
{
    REQUIRE_MESSAGE(text, text.error().message);
    return text->find(part) != std::string::npos;
}

} // namespace

TEST_CASE("quadlet: a .network with every supported key, against its golden service")
{
    check_golden("db.network");
}

TEST_CASE("quadlet: a .pod with every supported key, against its golden service")
{
    check_golden("app.pod");
}

TEST_CASE("quadlet: a .kube with every supported key, against its golden service")
{
    check_golden("app.kube");
}

TEST_CASE("quadlet: an .image with every supported key, against its golden service")
{
    check_golden("base.image");
}

TEST_CASE("quadlet: a .build with every supported key, against its golden service")
{
    check_golden("app.build");
}

TEST_CASE("quadlet: what each kind of file makes, by default and by its name key")
{
    auto name_of = [](std::string const& source, std::string const& text) {
        auto file = UnitFile::parse(source, text);
        REQUIRE(file);
        return resource_name(*file, source);
    };
    CHECK(name_of("db.network", "[Network]\n") == "systemd-db");
    CHECK(name_of("db.network", "[Network]\nNetworkName=n\n") == "n");
    CHECK(name_of("app.pod", "[Pod]\n") == "systemd-app");
    CHECK(name_of("app.pod", "[Pod]\nPodName=p\n") == "p");
    CHECK(name_of("b.image", "[Image]\nImage=busybox\n") == "busybox");
    CHECK(name_of("b.image", "[Image]\nImage=docker-archive:/b.tar\nImageTag=localhost/b\n") == "localhost/b");
    CHECK(name_of("a.build", "[Build]\nImageTag=localhost/a\nImageTag=localhost/a:1\n") == "localhost/a");
    CHECK(name_of("w.container", "[Container]\nImage=busybox\n").empty());
}

TEST_CASE("quadlet: a container's Network=, Pod= and Image= name what those files make, and need their services")
{
    auto unit = service_of("web.container", "[Container]\nImage=base.image\nNetwork=db.network\n");
    CHECK(has(unit, "--network=dbnet registry.example/base:1.0\n"));
    CHECK(has(unit, "Requires=base-image.service\nAfter=base-image.service\nRequires=db-network.service\nAfter=db-network.service\n"));
    auto options = service_of("web.container", "[Container]\nImage=busybox\nNetwork=db.network:ip=10.90.0.9\nNetwork=host\n");
    CHECK(has(options, "--network=dbnet:ip=10.90.0.9 --network=host busybox\n"));
    auto built = service_of("web.container", "[Container]\nImage=app.build\n");
    CHECK(has(built, "Requires=app-build.service\nAfter=app-build.service\n"));
    CHECK(has(built, " localhost/app:latest\n"));
    // As Podman's: the pod service's --pod-id-file, BindsTo= that service.
    auto member = service_of("web.container", "[Container]\nImage=busybox\nPod=app.pod\n");
    CHECK(has(member, "--pod-id-file=%t/app-pod.pod-id busybox\n"));
    CHECK(has(member, "BindsTo=app-pod.service\nAfter=app-pod.service\nSourcePath="));
    CHECK(error_of("web.container", "[Container]\nImage=busybox\nPod=mypod\n")
        == "/etc/containers/systemd/web.container:3: Pod=mypod: not a Quadlet .pod file (NAME.pod)");
    CHECK(error_of("web.container", "[Container]\nImage=busybox\nPod=other.pod\n")
        == "/etc/containers/systemd/web.container:3: Pod=other.pod: no Quadlet file other.pod in the search path");
    CHECK(error_of("web.container", "[Container]\nImage=nosuch.image\n")
        == "/etc/containers/systemd/web.container:2: Image=nosuch.image: no Quadlet file nosuch.image in the search path");
}

TEST_CASE("quadlet: a .pod's ServiceName= names its service, and the references of its containers follow")
{
    auto named = [](std::string const& text) {
        auto file = UnitFile::parse("/etc/containers/systemd/app.pod", text);
        REQUIRE(file);
        return service_name("app.pod", *file);
    };
    CHECK(named("[Pod]\n") == "app-pod.service");
    CHECK(named("[Pod]\nServiceName=shop\n") == "shop.service");
    CHECK(named("[Pod]\nServiceName=shop.service\n") == "shop.service");
    auto e = env();
    e.service_names = { { "app.pod", "shop.service" } };
    CHECK(e.service_of("app.pod") == "shop.service");
    CHECK(e.service_of("db.network") == "db-network.service");
    auto file = UnitFile::parse("/etc/containers/systemd/web.container", "[Container]\nImage=busybox\nPod=app.pod\n");
    REQUIRE(file);
    auto member = service_text({ "web.container", "/etc/containers/systemd/web.container" }, *file, e);
    CHECK(has(member, "BindsTo=shop.service\nAfter=shop.service\n"));
    CHECK(has(member, "--pod-id-file=%t/shop.pod-id busybox\n"));
}

TEST_CASE("quadlet: the defaults of each kind")
{
    auto net = service_of("n.network", "[Network]\n");
    CHECK(has(net, "ExecStart=/usr/bin/berth network create --ignore systemd-n\nType=oneshot\nRemainAfterExit=yes\n"));
    CHECK(!has(net, "ExecStopPost"));
    auto no_dns = service_of("n.network", "[Network]\nDisableDNS=yes\n");
    CHECK(has(no_dns, "ExecStart=/usr/bin/berth network create --ignore --disable-dns systemd-n\n"));
    auto pod = service_of("p.pod", "[Pod]\n");
    CHECK(has(pod, "ExecStartPre=/usr/bin/berth pod create --infra-conmon-pidfile=%t/%N.pid --pod-id-file=%t/%N.pod-id "
                   "--exit-policy=stop --replace --infra-name=systemd-p-infra --name=systemd-p\n"));
    CHECK(!has(pod, "Wants=web.service"));
    auto image = service_of("i.image", "[Image]\nImage=busybox\n");
    CHECK(has(image, "ExecStart=/usr/bin/berth image pull busybox\n"));
    auto all = service_of("i.image", "[Image]\nImage=registry.example/tools\nAllTags=yes\n");
    CHECK(has(all, "ExecStart=/usr/bin/berth image pull --all-tags registry.example/tools\n"));
    auto build = service_of("b.build", "[Build]\nImageTag=localhost/b\nFile=/src/b/Containerfile\n");
    CHECK(has(build, "ExecStart=/usr/bin/berth build --tag=localhost/b --file=/src/b/Containerfile /src/b\n"));
    auto kube = service_of("k.kube", "[Kube]\nYaml=/srv/k.yaml\n");
    CHECK(has(kube, "Type=notify\nNotifyAccess=all\n"));
    CHECK(has(kube, "ExecStart=/usr/bin/berth kube play --replace --service-container=true /srv/k.yaml\n"));
    CHECK(!has(kube, "oneshot"));
    CHECK(has(kube, "ExecStopPost=/usr/bin/berth kube down /srv/k.yaml\n"));
    CHECK(!has(kube, "WorkingDirectory="));
}

TEST_CASE("quadlet: the errors of each kind name the file (and the line where there is one)")
{
    CHECK(error_of("n.network", "[Network]\nSubnet=10.1.0.0/24\nDNSServer=10.1.0.1\n")
        == "/etc/containers/systemd/n.network:3: unsupported key DNSServer in section [Network]");
    CHECK(error_of("n.network", "[Network]\nIPAMDriver=dhcp\n")
        == "/etc/containers/systemd/n.network:2: IPAMDriver=dhcp is not supported by berth: remove it or use IPAMDriver=host-local");
    CHECK(error_of("n.network", "[Network]\nSubnet=10.1.0.0/24\nIPAMDriver=none\n")
        == "/etc/containers/systemd/n.network:3: IPAMDriver=none is not supported by berth: remove it or use IPAMDriver=host-local");
    CHECK(error_of("n.network", "[Network]\nDNS=10.1.0.53\nDisableDNS=yes\n")
        == "/etc/containers/systemd/n.network:2: DNS= needs the network's DNS server, which DisableDNS=yes turns off: remove one of them");
    CHECK(error_of("n.network", "[Network]\nGateway=10.1.0.1\n") == "/etc/containers/systemd/n.network: Gateway= and IPRange= need a Subnet=");
    CHECK(error_of("n.network", "[Network]\nSubnet=10.1.0.0/24\nGateway=10.1.0.1\nGateway=10.1.0.2\n")
        == "/etc/containers/systemd/n.network: more Gateway= or IPRange= than Subnet= (each pairs with the Subnet= at its position)");
    CHECK(error_of("n.network", "[Network]\nInternal=perhaps\n")
        == "/etc/containers/systemd/n.network:2: Internal=perhaps is not a boolean (yes or no)");
    CHECK(error_of("p.pod", "[Pod]\nPodName=p\nExitPolicy=sometimes\n") == "/etc/containers/systemd/p.pod:3: ExitPolicy=sometimes is not stop or continue");
    CHECK(error_of("p.pod", "[Pod]\nPodName=p\nExitPolicies=stop\n") == "/etc/containers/systemd/p.pod:3: unsupported key ExitPolicies in section [Pod]");
    CHECK(error_of("p.pod", "[Pod]\nNetwork=nosuch.network\n")
        == "/etc/containers/systemd/p.pod:2: Network=nosuch.network: no Quadlet file nosuch.network in the search path");
    CHECK(error_of("i.image", "[Image]\nArch=arm64\n") == "/etc/containers/systemd/i.image: [Image] has no Image=");
    CHECK(error_of("i.image", "[Image]\nImage=busybox\nAllTags=often\n")
        == "/etc/containers/systemd/i.image:3: AllTags=often is not a boolean (yes or no)");
    CHECK(error_of("b.build", "[Build]\nFile=/x/Containerfile\n") == "/etc/containers/systemd/b.build: [Build] has no ImageTag=");
    CHECK(error_of("b.build", "[Build]\nImageTag=localhost/b\nFile=Containerfile\n")
        == "/etc/containers/systemd/b.build: [Build] needs SetWorkingDirectory= (unit, file or a path) or an absolute File=");
    CHECK(error_of("k.kube", "[Kube]\nPublishPort=80\n") == "/etc/containers/systemd/k.kube: [Kube] has no Yaml=");
    CHECK(error_of("k.kube", "[Kube]\nYaml=k.yaml\nSetWorkingDirectory=home\n")
        == "/etc/containers/systemd/k.kube:3: SetWorkingDirectory=home is not yaml or unit");
    CHECK(error_of("k.kube", "[Kube]\nYaml=k.yaml\nAutoUpdate=always\n")
        == "/etc/containers/systemd/k.kube:3: AutoUpdate=always is not a policy: use registry, local, or CONTAINER/registry or CONTAINER/local");
    CHECK(error_of("k.kube", "[Kube]\nYaml=k.yaml\nAutoUpdate=/local\n")
        == "/etc/containers/systemd/k.kube:3: AutoUpdate=/local is not a policy: use registry, local, or CONTAINER/registry or CONTAINER/local");
    CHECK(error_of("k.kube", "[Kube]\nYaml=k.yaml\nAutoUpdates=local\n")
        == "/etc/containers/systemd/k.kube:3: unsupported key AutoUpdates in section [Kube]");
}
