#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "registry/www_authenticate.h"

using namespace berth::registry;

TEST_CASE("WWW-Authenticate: bearer with quoted commas")
{
    auto c = parse_www_authenticate(R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "bearer");
    CHECK(c[0].param("realm") == "https://auth.docker.io/token");
    CHECK(c[0].param("service") == "registry.docker.io");
    CHECK(c[0].param("scope") == "repository:library/alpine:pull,push");
    CHECK(c[0].param("missing").empty());
}

TEST_CASE("WWW-Authenticate: basic, unquoted values, spaces and case")
{
    auto c = parse_www_authenticate(R"(BASIC Realm=Registry ,  charset = "UTF-8")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].scheme == "basic");
    CHECK(c[0].param("realm") == "Registry");
    CHECK(c[0].param("charset") == "UTF-8");
}

TEST_CASE("WWW-Authenticate: several challenges in one header")
{
    auto c = parse_www_authenticate(R"(Basic realm="a, b", Bearer realm="https://t/x?y=1",error="insufficient_scope",scope="repository:r:pull")");
    REQUIRE(c.size() == 2);
    CHECK(c[0].scheme == "basic");
    CHECK(c[0].param("realm") == "a, b");
    CHECK(c[1].scheme == "bearer");
    CHECK(c[1].param("realm") == "https://t/x?y=1");
    CHECK(c[1].param("error") == "insufficient_scope");
    REQUIRE(preferred_challenge(c) != nullptr);
    CHECK(preferred_challenge(c)->scheme == "bearer");
}

TEST_CASE("WWW-Authenticate: escapes and malformed input")
{
    auto c = parse_www_authenticate(R"(Bearer realm="say \"hi\"\\")");
    REQUIRE(c.size() == 1);
    CHECK(c[0].param("realm") == R"(say "hi"\)");
    CHECK(parse_www_authenticate("").empty());
    CHECK(preferred_challenge(parse_www_authenticate("Negotiate")) == nullptr);
    // Unterminated quote and stray characters must not hang or crash.
    auto broken = parse_www_authenticate(R"(Bearer realm="unterminated, ,,, = "x)");
    REQUIRE(!broken.empty());
    CHECK(broken[0].scheme == "bearer");
}
