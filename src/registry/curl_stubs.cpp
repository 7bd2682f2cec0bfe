// Forwarding stubs for the libcurl functions the registry client calls: berth
// does not link libcurl, whose dependency chain (nghttp2, ssh2, ldap, krb5,
// gnutls, rtmp, psl...) would cost every command several milliseconds of
// dynamic loading, also those that never touch the network. Each stub has the
// real function's name and signature (checked by the compiler against
// <curl/curl.h>, since a C function cannot be overloaded), resolves the real
// one on first call through base/lazy_library.h and forwards to it.
//
// Failure: curl_global_init, curl_easy_init and curl_url report the library's
// own failure (CURLE_FAILED_INIT, NULL) when libcurl.so.4 is missing, which
// http.cpp turns into an Error naming the Debian package (libcurl4); every
// other function needs a handle those return, and aborts with a one-line
// message if its symbol cannot be found.
//
// The hard part is the variadic curl_easy_setopt/curl_easy_getinfo: C cannot
// forward a "...". Every option and info berth uses takes exactly one argument,
// a long, a curl_off_t, or a pointer (data or function); on the x86_64 and
// aarch64 ABIs each of them travels in one 64-bit general-purpose register or
// stack slot, so reading it as an intptr_t and passing that on reproduces the
// call bit for bit. (No curl option takes a double.) Other ABIs get a
// static_assert.
#include "registry/curl_stubs.h"

#include "base/lazy_library.h"

#include <cstdarg>
#include <cstdint>
#include <curl/curl.h>

static_assert(sizeof(intptr_t) == sizeof(long) && sizeof(intptr_t) == sizeof(curl_off_t)
        && sizeof(intptr_t) == sizeof(void*),
    "curl_easy_setopt forwarding assumes long, curl_off_t and pointers share one 64-bit argument slot");
#if !defined(__x86_64__) && !defined(__aarch64__)
#error "curl_stubs.cpp forwards variadic arguments as intptr_t; check the ABI before enabling another architecture"
#endif

namespace {

berth::LazyLibrary& curl_library()
{
    static berth::LazyLibrary library("libcurl.so.4", "libcurl4");
    return library;
}

} // namespace

std::string berth::registry::curl_library_error() { return curl_library().error(); }

using berth::lazy_require;
using berth::lazy_symbol;

extern "C" {

CURLcode curl_global_init(long flags)
{
    static auto const real = lazy_symbol<decltype(&::curl_global_init)>(curl_library(), "curl_global_init");
    if (!real)
        return CURLE_FAILED_INIT;
    return real(flags);
}

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...)
{
    static auto const real = lazy_require<decltype(&::curl_easy_setopt)>(curl_library(), "curl_easy_setopt");
    va_list args;
    va_start(args, option);
    intptr_t value = va_arg(args, intptr_t);
    va_end(args);
    return real(curl, option, value);
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...)
{
    static auto const real = lazy_require<decltype(&::curl_easy_getinfo)>(curl_library(), "curl_easy_getinfo");
    va_list args;
    va_start(args, info);
    void* out = va_arg(args, void*);   // always a pointer to where the answer goes
    va_end(args);
    return real(curl, info, out);
}

void curl_easy_cleanup(CURL *a0)
{
    static auto const real = lazy_require<decltype(&::curl_easy_cleanup)>(curl_library(), "curl_easy_cleanup");
    real(a0);
}

CURL *curl_easy_init(void)
{
    static auto const real = lazy_symbol<decltype(&::curl_easy_init)>(curl_library(), "curl_easy_init");
    if (!real)
        return nullptr;
    return real();
}

CURLcode curl_easy_perform(CURL *a0)
{
    static auto const real = lazy_require<decltype(&::curl_easy_perform)>(curl_library(), "curl_easy_perform");
    return real(a0);
}

const char *curl_easy_strerror(CURLcode a0)
{
    static auto const real = lazy_require<decltype(&::curl_easy_strerror)>(curl_library(), "curl_easy_strerror");
    return real(a0);
}

void curl_free(void *a0)
{
    static auto const real = lazy_require<decltype(&::curl_free)>(curl_library(), "curl_free");
    real(a0);
}

struct curl_slist *curl_slist_append(struct curl_slist *a0, const char *a1)
{
    static auto const real = lazy_require<decltype(&::curl_slist_append)>(curl_library(), "curl_slist_append");
    return real(a0, a1);
}

void curl_slist_free_all(struct curl_slist *a0)
{
    static auto const real = lazy_require<decltype(&::curl_slist_free_all)>(curl_library(), "curl_slist_free_all");
    real(a0);
}

CURLU *curl_url(void)
{
    static auto const real = lazy_symbol<decltype(&::curl_url)>(curl_library(), "curl_url");
    if (!real)
        return nullptr;
    return real();
}

void curl_url_cleanup(CURLU *a0)
{
    static auto const real = lazy_require<decltype(&::curl_url_cleanup)>(curl_library(), "curl_url_cleanup");
    real(a0);
}

CURLUcode curl_url_get(CURLU *a0, CURLUPart a1, char **a2, unsigned int a3)
{
    static auto const real = lazy_require<decltype(&::curl_url_get)>(curl_library(), "curl_url_get");
    return real(a0, a1, a2, a3);
}

CURLUcode curl_url_set(CURLU *a0, CURLUPart a1, const char *a2, unsigned int a3)
{
    static auto const real = lazy_require<decltype(&::curl_url_set)>(curl_library(), "curl_url_set");
    return real(a0, a1, a2, a3);
}

} // extern "C"
