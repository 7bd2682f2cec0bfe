// The 16-lane SHA-256 kernel and the engine that batches callers into it (see the
// header for why). The kernel follows FIPS 180-4 literally, one zmm register per
// working variable with lane i holding stream i; AVX-512 gives rotates (vprord)
// and three-input logic (vpternlogd), so Ch, Maj and each Sigma are one or two
// instructions. Each step loads one 64-byte block per lane and transposes the
// 16x16 words so that register t holds word t of every lane.
#include "image/sha256_lanes.h"

// The single-stream fallback uses OpenSSL's SHA256_CTX, whose chaining state is
// public; the low-level functions are deprecated in OpenSSL 3 but remain its API.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

// GCC 12 warns about the deliberately undefined inputs inside its own AVX-512 intrinsics.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <cpuid.h>
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>

#include <pthread.h>

namespace berth::image::sha256_lanes {

namespace {

constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define BERTH_AVX512 __attribute__((target("avx512f,avx512bw")))

BERTH_AVX512 inline __m512i add(__m512i a, __m512i b) { return _mm512_add_epi32(a, b); }

/// x ror r1 ^ x ror r2 ^ x ror r3
template<int R1, int R2, int R3>
BERTH_AVX512 inline __m512i big_sigma(__m512i x)
{
    return _mm512_ternarylogic_epi32(_mm512_ror_epi32(x, R1), _mm512_ror_epi32(x, R2), _mm512_ror_epi32(x, R3), 0x96);
}

/// x ror r1 ^ x ror r2 ^ x >> s
template<int R1, int R2, int S>
BERTH_AVX512 inline __m512i small_sigma(__m512i x)
{
    return _mm512_ternarylogic_epi32(_mm512_ror_epi32(x, R1), _mm512_ror_epi32(x, R2), _mm512_srli_epi32(x, S), 0x96);
}

/// Rows r[lane] (16 words of one block each) -> r[t] (word t of every lane).
BERTH_AVX512 inline void transpose16(__m512i r[16])
{
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    // u[4q + c]: per 128-bit lane k, word 4k + c of rows 4q..4q+3.
    for (int q = 0; q < 16; q += 4) {
        u[q] = _mm512_unpacklo_epi64(t[q], t[q + 2]);
        u[q + 1] = _mm512_unpackhi_epi64(t[q], t[q + 2]);
        u[q + 2] = _mm512_unpacklo_epi64(t[q + 1], t[q + 3]);
        u[q + 3] = _mm512_unpackhi_epi64(t[q + 1], t[q + 3]);
    }
    // t[c] (c < 4): words c and 8 + c of rows 0-7 (128-bit lanes: rows 0-3, 4-7 for each);
    // t[4 + c]: words 4 + c and 12 + c; t[8..15] the same for rows 8-15.
    for (int c = 0; c < 4; ++c) {
        t[c] = _mm512_shuffle_i32x4(u[c], u[4 + c], 0x88);
        t[4 + c] = _mm512_shuffle_i32x4(u[c], u[4 + c], 0xdd);
        t[8 + c] = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0x88);
        t[12 + c] = _mm512_shuffle_i32x4(u[8 + c], u[12 + c], 0xdd);
    }
    for (int c = 0; c < 4; ++c) {
        r[c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0x88);
        r[8 + c] = _mm512_shuffle_i32x4(t[c], t[8 + c], 0xdd);
        r[4 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(t[4 + c], t[12 + c], 0xdd);
    }
}

BERTH_AVX512 void kernel(uint32_t* const h[16], unsigned char const* const data[16], size_t blocks)
{
    alignas(64) uint32_t state[8][16];
    for (int lane = 0; lane < 16; ++lane)
        for (int i = 0; i < 8; ++i)
            state[i][lane] = h[lane][i];
    __m512i a = _mm512_load_si512(state[0]), b = _mm512_load_si512(state[1]);
    __m512i c = _mm512_load_si512(state[2]), d = _mm512_load_si512(state[3]);
    __m512i e = _mm512_load_si512(state[4]), f = _mm512_load_si512(state[5]);
    __m512i g = _mm512_load_si512(state[6]), hh = _mm512_load_si512(state[7]);
    // Big-endian words: reverse the bytes of each 32-bit element.
    __m512i const bswap = _mm512_set4_epi32(0x0c0d0e0f, 0x08090a0b, 0x04050607, 0x00010203);

    for (size_t block = 0; block < blocks; ++block) {
        __m512i w[16];
        for (int lane = 0; lane < 16; ++lane)
            w[lane] = _mm512_loadu_si512(data[lane] + block * 64);
        transpose16(w);
        for (auto& word : w)
            word = _mm512_shuffle_epi8(word, bswap);

        __m512i const a0 = a, b0 = b, c0 = c, d0 = d, e0 = e, f0 = f, g0 = g, h0 = hh;
#pragma GCC unroll 64
        for (int t = 0; t < 64; ++t) {
            if (t >= 16)
                w[t & 15] = add(add(small_sigma<17, 19, 10>(w[(t - 2) & 15]), w[(t - 7) & 15]),
                    add(small_sigma<7, 18, 3>(w[(t - 15) & 15]), w[t & 15]));
            __m512i t1 = add(add(hh, big_sigma<6, 11, 25>(e)),
                add(_mm512_ternarylogic_epi32(e, f, g, 0xca), add(_mm512_set1_epi32(static_cast<int>(K[t])), w[t & 15])));
            __m512i t2 = add(big_sigma<2, 13, 22>(a), _mm512_ternarylogic_epi32(a, b, c, 0xe8));
            hh = g;
            g = f;
            f = e;
            e = add(d, t1);
            d = c;
            c = b;
            b = a;
            a = add(t1, t2);
        }
        a = add(a, a0), b = add(b, b0), c = add(c, c0), d = add(d, d0);
        e = add(e, e0), f = add(f, f0), g = add(g, g0), hh = add(hh, h0);
    }

    _mm512_store_si512(state[0], a), _mm512_store_si512(state[1], b);
    _mm512_store_si512(state[2], c), _mm512_store_si512(state[3], d);
    _mm512_store_si512(state[4], e), _mm512_store_si512(state[5], f);
    _mm512_store_si512(state[6], g), _mm512_store_si512(state[7], hh);
    for (int lane = 0; lane < 16; ++lane)
        for (int i = 0; i < 8; ++i)
            h[lane][i] = state[i][lane];
}

/// One stream on OpenSSL's own code: its block function advances `h` when the context
/// has no partial block, and a multiple of 64 bytes leaves none.
void compress_single(uint32_t h[8], unsigned char const* data, size_t blocks)
{
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    static_assert(sizeof(ctx.h) == 8 * sizeof(uint32_t));
    std::memcpy(ctx.h, h, sizeof ctx.h);
    SHA256_Update(&ctx, data, blocks * 64);
    std::memcpy(h, ctx.h, sizeof ctx.h);
}

/// Blocks per lane per kernel run: a job that arrives meanwhile waits at most one step
/// (~2 KiB per lane) for a free lane.
constexpr size_t kStepBlocks = 32;

/// Fewer busy lanes than this run one after another on OpenSSL's code: the kernel costs
/// about as much as four single-stream blocks, however many lanes carry data.
constexpr int kMinKernelLanes = 4;

/// While kMinKernelLanes or more streams are engaged, the engine waits up to this long
/// for a sparse set of lanes to fill before it runs them: the other streams' producers
/// are busy elsewhere (writing, unpacking) and come back soon.
constexpr auto kGatherWait = std::chrono::microseconds(100);

/// The hashing thread and its queue. Callers queue a job and sleep until the thread has
/// run it; the thread keeps up to 16 jobs in lanes and advances them a step at a time,
/// so that jobs join and leave between steps. Created on first use and never destroyed
/// (a static destructor would pull the mutex from under the running thread).
class Engine {
public:
    static Engine& get()
    {
        static Engine* engine = new Engine;
        return *engine;
    }

