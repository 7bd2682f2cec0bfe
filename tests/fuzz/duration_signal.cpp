// Fuzz target: durations (healthcheck flags, logs --since), signals (kill
// --signal, STOPSIGNAL of an image) and sizes/CPU counts (--memory, --cpus).
#include "engine/containers/healthcheck.h"
#include "engine/containers/lifecycle.h"
#include "engine/containers/logs.h"
#include "fuzz.h"
#include "runtime/cgroups.h"

using namespace berth;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    std::string text(fuzz::as_text(data, size));
    (void)engine::parse_duration(text, "--health-interval");
    (void)engine::parse_log_time(text, 1700000000LL * 1000000000LL);
    if (auto sig = engine::parse_signal(text)) {
        FUZZ_CHECK(*sig > 0);
        auto again = engine::parse_signal(engine::signal_name(*sig));
        FUZZ_CHECK(again && *again == *sig);
    }
    (void)runtime::cgroups::parse_size(text);
    (void)runtime::cgroups::parse_swap(text);
    (void)runtime::cgroups::parse_cpus(text);
    return 0;
}
