// Fuzz target: the values of `build`'s own flags (build/plan.h, build/output.h):
// --build-context NAME=VALUE, -o/--output, --annotation, --platform,
// --timestamp, --format and --os-feature applied to a base list. The input is
// NUL-separated: VALUE\0OS-FEATURES-JSON\0CHANGE\0CHANGE...
#include "build/output.h"
#include "build/plan.h"
#include "fuzz.h"

using namespace berth::build;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto f = berth::fuzz::fields(data, size, 2);
    std::string const& text = f[0];

    // --build-context: a named context with something to use.
    if (auto ctx = parse_build_context(text)) {
        FUZZ_CHECK(!ctx->first.empty());
        FUZZ_CHECK(ctx->first.find_first_of(" \t") == std::string::npos);
        FUZZ_CHECK(!ctx->second.value.empty());
        FUZZ_CHECK(text.starts_with(ctx->first + "="));
    }

    // -o: every export has a destination; only a tar goes to standard output.
    if (auto out = parse_build_output(text)) {
        FUZZ_CHECK(out->kind != BuildOutput::Kind::None);
        FUZZ_CHECK(!out->dest.empty());
        FUZZ_CHECK(out->kind == BuildOutput::Kind::Tar || out->dest != "-");
    }

    OutputOptions o;
    if (parse_build_annotation(text, o)) {
        FUZZ_CHECK(o.annotations.size() == 1);
        FUZZ_CHECK(!o.annotations.begin()->first.empty());
    }
    OutputOptions p;
    if (parse_build_platform(text, p))
        FUZZ_CHECK(!p.os.empty() && !p.architecture.empty());
    if (auto ts = parse_build_timestamp(text))
        FUZZ_CHECK(*ts >= 0);
    (void)parse_image_format(text);

    // --os-feature: the result is a list of distinct names, none ending in '-'.
    auto base = berth::Json::parse(f[1], nullptr, false);
    std::vector<std::string> changes(f.begin() + 2, f.end());
    auto features = os_features(base.is_discarded() ? berth::Json() : base, changes);
    if (features.is_array()) {
        for (size_t i = 0; i < features.size(); ++i)
            for (size_t j = i + 1; j < features.size(); ++j)
                FUZZ_CHECK(features[i] != features[j]);
    }
    return 0;
}