    std::atomic<int> engaged { 0 };

    void compress(uint32_t h[8], unsigned char const* data, size_t blocks)
    {
        std::call_once(m_started, [this] {
            try {
                std::thread(&Engine::run, this).detach();
                m_thread = true;
            } catch (std::system_error const&) {
                // No thread to be had (a process limit): every stream hashes on its own.
            }
        });
        if (!m_thread) {
            compress_single(h, data, blocks);
            return;
        }
        Job job { h, data, blocks };
        std::unique_lock lock(m_mutex);
        m_waiting.push_back(&job);
        m_work.notify_one();
        job.wake.wait(lock, [&] { return job.done; });
    }

private:
    struct Job {
        uint32_t* h;
        unsigned char const* data;
        size_t blocks;
        bool done = false;
        bool gathered = false; ///< the engine already waited for company for this job
        std::condition_variable wake;
    };

    Engine() = default;

    /// Fills free lanes from the queue; returns the number of busy lanes.
    int fill_lanes()
    {
        int active = 0;
        for (auto& lane : m_lanes) {
            if (!lane && !m_waiting.empty()) {
                lane = m_waiting.front();
                m_waiting.pop_front();
            }
            active += lane != nullptr;
        }
        return active;
    }

    /// Whether to wait for more jobs before running a sparse set of lanes: once per job,
    /// so that a job whose company does not come (a slow download) is not held back
    /// at every step.
    bool should_gather()
    {
        if (engaged.load(std::memory_order_relaxed) < kMinKernelLanes)
            return false;
        bool fresh = false;
        for (Job* job : m_lanes) {
            if (job && !job->gathered) {
                job->gathered = true;
                fresh = true;
            }
        }
        return fresh;
    }

