// Fuzz target: -p/--publish port specs (network/ports.h). A host address
// that parses must be an address as a whole, as pasta and the stored config
// see it (not only up to a NUL byte).
#include "network/ports.h"
#include "fuzz.h"

#include <arpa/inet.h>

using namespace berth::network;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto list = parse_publish(berth::fuzz::as_text(data, size));
    if (!list || list->empty())
        return 0;
    auto m = list->begin();
    if (!m->host_ip.empty()) {
        unsigned char addr[16];
        FUZZ_CHECK(m->host_ip.find('\0') == std::string::npos);
        FUZZ_CHECK(::inet_pton(AF_INET, m->host_ip.c_str(), addr) == 1 || ::inet_pton(AF_INET6, m->host_ip.c_str(), addr) == 1);
    }
    (void)format_port(*m);
    (void)port_key(*m);
    (void)host_address(*m);
    (void)pasta_port_args({ *m });
    (void)berth::json::dump(port_bindings_json({ *m }), -1);
    (void)ports_text({ *m });
    (void)publish_text(*m);
    return 0;
}
