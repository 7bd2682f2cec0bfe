// berth build / image build / buildx build: a Containerfile becomes an image
// (build/executor.h). Prints Podman's step lines on stdout, the pull progress
// on stderr, and the image's full ID last; -q prints the ID only. With
// `-o -` stdout is the tar alone: everything else goes to stderr.
#include "build/executor.h"
#include "build/instructions.h"
#include "base/log.h"
#include "cli/commands.h"
#include "cli/create.h"
#include "base/fs.h"
#include "base/temp_dir.h"
#include "base/unique_fd.h"
#include "engine/images/manifest_lists.h"

#include <fcntl.h>
#include <filesystem>

#include <cstdio>
#include <memory>
#include <chrono>
#include <unistd.h>

namespace berth::cli {

namespace {

struct BuildArgs {
    std::string context = ".";
    std::vector<std::string> tags, build_args, build_arg_files, labels, secrets, env, unsetenv, annotations, build_contexts;
    std::string file, target, userns, iidfile, pull = "missing", network, ignorefile, logfile, manifest;
    bool no_cache = false, quiet = false, layers = true, rm = true, force_rm = true;
    std::string format, timestamp, platform, os, arch, variant, cache_ttl, output, from, jobs;
    bool skip_unused_stages = true;
    bool squash = false, squash_all = false;
    std::string authfile, creds, cert_dir, retry_delay;
    int retry = 3;
    std::optional<bool> tls_verify;
    container::CreateOptions run;  ///< the RUN containers' flags
    bool http_proxy = true, stdin_to_run = false, omit_history = false;
    std::optional<std::string> os_version;
    std::vector<std::string> os_features;
    std::string isolation;
    bool compress = false, disable_content_trust = false, identity_label = true;  ///< accepted, no effect (see the man page)
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
        case K::Warning:
            break;  // logged by the warning observer
        }
        std::fflush(stdout);  // RUN's output is written by the container, between these lines
    };
}

/// --pull as given: a bare --pull is "always", true/false are always/missing (Podman's older spelling).
Result<std::string> pull_policy(std::string const& text)
{
    if (text == "missing" || text == "always" || text == "never" || text == "newer")
        return text;
    if (text == "true" || text.empty())
        return std::string("always");
    if (text == "false")
        return std::string("missing");
    return Error { EINVAL, "invalid pull policy \"" + text + "\": use missing, always, never or newer" };
}

/// KEY=VALUE lines of a --build-arg-file (blank lines and # comments skipped).
ErrorOr read_build_arg_file(std::string const& path, std::vector<std::string>& out)
{
    auto text = TRY_CTX(fs::read_file(path), "--build-arg-file");
    size_t pos = 0;
    for (int line = 1; pos < text.size(); ++line) {
        size_t end = std::min(text.find('\n', pos), text.size());
        std::string entry = text.substr(pos, end - pos);
        pos = end + 1;
        auto first = entry.find_first_not_of(" \t\r");
        if (first == std::string::npos || entry[first] == '#')
            continue;
        while (!entry.empty() && (entry.back() == '\r' || entry.back() == ' ' || entry.back() == '\t'))
            entry.pop_back();
        out.push_back(entry.substr(first));
    }
    return {};
}

/// -f -: the Containerfile from standard input, kept in a temporary file for the build.
Result<std::string> containerfile_from_stdin(TempDir const& dir)
{
    std::string text;
    char buf[65536];
    for (ssize_t n; (n = ::read(STDIN_FILENO, buf, sizeof buf)) != 0;) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::from_errno("read the Containerfile from standard input");
        }
        text.append(buf, static_cast<size_t>(n));
    }
    std::string path = fs::join(dir.path(), "Containerfile");
    TRY(fs::write_file_atomic(path, text));
    return path;
}

