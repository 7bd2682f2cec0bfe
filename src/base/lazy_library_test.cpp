// LazyLibrary: loading on first use, symbol lookup, and the error for a missing library.
#include "base/lazy_library.h"

#include <doctest/doctest.h>
#include <unistd.h>

using namespace berth;

TEST_CASE("LazyLibrary resolves symbols of a library that exists")
{
    static LazyLibrary libc("libc.so.6", "libc6");
    auto real_getpid = lazy_symbol<decltype(&::getpid)>(libc, "getpid");
    REQUIRE(reinterpret_cast<void*>(real_getpid) != nullptr);
    CHECK(real_getpid() == ::getpid());
    CHECK(libc.symbol("no_such_function_in_libc") == nullptr);
    CHECK(libc.error().find("has no function no_such_function_in_libc") != std::string::npos);
}

TEST_CASE("LazyLibrary reports a missing library with its package")
{
    static LazyLibrary missing("libberth-does-not-exist.so.7", "libberth-missing7");
    CHECK(!missing.load());
    CHECK(missing.symbol("anything") == nullptr);
    CHECK(missing.error().starts_with("libberth-does-not-exist.so.7 cannot be loaded ("));
    CHECK(missing.error().ends_with("install the Debian package libberth-missing7"));
}
