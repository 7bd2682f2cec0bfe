// What the fuzz targets share: the input as text or as NUL-separated fields,
// and FUZZ_CHECK, an invariant that aborts with a message in every build (the
// libFuzzer one reports it as a crash; the corpus test fails on it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace berth::fuzz {

inline std::string_view as_text(uint8_t const* data, size_t size)
{
    return { reinterpret_cast<char const*>(data), size };
}

/// The input split at NUL bytes into at least `min_fields` fields (missing ones are empty).
inline std::vector<std::string> fields(uint8_t const* data, size_t size, size_t min_fields)
{
    std::vector<std::string> out(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0)
            out.emplace_back();
        else
            out.back() += static_cast<char>(data[i]);
    }
    while (out.size() < min_fields)
        out.emplace_back();
    return out;
}

[[noreturn]] inline void check_failed(char const* what, char const* file, int line)
{
    std::fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", file, line, what);
    std::abort();
}

} // namespace berth::fuzz

#define FUZZ_CHECK(cond) ((cond) ? (void)0 : ::berth::fuzz::check_failed(#cond, __FILE__, __LINE__))
