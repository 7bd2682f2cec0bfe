// berth pull: Podman's flags and output. On a terminal each blob gets a
// progress line redrawn in place; otherwise plain "Copying blob ... done"
// lines go to stderr. The image ID goes to stdout (alone with -q).
#include "cli/commands.h"
#include "cli/progress.h"
#include "engine/images/images.h"

#include <cstdio>
#include <map>
#include <memory>

namespace berth::cli {

namespace {

struct PullArgs {
    std::vector<std::string> references;
    std::string platform, arch, os, variant;
    bool tls_verify = true;
    std::string creds, authfile, cert_dir;
    int retry = 3;
    bool quiet = false;
    bool all_tags = false;
    CLI::Option* tls_option = nullptr;
};

/// Renders pull events: bars on a terminal, lines otherwise.
class Progress {
public:
    explicit Progress(bool quiet) : m_quiet(quiet) {}
    void operator()(engine::PullEvent const& e)
    {
        using K = engine::PullEvent::Kind;
        if (m_quiet)
            return;
        switch (e.kind) {
        case K::Trying:
            std::fprintf(stderr, "Trying to pull %s...\n", e.text.c_str());
            break;
        case K::BlobStart:
            if (!m_started++)
                std::fprintf(stderr, "Getting image source signatures\n");
            break;
        case K::BlobProgress:
            m_bar.draw(e.text, e.done, e.total);
            break;
        case K::BlobDone:
            m_bar.clear();
            std::fprintf(stderr, "Copying blob %s done\n", short_digest(e.text).c_str());
            break;
        case K::BlobSkipped:
            std::fprintf(stderr, "Copying blob %s skipped: already exists\n", short_digest(e.text).c_str());
            break;
        case K::ConfigDone:
            std::fprintf(stderr, "Copying config %s done\n", short_digest(e.text).c_str());
            break;
        case K::ManifestWritten:
            std::fprintf(stderr, "Writing manifest to image destination\n");
            break;
        case K::Resolved:
            break;
        }
    }

private:
    bool m_quiet;
    int m_started = 0;
    ProgressBar m_bar;
};

int run_pull(PullArgs const& args, Globals const& globals)
{
    int exit_code = 0;
    engine::PullOptions options;
    options.platform = args.platform;
    if (options.platform.empty() && (!args.arch.empty() || !args.os.empty()))
        options.platform = (args.os.empty() ? "linux" : args.os) + "/" + (args.arch.empty() ? "amd64" : args.arch)
            + (args.variant.empty() ? "" : "/" + args.variant);
    if (args.tls_option && args.tls_option->count())
        options.tls_verify = args.tls_verify;
    if (!args.creds.empty()) {
        auto creds = engine::parse_creds_flag(args.creds);
        if (!creds)
            return report(creds.error());
        options.credentials = *creds;
    }
    options.authfile = args.authfile;
    options.cert_dir = args.cert_dir;
    options.retries = args.retry;
    auto progress = std::make_shared<Progress>(args.quiet);
    options.observer = [progress](engine::PullEvent const& e) { (*progress)(e); };
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    for (auto const& ref : args.references) {
        if (args.all_tags) {
            auto records = engine::pull_all_tags(*ctx, ref, options);
            if (!records)
                return report(std::move(records).error().with_context("pull " + ref));
            for (auto const& r : *records)
                std::printf("%s\n", r.id.c_str());
            continue;
        }
        auto record = engine::pull(*ctx, ref, options);
        if (!record)
            return report(std::move(record).error().with_context("pull " + ref));
        std::printf("%s\n", record->id.c_str());
    }
    return 0;
}

} // namespace

void add_pull_options(CLI::App* cmd, std::shared_ptr<PullArgs> const& a)
{
    cmd->add_option("--platform", a->platform, "Pull for this platform (os/arch[/variant])");
    cmd->add_option("--arch", a->arch, "Pull for this architecture");
    cmd->add_option("--os", a->os, "Pull for this OS");
    cmd->add_option("--variant", a->variant, "Pull for this architecture variant");
    a->tls_option = cmd->add_flag("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates (--tls-verify=false to disable)");
    cmd->add_option("--creds", a->creds, "Credentials USERNAME:PASSWORD for the registry");
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
    cmd->add_option("--cert-dir", a->cert_dir, "Directory with certificates (*.crt, *.cert, *.key) for the registry");
    cmd->add_option("--retry", a->retry, "Number of times to retry a failed download")->capture_default_str();
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the image ID");
}

void setup_pull(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<PullArgs>();
    auto* cmd = parent.add_subcommand("pull", "Pull an image from a registry");
    cmd->add_option("reference", a->references, "Image reference(s), e.g. docker.io/library/alpine:latest")->required();
    add_pull_options(cmd, a);
    cmd->add_flag("-a,--all-tags", a->all_tags, "Pull every tag of the repository");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_pull(*a, globals); });
}

} // namespace berth::cli
