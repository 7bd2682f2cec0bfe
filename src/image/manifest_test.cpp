// Manifest and index parsing, media-type detection, platform selection and
// serialisation, on hand-written OCI and Docker documents.
#include <doctest/doctest.h>

#include "image/manifest.h"

using namespace berth;
using namespace berth::image;

namespace {

std::string const d1 = "sha256:" + std::string(64, '1');
std::string const d2 = "sha256:" + std::string(64, '2');
std::string const d3 = "sha256:" + std::string(64, '3');

std::string const oci_manifest = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": ")" + d1 + R"(", "size": 1470},
  "layers": [
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ")" + d2 + R"(", "size": 3401613},
    {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "digest": ")" + d3 + R"(", "size": 12,
     "annotations": {"org.example.note": "hi"}, "urls": ["https://example.com/layer"]}
  ],
  "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
})";

std::string const docker_manifest = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": ")" + d1 + R"("},
   "layers": [
      {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654, "digest": ")" + d2 + R"("}
   ]
})";

std::string entry(std::string const& digest, std::string const& os, std::string const& arch, std::string const& variant = "")
{
    std::string platform = R"({"os": ")" + os + R"(", "architecture": ")" + arch + "\"";
    if (!variant.empty())
        platform += R"(, "variant": ")" + variant + "\"";
    platform += "}";
    return R"({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")" + digest
        + R"(", "size": 100, "platform": )" + platform + "}";
}

std::string index_of(std::vector<std::string> const& entries, std::string const& media_type = "application/vnd.oci.image.index.v1+json")
{
    std::string body = R"({"schemaVersion": 2, "mediaType": ")" + media_type + R"(", "manifests": [)";
    for (size_t i = 0; i < entries.size(); ++i)
        body += (i ? "," : "") + entries[i];
    return body + "]}";
}

std::string hex_digest(char c) { return "sha256:" + std::string(64, c); }

} // namespace

TEST_CASE("parse an OCI manifest")
{
    auto m = parse_manifest(oci_manifest);
    REQUIRE_MESSAGE(m.has_value(), m.error().message);
    CHECK(m->media_type == media_type::oci_manifest);
    CHECK(m->config.media_type == media_type::oci_config);
    CHECK(m->config.digest.str() == d1);
    CHECK(m->config.size == 1470);
    REQUIRE(m->layers.size() == 2);
    CHECK(m->layers[0].media_type == media_type::oci_layer_gzip);
    CHECK(m->layers[0].size == 3401613);
    CHECK(m->layers[1].media_type == media_type::oci_layer_zstd);
    CHECK(m->layers[1].annotations.at("org.example.note") == "hi");
    CHECK(m->layers[1].urls == std::vector<std::string> { "https://example.com/layer" });
    CHECK(m->annotations.at("org.opencontainers.image.created") == "2024-01-01T00:00:00Z");
}

TEST_CASE("parse a Docker schema 2 manifest")
{
    auto m = parse_manifest(docker_manifest);
    REQUIRE_MESSAGE(m.has_value(), m.error().message);
    CHECK(m->media_type == media_type::docker_manifest);
    CHECK(m->config.media_type == media_type::docker_config);
    CHECK(m->layers.size() == 1);
    CHECK(m->layers[0].media_type == media_type::docker_layer_gzip);
}

TEST_CASE("a manifest without mediaType is taken as OCI")
{
    std::string body = R"({"schemaVersion": 2, "config": {"mediaType": "x", "digest": ")" + d1 + R"(", "size": 2}, "layers": []})";
    auto m = parse_manifest(body);
    REQUIRE(m.has_value());
    CHECK(m->media_type == media_type::oci_manifest);
    CHECK(m->layers.empty());
}

