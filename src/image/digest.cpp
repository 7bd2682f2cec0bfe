// Content digests and streaming SHA-256.
//
// Digest::parse is the gatekeeper for every digest that comes from outside
// (manifests, registries, the CLI): it accepts only algorithms berth knows and
// only lowercase hex of the exact length, so a digest that parses can be used
// as a file name in the blob store without further checks. The hasher wraps
// OpenSSL's EVP interface; the only subtle part is keeping the EVP context
// owned by exactly one object across moves.
#include "image/digest.h"

#include <openssl/evp.h>

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
    EVP_MD_CTX* ctx = nullptr;
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>())
{
    m_impl->ctx = EVP_MD_CTX_new();
    // Allocation failure or a FIPS provider refusing SHA-256 is not recoverable.
    assert(m_impl->ctx);
    int ok = EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr);
    assert(ok == 1);
    (void)ok;
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(void const* data, size_t size)
{
    assert(m_impl && "Sha256 used after move or finish");
    if (size > 0)
        EVP_DigestUpdate(m_impl->ctx, data, size);
}

Digest Sha256::finish()
{
    assert(m_impl && "Sha256 finished twice");
    unsigned char bytes[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_impl->ctx, bytes, &length);
    m_impl.reset();
    return Digest("sha256", to_hex(bytes, length));
}

} // namespace berth::image
