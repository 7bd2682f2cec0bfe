// LazyLibrary: dlopen on first use, dlsym per stub. The load runs under
// std::call_once, so concurrent first calls from download threads load the
// library once; each stub caches its own symbol in a function-local static
// (also initialised once, thread-safely, by the compiler).
#include "base/lazy_library.h"

#include "base/log.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>

namespace berth {

bool LazyLibrary::load()
{
    std::call_once(m_once, [this] {
        m_handle = ::dlopen(m_soname, RTLD_NOW | RTLD_LOCAL);
        if (!m_handle) {
            char const* why = ::dlerror();
            std::lock_guard lock(m_error_mutex);
            m_error = std::string(m_soname) + " cannot be loaded (" + (why ? why : "unknown error")
                + "): install the Debian package " + m_package;
            log::debug("{}", m_error);
        }
    });
    return m_handle != nullptr;
}

void* LazyLibrary::symbol(char const* name)
{
    if (!load())
        return nullptr;
    void* address = ::dlsym(m_handle, name);
    if (!address) {
        std::lock_guard lock(m_error_mutex);
        m_error = std::string(m_soname) + " has no function " + name + ": install a newer " + m_package;
        log::debug("{}", m_error);
    }
    return address;
}

void* LazyLibrary::require(char const* name)
{
    void* address = symbol(name);
    if (!address) {
        std::fprintf(stderr, "Error: %s\n", error().c_str());
        std::abort();
    }
    return address;
}

std::string LazyLibrary::error() const
{
    std::lock_guard lock(m_error_mutex);
    return m_error;
}

} // namespace berth
