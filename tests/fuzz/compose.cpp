// Fuzz target: Compose files (compose::load_project: YAML, ${VAR}
// interpolation, the typed services, profiles, dependency order) on one
// file's text, with a profile and a variable set. Whatever the text, an Error
// or a project; no hang, crash or sanitizer report.
#include "compose/project.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    berth::compose::LoadInput input;
    input.files = { { "/p/app/compose.yaml", std::string(berth::fuzz::as_text(data, size)) } };
    input.working_dir = "/p/app";
    input.variables = { { "TAG", "1" } };
    input.profiles = { "debug" };
    auto project = berth::compose::load_project(input);
    if (project)
        FUZZ_CHECK(!project->yaml.empty());
    return 0;
}
