// Fuzz target: image references as typed on the command line or found in
// manifests, archives and registries.conf (image/reference.h). A parsed
// reference printed with str() must parse again to the same reference.
#include "fuzz.h"
#include "image/reference.h"

using berth::image::Reference;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto text = berth::fuzz::as_text(data, size);
    if (auto ref = Reference::parse(text)) {
        auto again = Reference::parse(ref->str());
        FUZZ_CHECK(again && *again == *ref);
        (void)ref->repository();
        (void)ref->manifest_ref();
        (void)ref->api_host();
        (void)ref->with_default_tag();
        if (ref->is_short_name())
            (void)ref->with_domain("docker.io");
    }
    if (auto ref = Reference::parse_normalized(text)) {
        FUZZ_CHECK(!ref->domain.empty());
        (void)ref->str();
    }
    if (auto ref = Reference::parse_qualified(text))
        (void)ref->str();
    return 0;
}
