// Content digests and streaming SHA-256.
//
// Digest::parse is the gatekeeper for every digest that comes from outside
// (manifests, registries, the CLI): it accepts only algorithms berth knows and
// only lowercase hex of the exact length, so a digest that parses can be used
// as a file name in the blob store without further checks. The hasher keeps
// OpenSSL's SHA256_CTX (its chaining state is public API, though deprecated in
// OpenSSL 3): runs of whole blocks go to the lane engine (sha256_lanes.h) when
// the CPU has one, everything else (partial blocks, padding) to OpenSSL.
#include "image/digest.h"
#include "image/sha256_lanes.h"

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cassert>

namespace berth::image {

namespace {

size_t hex_length_for(std::string_view algorithm)
{
    if (algorithm == "sha256")
        return 64;
    if (algorithm == "sha512")
        return 128;
    return 0;
}

bool is_lower_hex(std::string_view text)
{
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

std::string to_hex(unsigned char const* bytes, size_t size)
{
    static char const digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (size_t i = 0; i < size; ++i) {
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 0xf]);
    }
    return out;
}

} // namespace

Result<Digest> Digest::parse(std::string_view text)
{
    auto fail = [&](std::string_view why) {
        return Error::msg("invalid digest \"" + std::string(text) + "\": " + std::string(why));
    };
    auto colon = text.find(':');
    if (colon == std::string_view::npos)
        return fail("expected \"algorithm:hex\", e.g. sha256:<64 hex digits>");
    std::string_view algorithm = text.substr(0, colon);
    std::string_view hex = text.substr(colon + 1);
    if (algorithm.empty())
        return fail("missing algorithm");
    size_t want = hex_length_for(algorithm);
    if (want == 0)
        return fail("unsupported algorithm \"" + std::string(algorithm) + "\" (use sha256 or sha512)");
    if (!is_lower_hex(hex))
        return fail("the encoded part must be lowercase hexadecimal");
    if (hex.size() != want)
        return fail(std::string(algorithm) + " needs " + std::to_string(want) + " hex digits, got " + std::to_string(hex.size()));
    return Digest(std::string(algorithm), std::string(hex));
}

Digest Digest::sha256_of(std::string_view data)
{
    Sha256 hasher;
    hasher.update(data);
    return hasher.finish();
}

struct Sha256::Impl {
    SHA256_CTX ctx;
    bool engaged = false; ///< counted among the lane engine's bulk streams
    ~Impl()
    {
        if (engaged)
            sha256_lanes::disengage();
    }
};

namespace {

/// Updates shorter than this go straight to OpenSSL: the lane engine's hand-over costs
/// more than it saves on a few blocks.
constexpr size_t kLaneMinBlocks = 64;

/// Counts `bytes` into the context's 64-bit message length, as SHA256_Update would.
void add_length(SHA256_CTX& ctx, size_t bytes)
{
    uint64_t bits = (static_cast<uint64_t>(ctx.Nh) << 32 | ctx.Nl) + static_cast<uint64_t>(bytes) * 8;
    ctx.Nl = static_cast<SHA_LONG>(bits);
    ctx.Nh = static_cast<SHA_LONG>(bits >> 32);
}

} // namespace

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
    SHA256_Init(&m_impl->ctx);
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(void const* data, size_t size)
{
    assert(m_impl && "Sha256 used after move or finish");
    auto& ctx = m_impl->ctx;
    auto const* bytes = static_cast<unsigned char const*>(data);
    if (size / 64 >= kLaneMinBlocks && sha256_lanes::available()) {
        if (!m_impl->engaged) {
            sha256_lanes::engage();
            m_impl->engaged = true;
        }
        if (ctx.num != 0) { // complete the buffered partial block first
            size_t fill = 64 - ctx.num;
            SHA256_Update(&ctx, bytes, fill);
            bytes += fill;
            size -= fill;
        }
        size_t blocks = size / 64;
        sha256_lanes::compress(ctx.h, bytes, blocks);
        add_length(ctx, blocks * 64);
        bytes += blocks * 64;
        size -= blocks * 64;
    }
    if (size > 0)
        SHA256_Update(&ctx, bytes, size);
}

Digest Sha256::finish()
{
    assert(m_impl && "Sha256 finished twice");
    unsigned char bytes[SHA256_DIGEST_LENGTH];
    SHA256_Final(bytes, &m_impl->ctx);
    m_impl.reset();
    return Digest("sha256", to_hex(bytes, sizeof bytes));
}

} // namespace berth::image
