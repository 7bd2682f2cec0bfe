// Manifests and indexes: OCI image manifest/index and Docker schema 2
// manifest/manifest list, read into one model, plus platform choice.
//
// Parsing is strict where a mistake would otherwise surface much later as a
// confusing pull failure (schemaVersion, a config descriptor, digests that
// parse, non-negative sizes) and lenient about everything else (unknown
// fields, missing annotations). The hard part is platform matching: indexes
// spell the same machine differently (arm64 with and without "v8", arm with
// and without "v7"), so both sides are normalised before comparison, and an
// arm/v7 request falls back to v6 and v5 images, which a v7 CPU runs.
#include "image/manifest.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>

namespace berth::image {

namespace {

Error bad(std::string_view what, std::string_view why)
{
    return Error::msg(std::string(what) + ": " + std::string(why));
}

/// Reads an optional string member; a present non-string value is an error.
Result<std::string> optional_string(Json const& j, char const* key, std::string_view what)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return std::string();
    if (!it->is_string())
        return bad(what, std::string("\"") + key + "\" must be a string");
    return it->get<std::string>();
}

Result<std::map<std::string, std::string>> string_map(Json const& j, char const* key, std::string_view what)
{
    std::map<std::string, std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return out;
    if (!it->is_object())
        return bad(what, std::string("\"") + key + "\" must be an object of strings");
    for (auto const& [k, v] : it->items()) {
        if (!v.is_string())
            return bad(what, std::string("\"") + key + "\" value for \"" + k + "\" must be a string");
        out[k] = v.get<std::string>();
    }
    return out;
}

Result<std::vector<std::string>> string_list(Json const& j, char const* key, std::string_view what)
{
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return out;
    if (!it->is_array())
        return bad(what, std::string("\"") + key + "\" must be an array of strings");
    for (auto const& v : *it) {
        if (!v.is_string())
            return bad(what, std::string("\"") + key + "\" must be an array of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

Result<Platform> parse_platform_object(Json const& j, std::string_view what)
{
    if (!j.is_object())
        return bad(what, "\"platform\" must be an object");
    Platform p;
    p.os = TRY(optional_string(j, "os", what));
    p.architecture = TRY(optional_string(j, "architecture", what));
    p.variant = TRY(optional_string(j, "variant", what));
    p.os_version = TRY(optional_string(j, "os.version", what));
    p.os_features = TRY(string_list(j, "os.features", what));
    p.features = TRY(string_list(j, "features", what));
    return p;
}

Result<Descriptor> parse_descriptor(Json const& j, std::string_view what)
{
    if (!j.is_object())
        return bad(what, "descriptor must be a JSON object");
    Descriptor d;
    d.media_type = TRY(optional_string(j, "mediaType", what));
    auto digest_it = j.find("digest");
    if (digest_it == j.end() || !digest_it->is_string())
        return bad(what, "missing \"digest\"");
    d.digest = TRY_CTX(Digest::parse(digest_it->get<std::string>()), what);
    auto size_it = j.find("size");
    if (size_it == j.end() || !size_it->is_number_integer())
        return bad(what, "missing or non-integer \"size\"");
    d.size = size_it->get<int64_t>();
    if (d.size < 0)
        return bad(what, "negative \"size\"");
    if (auto p = j.find("platform"); p != j.end() && !p->is_null())
        d.platform = TRY(parse_platform_object(*p, what));
    d.annotations = TRY(string_map(j, "annotations", what));
    d.urls = TRY(string_list(j, "urls", what));
    return d;
}

Result<Json> parse_document(std::string_view body, std::string_view what)
{
    Json j = TRY(json::parse(body, what));
    if (!j.is_object())
        return bad(what, "not a JSON object");
    auto version = j.find("schemaVersion");
    if (version == j.end() || !version->is_number_integer())
        return bad(what, "missing \"schemaVersion\"");
    int v = version->get<int>();
    if (v == 1)
        return bad(what, "Docker schema 1 manifests are not supported (re-push the image with a current client)");
    if (v != 2)
        return bad(what, "unsupported schemaVersion " + std::to_string(v) + " (expected 2)");
    return j;
}

} // namespace

OrderedJson platform_json(Platform const& platform)
{
    OrderedJson p;
    p["architecture"] = platform.architecture;
    p["os"] = platform.os;
    if (!platform.os_version.empty())
        p["os.version"] = platform.os_version;
    if (!platform.os_features.empty())
        p["os.features"] = platform.os_features;
    if (!platform.variant.empty())
        p["variant"] = platform.variant;
    if (!platform.features.empty())
        p["features"] = platform.features;
    return p;
}

namespace {

OrderedJson ordered_descriptor(Descriptor const& d)
{
    OrderedJson j;
    j["mediaType"] = d.media_type;
    j["digest"] = d.digest.str();
    j["size"] = d.size;
    if (d.platform)
        j["platform"] = platform_json(*d.platform);
    if (!d.urls.empty())
        j["urls"] = d.urls;
    if (!d.annotations.empty())
        j["annotations"] = d.annotations;
    return j;
}

std::string strip_parameters(std::string_view content_type)
{
    std::string_view t = content_type.substr(0, content_type.find(';'));
    while (!t.empty() && t.back() == ' ')
        t.remove_suffix(1);
    while (!t.empty() && t.front() == ' ')
        t.remove_prefix(1);
    return std::string(t);
}

bool is_schema1(std::string_view media_type)
{
    return media_type.starts_with("application/vnd.docker.distribution.manifest.v1");
}

/// Canonical spelling used for comparison: lowercase, common aliases folded,
/// and the implied default variants of arm64 (v8) and arm (v7) made explicit.
Platform normalized(Platform p)
{
    for (auto* s : { &p.os, &p.architecture, &p.variant })
        std::transform(s->begin(), s->end(), s->begin(), [](unsigned char c) { return std::tolower(c); });
    if (p.architecture == "x86_64" || p.architecture == "x86-64")
        p.architecture = "amd64";
    else if (p.architecture == "aarch64")
        p.architecture = "arm64";
    else if (p.architecture == "i386" || p.architecture == "i686")
        p.architecture = "386";
    else if (p.architecture == "armhf") {
        p.architecture = "arm";
        p.variant = "v7";
    } else if (p.architecture == "armel") {
        p.architecture = "arm";
        p.variant = "v6";
    }
    if (p.architecture == "arm64" && (p.variant.empty() || p.variant == "8"))
        p.variant = "v8";
    if (p.architecture == "arm" && p.variant.empty())
        p.variant = "v7";
    if (p.architecture == "arm" && p.variant.size() == 1)
        p.variant = "v" + p.variant;
    if (p.architecture == "amd64" && p.variant == "v1")
        p.variant.clear();
    return p;
}

/// How well `have` serves `want`: 0 = not at all, higher is better.
int match_score(Platform const& want, Platform const& have)
{
    if (want.os != have.os || want.architecture != have.architecture)
        return 0;
    if (want.variant == have.variant)
        return 100;
    // An arm/vN CPU runs images built for lower arm variants.
    if (want.architecture == "arm" && want.variant.size() == 2 && have.variant.size() == 2
        && have.variant[1] < want.variant[1])
        return 10 + (have.variant[1] - '0');
    // Without a requested variant, any variant of the architecture will do.
    if (want.variant.empty())
        return 5;
    return 0;
}

bool is_attestation(Descriptor const& d)
{
    return d.platform && d.platform->os == "unknown" && d.platform->architecture == "unknown";
}

} // namespace

Result<Platform> Platform::parse(std::string_view text)
{
    auto fail = [&](std::string_view why) {
        return Error::msg("invalid platform \"" + std::string(text) + "\": " + std::string(why)
            + " (expected os/arch[/variant], e.g. linux/arm64)");
    };
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t slash = text.find('/', start);
        parts.emplace_back(text.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    if (parts.size() > 3)
        return fail("too many components");
    for (auto const& part : parts) {
        if (part.empty())
            return fail("empty component");
    }
    Platform p;
    if (parts.size() == 1) {
        p.architecture = parts[0];
    } else {
        p.os = parts[0];
        p.architecture = parts[1];
        if (parts.size() == 3)
            p.variant = parts[2];
    }
    Platform n = normalized(p);
    // Only aliases that name a variant (armhf, armel) set one; the implied
    // defaults (arm64 v8, arm v7) stay implicit, as the user wrote them.
    bool alias_names_variant = p.architecture == "armhf" || p.architecture == "armel";
    if (p.variant.empty() && !alias_names_variant)
        n.variant.clear();
    return n;
}

Platform Platform::host()
{
    Platform p;
#if defined(__x86_64__)
    p.architecture = "amd64";
#elif defined(__aarch64__)
    p.architecture = "arm64";
    p.variant = "v8";
#elif defined(__arm__)
    p.architecture = "arm";
#    if defined(__ARM_ARCH) && __ARM_ARCH >= 7
    p.variant = "v7";
#    elif defined(__ARM_ARCH) && __ARM_ARCH == 6
    p.variant = "v6";
#    else
    p.variant = "v5";
#    endif
#elif defined(__i386__)
    p.architecture = "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    p.architecture = "ppc64le";
#elif defined(__s390x__)
    p.architecture = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
    p.architecture = "riscv64";
#else
    struct utsname u {};
    uname(&u);
    p.architecture = u.machine;
#endif
    return p;
}

std::string Platform::str() const
{
    std::string out = os + "/" + architecture;
    if (!variant.empty())
        out += "/" + variant;
    return out;
}

bool is_index_media_type(std::string_view media_type)
{
    return media_type == media_type::oci_index || media_type == media_type::docker_list;
}

bool is_manifest_media_type(std::string_view media_type)
{
    return media_type == media_type::oci_manifest || media_type == media_type::docker_manifest;
}

Result<std::string> detect_media_type(std::string_view body, std::string_view content_type)
{
    std::string declared = strip_parameters(content_type);
    if (is_schema1(declared))
        return Error::msg("manifest: Docker schema 1 manifests (" + declared + ") are not supported");
    if (is_index_media_type(declared) || is_manifest_media_type(declared))
        return declared;
    Json j = TRY(json::parse(body, "manifest"));
    if (!j.is_object())
        return Error::msg("manifest: not a JSON object");
    if (auto v = j.find("schemaVersion"); v != j.end() && v->is_number_integer() && v->get<int>() == 1)
        return Error::msg("manifest: Docker schema 1 manifests are not supported");
    if (auto mt = j.find("mediaType"); mt != j.end() && mt->is_string() && !mt->get<std::string>().empty()) {
        std::string own = mt->get<std::string>();
        if (is_index_media_type(own) || is_manifest_media_type(own))
            return own;
        return Error::msg("manifest: unsupported media type \"" + own + "\"");
    }
    if (j.contains("manifests"))
        return std::string(media_type::oci_index);
    if (j.contains("config") || j.contains("layers"))
        return std::string(media_type::oci_manifest);
    return Error::msg("manifest: cannot tell the document type (no mediaType, manifests, config or layers)");
}

Result<Manifest> parse_manifest(std::string_view body)
{
    Json j = TRY(parse_document(body, "manifest"));
    Manifest m;
    m.media_type = TRY(optional_string(j, "mediaType", "manifest"));
    if (m.media_type.empty())
        m.media_type = media_type::oci_manifest;
    if (is_index_media_type(m.media_type))
        return Error::msg("manifest: document is an image index (" + m.media_type + "), not a manifest");
    if (!is_manifest_media_type(m.media_type))
        return Error::msg("manifest: unsupported media type \"" + m.media_type + "\"");
    auto config = j.find("config");
    if (config == j.end() || config->is_null())
        return Error::msg("manifest: missing \"config\" descriptor");
    m.config = TRY(parse_descriptor(*config, "manifest config"));
    auto layers = j.find("layers");
    if (layers == j.end() || !layers->is_array())
        return Error::msg("manifest: missing \"layers\" array");
    for (size_t i = 0; i < layers->size(); ++i)
        m.layers.push_back(TRY(parse_descriptor((*layers)[i], "manifest layer " + std::to_string(i))));
    m.annotations = TRY(string_map(j, "annotations", "manifest"));
    return m;
}

Result<Index> parse_index(std::string_view body)
{
    Json j = TRY(parse_document(body, "image index"));
    Index index;
    index.media_type = TRY(optional_string(j, "mediaType", "image index"));
    if (index.media_type.empty())
        index.media_type = media_type::oci_index;
    if (is_manifest_media_type(index.media_type))
        return Error::msg("image index: document is an image manifest (" + index.media_type + "), not an index");
    if (!is_index_media_type(index.media_type))
        return Error::msg("image index: unsupported media type \"" + index.media_type + "\"");
    auto manifests = j.find("manifests");
    if (manifests == j.end() || !manifests->is_array())
        return Error::msg("image index: missing \"manifests\" array");
    for (size_t i = 0; i < manifests->size(); ++i)
        index.manifests.push_back(TRY(parse_descriptor((*manifests)[i], "image index entry " + std::to_string(i))));
    return index;
}

Result<Descriptor> select_platform(Index const& index, Platform const& want)
{
    Platform w = normalized(want);
    Descriptor const* best = nullptr;
    int best_score = 0;
    for (auto const& d : index.manifests) {
        if (!d.platform)
            continue;
        int score = match_score(w, normalized(*d.platform));
        if (score > best_score) {
            best = &d;
            best_score = score;
        }
    }
    if (best)
        return *best;
    // An index whose only entry says nothing about its platform: take it.
    if (index.manifests.size() == 1 && !index.manifests[0].platform)
        return index.manifests[0];
    std::string available;
    for (auto const& d : index.manifests) {
        if (!d.platform || is_attestation(d))
            continue;
        std::string p = d.platform->str();
        if (available.find(p) == std::string::npos)
            available += (available.empty() ? "" : ", ") + p;
    }
    return Error::msg("no image for platform " + want.str() + " in the manifest list (available: "
        + (available.empty() ? std::string("none") : available) + "); choose one with --platform");
}

std::string serialize_manifest(Manifest const& manifest)
{
    OrderedJson j;
    j["schemaVersion"] = 2;
    j["mediaType"] = manifest.media_type.empty() ? std::string(media_type::oci_manifest) : manifest.media_type;
    j["config"] = ordered_descriptor(manifest.config);
    j["layers"] = OrderedJson::array();
    for (auto const& layer : manifest.layers)
        j["layers"].push_back(ordered_descriptor(layer));
    if (!manifest.annotations.empty())
        j["annotations"] = manifest.annotations;
    return json::dump(j);
}

std::string serialize_index(Index const& index)
{
    OrderedJson j;
    j["schemaVersion"] = 2;
    j["mediaType"] = index.media_type.empty() ? std::string(media_type::oci_index) : index.media_type;
    j["manifests"] = OrderedJson::array();
    for (auto const& d : index.manifests)
        j["manifests"].push_back(ordered_descriptor(d));
    return json::dump(j);
}

} // namespace berth::image
