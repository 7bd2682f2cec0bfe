// Fuzz target: what a registry or an archive hands us as a manifest, index or
// image config (image/manifest.h, image/config.h). What parses must serialise
// and parse again; platform selection runs over every parsed index.
#include "fuzz.h"
#include "image/config.h"
#include "image/manifest.h"

using namespace berth::image;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto text = berth::fuzz::as_text(data, size);
    (void)detect_media_type(text, "");
    (void)detect_media_type(text, media_type::oci_manifest);
    if (auto m = parse_manifest(text)) {
        auto again = parse_manifest(serialize_manifest(*m));
        FUZZ_CHECK(again && again->layers.size() == m->layers.size());
    }
    if (auto index = parse_index(text)) {
        auto again = parse_index(serialize_index(*index));
        FUZZ_CHECK(again && again->manifests.size() == index->manifests.size());
        (void)select_platform(*index, Platform::host());
        if (auto arm = Platform::parse("linux/arm64/v8"))
            (void)select_platform(*index, *arm);
    }
    if (auto config = ImageConfig::parse(text)) {
        auto again = ImageConfig::parse(config->serialize());
        FUZZ_CHECK(again && again->diff_ids.size() == config->diff_ids.size());
    }
    if (auto platform = Platform::parse(text))
        (void)platform->str();
    return 0;
}
