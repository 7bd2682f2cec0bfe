// toml++'s implementation, compiled once: Debian ships it as a shared library
// or as headers, and berth links no shared library it can avoid (meson.build).
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
