// Fuzz target: an image's /etc/passwd and /etc/group with a --user value
// (container/user.h, the one parser run, create and exec use). Input:
// USER \0 PASSWD \0 GROUP. Every entry parsed is a line of the text, and the
// resolution either errors or yields ids of a line or of the value itself.
#include "container/user.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto f = berth::fuzz::fields(data, size, 3);
    for (auto const& e : berth::container::parse_passwd(f[1]))
        FUZZ_CHECK(!e.name.empty() && f[1].find(e.name) != std::string::npos);
    for (auto const& g : berth::container::parse_group(f[2]))
        FUZZ_CHECK(!g.name.empty() && g.members.size() <= f[2].size());
    auto user = berth::container::resolve_user_from(f[0], f[1], f[2], { "wheel", "10", "keep-groups" });
    if (user)
        FUZZ_CHECK(!user->home.empty());
    return 0;
}
