// Fuzz target: Go templates given to --format (format/template.h): parsed,
// then executed against a small fixed value in every mode the CLI uses.
#include "fuzz.h"
#include "format/template.h"

using berth::Json;
using berth::format::Template;

namespace {

Json const& sample()
{
    static Json const value = Json::parse(R"({
        "ID": "0123456789ab", "Names": ["web", "db"], "Image": "docker.io/library/alpine:latest",
        "Labels": {"app": "web", "tier": ""}, "Size": 5242880, "Created": 1700000000,
        "CreatedAt": "2023-11-14 22:13:20 +0000 UTC", "State": {"Running": true, "ExitCode": 0, "Pid": 42},
        "Ports": [{"host_port": 8080, "container_port": 80, "protocol": "tcp"}],
        "Mounts": [], "Env": ["PATH=/usr/bin", "HOME=/root"], "Ratio": 0.5, "Nothing": null
    })");
    return value;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto tmpl = Template::parse(berth::fuzz::as_text(data, size));
    if (!tmpl)
        return 0;
    Json const& value = sample();
    (void)tmpl->render(value);
    (void)tmpl->render_lines({ value, Json::object() });
    (void)tmpl->render_table({ value, value }, { { "ID", "CONTAINER ID" } });
    (void)tmpl->header();
    return 0;
}
