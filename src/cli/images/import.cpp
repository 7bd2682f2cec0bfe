// berth import / image import: a root filesystem tarball (file, "-" for
// stdin, or an http(s) URL) becomes a one-layer image; prints its ID as
// Podman does ("sha256:<id>").
#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/images/interchange.h"

#include <cstdio>
#include <memory>

namespace berth::cli {


namespace {

struct ImportArgs {
    std::string source, reference;
    std::vector<std::string> changes;
    std::string message, platform, arch, os, variant;
    bool quiet = false;
};

int run_import(ImportArgs const& a, Globals const& globals)
{
    engine::ImportOptions options;
    options.source = a.source;
    options.reference = a.reference;
    options.changes = a.changes;
    options.message = a.message;
    if (!a.platform.empty())
        if (auto r = engine::set_import_platform(options, a.platform); !r)
            return report(r.error());
    if (!a.os.empty())
        options.os = a.os;
    if (!a.arch.empty())
        options.architecture = a.arch;
    if (!a.variant.empty())
        options.variant = a.variant;
    if (a.source == "-" && is_tty(0))
        return report(Error::msg("cannot read a tarball from a terminal: redirect stdin or give a file"));
    options.observer = copy_progress(a.quiet);
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto record = engine::import_image(*ctx, options);
    if (!record)
        return report(record.error());
    std::printf("sha256:%s\n", record->id.c_str());
    return 0;
}

} // namespace

void setup_import(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<ImportArgs>();
    auto* cmd = parent.add_subcommand("import", "Create an image from a root filesystem tarball");
    cmd->add_option("source", a->source, "Tarball: a file, - for stdin, or an http(s) URL")->required();
    cmd->add_option("reference", a->reference, "Name for the new image");
    cmd->add_option("-c,--change", a->changes, "Apply an instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR")
        ->allow_extra_args(false);
    cmd->add_option("-m,--message", a->message, "Commit message for the image history");
    cmd->add_option("--platform", a->platform, "Set the platform (os/arch[/variant])");
    cmd->add_option("--arch", a->arch, "Set the architecture");
    cmd->add_option("--os", a->os, "Set the operating system");
    cmd->add_option("--variant", a->variant, "Set the architecture variant");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_import(*a, globals); });
}

} // namespace berth::cli
