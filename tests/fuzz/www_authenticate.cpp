// Fuzz target: the WWW-Authenticate header of a registry's 401 reply
// (registry/www_authenticate.h), which any server we talk to controls.
#include "fuzz.h"
#include "registry/www_authenticate.h"

using namespace berth::registry;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto challenges = parse_www_authenticate(berth::fuzz::as_text(data, size));
    for (auto const& c : challenges) {
        (void)c.param("realm");
        (void)c.param("service");
        (void)c.param("scope");
    }
    if (auto const* best = preferred_challenge(challenges))
        (void)best->param("realm");
    return 0;
}
