// berth push / image push: Podman's flags and output. A destination with
// another transport ("oci-archive:PATH", "docker-archive:PATH", "oci:DIR",
// "dir:DIR") is written locally like `save`; "docker://" or none goes to a
// registry.
#include "cli/commands.h"
#include "cli/progress.h"
#include "base/fs.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"

#include <cstdio>
#include <memory>

namespace berth::cli {


namespace {

struct PushArgs {
    std::string image, destination;
    bool tls_verify = true;
    std::string creds, authfile, cert_dir, format, digestfile, compression_format;
    int compression_level = -1;
    int retry = 3;
    bool quiet = false, remove_signatures = false;
    CLI::Option* tls_option = nullptr;
};

/// "oci-archive:/x.tar[:ref]" -> format and path; nullopt for registry destinations.
std::optional<std::pair<engine::ArchiveFormat, std::string>> local_destination(std::string const& dest)
{
    static std::pair<char const*, engine::ArchiveFormat> const transports[] = {
        { "oci-archive:", engine::ArchiveFormat::OciArchive },
        { "docker-archive:", engine::ArchiveFormat::DockerArchive },
        { "oci:", engine::ArchiveFormat::OciDir },
        { "dir:", engine::ArchiveFormat::DockerDir },
    };
    for (auto const& [prefix, format] : transports) {
        std::string p = prefix;
        if (dest.rfind(p, 0) != 0)
            continue;
        std::string path = dest.substr(p.size());
        // A trailing ":ref" names the image inside the archive; the path is what matters here.
        if (auto colon = path.find(':'); colon != std::string::npos && format != engine::ArchiveFormat::DockerDir)
            path = path.substr(0, colon);
        return std::pair { format, path };
    }
    return std::nullopt;
}

Result<engine::ManifestFormat> manifest_format(std::string const& text)
{
    if (text.empty())
        return engine::ManifestFormat::AsStored;
    if (text == "oci")
        return engine::ManifestFormat::Oci;
    if (text == "v2s2" || text == "docker")
        return engine::ManifestFormat::DockerV2S2;
    return Error::msg("unknown manifest format \"" + text + "\": use oci or v2s2");
}

int run_push(PushArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    if (auto local = local_destination(a.destination)) {
        engine::SaveOptions save;
        save.format = local->first;
        save.output = local->second;
        save.observer = copy_progress(a.quiet);
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return exit_code;
        if (auto r = engine::save_images(*ctx, { a.image }, save); !r)
            return report(r.error());
        return 0;
    }
    engine::PushOptions options;
    auto format = manifest_format(a.format);
    if (!format)
        return report(format.error());
    options.format = *format;
    if (a.tls_option && a.tls_option->count())
        options.tls_verify = a.tls_verify;
    if (!a.creds.empty()) {
        auto creds = engine::parse_creds_flag(a.creds);
        if (!creds)
            return report(creds.error());
        options.credentials = *creds;
    }
    options.authfile = a.authfile;
    options.cert_dir = a.cert_dir;
    options.retries = a.retry;
    options.compression_format = a.compression_format;
    options.compression_level = a.compression_level;
    options.observer = copy_progress(a.quiet);
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto result = engine::push_image(*ctx, a.image, a.destination, options);
    if (!result)
        return report(result.error());
    if (!a.digestfile.empty())
        if (auto r = fs::write_file_atomic(a.digestfile, result->manifest_digest.str()); !r)
            return report(std::move(r).error().with_context("write --digestfile"));
    return 0;
}

} // namespace

void setup_push(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PushArgs>();
    auto* cmd = parent.add_subcommand("push", "Push an image to a registry (or to an archive: oci-archive:PATH, ...)");
    cmd->add_option("image", a->image, "Local image name or ID")->required();
    cmd->add_option("destination", a->destination, "Destination: [docker://]host/repo[:tag], oci-archive:PATH, docker-archive:PATH, oci:DIR, dir:DIR");
    a->tls_option = cmd->add_flag("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates (--tls-verify=false to disable)");
    cmd->add_option("--creds", a->creds, "Credentials USERNAME:PASSWORD for the registry");
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
    cmd->add_option("--cert-dir", a->cert_dir, "Directory with certificates (*.crt, *.cert, *.key) for the registry");
    cmd->add_option("--retry", a->retry, "Number of times to retry a failed upload")->capture_default_str();
    cmd->add_option("-f,--format", a->format, "Manifest format: oci or v2s2 (default: as stored)");
    cmd->add_option("--digestfile", a->digestfile, "Write the digest of the pushed manifest to this file");
    cmd->add_option("--compression-format", a->compression_format, "Recompress the layers to gzip or zstd (default: as stored)");
    cmd->add_option("--compression-level", a->compression_level, "The compression level (gzip 1-9, zstd 1-19)");
    cmd->add_flag("--remove-signatures", a->remove_signatures, "Do not copy signatures (berth stores none)");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_push(*a, globals); });
}

} // namespace berth::cli
