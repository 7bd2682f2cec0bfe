// Fuzz target: -v/--volume, --mount and --tmpfs specs and --env-file
// contents (container/options.h).
#include "container/options.h"
#include "fuzz.h"

using namespace berth::container;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    std::string text(berth::fuzz::as_text(data, size));
    (void)parse_volume(text);
    (void)parse_mount(text);
    (void)parse_tmpfs(text);
    (void)parse_env_file(text, { { "HOME", "/root" }, { "PATH", "/usr/bin" } });
    return 0;
}
