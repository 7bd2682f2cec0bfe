// Forwarding stubs for the libcrypto functions berth calls: berth does not
// link libcrypto, whose loading and start-up (4 MB of relocations, the CPU
// feature probe of its constructor) cost every command about a millisecond,
// also `version`, `ps` and `images`, which never hash anything. Each stub has
// the real function's name and signature (checked by the compiler against
// OpenSSL's headers, since a C function cannot be overloaded), resolves the
// real one on first call through base/lazy_library.h and forwards to it.
//
// Failure: none of these can report "the library is missing" in a way their
// callers would see (SHA256_Update's result is not checked, a base64 length
// is not an error), so a missing libcrypto.so.3 or symbol aborts with a
// one-line message naming the Debian package (lazy_require).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "base/lazy_library.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

namespace {

berth::LazyLibrary& crypto_library()
{
    static berth::LazyLibrary library("libcrypto.so.3", "libssl3");
    return library;
}

} // namespace

using berth::lazy_require;

extern "C" {

int SHA256_Init(SHA256_CTX* c)
{
    static auto const real = lazy_require<decltype(&::SHA256_Init)>(crypto_library(), "SHA256_Init");
    return real(c);
}

int SHA256_Update(SHA256_CTX* c, void const* data, size_t len)
{
    static auto const real = lazy_require<decltype(&::SHA256_Update)>(crypto_library(), "SHA256_Update");
    return real(c, data, len);
}

int SHA256_Final(unsigned char* md, SHA256_CTX* c)
{
    static auto const real = lazy_require<decltype(&::SHA256_Final)>(crypto_library(), "SHA256_Final");
    return real(md, c);
}

int EVP_EncodeBlock(unsigned char* t, unsigned char const* f, int n)
{
    static auto const real = lazy_require<decltype(&::EVP_EncodeBlock)>(crypto_library(), "EVP_EncodeBlock");
    return real(t, f, n);
}

int EVP_DecodeBlock(unsigned char* t, unsigned char const* f, int n)
{
    static auto const real = lazy_require<decltype(&::EVP_DecodeBlock)>(crypto_library(), "EVP_DecodeBlock");
    return real(t, f, n);
}

char const* X509_get_default_cert_file(void)
{
    static auto const real = lazy_require<decltype(&::X509_get_default_cert_file)>(crypto_library(), "X509_get_default_cert_file");
    return real();
}

} // extern "C"
