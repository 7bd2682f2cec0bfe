// SHA-256 for many streams at once: a 16-lane AVX-512 compression function and a
// process-wide engine that batches the whole blocks of concurrent Sha256 users
// into its lanes.
//
// Why: a pull hashes every byte twice (the compressed blob and the diff ID), on
// several layers at once. Without the SHA extensions a single SHA-256 stream runs
// at ~10 cycles per byte however it is written; sixteen independent streams in the
// 32-bit lanes of a zmm register cost about one. No packaged library offers an
// incremental multi-buffer SHA-256 (isa-l_crypto is not in Debian; ipsec-mb's jobs
// hash whole messages only), so the kernel is written here.
//
// The hard part is feeding the lanes. A stream that hashes in bulk engages the
// engine; while four or more streams are engaged (a pull: a blob and a diff ID per
// layer), their whole blocks go to one hashing thread. Callers queue a job (their
// chaining state and a run of blocks) and sleep; the thread keeps up to 16 jobs in
// lanes and runs the kernel a step (2 KiB per lane) at a time, so that jobs join
// and leave between steps. When fewer than four lanes are busy it waits briefly
// for more, then runs them on OpenSSL's single-stream code, which is faster than a
// kernel with idle lanes. With fewer streams engaged, callers hash on their own
// thread as before.
#pragma once

#include <cstddef>
#include <cstdint>

namespace berth::image::sha256_lanes {

/// True when this CPU runs the lane kernel (AVX-512 F and BW), lacks the SHA extensions
/// (with them OpenSSL is faster per stream), and BERTH_SHA256_LANES is not "0" in the
/// environment. Decided once per process.
bool available();

/// A stream starts (engage) or stops (disengage) hashing in bulk. Requires available().
void engage();
void disengage();

/// Advances the SHA-256 chaining state `h` over `blocks` whole 64-byte blocks at `data`:
/// through the hashing thread while enough streams are engaged, else on this thread.
/// Requires available(). Returns when done.
void compress(uint32_t h[8], unsigned char const* data, size_t blocks);

/// The kernel itself, for tests: advances 16 independent states, each over `blocks`
/// blocks of its own data. Requires available().
void compress16(uint32_t* const h[16], unsigned char const* const data[16], size_t blocks);

} // namespace berth::image::sha256_lanes
