// OCI image manifest / index and Docker schema 2 manifest / manifest list,
// parsed into one model, and platform selection from an index.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "image/digest.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::image {

namespace media_type {
inline constexpr char const* oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char const* oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr char const* oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr char const* oci_layer = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char const* oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char const* oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char const* docker_manifest = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char const* docker_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char const* docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr char const* docker_layer_gzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
} // namespace media_type

struct Platform {
    std::string os = "linux";
    std::string architecture;  ///< OCI names: amd64, arm64, arm, 386, ppc64le, s390x
    std::string variant;       ///< "v8", "v7", or ""
    std::string os_version;                ///< "os.version" (index entries; Windows builds)
    std::vector<std::string> os_features;  ///< "os.features"
    std::vector<std::string> features;     ///< "features" (Docker manifest lists)
    /// Parses "os/arch[/variant]"; "arch" alone means linux/arch.
    static Result<Platform> parse(std::string_view text);
    /// The platform this binary runs on (linux/amd64 on x86_64).
    static Platform host();
    std::string str() const;
};

struct Descriptor {
    std::string media_type;
    Digest digest;
    int64_t size = 0;
    std::optional<Platform> platform;       ///< only in index entries
    std::map<std::string, std::string> annotations;
    std::vector<std::string> urls;
};

struct Manifest {
    std::string media_type;                  ///< oci_manifest or docker_manifest
    Descriptor config;
    std::vector<Descriptor> layers;
    std::map<std::string, std::string> annotations;
};

struct Index {
    std::string media_type;                  ///< oci_index or docker_list
    std::vector<Descriptor> manifests;
};

bool is_index_media_type(std::string_view media_type);
bool is_manifest_media_type(std::string_view media_type);

/// The media type of a manifest document: the Content-Type when it is a known
/// one, else the document's own "mediaType", else inferred (manifests / layers).
Result<std::string> detect_media_type(std::string_view body, std::string_view content_type);
Result<Manifest> parse_manifest(std::string_view body);
Result<Index> parse_index(std::string_view body);
/// Chooses the entry for `want` (os, architecture, variant; a missing variant
/// matches arm64's "v8"), or an error listing the platforms the index offers.
Result<Descriptor> select_platform(Index const& index, Platform const& want);
/// Serialises an OCI manifest (used by commit/build/import and push conversion).
std::string serialize_manifest(Manifest const& manifest);
std::string serialize_index(Index const& index);
/// A platform object in the image spec's key order (architecture, os,
/// os.version, os.features, variant, features), empty members left out.
OrderedJson platform_json(Platform const& platform);

} // namespace berth::image
