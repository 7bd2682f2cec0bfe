// Runs every fuzz target over the files of tests/fuzz/corpus/TARGET/ and
// tests/fuzz/regressions/TARGET/, so that each input that once crashed a
// target stays a test in the ordinary build (no clang, no libFuzzer). A crash
// or a failed FUZZ_CHECK aborts the binary, which the test run reports.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#define X(name) extern "C" int berth_fuzz_##name(uint8_t const* data, size_t size);
BERTH_FUZZ_TARGETS
#undef X

namespace {

namespace stdfs = std::filesystem;

struct Target {
    char const* name;
    int (*run)(uint8_t const*, size_t);
};

Target const targets[] = {
#define X(name) { #name, berth_fuzz_##name },
    BERTH_FUZZ_TARGETS
#undef X
};

std::vector<stdfs::path> files_in(stdfs::path const& dir)
{
    std::vector<stdfs::path> out;
    std::error_code ec;
    for (auto const& e : stdfs::directory_iterator(dir, ec))
        if (e.is_regular_file())
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string contents(stdfs::path const& file)
{
    std::ifstream in(file, std::ios::binary);
    return { std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>() };
}

} // namespace

TEST_CASE("every fuzz target runs its corpus and regressions")
{
    stdfs::path const dir = BERTH_FUZZ_DIR;
    for (auto const& target : targets) {
        INFO("target ", target.name);
        auto corpus = files_in(dir / "corpus" / target.name);
        CHECK_MESSAGE(!corpus.empty(), "no seeds in tests/fuzz/corpus/", target.name);
        auto regressions = files_in(dir / "regressions" / target.name);
        corpus.insert(corpus.end(), regressions.begin(), regressions.end());
        for (auto const& file : corpus) {
            INFO("input ", file.string());
            std::string data = contents(file);
            CHECK(target.run(reinterpret_cast<uint8_t const*>(data.data()), data.size()) == 0);
        }
    }
}

TEST_CASE("every corpus and regression folder belongs to a target")
{
    stdfs::path const dir = BERTH_FUZZ_DIR;
    for (char const* kind : { "corpus", "regressions" }) {
        std::error_code ec;
        for (auto const& e : stdfs::directory_iterator(dir / kind, ec)) {
            std::string name = e.path().filename().string();
            INFO(kind, "/", name);
            CHECK(std::any_of(std::begin(targets), std::end(targets), [&](Target const& t) { return name == t.name; }));
        }
    }
}
