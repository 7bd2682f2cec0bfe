// berth-launch is linked statically (src/meson.build) so that starting it
// costs an execve and no dynamic loading, but Debian ships libfmt only as a
// shared library. The one fmt function the launch path calls (log.h's
// fmt::format → fmt::vformat) is compiled here from fmt's header-only mode.
#define FMT_HEADER_ONLY
#include <fmt/format.h>

namespace berth::monitor {

/// Odr-uses fmt::vformat so that its inline definition is emitted here.
extern auto (*const launch_vformat)(fmt::string_view, fmt::format_args) -> std::string;
auto (*const launch_vformat)(fmt::string_view, fmt::format_args) -> std::string = &fmt::vformat;

} // namespace berth::monitor
