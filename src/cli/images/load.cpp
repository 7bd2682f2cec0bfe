// berth load / image load: reads a docker-archive, oci-archive or layout
// directory from -i or a redirected stdin and prints "Loaded image: NAME"
// per name, as Podman does.
#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/images/interchange.h"

#include <cstdio>
#include <memory>

namespace berth::cli {


namespace {

struct LoadArgs {
    std::string input;
    bool quiet = false;
};

int run_load(LoadArgs const& a, Globals const& globals)
{
    engine::LoadOptions options;
    options.input = a.input;
    if (a.input.empty()) {
        if (is_tty(0))
            return report(Error::msg("cannot read an archive from a terminal: use -i FILE or redirect stdin"));
        options.input_fd = 0;
    }
    options.observer = copy_progress(a.quiet);
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto loaded = engine::load_images(*ctx, options);
    if (!loaded)
        return report(loaded.error());
    for (auto const& name : *loaded)
        std::printf("Loaded image: %s\n", name.c_str());
    return 0;
}

} // namespace

void setup_load(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<LoadArgs>();
    auto* cmd = parent.add_subcommand("load", "Load image(s) from a docker-archive, oci-archive or image layout directory");
    cmd->add_option("-i,--input", a->input, "Read from this file or directory instead of stdin");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_load(*a, globals); });
}

} // namespace berth::cli
