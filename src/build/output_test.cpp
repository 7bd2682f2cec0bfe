#include "build/output.h"

#include <doctest/doctest.h>

using namespace berth::build;
using berth::Json;

TEST_CASE("output: --format oci or docker, else a one-line error naming the flag")
{
    CHECK((parse_image_format("").value() == ImageFormat::Oci));
    CHECK((parse_image_format("oci").value() == ImageFormat::Oci));
    CHECK((parse_image_format("docker").value() == ImageFormat::Docker));
    auto bad = parse_image_format("v2s2");
    REQUIRE(!bad);
    CHECK(bad.error().message.starts_with("--format: "));
}

TEST_CASE("output: --platform needs OS/ARCH, takes a variant, nothing more")
{
    OutputOptions o;
    REQUIRE(parse_build_platform("linux/arm64/v8", o).has_value());
    CHECK(o.os == "linux");
    CHECK(o.architecture == "arm64");
    CHECK(o.variant == "v8");
    REQUIRE(parse_build_platform("linux/amd64", o).has_value());
    CHECK(o.variant.empty());
    for (auto bad : { "", "arm64", "linux/", "/amd64", "linux/arm/v7/x", "linux/amd 64" }) {
        OutputOptions p;
        auto r = parse_build_platform(bad, p);
        CHECK_MESSAGE(!r, bad);
        if (!r)
            CHECK(r.error().message.starts_with("--platform: "));
    }
}

TEST_CASE("output: --timestamp is whole non-negative seconds")
{
    CHECK(parse_build_timestamp("0").value() == 0);
    CHECK(parse_build_timestamp("1700000000").value() == 1700000000);
    for (auto bad : { "", "abc", "-1", "12s", "1.5", "99999999999999999999" }) {
        auto r = parse_build_timestamp(bad);
        CHECK_MESSAGE(!r, bad);
        if (!r)
            CHECK(r.error().message.starts_with("--timestamp: "));
    }
}

TEST_CASE("output: --annotation is KEY=VALUE or KEY, the last of a key wins, an empty key is refused")
{
    OutputOptions out;
    REQUIRE(parse_build_annotation("a=b=c", out));
    REQUIRE(parse_build_annotation("flag", out));
    REQUIRE(parse_build_annotation("k=1", out));
    REQUIRE(parse_build_annotation("k=2", out));
    CHECK(out.annotations == std::map<std::string, std::string> { { "a", "b=c" }, { "flag", "" }, { "k", "2" } });
    for (auto bad : { "", "=v" }) {
        auto r = parse_build_annotation(bad, out);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("--annotation") != std::string::npos);
    }
}

TEST_CASE("output: --os-feature adds beside the base's, NAME- removes, each once")
{
    CHECK(os_features(Json(), { "a", "b", "a" }) == Json { "a", "b" });
    CHECK(os_features(Json { "base", "gone" }, { "gone-", "new", "missing-" }) == Json { "base", "new" });
    CHECK(os_features(Json { "x" }, { "x-" }) == Json::array());
    CHECK(os_features(Json("not a list"), { "-" }) == Json { "-" });
}

TEST_CASE("output: the OCI format drops Healthcheck, Shell and OnBuild with Podman's warnings")
{
    Json config = Json::parse(R"({"config":{"Env":["A=1"],"Healthcheck":{"Test":["CMD-SHELL","true"]},
        "Shell":["/bin/sh","-xc"],"OnBuild":["RUN true"]}})");
    auto warnings = drop_docker_only(config);
    REQUIRE(warnings.size() == 3);
    CHECK(warnings[0] == "HEALTHCHECK is not supported for OCI image format and will be ignored. Must use `docker` format");
    CHECK(warnings[1] == "SHELL is not supported for OCI image format, [/bin/sh -xc] will be ignored. Must use `docker` format");
    CHECK(warnings[2] == "ONBUILD is not supported for OCI image format, RUN true will be ignored. Must use `docker` format");
    CHECK(config["config"] == Json::parse(R"({"Env":["A=1"]})"));
    Json plain = Json::parse(R"({"config":{"Env":["A=1"]}})");
    CHECK(drop_docker_only(plain).empty());
    Json none = Json::object();
    CHECK(drop_docker_only(none).empty());
}

TEST_CASE("output: -o type=local|tar,dest=..., - and a bare directory")
{
    using K = BuildOutput::Kind;
    auto check = [](std::string_view text, K kind, std::string const& dest) {
        auto out = parse_build_output(text);
        REQUIRE_MESSAGE(out.has_value(), text);
        CHECK(out->kind == kind);
        CHECK(out->dest == dest);
    };
    check("type=local,dest=/tmp/out", K::Local, "/tmp/out");
    check("dest=out.tar,type=tar", K::Tar, "out.tar");
    check("type=tar,dest=-", K::Tar, "-");
    check("-", K::Tar, "-");
    check("some/dir", K::Local, "some/dir");
    check("dir=with=equals", K::Local, "dir=with=equals");  // no comma: a path, as Podman takes it
    for (auto bad : { "", "type=local", "dest=/x", "type=oci,dest=/x", "type=local,dest=-", "type=tar,dest=",
             "type=local,dest=/x,foo=bar", "type=local,type=tar,dest=/x", "type=local,dest=/x,", "type=local,/x" }) {
        auto r = parse_build_output(bad);
        CHECK_MESSAGE(!r, bad);
        if (!r)
            CHECK(r.error().message.starts_with("-o/--output "));
    }
}
