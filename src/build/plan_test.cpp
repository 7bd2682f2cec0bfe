#include "build/plan.h"

#include <doctest/doctest.h>

using namespace berth::build;

namespace {

Containerfile parse(std::string_view text)
{
    auto file = parse_containerfile(text);
    REQUIRE(file.has_value());
    return std::move(*file);
}

} // namespace

TEST_CASE("plan: the target and what it names in FROM and COPY --from, nothing else")
{
    auto file = parse("FROM busybox AS Base\nRUN true\n"
                      "FROM busybox AS unused\n"
                      "FROM base AS tools\n"
                      "FROM alpine\nCOPY --from=tools /a /a\nCOPY --from=0 /b /b\nCOPY --from=docker.io/library/nginx /c /c\n");
    CHECK(needed_stages(file, 3, {}).value() == std::vector<size_t> { 0, 2, 3 });
    CHECK(needed_stages(file, 1, {}).value() == std::vector<size_t> { 1 });
    CHECK(needed_stages(file, 2, {}).value() == std::vector<size_t> { 0, 2 });
}

TEST_CASE("plan: a stage reference is an earlier stage's name (any case) or index")
{
    auto file = parse("FROM busybox AS build\nFROM busybox AS test\nFROM build\n");
    CHECK(stage_reference(file, "BUILD", 2) == std::optional<size_t>(0));
    CHECK(stage_reference(file, "test", 2) == std::optional<size_t>(1));
    CHECK(stage_reference(file, "test", 1) == std::nullopt);               // not yet defined: an image
    CHECK(stage_reference(file, "1", 2) == std::optional<size_t>(1));
    CHECK(stage_reference(file, "2", 2) == std::nullopt);                  // only earlier stages
    CHECK(stage_reference(file, "busybox", 2) == std::nullopt);
}

TEST_CASE("plan: FROM with a global ARG may name a stage")
{
    auto file = parse("ARG FROM_STAGE=first\nFROM busybox AS first\nFROM busybox AS second\nFROM ${FROM_STAGE}\n");
    CHECK(needed_stages(file, 2, { { "FROM_STAGE", "first" } }).value() == std::vector<size_t> { 0, 2 });
    CHECK(needed_stages(file, 2, { { "FROM_STAGE", "second" } }).value() == std::vector<size_t> { 1, 2 });
}

TEST_CASE("plan: RUN --mount=from= needs that stage")
{
    auto file = parse("FROM busybox AS tools\nRUN true\n"
                      "FROM busybox AS unused\n"
                      "FROM busybox\nRUN --mount=type=bind,from=tools,target=/t ls /t\n");
    CHECK(needed_stages(file, 2, {}).value() == std::vector<size_t> { 0, 2 });
}

TEST_CASE("plan: a build context's name is no stage; --skip-unused-stages=false builds every stage to the target")
{
    auto file = parse("FROM busybox AS extra\nRUN true\n"
                      "FROM busybox AS unused\n"
                      "FROM busybox\nCOPY --from=extra /a /a\n"
                      "FROM busybox AS after\n");
    CHECK(needed_stages(file, 2, {}).value() == std::vector<size_t> { 0, 2 });
    BuildContexts contexts { { "extra", BuildContext { BuildContext::Kind::Directory, "/tmp" } } };
    CHECK(needed_stages(file, 2, {}, contexts).value() == std::vector<size_t> { 2 });
    CHECK(needed_stages(file, 2, {}, {}, UnusedStages::Build).value() == std::vector<size_t> { 0, 1, 2 });
}

TEST_CASE("plan: --build-context NAME=DIR, docker-image://, container-image://, an http(s) URL")
{
    using K = BuildContext::Kind;
    auto check = [](std::string_view text, std::string const& name, K kind, std::string const& value) {
        auto parsed = parse_build_context(text);
        REQUIRE_MESSAGE(parsed.has_value(), text);
        CHECK(parsed->first == name);
        CHECK(parsed->second.kind == kind);
        CHECK(parsed->second.value == value);
    };
    check("src=../project/src", "src", K::Directory, "../project/src");
    check("base=docker-image://alpine:3.18", "base", K::Image, "alpine:3.18");
    check("base=container-image://localhost/app@sha256:abc", "base", K::Image, "localhost/app@sha256:abc");
    check("files=https://example.com/files.tar.gz", "files", K::Url, "https://example.com/files.tar.gz");
    check("d=a=b", "d", K::Directory, "a=b");
    for (auto bad : { "extra", "=/tmp", "extra=", "extra=docker-image://", "a b=/tmp", "x=oci-layout:///l", "x=git://host/repo" }) {
        auto r = parse_build_context(bad);
        CHECK_MESSAGE(!r, bad);
        if (!r)
            CHECK(r.error().message.starts_with("--build-context "));
    }
}
