// berth does not link libcurl: curl_stubs.cpp forwards the libcurl functions
// the registry client calls to libcurl.so.4, loaded on first use.
#pragma once

#include <string>

namespace berth::registry {

/// Why libcurl could not be loaded ("libcurl.so.4 cannot be loaded (...): install the Debian
/// package libcurl4"), or "" when it loaded (or was not needed yet).
std::string curl_library_error();

} // namespace berth::registry