TEST_CASE("invalid manifests give clear errors")
{
    struct {
        std::string body;
        char const* expect;
    } const cases[] = {
        { "not json", "parse manifest" },
        { "[]", "not a JSON object" },
        { R"({"config": {}, "layers": []})", "missing \"schemaVersion\"" },
        { R"({"schemaVersion": 1, "name": "x", "fsLayers": []})", "schema 1" },
        { R"({"schemaVersion": 3, "layers": []})", "unsupported schemaVersion 3" },
        { R"({"schemaVersion": 2, "layers": []})", "missing \"config\"" },
        { R"({"schemaVersion": 2, "config": {"digest": ")" + d1 + R"(", "size": 1}})", "missing \"layers\"" },
        { R"({"schemaVersion": 2, "config": {"digest": "sha256:abc", "size": 1}, "layers": []})", "invalid digest \"sha256:abc\"" },
        { R"({"schemaVersion": 2, "config": {"size": 1}, "layers": []})", "manifest config: missing \"digest\"" },
        { R"({"schemaVersion": 2, "config": {"digest": ")" + d1 + R"("}, "layers": []})", "\"size\"" },
        { R"({"schemaVersion": 2, "config": {"digest": ")" + d1 + R"(", "size": -1}, "layers": []})", "negative" },
        { R"({"schemaVersion": 2, "config": {"digest": ")" + d1 + R"(", "size": 1}, "layers": [{"digest": "md5:00", "size": 1}]})",
            "manifest layer 0" },
        { R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []})", "is an image index" },
        { R"({"schemaVersion": 2, "mediaType": "text/plain", "config": {}, "layers": []})", "unsupported media type" },
    };
    for (auto const& c : cases) {
        CAPTURE(c.body);
        auto m = parse_manifest(c.body);
        REQUIRE(!m.has_value());
        CHECK_MESSAGE(m.error().message.find(c.expect) != std::string::npos, m.error().message);
        CHECK(m.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("parse OCI index and Docker manifest list")
{
    auto oci = parse_index(index_of({ entry(d1, "linux", "amd64"), entry(d2, "linux", "arm64", "v8") }));
    REQUIRE_MESSAGE(oci.has_value(), oci.error().message);
    CHECK(oci->media_type == media_type::oci_index);
    REQUIRE(oci->manifests.size() == 2);
    REQUIRE(oci->manifests[1].platform);
    CHECK(oci->manifests[1].platform->str() == "linux/arm64/v8");

    auto docker = parse_index(index_of({ entry(d1, "linux", "amd64") }, media_type::docker_list));
    REQUIRE(docker.has_value());
    CHECK(docker->media_type == media_type::docker_list);

    auto wrong = parse_index(oci_manifest);
    REQUIRE(!wrong.has_value());
    CHECK(wrong.error().message.find("not an index") != std::string::npos);
    auto missing = parse_index(R"({"schemaVersion": 2})");
    REQUIRE(!missing.has_value());
    CHECK(missing.error().message.find("missing \"manifests\"") != std::string::npos);
    auto bad_entry = parse_index(R"({"schemaVersion": 2, "manifests": [{"digest": "sha256:zz", "size": 1}]})");
    REQUIRE(!bad_entry.has_value());
    CHECK(bad_entry.error().message.find("image index entry 0") != std::string::npos);
}

TEST_CASE("detect_media_type")
{
    CHECK(detect_media_type("{}", "application/vnd.oci.image.index.v1+json").value() == media_type::oci_index);
    CHECK(detect_media_type("{}", "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8").value()
        == media_type::docker_manifest);
    // A generic Content-Type falls back to the document.
    CHECK(detect_media_type(docker_manifest, "application/json").value() == media_type::docker_manifest);
    CHECK(detect_media_type(R"({"schemaVersion": 2, "manifests": []})", "").value() == media_type::oci_index);
    CHECK(detect_media_type(R"({"schemaVersion": 2, "config": {}, "layers": []})", "text/plain").value()
        == media_type::oci_manifest);
    CHECK(!detect_media_type("{}", "application/vnd.docker.distribution.manifest.v1+prettyjws").has_value());
    CHECK(!detect_media_type(R"({"schemaVersion": 1})", "").has_value());
    CHECK(!detect_media_type(R"({"schemaVersion": 2})", "").has_value());
    CHECK(!detect_media_type(R"({"mediaType": "application/x-unknown"})", "").has_value());
    CHECK(!detect_media_type("garbage", "").has_value());
}

TEST_CASE("Platform::parse")
{
    auto p = Platform::parse("linux/arm64/v8").value();
    CHECK(p.os == "linux");
    CHECK(p.architecture == "arm64");
    CHECK(p.variant == "v8");
    CHECK(Platform::parse("arm64").value().str() == "linux/arm64");
    CHECK(Platform::parse("linux/amd64").value().str() == "linux/amd64");
    CHECK(Platform::parse("linux/x86_64").value().str() == "linux/amd64");
    CHECK(Platform::parse("linux/aarch64").value().str() == "linux/arm64");
    CHECK(Platform::parse("linux/armhf").value().str() == "linux/arm/v7");
    CHECK(Platform::parse("windows/amd64").value().os == "windows");
    for (char const* bad : { "", "linux/", "/amd64", "linux//v7", "a/b/c/d" }) {
        CAPTURE(bad);
        auto r = Platform::parse(bad);
        REQUIRE(!r.has_value());
        CHECK(r.error().message.find("invalid platform") == 0);
    }
}

TEST_CASE("Platform::host is a linux platform")
{
    auto h = Platform::host();
    CHECK(h.os == "linux");
    CHECK(!h.architecture.empty());
#if defined(__x86_64__)
    CHECK(h.str() == "linux/amd64");
#endif
}

TEST_CASE("select_platform picks the matching entry")
{
    Index index = parse_index(index_of({
                                  entry(hex_digest('a'), "linux", "amd64"),
                                  entry(hex_digest('b'), "linux", "arm64", "v8"),
                                  entry(hex_digest('c'), "linux", "arm", "v7"),
                                  entry(hex_digest('d'), "linux", "arm", "v6"),
                                  entry(hex_digest('e'), "unknown", "unknown"),
                              }))
                      .value();
    auto pick = [&](std::string const& want) { return select_platform(index, Platform::parse(want).value()); };
    CHECK(pick("linux/amd64").value().digest.str() == hex_digest('a'));
    // arm64 without a variant means v8.
    CHECK(pick("linux/arm64").value().digest.str() == hex_digest('b'));
    CHECK(pick("linux/arm64/v8").value().digest.str() == hex_digest('b'));
    // arm without a variant means v7.
    CHECK(pick("linux/arm").value().digest.str() == hex_digest('c'));
    CHECK(pick("linux/arm/v6").value().digest.str() == hex_digest('d'));
    // arm/v8 (32-bit on a v8 core) falls back to the best lower variant.
    CHECK(pick("linux/arm/v8").value().digest.str() == hex_digest('c'));
}

TEST_CASE("select_platform: arm64 entries without variant match v8 requests")
{
    Index index = parse_index(index_of({ entry(hex_digest('a'), "linux", "amd64"), entry(hex_digest('b'), "linux", "arm64") })).value();
    CHECK(select_platform(index, Platform::parse("linux/arm64/v8").value()).value().digest.str() == hex_digest('b'));
    Index arm = parse_index(index_of({ entry(hex_digest('c'), "linux", "arm") })).value();
    CHECK(select_platform(arm, Platform::parse("linux/arm/v7").value()).value().digest.str() == hex_digest('c'));
    CHECK(!select_platform(arm, Platform::parse("linux/arm/v6").value()).has_value());
}

TEST_CASE("select_platform error lists what is available")
{
    Index index = parse_index(index_of({
                                  entry(hex_digest('a'), "linux", "amd64"),
                                  entry(hex_digest('b'), "linux", "arm64", "v8"),
                                  entry(hex_digest('e'), "unknown", "unknown"),
                              }))
                      .value();
    auto r = select_platform(index, Platform::parse("linux/riscv64").value());
    REQUIRE(!r.has_value());
    std::string const& msg = r.error().message;
    CHECK(msg.find("linux/riscv64") != std::string::npos);
    CHECK(msg.find("available: linux/amd64, linux/arm64/v8)") != std::string::npos);
    CHECK(msg.find("unknown") == std::string::npos);
    // Different OS, same architecture: no match.
    CHECK(!select_platform(index, Platform::parse("windows/amd64").value()).has_value());
    // An empty index.
    Index empty;
    auto none = select_platform(empty, Platform::host());
    REQUIRE(!none.has_value());
    CHECK(none.error().message.find("available: none") != std::string::npos);
}

TEST_CASE("select_platform takes a lone entry without platform")
{
    std::string body = R"({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": ")"
        + d1 + R"(", "size": 5}]})";
    Index index = parse_index(body).value();
    CHECK(select_platform(index, Platform::host()).value().digest.str() == d1);
}

