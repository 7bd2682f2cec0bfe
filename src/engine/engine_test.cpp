#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "engine/containers/container_query.h"
#include "engine/containers/containers.h"
#include "engine/containers/create_steps.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"
#include "engine/containers/logs.h"

using namespace berth;

TEST_CASE("parse_time handles RFC 3339 with fractions and offsets")
{
    CHECK(engine::parse_time("1970-01-01T00:00:10Z") == 10);
    CHECK(engine::parse_time("2024-01-02T03:04:05.123456789Z") == 1704164645);
    CHECK(engine::parse_time("2024-01-02T05:04:05+02:00") == 1704164645);
    CHECK(engine::parse_time("") == 0);
    CHECK(engine::parse_time("garbage") == 0);
}

TEST_CASE("split_name separates repository and tag")
{
    CHECK(engine::split_name("docker.io/library/alpine:3.19") == std::pair<std::string, std::string> { "docker.io/library/alpine", "3.19" });
    CHECK(engine::split_name("localhost:5000/app") == std::pair<std::string, std::string> { "localhost:5000/app", "latest" });
    CHECK(engine::split_name("quay.io/x/y@sha256:abc").second == "<none>");
}

TEST_CASE("normalize_tag_name defaults to localhost and latest")
{
    CHECK(engine::normalize_tag_name("app").value() == "localhost/app:latest");
    CHECK(engine::normalize_tag_name("app:1").value() == "localhost/app:1");
    CHECK(engine::normalize_tag_name("127.0.0.1:5000/a/b:2").value() == "127.0.0.1:5000/a/b:2");
    CHECK(!engine::normalize_tag_name("Bad::Name").has_value());
}

TEST_CASE("logs --since: unix seconds and durations out of range are errors")
{
    int64_t const now = 1700000000LL * 1000000000LL;
    CHECK(engine::parse_log_time("1700000000", now).value() == now);
    CHECK(engine::parse_log_time("10m", now).value() == now - 600LL * 1000000000LL);
    for (char const* bad : { "9223372036854775807", "nan", "inf", "-1e300", "3000000000h", "-3000000000h",
             "0202-11-14T22:13:20+02:00", "9999-01-01" }) {
        auto r = engine::parse_log_time(bad, now);
        REQUIRE_MESSAGE(!r, bad);
        CHECK(r.error().message.find("invalid time \"" + std::string(bad) + "\"") == 0);
    }
}

TEST_CASE("published_ports and ports_text show a record's -p mappings as port and ps print them")
{
    container::ContainerRecord rec;
    rec.config["publish"] = Json::array({ "127.0.0.1:8080:80", "53:53/udp" });
    auto ports = engine::published_ports(rec);
    REQUIRE(ports.size() == 2);
    CHECK(ports[0].key == "80/tcp");
    CHECK(ports[0].host == "127.0.0.1:8080");
    CHECK(ports[1].key == "53/udp");
    CHECK(ports[1].host == "0.0.0.0:53");
    CHECK(engine::ports_text(rec) == "127.0.0.1:8080->80/tcp, 0.0.0.0:53->53/udp");
    CHECK(engine::ports_text(container::ContainerRecord {}).empty());
}

TEST_CASE("set_import_platform: os/arch[/variant], arch alone is linux")
{
    engine::ImportOptions options;
    REQUIRE(engine::set_import_platform(options, "freebsd/arm64").has_value());
    CHECK(options.os == "freebsd");
    CHECK(options.architecture == "arm64");
    options.variant = "v8";
    REQUIRE(engine::set_import_platform(options, "amd64").has_value());
    CHECK(options.os == "linux");
    CHECK(options.architecture == "amd64");
    CHECK(options.variant.empty());
    CHECK(!engine::set_import_platform(options, "").has_value());
}
