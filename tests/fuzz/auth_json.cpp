// Fuzz target: credentials files (auth.json, ~/.docker/config.json, the
// legacy ~/.dockercfg) and the --creds flag (registry/auth.h).
#include "fuzz.h"
#include "registry/auth.h"

using namespace berth::registry;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto text = berth::fuzz::as_text(data, size);
    for (bool legacy : { false, true }) {
        auto entries = parse_auth_entries(text, "auth.json", legacy);
        if (!entries)
            continue;
        for (auto const& [key, entry] : *entries)
            if (auto creds = decode_auth_entry(entry); creds && *creds)
                (void)encode_auth(**creds);
    }
    if (auto creds = parse_creds_flag(std::string(text)))
        (void)encode_auth(*creds);
    return 0;
}
