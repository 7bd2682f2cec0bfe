// Fuzz target: an image's /etc/passwd and /etc/group with a --user value
// (runtime/users.h, container/user.h). Input: USER \0 PASSWD \0 GROUP.
#include "container/user.h"
#include "fuzz.h"
#include "runtime/users.h"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto f = berth::fuzz::fields(data, size, 3);
    (void)berth::runtime::parse_passwd(f[1]);
    (void)berth::runtime::parse_group(f[2]);
    (void)berth::container::resolve_user_from(f[0], f[1], f[2], { "wheel", "10" });
    return 0;
}
