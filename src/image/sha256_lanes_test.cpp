// Unit tests for the 16-lane SHA-256 kernel and the engine behind Sha256: every
// result is compared with OpenSSL's one-shot SHA-256, never with the code under test.
#include "image/digest.h"
#include "image/sha256_lanes.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

using namespace berth::image;

namespace {

bool const no_lanes = !sha256_lanes::available();

std::vector<unsigned char> random_bytes(size_t n, uint32_t seed)
{
    std::mt19937 rng(seed);
    std::vector<unsigned char> out(n);
    for (auto& b : out)
        b = static_cast<unsigned char>(rng());
    return out;
}

std::string reference_hex(std::vector<unsigned char> const& data)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(data.data(), data.size(), md);
    std::string hex;
    for (unsigned char b : md) {
        static char const digits[] = "0123456789abcdef";
        hex += digits[b >> 4];
        hex += digits[b & 15];
    }
    return hex;
}

/// Sha256 over `data` in pieces whose sizes come from `rng` (up to `max_piece`).
std::string streamed_hex(std::vector<unsigned char> const& data, std::mt19937& rng, size_t max_piece)
{
    Sha256 hasher;
    size_t at = 0;
    while (at < data.size()) {
        size_t n = std::min<size_t>(data.size() - at, 1 + rng() % max_piece);
        hasher.update(data.data() + at, n);
        at += n;
    }
    return hasher.finish().hex();
}

} // namespace

TEST_CASE("sha256 lane kernel matches OpenSSL's block function on every lane" * doctest::skip(no_lanes))
{
    for (size_t blocks : { 1, 2, 5 }) {
        CAPTURE(blocks);
        std::vector<std::vector<unsigned char>> data;
        uint32_t states[16][8];
        uint32_t* h[16];
        unsigned char const* ptr[16];
        for (int lane = 0; lane < 16; ++lane) {
            data.push_back(random_bytes(blocks * 64, 100 * lane + static_cast<uint32_t>(blocks)));
            SHA256_CTX ctx;
            SHA256_Init(&ctx);
            // Distinct starting states: each lane first absorbs a block of its own.
            auto lead = random_bytes(64, 7 + lane);
            SHA256_Update(&ctx, lead.data(), lead.size());
            std::memcpy(states[lane], ctx.h, sizeof states[lane]);
            h[lane] = states[lane];
            ptr[lane] = data.back().data();
        }
        uint32_t expected[16][8];
        for (int lane = 0; lane < 16; ++lane) {
            SHA256_CTX ctx;
            SHA256_Init(&ctx);
            std::memcpy(ctx.h, states[lane], sizeof ctx.h);
            SHA256_Update(&ctx, ptr[lane], blocks * 64);
            std::memcpy(expected[lane], ctx.h, sizeof expected[lane]);
        }
        sha256_lanes::compress16(h, ptr, blocks);
        for (int lane = 0; lane < 16; ++lane) {
            CAPTURE(lane);
            CHECK(std::memcmp(states[lane], expected[lane], sizeof expected[lane]) == 0);
        }
    }
}

TEST_CASE("Sha256 gives OpenSSL's digest for any length and any split")
{
    std::mt19937 rng(42);
    for (size_t size : { 0, 1, 63, 64, 65, 4095, 4096, 4097, 64 * 64 - 1, 64 * 64, 64 * 64 + 1, 300001, 1 << 20 }) {
        CAPTURE(size);
        auto data = random_bytes(size, static_cast<uint32_t>(size));
        std::string want = reference_hex(data);
        CHECK(streamed_hex(data, rng, 7) == want);
        CHECK(streamed_hex(data, rng, 70000) == want);
        CHECK(streamed_hex(data, rng, 1 << 21) == want);
    }
}

TEST_CASE("Sha256 of a million 'a' (FIPS 180-2 appendix B.3)")
{
    std::string a(1000000, 'a');
    CHECK(Digest::sha256_of(a).hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("concurrent Sha256 streams share the lane engine and each gets its own digest")
{
    // More streams than lanes, with unequal lengths and piece sizes, so that jobs join,
    // finish and hand the engine over at different points.
    constexpr int kStreams = 20;
    std::vector<std::vector<unsigned char>> data;
    std::vector<std::string> want;
    for (int i = 0; i < kStreams; ++i) {
        data.push_back(random_bytes((1 << 20) + 4099 * static_cast<size_t>(i), 1000 + i));
        want.push_back(reference_hex(data.back()));
    }
    std::vector<std::string> got(kStreams);
    std::vector<std::thread> threads;
    for (int i = 0; i < kStreams; ++i)
        threads.emplace_back([&, i] {
            std::mt19937 rng(static_cast<uint32_t>(i));
            got[i] = streamed_hex(data[i], rng, 8192 + 20000 * static_cast<size_t>(i % 4));
        });
    for (auto& t : threads)
        t.join();
    for (int i = 0; i < kStreams; ++i) {
        CAPTURE(i);
        CHECK(got[i] == want[i]);
    }
}
