// Fuzz target: registries.conf (image/registries_conf.h), TOML the user or
// the distribution writes; what parses is then used to resolve a few names.
#include "fuzz.h"
#include "image/reference.h"
#include "image/registries_conf.h"

using namespace berth::image;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto conf = RegistriesConf::parse(berth::fuzz::as_text(data, size), "registries.conf");
    if (!conf)
        return 0;
    for (char const* name : { "alpine", "docker.io/library/alpine:3", "example.com/a/b@sha256:" 
             "0000000000000000000000000000000000000000000000000000000000000000", "localhost:5000/x" }) {
        auto ref = Reference::parse(name);
        FUZZ_CHECK(ref.has_value());
        (void)conf->resolve(*ref);
        if (!ref->is_short_name())
            (void)conf->pull_source(*ref);
        (void)conf->find_registry(name);
    }
    (void)conf->is_insecure("example.com");
    (void)conf->is_blocked("docker.io");
    return 0;
}
