// Fuzz target: .containerignore/.dockerignore files (build/ignore.h) and the
// paths matched against them (input `IGNORE-FILE\0PATH`). A rule without
// wildcards must match its own text, and the last such rule decides whether
// that path is excluded; excludes(), with its shortcuts, must agree with
// matching the path and each of its parents rule by rule.
#include "build/ignore.h"
#include "fuzz.h"

using namespace berth::build;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto fields = berth::fuzz::fields(data, size, 2);
    auto matcher = IgnoreMatcher::parse(fields[0]);
    if (!matcher)
        return 0;
    auto file = clean_path(fields[1]);
    bool excluded = false;
    for (auto const& rule : matcher->rules()) {
        bool matched = ignore_pattern_match(rule.pattern, file);
        for (size_t slash = file.find('/'); !matched && slash != std::string::npos; slash = file.find('/', slash + 1))
            matched = ignore_pattern_match(rule.pattern, file.substr(0, slash));
        if (matched)
            excluded = !rule.exception;
    }
    FUZZ_CHECK(matcher->excludes(fields[1]) == excluded);
    (void)matcher->may_include_below(fields[1]);
    (void)clean_path(fields[1]);
    for (auto const& rule : matcher->rules()) {
        (void)ignore_pattern_match(rule.pattern, fields[1]);
        if (rule.pattern.find_first_of("*?[\\") == std::string::npos)
            FUZZ_CHECK(ignore_pattern_match(rule.pattern, rule.pattern));
    }
    if (!matcher->rules().empty()) {
        auto const& last = matcher->rules().back();
        bool literal = last.pattern.find_first_of("*?[\\") == std::string::npos;
        if (literal && !last.pattern.empty() && clean_path(last.pattern) == last.pattern)
            FUZZ_CHECK(matcher->excludes(last.pattern) == !last.exception);
    }
    return 0;
}
