// berth save / image save: Podman's flags. The archive goes to -o or to a
// redirected stdout (never to a terminal); copy progress goes to stderr.
#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/images/interchange.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct SaveArgs {
    std::vector<std::string> images;
    std::string output;
    std::string format = "docker-archive";
    bool multi_image = false, quiet = false, compress = false, uncompressed = false;
};

int run_save(SaveArgs const& a, Globals const& globals)
{
    auto format = engine::parse_archive_format(a.format);
    if (!format)
        return report(format.error());
    engine::SaveOptions options;
    options.format = *format;
    options.output = a.output;
    options.multi_image = a.multi_image;
    options.uncompressed = a.uncompressed;
    bool is_dir = *format == engine::ArchiveFormat::OciDir || *format == engine::ArchiveFormat::DockerDir;
    if (a.output.empty()) {
        if (is_dir)
            return report(Error::msg("--format " + a.format + " writes a directory: use -o DIR"));
        if (is_tty(1))
            return report(Error::msg("refusing to save to terminal: use -o or redirect stdout"));
        options.output_fd = 1;
    }
    options.observer = copy_progress(a.quiet);
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    if (auto r = engine::save_images(*ctx, a.images, options); !r)
        return report(r.error());
    std::fflush(stdout);
    return 0;
}

} // namespace

void setup_save(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<SaveArgs>();
    auto* cmd = parent.add_subcommand("save", "Save image(s) to an archive or a directory");
    cmd->add_option("image", a->images, "Image(s) to save: names or IDs")->required();
    cmd->add_option("-o,--output", a->output, "Write to this file (or directory for oci-dir/docker-dir) instead of stdout");
    cmd->add_option("--format", a->format, "docker-archive, oci-archive, oci-dir or docker-dir")->capture_default_str();
    cmd->add_flag("-m,--multi-image-archive", a->multi_image, "Allow several images in one docker-archive");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->add_flag("--compress", a->compress, "Accepted for compatibility: layers are saved as stored");
    cmd->add_flag("--uncompressed", a->uncompressed, "oci-archive, oci-dir: write each layer as an uncompressed tar (docker-archive layers always are)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_save(*a, globals); });
}

} // namespace berth::cli
