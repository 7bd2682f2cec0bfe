// Fuzz target: the smaller `run`/`create` and `volume create` inputs that
// come from the user's files and flags (container/options.h,
// container/volume_options.h): --label-file contents, --entrypoint (a JSON
// array or one word), --env-merge expansion, --passwd-entry templates,
// namespace modes, --secret, and `volume create -o` options. The input is
// NUL-separated: TEXT\0ENV\0KEY=VALUE\0KEY=VALUE...
#include "container/options.h"
#include "container/volume_options.h"
#include "fuzz.h"

using namespace berth::container;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto f = berth::fuzz::fields(data, size, 2);
    std::string const& text = f[0];

    (void)parse_label_file(text);
    (void)entrypoint_words(text);
    (void)parse_namespace_mode(text, "--ipc");
    (void)parse_namespace_mode(text, "--uts");

    // --secret: a named secret; a mount's target is a clean absolute file
    // path, an env's a variable name.
    if (auto secret = parse_secret(text)) {
        FUZZ_CHECK(!secret->name.empty() && secret->name.find(',') == std::string::npos);
        FUZZ_CHECK(!secret->target.empty());
        if (secret->type == SecretRequest::Type::Mount) {
            FUZZ_CHECK(secret->target[0] == '/' && secret->target.back() != '/');
            FUZZ_CHECK(secret->target.find("/../") == std::string::npos && secret->target.find("//") == std::string::npos);
        }
    }

    // --env-merge: text without '$' comes back unchanged.
    std::vector<std::string> env { f[1], "HOME=/root", "PATH=/usr/bin" };
    auto merged = expand_env_merge(text, env);
    if (text.find('$') == std::string::npos)
        FUZZ_CHECK(merged && *merged == text);

    // --passwd-entry: a template without '$' comes back unchanged.
    PasswdFields fields { f[1], "1000", "1000", f[1], "/home/" + f[1] };
    auto line = expand_passwd_entry(text, fields);
    if (text.find('$') == std::string::npos)
        FUZZ_CHECK(line == text);

    // volume create -o KEY=VALUE for every later field (the first '=' splits).
    std::map<std::string, std::string> options;
    for (size_t i = 2; i < f.size(); ++i) {
        auto eq = f[i].find('=');
        options[f[i].substr(0, eq)] = eq == std::string::npos ? "" : f[i].substr(eq + 1);
    }
    auto parsed = parse_volume_options(options);
    if (parsed && parsed->bind)
        FUZZ_CHECK(!parsed->device.empty());
    return 0;
}
