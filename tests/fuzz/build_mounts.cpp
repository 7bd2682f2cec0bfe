// Fuzz target: RUN --mount options (build::Mount::parse) and build's --secret
// (build::parse_build_secret); input `MOUNT-SPEC\0SECRET-SPEC`. A mount that
// parses prints (str()) as a spec that parses to the same mount, unless a
// value holds a double quote, which str() cannot write back.
#include "build/containerfile.h"
#include "build/run_mounts.h"
#include "fuzz.h"

using namespace berth::build;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto fields = berth::fuzz::fields(data, size, 2);
    if (auto mount = Mount::parse(fields[0])) {
        std::string text = mount->str();
        if (text.find('"') == std::string::npos) {
            auto again = Mount::parse(text);
            FUZZ_CHECK(again.has_value());
            FUZZ_CHECK(again->str() == text);
        }
    }
    if (auto secret = parse_build_secret(fields[1]))
        FUZZ_CHECK(!secret->first.empty());
    return 0;
}
