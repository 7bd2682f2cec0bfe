// Local manifest lists: adding (and replacing) instances, annotating,
// removing, the inspect layout and the media type a list is pushed as.
#include <doctest/doctest.h>

#include "image/manifest_list.h"

using namespace berth;
using namespace berth::image;

namespace {

Descriptor entry(char fill, std::string media_type = media_type::oci_manifest)
{
    Descriptor d;
    d.media_type = std::move(media_type);
    d.digest = Digest::parse("sha256:" + std::string(64, fill)).value();
    d.size = 405;
    d.platform = Platform { "linux", "amd64", "" };
    return d;
}

} // namespace

TEST_CASE("a new list is an empty Docker manifest list; inspect shows manifests: null")
{
    auto list = new_manifest_list();
    CHECK(list.media_type == media_type::docker_list);
    CHECK(inspect_text(list) == "{\n    \"schemaVersion\": 2,\n    \"mediaType\": \"application/vnd.docker.distribution.manifest.list.v2+json\",\n    \"manifests\": null\n}");
}

TEST_CASE("adding a digest the list has replaces that entry in place")
{
    auto list = new_manifest_list();
    add_instance(list, entry('1'));
    add_instance(list, entry('2'));
    auto again = entry('1');
    again.platform->architecture = "arm64";
    add_instance(list, again);
    REQUIRE(list.manifests.size() == 2);
    CHECK(list.manifests[0].platform->architecture == "arm64");
    CHECK(list.manifests[1].digest.str() == "sha256:" + std::string(64, '2'));
}

TEST_CASE("annotate changes only what it is given, merges annotations, and names a missing digest")
{
    auto list = new_manifest_list();
    add_instance(list, entry('1'));
    PlatformOverride change;
    change.variant = "v9";
    change.annotations = { { "a", "b" } };
    REQUIRE(annotate_instance(list, entry('1').digest, change));
    PlatformOverride more;
    more.features = std::vector<std::string> { "sse4" };
    more.annotations = { { "c", "d" } };
    REQUIRE(annotate_instance(list, entry('1').digest, more));
    auto const& d = list.manifests[0];
    CHECK(d.platform->architecture == "amd64");
    CHECK(d.platform->variant == "v9");
    CHECK(d.platform->features == std::vector<std::string> { "sse4" });
    CHECK(d.annotations == std::map<std::string, std::string> { { "a", "b" }, { "c", "d" } });
    auto missing = annotate_instance(list, entry('9').digest, change);
    REQUIRE(!missing);
    CHECK(missing.error().code == ENOENT);
    CHECK(missing.error().message.find(std::string(64, '9')) != std::string::npos);
}

TEST_CASE("an override gives an entry without a platform one")
{
    auto d = entry('1');
    d.platform.reset();
    PlatformOverride change;
    change.architecture = "s390x";
    apply_override(d, change);
    REQUIRE(d.platform);
    CHECK(d.platform->architecture == "s390x");
    CHECK(d.platform->os == "linux");
    CHECK(PlatformOverride {}.empty());
    CHECK(!change.empty());
}

TEST_CASE("remove takes the entry out and names a digest the list lacks")
{
    auto list = new_manifest_list();
    add_instance(list, entry('1'));
    add_instance(list, entry('2'));
    REQUIRE(remove_instance(list, entry('1').digest));
    REQUIRE(list.manifests.size() == 1);
    CHECK(!remove_instance(list, entry('1').digest));
}

TEST_CASE("inspect shows Podman's key order, with variant and annotations")
{
    auto list = new_manifest_list();
    auto d = entry('1');
    d.platform->variant = "v9";
    d.annotations["a"] = "b";
    add_instance(list, d);
    CHECK(inspect_text(list) == R"({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests": [
        {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "size": 405,
            "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
            "platform": {
                "architecture": "amd64",
                "os": "linux",
                "variant": "v9"
            },
            "annotations": {
                "a": "b"
            }
        }
    ]
})");
}

TEST_CASE("the push media type: asked for, else OCI for OCI entries or annotations, else Docker")
{
    auto list = new_manifest_list();
    add_instance(list, entry('1', media_type::docker_manifest));
    CHECK(push_media_type(list, "").value() == media_type::docker_list);
    CHECK(push_media_type(list, "oci").value() == media_type::oci_index);
    CHECK(!push_media_type(list, "v2s1"));
    list.manifests[0].annotations["a"] = "b";
    CHECK(push_media_type(list, "").value() == media_type::oci_index);
    CHECK(push_media_type(list, "v2s2").value() == media_type::docker_list);
    auto docker = push_body(list, media_type::docker_list);
    CHECK(docker.find("annotations") == std::string::npos);
    auto parsed = parse_index(push_body(list, media_type::oci_index)).value();
    CHECK(parsed.media_type == media_type::oci_index);
    CHECK(parsed.manifests[0].annotations.at("a") == "b");
}

TEST_CASE("annotations are KEY=VALUE")
{
    CHECK(parse_annotation("a=b=c").value() == std::pair<std::string, std::string> { "a", "b=c" });
    CHECK(parse_annotation("a=").value().second.empty());
    CHECK(!parse_annotation("novalue"));
    CHECK(!parse_annotation("=x"));
}

TEST_CASE("platform os.version, os.features and features survive a parse and a serialise")
{
    Index list = new_manifest_list();
    auto d = entry('1');
    d.platform->os_version = "10.0.17763";
    d.platform->os_features = { "win32k" };
    d.platform->features = { "sse4" };
    add_instance(list, d);
    auto back = parse_index(push_body(list, media_type::oci_index)).value();
    CHECK(back.manifests[0].platform->os_version == "10.0.17763");
    CHECK(back.manifests[0].platform->os_features == std::vector<std::string> { "win32k" });
    CHECK(back.manifests[0].platform->features == std::vector<std::string> { "sse4" });
}
