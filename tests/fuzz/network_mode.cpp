// Fuzz target: --network/--net values (network/mode.h parse_network_mode,
// which hands user-defined network lists to parse_networks). A mode that
// parses must print (text(), what is stored) as a value that parses back to
// the same mode, and a list of networks must name at least one.
#include "network/mode.h"
#include "fuzz.h"

using namespace berth::network;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto mode = parse_network_mode(berth::fuzz::as_text(data, size));
    if (!mode)
        return 0;
    FUZZ_CHECK(mode->kind != NetworkMode::Kind::Bridge || !mode->networks.empty());
    FUZZ_CHECK(!mode->name().empty());
    auto again = parse_network_mode(mode->text());
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(again->kind == mode->kind);
    FUZZ_CHECK(again->value == mode->value);
    FUZZ_CHECK(again->options == mode->options);
    FUZZ_CHECK(again->networks == mode->networks);
    (void)mode->user_mode();
    (void)mode->publishes();
    (void)mode->own_namespace();
    if (mode->kind == NetworkMode::Kind::Slirp4netns)
        FUZZ_CHECK(parse_slirp4netns_options(mode->options).has_value());
    return 0;
}