/// --format (else BUILDAH_FORMAT), --squash, --squash-all, --timestamp, --platform, --os, --arch, --variant.
Result<build::OutputOptions> output_options(BuildArgs const& a)
{
    build::OutputOptions out;
    char const* env_format = std::getenv("BUILDAH_FORMAT");
    out.format = TRY(build::parse_image_format(!a.format.empty() ? a.format : env_format ? env_format : ""));
    out.squash = a.squash;
    out.squash_all = a.squash_all;
    if (!a.timestamp.empty())
        out.timestamp = TRY(build::parse_build_timestamp(a.timestamp));
    if (!a.platform.empty())
        TRY(build::parse_build_platform(a.platform, out));
    auto part = [](char const* flag, std::string const& value, std::string& field) -> ErrorOr {
        if (value.empty())
            return {};
        if (value.find_first_of("/ ,") != std::string::npos)
            return Error { EINVAL, std::string(flag) + ": invalid value \"" + value + "\"" };
        field = value;
        return {};
    };
    TRY(part("--os", a.os, out.os));
    TRY(part("--arch", a.arch, out.architecture));
    TRY(part("--variant", a.variant, out.variant));
    for (auto const& annotation : a.annotations)
        TRY(build::parse_build_annotation(annotation, out));
    out.os_version = a.os_version;
    out.os_features = a.os_features;
    out.omit_history = a.omit_history;
    return out;
}

/// A flag that takes a Go duration, not negative (--cache-ttl, --retry-delay); `examples` go in the error.
Result<std::chrono::nanoseconds> duration_flag(char const* flag, std::string const& text, char const* examples)
{
    auto d = build::parse_go_duration(text);
    if (!d || d->count() < 0)
        return Error { EINVAL, std::string(flag) + ": unable to parse \"" + text + "\" as a duration (e.g. " + examples + ")" };
    return *d;
}

/// --isolation (else $BUILDAH_ISOLATION): berth's own runtime is the OCI
/// isolation; "rootless" is Buildah's name for it run by a user. chroot is refused.
ErrorOr build_isolation(std::string const& flag)
{
    char const* env = std::getenv("BUILDAH_ISOLATION");
    std::string mode = !flag.empty() ? flag : env ? env : "";
    if (mode.empty() || mode == "oci" || mode == "default" || mode == "rootless")
        return {};
    if (mode == "chroot")
        return Error { ENOTSUP, "--isolation chroot: berth runs RUN steps as containers only: use oci (the default)" };
    return Error { EINVAL, "--isolation \"" + mode + "\": unknown isolation: use oci (or rootless)" };
}

/// --ipc/--pid/--uts/--cgroupns as Buildah takes them: private, host, or the
/// path of a namespace to join, which run spells ns:PATH.
std::string build_namespace(std::string const& value)
{
    return value.starts_with("/") ? "ns:" + value : value;
}

/// --jobs N: a whole number, 0 or more. berth builds the stages one after
/// another whatever N is (Podman's default, 1).
ErrorOr check_jobs(std::string const& text)
{
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos)
        return Error { EINVAL, "--jobs: invalid value \"" + text + "\": give a number of stages, 0 or more" };
    return {};
}

/// --userns: RUN steps run in the user namespace berth runs containers in (the
/// user's, rootless; the host's, as root), which is what Podman's "container"
/// (the default) and "host" give here. Joining another namespace is refused.
ErrorOr build_userns(std::string const& mode)
{
    if (mode.empty() || mode == "container" || mode == "host")
        return {};
    return Error { ENOTSUP, "--userns=" + mode + ": berth runs RUN steps in the user's own namespace: use container or host, or leave --userns out" };
}

