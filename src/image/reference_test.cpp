// Reference parsing and normalisation. The valid/invalid cases follow the
// situations Docker's distribution/reference tests cover, restated here.
#include <doctest/doctest.h>

#include "image/reference.h"

using namespace berth;
using namespace berth::image;

static std::string const hex64 = std::string(64, 'f');
static std::string const sha = "sha256:" + hex64;

namespace {

struct Expect {
    char const* input;
    char const* domain;
    char const* path;
    char const* tag;
    bool has_digest;
};

} // namespace

TEST_CASE("parse keeps short names unresolved")
{
    auto r = Reference::parse("alpine");
    REQUIRE(r.has_value());
    CHECK(r->is_short_name());
    CHECK(r->domain.empty());
    CHECK(r->path == "alpine");
    CHECK(r->tag.empty());
    CHECK(!r->digest);
    CHECK(r->str() == "alpine");

    auto u = Reference::parse("user/app:1.0").value();
    CHECK(u.is_short_name());
    CHECK(u.path == "user/app");
    CHECK(u.tag == "1.0");
}

TEST_CASE("parse splits domain, path, tag and digest")
{
    Expect const cases[] = {
        { "test_com", "", "test_com", "", false },
        { "test.com:tag", "", "test.com", "tag", false },
        { "test.com:5000", "", "test.com", "5000", false },
        { "test.com/repo:tag", "test.com", "repo", "tag", false },
        { "test:5000/repo", "test:5000", "repo", "", false },
        { "test:5000/repo:tag", "test:5000", "repo", "tag", false },
        { "localhost/x", "localhost", "x", "", false },
        { "localhost:5000/a/b/c:v1", "localhost:5000", "a/b/c", "v1", false },
        { "127.0.0.1:5000/x:tag", "127.0.0.1:5000", "x", "tag", false },
        { "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "bar/baz/quux", "", false },
        { "sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux", "some-long-tag", false },
        { "b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app", "test.example.com", false },
        { "xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", false },
        { "foo_bar.com:8080", "", "foo_bar.com", "8080", false },
        { "foo/foo_bar.com:8080", "", "foo/foo_bar.com", "8080", false },
        { "a__b/c--d/e.f:UPPER_tag", "", "a__b/c--d/e.f", "UPPER_tag", false },
        { "[2001:db8::1]/repo", "[2001:db8::1]", "repo", "", false },
        { "[2001:db8::1]:5000/repo:tag", "[2001:db8::1]:5000", "repo", "tag", false },
        { "lowercase:Uppercase", "", "lowercase", "Uppercase", false },
    };
    for (auto const& c : cases) {
        CAPTURE(c.input);
        auto r = Reference::parse(c.input);
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        CHECK(r->domain == c.domain);
        CHECK(r->path == c.path);
        CHECK(r->tag == c.tag);
        CHECK(r->digest.has_value() == c.has_digest);
        CHECK(r->str() == c.input);
    }
}

TEST_CASE("parse with digests")
{
    auto r = Reference::parse("test:5000/repo@" + sha).value();
    CHECK(r.domain == "test:5000");
    CHECK(r.path == "repo");
    CHECK(r.tag.empty());
    REQUIRE(r.digest);
    CHECK(r.digest->str() == sha);
    CHECK(r.manifest_ref() == sha);

    auto both = Reference::parse("test:5000/repo:tag@" + sha).value();
    CHECK(both.tag == "tag");
    CHECK(both.digest->hex() == hex64);
    CHECK(both.str() == "test:5000/repo:tag@" + sha);
    CHECK(both.manifest_ref() == sha);

    auto short_digest = Reference::parse("x@" + sha).value();
    CHECK(short_digest.is_short_name());
    CHECK(short_digest.path == "x");

    auto sha512 = Reference::parse("xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + std::string(128, 'f'));
    REQUIRE(sha512.has_value());
    CHECK(sha512->digest->algorithm() == "sha512");
}

TEST_CASE("parse_normalized applies Docker's defaults")
{
    struct {
        char const* input;
        char const* normalized;
    } const cases[] = {
        { "alpine", "docker.io/library/alpine:latest" },
        { "alpine:3.19", "docker.io/library/alpine:3.19" },
        { "user/app", "docker.io/user/app:latest" },
        { "docker.io/alpine", "docker.io/library/alpine:latest" },
        { "index.docker.io/alpine", "docker.io/library/alpine:latest" },
        { "index.docker.io/user/app:v2", "docker.io/user/app:v2" },
        { "docker.io/library/alpine:edge", "docker.io/library/alpine:edge" },
        { "localhost/x", "localhost/x:latest" },
        { "quay.io/podman/stable", "quay.io/podman/stable:latest" },
        { "127.0.0.1:5000/x:tag", "127.0.0.1:5000/x:tag" },
    };
    for (auto const& c : cases) {
        CAPTURE(c.input);
        auto r = Reference::parse_normalized(c.input);
        REQUIRE_MESSAGE(r.has_value(), r.error().message);
        CHECK(r->str() == c.normalized);
        CHECK(!r->is_short_name());
    }
    // A digest-only reference gets no :latest.
    auto d = Reference::parse_normalized("alpine@" + sha).value();
    CHECK(d.str() == "docker.io/library/alpine@" + sha);
    CHECK(d.tag.empty());
}

TEST_CASE("repository, manifest_ref and api_host")
{
    auto r = Reference::parse_normalized("alpine").value();
    CHECK(r.repository() == "docker.io/library/alpine");
    CHECK(r.manifest_ref() == "latest");
    CHECK(r.api_host() == "registry-1.docker.io");
    auto local = Reference::parse_normalized("localhost:5000/a/b:v1").value();
    CHECK(local.repository() == "localhost:5000/a/b");
    CHECK(local.manifest_ref() == "v1");
    CHECK(local.api_host() == "localhost:5000");
    // manifest_ref defaults to latest even for an un-normalised reference.
    CHECK(Reference::parse("alpine").value().manifest_ref() == "latest");
}

TEST_CASE("invalid references are refused with the input named")
{
    std::string const invalid[] = {
        ":justtag",
        "@" + sha,
        "repo@sha256:" + std::string(63, 'f'),
        "validname@invaliddigest:" + hex64,
        "aa/asdf$$^/aa",
        "Foo::bar",
        "alpine:",
        "alpine:-tag",
        "alpine:.tag",
        "alpine:tag!",
        "-foo",
        "foo-",
        "foo___bar",
        "foo..bar",
        "foo/",
        "/foo",
        "foo//bar",
        "-domain.com/repo",
        "domain-.com/repo",
        "domain.com:/repo",
        "domain.com:port/repo",
        "[2001:db8::1]",
        "[]/repo",
        "[zz::1]/repo",
        "2001:db8::1/repo",
        "a b",
        "repo@",
        "repo:tag@",
        hex64,
    };
    for (auto const& input : invalid) {
        CAPTURE(input);
        auto r = Reference::parse(input);
        REQUIRE(!r.has_value());
        CHECK(r.error().message.find("invalid reference \"" + input + "\": ") == 0);
        CHECK(r.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("empty reference")
{
    auto r = Reference::parse("");
    REQUIRE(!r.has_value());
    CHECK(r.error().message == "invalid reference \"\": repository name must have at least one component");
}

TEST_CASE("uppercase repository names say so")
{
    for (char const* input : { "Uppercase:tag", "test:5000/Uppercase/lowercase:tag", "user/App", "ALPINE" }) {
        CAPTURE(input);
        auto r = Reference::parse(input);
        REQUIRE(!r.has_value());
        CHECK(r.error().message == std::string("invalid reference \"") + input
                + "\": invalid reference format: repository name must be lowercase");
    }
    // Uppercase is fine in the registry host and in the tag.
    CHECK(Reference::parse("Example.COM/repo:TAG").has_value());
}

TEST_CASE("name and tag length limits")
{
    std::string name255(255, 'a');
    CHECK(Reference::parse(name255).has_value());
    auto long_name = Reference::parse(std::string(256, 'a'));
    REQUIRE(!long_name.has_value());
    CHECK(long_name.error().message.find("must not be more than 255 characters") != std::string::npos);
    // The limit applies to domain and path together.
    auto long_qualified = Reference::parse("example.com/" + std::string(250, 'a'));
    CHECK(!long_qualified.has_value());

    std::string tag128 = std::string(128, 't');
    CHECK(Reference::parse("alpine:" + tag128).value().tag == tag128);
    auto long_tag = Reference::parse("alpine:" + tag128 + "t");
    REQUIRE(!long_tag.has_value());
    CHECK(long_tag.error().message.find("tag must not be more than 128 characters") != std::string::npos);
}

TEST_CASE("bad digests inside references report the digest problem")
{
    auto r = Reference::parse("validname@invaliddigest:" + hex64);
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("unsupported algorithm") != std::string::npos);
    auto upper = Reference::parse("repo@sha256:" + std::string(64, 'F'));
    REQUIRE(!upper.has_value());
    CHECK(upper.error().message.find("lowercase hexadecimal") != std::string::npos);
}

TEST_CASE("parse_qualified treats the first component as the host")
{
    auto r = Reference::parse_qualified("myregistry/ns/app:1").value();
    CHECK(r.domain == "myregistry");
    CHECK(r.path == "ns/app");
    CHECK(r.tag == "1");
    CHECK(!Reference::parse_qualified("app").has_value());
    CHECK(Reference::parse_qualified("docker.io/alpine").value().path == "library/alpine");
}

TEST_CASE("with_domain and with_default_tag")
{
    auto s = Reference::parse("alpine").value();
    CHECK(s.with_domain("docker.io").str() == "docker.io/library/alpine:latest");
    CHECK(s.with_domain("quay.io").str() == "quay.io/alpine:latest");
    auto tagged = Reference::parse("user/app:2").value();
    CHECK(tagged.with_domain("docker.io").str() == "docker.io/user/app:2");
    auto digested = Reference::parse("app@" + sha).value();
    CHECK(digested.with_default_tag().tag.empty());
}
