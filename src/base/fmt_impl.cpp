// Debian ships libfmt only as a shared library, and berth links no shared
// library it can avoid (see meson.build: each one costs every command at
// start-up). The fmt functions berth calls that are not inline in the headers
// (log.h's fmt::format → fmt::vformat) are compiled here from fmt's
// header-only mode; every other file includes fmt as a library would.
#define FMT_HEADER_ONLY
#include <fmt/format.h>

namespace berth::detail {

/// Odr-uses fmt::vformat so that its inline definition is emitted here.
extern auto (*const fmt_vformat)(fmt::string_view, fmt::format_args) -> std::string;
auto (*const fmt_vformat)(fmt::string_view, fmt::format_args) -> std::string = &fmt::vformat;

} // namespace berth::detail
