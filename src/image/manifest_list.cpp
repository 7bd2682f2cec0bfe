// Local manifest lists: the pure rules of manifest_list.h.
#include "image/manifest_list.h"

#include "base/json.h"

#include <algorithm>

namespace berth::image {

namespace {

auto find_entry(Index& list, Digest const& digest)
{
    return std::find_if(list.manifests.begin(), list.manifests.end(),
        [&](Descriptor const& d) { return d.digest == digest; });
}

Error no_instance(Digest const& digest)
{
    return Error { ENOENT, "no instance with digest " + digest.str() + " in the manifest list: "
        "`berth manifest inspect LIST` shows the digests it has" };
}

} // namespace

bool PlatformOverride::empty() const
{
    return !os && !architecture && !variant && !os_version && !features && !os_features && annotations.empty();
}

Index new_manifest_list()
{
    return Index { media_type::docker_list, {} };
}

void add_instance(Index& list, Descriptor entry)
{
    if (auto it = find_entry(list, entry.digest); it != list.manifests.end())
        *it = std::move(entry);
    else
        list.manifests.push_back(std::move(entry));
}

void apply_override(Descriptor& entry, PlatformOverride const& change)
{
    if (change.os || change.architecture || change.variant || change.os_version || change.features || change.os_features) {
        Platform& p = entry.platform ? *entry.platform : entry.platform.emplace();
        if (change.os)
            p.os = *change.os;
        if (change.architecture)
            p.architecture = *change.architecture;
        if (change.variant)
            p.variant = *change.variant;
        if (change.os_version)
            p.os_version = *change.os_version;
        if (change.features)
            p.features = *change.features;
        if (change.os_features)
            p.os_features = *change.os_features;
    }
    for (auto const& [key, value] : change.annotations)
        entry.annotations[key] = value;
}

ErrorOr annotate_instance(Index& list, Digest const& digest, PlatformOverride const& change)
{
    auto it = find_entry(list, digest);
    if (it == list.manifests.end())
        return no_instance(digest);
    apply_override(*it, change);
    return {};
}

ErrorOr remove_instance(Index& list, Digest const& digest)
{
    auto it = find_entry(list, digest);
    if (it == list.manifests.end())
        return no_instance(digest);
    list.manifests.erase(it);
    return {};
}

Result<std::pair<std::string, std::string>> parse_annotation(std::string const& text)
{
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0)
        return Error { EINVAL, "annotation \"" + text + "\" is not KEY=VALUE" };
    return std::pair { text.substr(0, eq), text.substr(eq + 1) };
}

std::string inspect_text(Index const& list)
{
    OrderedJson j;
    j["schemaVersion"] = 2;
    j["mediaType"] = list.media_type;
    if (list.manifests.empty()) {
        j["manifests"] = nullptr;
    } else {
        j["manifests"] = OrderedJson::array();
        for (auto const& d : list.manifests) {
            OrderedJson e;
            e["mediaType"] = d.media_type;
            e["size"] = d.size;
            e["digest"] = d.digest.str();
            if (d.platform)
                e["platform"] = platform_json(*d.platform);
            if (!d.annotations.empty())
                e["annotations"] = d.annotations;
            j["manifests"].push_back(e);
        }
    }
    return json::dump(j, 4);
}

Result<std::string> push_media_type(Index const& list, std::string const& format)
{
    if (format == "oci")
        return std::string(media_type::oci_index);
    if (format == "v2s2")
        return std::string(media_type::docker_list);
    if (!format.empty())
        return Error { EINVAL, "unknown manifest list format \"" + format + "\": use oci or v2s2" };
    bool oci = std::any_of(list.manifests.begin(), list.manifests.end(), [](Descriptor const& d) {
        return d.media_type == media_type::oci_manifest || !d.annotations.empty();
    });
    return std::string(oci ? media_type::oci_index : media_type::docker_list);
}

std::string push_body(Index list, std::string const& media_type)
{
    list.media_type = media_type;
    if (media_type == media_type::docker_list)
        for (auto& d : list.manifests)
            d.annotations.clear();
    return serialize_index(list);
}

} // namespace berth::image