int run_build(BuildArgs const& a, Globals const& globals)
{
    build::BuildOptions options;
    options.context_dir = a.context;
    if (a.context == "-") {  // the context is a tar on standard input
        if (a.file == "-")
            return report(Error { EINVAL, "-f - and the context - cannot both be standard input: give the Containerfile in the tar" });
        options.context_fd = STDIN_FILENO;
    }
    options.containerfile = a.file;
    std::optional<TempDir> stdin_dir;
    if (a.file == "-") {
        auto dir = TempDir::create(std::filesystem::temp_directory_path().string(), "berth-build-");
        if (!dir)
            return report(dir.error());
        stdin_dir.emplace(std::move(*dir));
        auto path = containerfile_from_stdin(*stdin_dir);
        if (!path)
            return report(path.error());
        options.containerfile = *path;
    }
    options.tags = a.tags;
    auto output = output_options(a);
    if (!output)
        return report(output.error());
    options.output = *output;
    if (!a.cache_ttl.empty()) {
        auto ttl = duration_flag("--cache-ttl", a.cache_ttl, "10m, 1h30m");
        if (!ttl)
            return report(ttl.error());
        options.cache_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl).count();
    }
    std::vector<std::string> build_args;
    for (auto const& file : a.build_arg_files)
        if (auto r = read_build_arg_file(file, build_args); !r)
            return report(r.error());
    build_args.insert(build_args.end(), a.build_args.begin(), a.build_args.end());  // --build-arg wins
    for (auto const& arg : build_args) {
        auto eq = arg.find('=');
        if (eq == std::string::npos) {  // --build-arg NAME takes the value from the environment, as Podman
            if (char const* value = std::getenv(arg.c_str()))
                options.build_args[arg] = value;
            continue;
        }
        options.build_args[arg.substr(0, eq)] = arg.substr(eq + 1);
    }
    options.target = a.target;
    options.no_cache = a.no_cache || !a.layers;
    options.labels = a.labels;
    auto pull = pull_policy(a.pull);
    if (!pull)
        return report(pull.error());
    options.pull = *pull;
    options.network = a.network;
    options.ignore_file = a.ignorefile;
    options.unsetenv = a.unsetenv;
    for (auto const& entry : a.env) {
        if (entry.find('=') != std::string::npos)
            options.env.push_back(entry);
        else if (char const* value = std::getenv(entry.c_str()))  // --env NAME: the host's value, as Podman
            options.env.push_back(entry + "=" + value);
    }
    options.run_options = a.run;
    for (auto* ns : { &options.run_options.ipc, &options.run_options.pid, &options.run_options.uts, &options.run_options.cgroupns })
        *ns = build_namespace(*ns);
    options.run_options.http_proxy = a.http_proxy;
    options.stdin_to_run = a.stdin_to_run;
    if (a.stdin_to_run && (a.context == "-" || a.file == "-"))
        return report(Error { EINVAL, "--stdin: standard input already holds the " + std::string(a.context == "-" ? "context" : "Containerfile")
            + ": give it as a path instead" });
    if (auto r = build_userns(a.userns); !r)
        return report(r.error());
    if (auto r = build_isolation(a.isolation); !r)
        return report(r.error());
    if (!a.jobs.empty())
        if (auto r = check_jobs(a.jobs); !r)
            return report(r.error());
    options.from = a.from;
    options.unused_stages = a.skip_unused_stages ? build::UnusedStages::Skip : build::UnusedStages::Build;
    for (auto const& spec : a.build_contexts) {
        auto context = build::parse_build_context(spec);
        if (!context)
            return report(context.error());
        options.build_contexts[context->first] = context->second;
    }
    if (!a.output.empty()) {
        auto out = build::parse_build_output(a.output);
        if (!out)
            return report(out.error());
        options.export_to = *out;
    }
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
    if (!a.creds.empty()) {
        auto creds = engine::parse_creds_flag(a.creds);
        if (!creds)
            return report(creds.error());
        options.pull_options.credentials = *creds;
    }
    options.pull_options.cert_dir = a.cert_dir;
    if (a.retry < 0)
        return report(Error { EINVAL, "--retry " + std::to_string(a.retry) + ": give 0 or more retries" });
    options.pull_options.retries = a.retry;
    if (!a.retry_delay.empty()) {
        auto delay = duration_flag("--retry-delay", a.retry_delay, "2s, 500ms");
        if (!delay)
            return report(delay.error());
        options.pull_options.retry_delay = std::chrono::duration_cast<std::chrono::milliseconds>(*delay);
    }
    auto progress = build_progress(a.quiet);
    options.observer = [progress](build::BuildEvent const& e) {
        if (e.kind == build::BuildEvent::Kind::Warning)
            log::warn("{}", e.text);
        else if (progress)
            progress(e);
    };

    // -o -: the tar is stdout's alone; what the build prints (RUN's output too) goes to stderr.
    UniqueFd export_stdout;
    if (options.export_to.kind == build::BuildOutput::Kind::Tar && options.export_to.dest == "-") {
        std::fflush(stdout);
        export_stdout = UniqueFd(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
        if (!export_stdout.valid() || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            return report(Error::from_errno("-o -: redirect standard output"));
        options.export_fd = export_stdout.get();
    }
    // --logfile: everything the build prints goes to the file instead.
    if (!a.logfile.empty()) {
        UniqueFd log(::open(a.logfile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!log.valid())
            return report(Error::from_errno("--logfile " + a.logfile));
        std::fflush(stdout);
        std::fflush(stderr);
        ::dup2(log.get(), STDOUT_FILENO);
        ::dup2(log.get(), STDERR_FILENO);
    }
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
    if (!a.manifest.empty()) {
        engine::ManifestAddOptions add;
        auto list = engine::create_manifest_list(*ctx, a.manifest, { "containers-storage:" + image->id }, add, true);
        if (!list)
            return report(std::move(list).error().with_context("--manifest " + a.manifest));
    }
    std::printf("%s\n", image->id.c_str());
    return 0;
}

CLI::App* add_build_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<BuildArgs>();
    auto* cmd = parent.add_subcommand(name, "Build an image using instructions from Containerfiles");
    cmd->add_option("context", a->context, "The build context: a directory, - (a tar on standard input) or an http(s) URL of a tar");
    auto& run = a->run;
    cmd->add_option("--add-host", run.add_hosts, "Add HOST:IP to the /etc/hosts of RUN containers")->allow_extra_args(false);
    cmd->add_option("--annotation", a->annotations, "Add KEY=VALUE to the image manifest's annotations (OCI format only)")->allow_extra_args(false);
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file");
    cmd->add_option("--build-arg", a->build_args, "ARG=VALUE for the build")->allow_extra_args(false);
    cmd->add_option("--build-arg-file", a->build_arg_files, "A file of ARG=VALUE lines for the build (--build-arg wins)")->allow_extra_args(false);
    cmd->add_option("--build-context", a->build_contexts, "NAME=DIR, NAME=docker-image://IMAGE or NAME=https://URL (a tar): what NAME means in FROM, COPY --from and RUN --mount=from")->allow_extra_args(false);
    cmd->add_option("--arch", a->arch, "The architecture in the image's config, and of the base images to pull (no emulation)");
    cmd->add_option("--cache-ttl", a->cache_ttl, "Reuse only cached steps younger than this duration (10m, 1h); 0: none");
    cmd->add_option("--cert-dir", a->cert_dir, "Directory with certificates (*.crt, *.cert, *.key) for the registries of base images");
    cmd->add_option("--cgroup-parent", run.cgroup_parent, "The cgroup under which RUN containers' cgroups are made");
    cmd->add_option("--cgroupns", run.cgroupns, "The cgroup namespace of RUN containers: private, host or a namespace's path");
    cmd->add_flag("--compress", a->compress, "Accepted and ignored, as Podman (a legacy option): layers are always compressed");
    cmd->add_option("-c,--cpu-shares", run.cpu_shares, "CPU shares of RUN containers (relative weight)");
    cmd->add_option("--creds", a->creds, "USERNAME:PASSWORD for the registries of base images");
    cmd->add_flag("--disable-content-trust", a->disable_content_trust, "Ignored, as Podman does (a Docker option)");
    cmd->add_option("--cap-add", run.cap_add, "Add a capability to RUN containers")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--cap-drop", run.cap_drop, "Drop a capability from RUN containers")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--device", run.devices, "Add a host device to RUN containers")->allow_extra_args(false);
    cmd->add_option("--dns", run.dns, "DNS servers for RUN containers")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--dns-option", run.dns_options, "DNS options for RUN containers")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--dns-search", run.dns_search, "DNS search domains for RUN containers")->delimiter(',')->allow_extra_args(false);
    cmd->add_option("--env", a->env, "Set KEY=VALUE in the image's environment (KEY alone: the host's value)")->allow_extra_args(false);
    cmd->add_option("--format", a->format, "The image's format: oci (default, or $BUILDAH_FORMAT) or docker");
    cmd->add_option("-f,--file", a->file, "The Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile; - reads standard input)");
    cmd->add_option("--from", a->from, "The image of the first FROM instruction, instead of the Containerfile's");
    cmd->add_flag("--force-rm", a->force_rm, "Remove the step containers even after a failure (always done)")->capture_default_str();
    cmd->add_flag("--http-proxy", a->http_proxy, "Pass the host's proxy variables to RUN containers (default true)");
    cmd->add_flag("--identity-label", a->identity_label, "Accepted as Podman's: berth adds no identity label, with or without it");
    cmd->add_option("--iidfile", a->iidfile, "Write the image ID to this file");
    cmd->add_option("--ignorefile", a->ignorefile, "The ignore file to use instead of CONTEXT/.containerignore or .dockerignore");
    cmd->add_option("--ipc", run.ipc, "The IPC namespace of RUN containers: private, host or a namespace's path");
    cmd->add_option("--isolation", a->isolation, "How RUN steps are isolated: oci (the default, also $BUILDAH_ISOLATION) or rootless");
    cmd->add_option("--jobs", a->jobs, "How many stages may run in parallel (default 1; berth builds them one after another)");
    cmd->add_option("--label", a->labels, "Set a label KEY=VALUE on the image")->allow_extra_args(false);
    cmd->add_flag("--layers", a->layers, "Reuse the images of earlier builds for unchanged steps (--layers=false: never)")->capture_default_str();
    cmd->add_option("--logfile", a->logfile, "Write the build's output to this file instead of the terminal");
    cmd->add_option("--manifest", a->manifest, "Add the image to this manifest list (created when missing)");
    cmd->add_option("-m,--memory", run.memory, "Memory limit of RUN containers (512m, 1g)");
    cmd->add_option("--memory-swap", run.memory_swap, "Memory plus swap limit of RUN containers (1g), -1 for unlimited swap");
    cmd->add_option("--network", a->network, "The network mode of RUN instructions");
    cmd->add_flag("--no-cache", a->no_cache, "Do not reuse the images of an earlier build");
    cmd->add_flag("--no-hosts", run.no_hosts, "Leave the image's /etc/hosts alone in RUN containers");
    cmd->add_flag("--omit-history", a->omit_history, "Leave the image's history empty");
    cmd->add_option("-o,--output", a->output, "Export the image's root filesystem: type=local,dest=DIR, type=tar,dest=FILE (- for standard output) or DIR");
    cmd->add_option("--os", a->os, "The OS in the image's config, and of the base images to pull");
    cmd->add_option("--os-feature", a->os_features, "Add an OS feature to the image's config (FEATURE- removes one the base has)")
        ->allow_extra_args(false);
    cmd->add_option("--os-version", a->os_version, "The OS version in the image's config, instead of the base image's");
    cmd->add_option("--pid", run.pid, "The PID namespace of RUN containers: private, host or a namespace's path");
    cmd->add_option("--platform", a->platform, "OS/ARCH[/VARIANT] of the image's config and of the base images to pull (no emulation)");
    cmd->add_option("--pull", a->pull, "Pull the base images: missing, always, never or newer")->capture_default_str();
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the image ID");
    cmd->add_option("--retry", a->retry, "Times to retry a failed pull of a base image")->capture_default_str();
    cmd->add_option("--retry-delay", a->retry_delay, "The delay between those retries (2s, 500ms; default: 1s, doubling up to 10s)");
    cmd->add_flag("--rm", a->rm, "Remove the step containers after the build (always done)")->capture_default_str();
    cmd->add_option("--security-opt", run.security_opt, "Security options of RUN containers (seccomp=, apparmor=, no-new-privileges)")->allow_extra_args(false);
    cmd->add_option("--shm-size", run.shm_size, "Size of /dev/shm in RUN containers");
    cmd->add_flag("--skip-unused-stages", a->skip_unused_stages, "Build only the stages the target needs (--skip-unused-stages=false: every stage up to it)")->capture_default_str();
    cmd->add_flag("--squash", a->squash, "The build's new layers as one layer on top of the base image's");
    cmd->add_flag("--squash-all", a->squash_all, "The image as one layer");
    cmd->add_option("--timestamp", a->timestamp, "Seconds since the epoch for the created times and the new layers' file times (reproducible builds)");
    cmd->add_option("--ulimit", run.ulimits, "A resource limit of RUN containers: TYPE=SOFT[:HARD]")->allow_extra_args(false);
    cmd->add_option("--unsetenv", a->unsetenv, "Remove a variable of the base image from the final image's environment")->allow_extra_args(false);
    cmd->add_option("-v,--volume", run.volumes, "Bind mount into RUN containers: SRC:DST[:OPTIONS]")->allow_extra_args(false);
    cmd->add_flag("--stdin", a->stdin_to_run, "Pass standard input to RUN containers");
    cmd->add_option("--secret", a->secrets, "A secret for RUN --mount=type=secret: id=ID,src=PATH or id=ID,env=VAR")->allow_extra_args(false);
    cmd->add_option("-t,--tag", a->tags, "Name the built image")->allow_extra_args(false);
    cmd->add_option("--target", a->target, "The stage to build (and those it needs)");
    cmd->add_option("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates when pulling");
    cmd->add_option("--uts", run.uts, "The UTS namespace of RUN containers: private, host or a namespace's path");
    cmd->add_option("--userns", a->userns, "The user namespace of RUN steps: container (default) or host, both the one berth runs containers in");
    cmd->add_option("--variant", a->variant, "The architecture variant in the image's config (v7, v8)");
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
