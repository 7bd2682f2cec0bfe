// berth build / image build / buildx build: a Containerfile becomes an image
// (build/executor.h). Prints Podman's step lines on stdout, the pull progress
// on stderr, and the image's full ID last; -q prints the ID only.
#include "build/executor.h"
#include "cli/commands.h"
#include "cli/create.h"
#include "base/fs.h"
#include "base/unique_fd.h"

#include <cstdio>
#include <memory>
#include <unistd.h>

namespace berth::cli {

namespace {

struct BuildArgs {
    std::string context = ".";
    std::vector<std::string> tags, build_args, labels, secrets;
    std::string file, target, iidfile, pull = "missing", network;
    bool no_cache = false, quiet = false;
    std::string authfile;
    std::optional<bool> tls_verify;
};

build::BuildObserver build_progress(bool quiet)
{
    if (quiet)
        return {};
    return [](build::BuildEvent const& e) {
        using K = build::BuildEvent::Kind;
        switch (e.kind) {
        case K::Step:
        case K::Commit:
            std::printf("%s\n", e.text.c_str());
            break;
        case K::Cached:
            std::printf("--> Using cache %s\n", e.text.c_str());
            break;
        case K::StepDone:
            std::printf("--> %s\n", e.text.substr(0, 11).c_str());
            break;
        case K::Tagged:
            std::printf("Successfully tagged %s\n", e.text.c_str());
            break;
        }
        std::fflush(stdout);  // RUN's output is written by the container, between these lines
    };
}

/// --pull as given: a bare --pull is "always", true/false are always/missing (Podman's older spelling).
Result<std::string> pull_policy(std::string const& text)
{
    if (text == "missing" || text == "always" || text == "never")
        return text;
    if (text == "true" || text.empty())
        return std::string("always");
    if (text == "false")
        return std::string("missing");
    return Error { EINVAL, "invalid pull policy \"" + text + "\": use missing, always or never" };
}

int run_build(BuildArgs const& a, Globals const& globals)
{
    build::BuildOptions options;
    options.context_dir = a.context;
    options.containerfile = a.file;
    options.tags = a.tags;
    for (auto const& arg : a.build_args) {
        auto eq = arg.find('=');
        if (eq == std::string::npos) {  // --build-arg NAME takes the value from the environment, as Podman
            if (char const* value = std::getenv(arg.c_str()))
                options.build_args[arg] = value;
            continue;
        }
        options.build_args[arg.substr(0, eq)] = arg.substr(eq + 1);
    }
    options.target = a.target;
    options.no_cache = a.no_cache;
    options.labels = a.labels;
    auto pull = pull_policy(a.pull);
    if (!pull)
        return report(pull.error());
    options.pull = *pull;
    options.network = a.network;
    for (auto const& spec : a.secrets) {
        auto secret = build::parse_build_secret(spec);
        if (!secret)
            return report(secret.error());
        options.secrets[secret->first] = secret->second;
    }
    CreateArgs create;
    create.quiet = a.quiet;
    create.authfile = a.authfile;
    create.tls_verify = a.tls_verify;
    options.pull_options = pull_options_for_create(create);
    options.observer = build_progress(a.quiet);

    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    // -q: RUN's output (written by the containers to our stdout) goes nowhere; the ID still does.
    UniqueFd saved_stdout(a.quiet ? ::dup(STDOUT_FILENO) : -1);
    if (a.quiet)
        discard_stdout();
    int run_status = 0;
    auto image = build::build_image(*ctx, options, &run_status);
    std::fflush(stdout);
    if (saved_stdout.valid())
        ::dup2(saved_stdout.get(), STDOUT_FILENO);
    if (!image) {
        int code = report(image.error());
        return run_status != 0 ? run_status : code;
    }
    if (!a.iidfile.empty())
        if (auto r = fs::write_file_atomic(a.iidfile, "sha256:" + image->id); !r)
            return report(r.error());
    std::printf("%s\n", image->id.c_str());
    return 0;
}

CLI::App* add_build_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<BuildArgs>();
    auto* cmd = parent.add_subcommand(name, "Build an image using instructions from Containerfiles");
    cmd->add_option("context", a->context, "The build context directory");
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file");
    cmd->add_option("--build-arg", a->build_args, "ARG=VALUE for the build")->allow_extra_args(false);
    cmd->add_option("-f,--file", a->file, "The Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)");
    cmd->add_option("--iidfile", a->iidfile, "Write the image ID to this file");
    cmd->add_option("--label", a->labels, "Set a label KEY=VALUE on the image")->allow_extra_args(false);
    cmd->add_option("--network", a->network, "The network mode of RUN instructions");
    cmd->add_flag("--no-cache", a->no_cache, "Do not reuse the images of an earlier build");
    cmd->add_option("--pull", a->pull, "Pull the base images: missing, always or never")->capture_default_str();
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the image ID");
    cmd->add_option("--secret", a->secrets, "A secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VAR")->allow_extra_args(false);
    cmd->add_option("-t,--tag", a->tags, "Name the built image")->allow_extra_args(false);
    cmd->add_option("--target", a->target, "The stage to build (and those it needs)");
    cmd->add_option("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates when pulling");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_build(*a, globals); });
    return cmd;
}

} // namespace

void setup_build(CLI::App& parent, Globals& globals, int& exit_code)
{
    add_build_command(parent, "build", globals, exit_code);
}

void setup_buildx(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("buildx", "Build images (an alias of build)");
    group->require_subcommand(1);
    add_build_command(*group, "build", globals, exit_code);
}

} // namespace berth::cli
