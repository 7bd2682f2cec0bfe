// Content digests ("sha256:<64 hex>") and a streaming SHA-256 hasher (OpenSSL EVP).
// Only sha256 is accepted for storage; sha512 digests parse but are refused
// by the store with a clear error.
#pragma once

#include "base/error.h"

#include <memory>
#include <string>
#include <string_view>

namespace berth::image {

class Digest {
public:
    Digest() = default;
    /// Parses "algorithm:hex"; validates the algorithm (sha256, sha512) and hex length/charset.
    static Result<Digest> parse(std::string_view text);
    /// Digest of a whole buffer.
    static Digest sha256_of(std::string_view data);

    std::string const& algorithm() const { return m_algorithm; }
    std::string const& hex() const { return m_hex; }
    std::string str() const { return m_algorithm + ":" + m_hex; }
    /// Relative store path: "sha256/<hex>".
    std::string path() const { return m_algorithm + "/" + m_hex; }
    bool empty() const { return m_hex.empty(); }
    bool operator==(Digest const&) const = default;
    auto operator<=>(Digest const&) const = default;

private:
    friend class Sha256;
    Digest(std::string algorithm, std::string hex) : m_algorithm(std::move(algorithm)), m_hex(std::move(hex)) {}
    std::string m_algorithm;
    std::string m_hex;
};

/// Incremental SHA-256: update() with chunks, then finish().
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    void update(void const* data, size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace berth::image
