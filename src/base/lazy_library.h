// LazyLibrary: a shared library that is loaded only when a command first
// calls into it, the way systemd loads its optional libraries. berth does not
// link libcurl or libarchive: their dependency chains (gnutls, krb5, ldap,
// ssh2, xml2 with its 30 MB of ICU data...) would cost every invocation ~9 ms
// in the dynamic loader, also `berth images` and `berth ps`, which never use
// them. Instead each layer that calls such a library defines one forwarding
// stub per function it uses, with the library's own name and signature, that
// resolves the real function through LazyLibrary on first call.
//
// The hard part is failure: a missing library must not crash a command that
// can report an error. Stubs of functions that create a handle
// (curl_easy_init, archive_read_new...) use symbol() and return the library's
// own failure value when it is missing, which the callers already turn into an
// Error; a stub for a function that needs such a handle can only run after the
// library loaded, so it uses require(), which aborts with a one-line message
// naming the Debian package if the symbol is missing (an incompatible library).
#pragma once

#include <mutex>
#include <string>

namespace berth {

class LazyLibrary {
public:
    /// `soname` as dlopen() takes it ("libcurl.so.4"); `package` is the Debian package shipping it.
    LazyLibrary(char const* soname, char const* package) : m_soname(soname), m_package(package) {}
    LazyLibrary(LazyLibrary const&) = delete;
    LazyLibrary& operator=(LazyLibrary const&) = delete;

    /// dlopen(RTLD_NOW | RTLD_LOCAL) on first use (thread-safe); false if the library cannot be loaded.
    bool load();
    /// The address of `name` in the library; nullptr if the library or the symbol is missing
    /// (the reason is logged at debug level and kept in error()).
    void* symbol(char const* name);
    /// Like symbol(), but a missing library or symbol aborts the process with a one-line message.
    void* require(char const* name);
    /// Why the last load() or symbol() failed: "libcurl.so.4 cannot be loaded (...): install the
    /// Debian package libcurl4".
    std::string error() const;

private:
    char const* m_soname;
    char const* m_package;
    std::once_flag m_once;
    void* m_handle = nullptr;
    std::string m_error;
    mutable std::mutex m_error_mutex;
};

/// Resolves `name` once: `static auto* real = lazy_symbol<decltype(&name)>(lib, "name");`
template<typename Fn> Fn lazy_symbol(LazyLibrary& library, char const* name)
{
    return reinterpret_cast<Fn>(library.symbol(name));
}
template<typename Fn> Fn lazy_require(LazyLibrary& library, char const* name)
{
    return reinterpret_cast<Fn>(library.require(name));
}

} // namespace berth