TEST_CASE("serialize_manifest round-trips")
{
    Manifest m = parse_manifest(oci_manifest).value();
    std::string text = serialize_manifest(m);
    CHECK(text.find(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType")") == 0);
    Manifest again = parse_manifest(text).value();
    CHECK(again.media_type == m.media_type);
    CHECK(again.config.digest == m.config.digest);
    REQUIRE(again.layers.size() == 2);
    CHECK(again.layers[1].annotations == m.layers[1].annotations);
    CHECK(again.layers[1].urls == m.layers[1].urls);
    CHECK(again.annotations == m.annotations);
    // Deterministic: the same manifest always gives the same bytes (and digest).
    CHECK(serialize_manifest(again) == text);

    Manifest fresh;
    fresh.config = Descriptor { media_type::oci_config, Digest::sha256_of("{}"), 2 };
    CHECK(parse_manifest(serialize_manifest(fresh)).value().media_type == media_type::oci_manifest);
}

TEST_CASE("serialize_index round-trips")
{
    Index index = parse_index(index_of({ entry(d1, "linux", "amd64"), entry(d2, "linux", "arm", "v7") })).value();
    std::string text = serialize_index(index);
    Index again = parse_index(text).value();
    REQUIRE(again.manifests.size() == 2);
    CHECK(again.manifests[1].platform->str() == "linux/arm/v7");
    CHECK(again.manifests[0].digest.str() == d1);
    CHECK(serialize_index(again) == text);
}