    [[noreturn]] void run()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            int active = fill_lanes();
            if (active == 0) {
                m_work.wait(lock, [&] { return !m_waiting.empty(); });
                continue;
            }
            if (active < kMinKernelLanes && should_gather()) {
                m_work.wait_for(lock, kGatherWait, [&] { return m_waiting.size() + active >= kMinKernelLanes; });
                active = fill_lanes();
            }
            size_t step = kStepBlocks;
            for (Job* job : m_lanes)
                if (job)
                    step = std::min(step, job->blocks);
            lock.unlock();
            run_step(active, step);
            lock.lock();
            for (auto& lane : m_lanes) {
                if (!lane)
                    continue;
                lane->data += step * 64;
                lane->blocks -= step;
                if (lane->blocks == 0) {
                    lane->done = true;
                    lane->wake.notify_one();
                    lane = nullptr;
                }
            }
        }
    }

    /// Advances every busy lane by `step` blocks. Runs without the lock: only this
    /// thread touches jobs in lanes.
    void run_step(int active, size_t step)
    {
        if (active < kMinKernelLanes) {
            for (Job* job : m_lanes)
                if (job)
                    compress_single(job->h, job->data, step);
            return;
        }
        uint32_t* h[16];
        unsigned char const* data[16];
        for (int i = 0; i < 16; ++i) {
            h[i] = m_lanes[i] ? m_lanes[i]->h : m_idle_state[i];
            data[i] = m_lanes[i] ? m_lanes[i]->data : m_idle_data;
        }
        kernel(h, data, step);
    }

    std::once_flag m_started;
    bool m_thread = false; ///< the hashing thread runs (set once, under m_started)
    std::mutex m_mutex;
    std::condition_variable m_work; ///< a job was queued
    std::deque<Job*> m_waiting;
    std::array<Job*, 16> m_lanes {};
    // Idle lanes hash zeros into scratch states that nobody reads.
    uint32_t m_idle_state[16][8] {};
    alignas(64) unsigned char m_idle_data[kStepBlocks * 64] {};
};

/// A forked child has no hashing thread: it hashes on its own.
bool g_forked = false;

} // namespace

/// AVX-512 F and BW, with the OS saving their registers. Asked with cpuid
/// here rather than __builtin_cpu_supports, which links libgcc's
/// __cpu_indicator_init: a constructor that runs a dozen cpuid instructions at
/// the start of every berth command, each a trap to the hypervisor in a VM
/// (~5 us here), for a question only a pull asks.
bool has_avx512bw()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE))
        return false;
    unsigned xcr0 = 0, xcr0_high = 0;
    __asm__("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
    unsigned const sse_avx_opmask_zmm = 0xe6;  // XCR0 bits 1, 2, 5, 6, 7
    if ((xcr0 & sse_avx_opmask_zmm) != sse_avx_opmask_zmm)
        return false;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX512F) && (ebx & bit_AVX512BW);
}

bool available()
{
    static bool const yes = [] {
        char const* env = std::getenv("BERTH_SHA256_LANES");
        if (env && std::strcmp(env, "0") == 0)
            return false;
        if (!has_avx512bw())
            return false;
        // With the SHA extensions OpenSSL hashes each stream at ~2 GB/s on every core:
        // funnelling all streams into one thread would be slower.
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_SHA))
            return false;
        pthread_atfork(nullptr, nullptr, [] { g_forked = true; });
        return true;
    }();
    return yes && !g_forked;
}

void engage()
{
    Engine::get().engaged.fetch_add(1, std::memory_order_relaxed);
}

void disengage()
{
    Engine::get().engaged.fetch_sub(1, std::memory_order_relaxed);
}

void compress(uint32_t h[8], unsigned char const* data, size_t blocks)
{
    auto& engine = Engine::get();
    if (engine.engaged.load(std::memory_order_relaxed) < kMinKernelLanes)
        compress_single(h, data, blocks);
    else
        engine.compress(h, data, blocks);
}

void compress16(uint32_t* const h[16], unsigned char const* const data[16], size_t blocks)
{
    kernel(h, data, blocks);
}

} // namespace berth::image::sha256_lanes
