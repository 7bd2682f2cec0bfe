// Fuzz target: kube play's YAML reader (kube::plan_play, kube::pod_names) on
// one file's text. What plan_play reads, pod_names reads too, naming as many
// pods as the plan has.
#include "fuzz.h"
#include "kube/play.h"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    berth::kube::PlayInput input;
    input.file = "fuzz.yaml";
    input.text = std::string(berth::fuzz::as_text(data, size));
    auto plan = berth::kube::plan_play(input);
    auto names = berth::kube::pod_names(input);
    if (plan) {
        FUZZ_CHECK(names.has_value());
        FUZZ_CHECK(names->size() == plan->pods.size());
    }
    return 0;
}
