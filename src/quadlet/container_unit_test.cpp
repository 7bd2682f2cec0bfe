// .container → .service: a file with every supported key against its golden
// service (BERTH_UPDATE_GOLDEN=1 rewrites it), the defaults, and the errors.
#include "quadlet/container_unit.h"

#include "base/fs.h"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>

using namespace berth;
using namespace berth::quadlet;

namespace {

std::string read(std::string const& path) { return fs::read_file(path).value_or(""); }

GeneratorEnvironment env() { return GeneratorEnvironment { "/usr/bin/berth" }; }

Result<std::string> service_of(std::string const& text)
{
    auto file = UnitFile::parse("/etc/containers/systemd/t.container", text);
    REQUIRE(file);
    return container_service(*file, env());
}

} // namespace

TEST_CASE("quadlet: a .container with every supported key, against its golden service")
{
    std::string dir = QUADLET_TESTDATA;
    auto file = UnitFile::parse("web.container", read(dir + "/web.container"));
    REQUIRE(file);
    auto service = container_service(*file, env());
    REQUIRE(service);
    if (std::getenv("BERTH_UPDATE_GOLDEN")) {
        std::ofstream(dir + "/web.service") << *service;
        return;
    }
    CHECK(*service == read(dir + "/web.service"));
}

TEST_CASE("quadlet: the defaults: systemd-%N, conmon notification, no [Install] without one")
{
    auto service = service_of("[Container]\nImage=busybox\n");
    REQUIRE(service);
    CHECK(service->find("ExecStart=/usr/bin/berth run --name=systemd-%N --cidfile=%t/%N.cid --replace --rm --cgroups=split "
                        "--sdnotify=conmon -d busybox\n")
        != std::string::npos);
    CHECK(service->find("[Install]") == std::string::npos);
    CHECK(service->find("SourcePath=/etc/containers/systemd/t.container\n") != std::string::npos);
}

TEST_CASE("quadlet: errors name the file, the line and the key")
{
    auto unknown = service_of("[Container]\nImage=busybox\nPublishPorts=80:80\n");
    REQUIRE(!unknown);
    CHECK(unknown.error().message == "/etc/containers/systemd/t.container:3: unsupported key PublishPorts in section [Container]");
    auto no_image = service_of("[Container]\nExec=true\n");
    REQUIRE(!no_image);
    CHECK(no_image.error().message == "/etc/containers/systemd/t.container: [Container] has no Image=");
    auto bad_bool = service_of("[Container]\nImage=busybox\nNotify=maybe\n");
    REQUIRE(!bad_bool);
    CHECK(bad_bool.error().message == "/etc/containers/systemd/t.container:3: Notify=maybe is not a boolean (yes or no)");
    auto bad_policy = service_of("[Container]\nImage=busybox\nAutoUpdate=sometimes\n");
    REQUIRE(!bad_policy);
    CHECK(bad_policy.error().message == "/etc/containers/systemd/t.container:3: AutoUpdate=sometimes is not a policy: use registry or local");
    auto no_section = service_of("[Service]\nRestart=always\n");
    REQUIRE(!no_section);
    CHECK(no_section.error().message == "/etc/containers/systemd/t.container: no [Container] section");
}

TEST_CASE("quadlet: a .volume makes a oneshot `volume create --ignore`; Volume=NAME.volume names its volume and needs its service")
{
    auto vol = UnitFile::parse("/q/data.volume", "[Volume]\nLabel=app=web tier=db\nCopy=no\nUser=1000\n");
    REQUIRE(vol);
    auto service = volume_service(*vol, "data.volume", env());
    REQUIRE(service);
    CHECK(service->find("ExecStart=/usr/bin/berth volume create --ignore --label=app=web --label=tier=db --opt=nocopy "
                        "--opt=uid=1000 systemd-data\n")
        != std::string::npos);
    CHECK(service->find("Type=oneshot\nRemainAfterExit=yes\n") != std::string::npos);
    CHECK(volume_name(*vol, "data.volume") == "systemd-data");
    auto named = UnitFile::parse("/q/x.volume", "[Volume]\nVolumeName=shared\n");
    REQUIRE(named);
    CHECK(volume_name(*named, "x.volume") == "shared");
    auto bad = UnitFile::parse("/q/x.volume", "[Volume]\nDriver=local\n");
    REQUIRE(bad);
    auto refused = volume_service(*bad, "x.volume", env());
    REQUIRE(!refused);
    CHECK(refused.error().message == "/q/x.volume:2: unsupported key Driver in section [Volume]");

    auto ctr = UnitFile::parse("/q/web.container", "[Container]\nImage=busybox\nVolume=data.volume:/data\nVolume=x.volume:/x:ro\n");
    REQUIRE(ctr);
    GeneratorEnvironment e = env();
    e.resource_names = { { "data.volume", "systemd-data" }, { "x.volume", "shared" } };
    auto unit = container_service(*ctr, e);
    REQUIRE(unit);
    CHECK(unit->find("--volume=systemd-data:/data --volume=shared:/x:ro busybox") != std::string::npos);
    CHECK(unit->find("Requires=data-volume.service\nAfter=data-volume.service\nRequires=x-volume.service\n") != std::string::npos);
}

TEST_CASE("quadlet: a reference to a Quadlet file that is not in the search path is an error naming it")
{
    auto ctr = UnitFile::parse("/q/web.container", "[Container]\nImage=busybox\nVolume=nosuch.volume:/data\n");
    REQUIRE(ctr);
    auto unit = container_service(*ctr, env());
    REQUIRE(!unit);
    CHECK(unit.error().message == "/q/web.container:3: Volume=nosuch.volume:/data: no Quadlet file nosuch.volume in the search path");
}
