// The build executor (executor.h): plans which stages --target needs, then
// runs each stage's steps in order, every step turning the stage's current
// image into the next one.
//
// Variables follow Docker's scoping: the global ARGs (before the first FROM)
// are seen by FROM only; a stage sees an ARG from its declaration on, valued
// by --build-arg, else its default, else the global ARG of that name; ENV
// wins over ARG. RUN gets the ARGs in its environment but they are not kept
// in the image. Config-only steps (ENV, LABEL, CMD...) still make an image,
// with a history entry marked empty_layer, so that every step has an ID to
// print and to reuse.
//
// A name in FROM, COPY --from= or RUN --mount=from= is first a
// --build-context (Buildah's order), then a stage, then an image. A
// directory context is read as the main context is (same source checks, its
// content in the cache key), without an ignore file.
#include "build/executor.h"

#include "base/fs.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "image/digest.h"
#include "build/cache.h"
#include "build/finalize.h"
#include "build/plan.h"
#include "build/run_mounts.h"
#include "build/steps.h"
#include "build/syntax.h"
#include "engine/containers/containers.h"
#include "engine/containers/copy.h"
#include "engine/images/derive.h"
#include "engine/images/interchange.h"
#include "image/manifest.h"

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <memory>
#include <optional>

namespace berth::build {

namespace {

using engine::Context;

/// What a stage has made so far.
struct StageState {
    store::ImageRecord image;
    image::ImageConfig config;
    Environment args;                                  ///< the ARGs declared so far, valued
    std::vector<std::string> shell { "/bin/sh", "-c" };
    bool cmd_set = false;                              ///< CMD given in this stage (ENTRYPOINT keeps it)
};

/// The run of one build: the file, the options, the stages built so far.
struct Build {
    Context& ctx;
    BuildOptions const& options;
    Containerfile const& file;
    IgnoreMatcher ignore;
    Environment global_args;
    std::map<std::string, std::string> context_dirs;   ///< --build-context NAME=DIR (a URL's, extracted): name -> absolute directory
    IgnoreMatcher no_ignore;                           ///< a build context's files: all of them, as Buildah copies them
    std::map<size_t, store::ImageRecord> built;        ///< stage index -> its final image
    int* run_status = nullptr;
    store::ImageRecord target_base;                    ///< the target stage's FROM image
    size_t target = 0;
    std::vector<store::ImageRecord> target_steps;      ///< the images of the target stage's steps, in order

    void report(BuildEvent::Kind kind, std::string text) const
    {
        if (options.observer)
            options.observer(BuildEvent { kind, std::move(text) });
    }
};

std::string to_lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// A stage's FROM as Podman prints it.
std::string from_text(From const& from)
{
    std::string text = "FROM ";
    if (!from.platform.empty())
        text += "--platform=" + from.platform + " ";
    text += from.image;
    if (!from.name.empty())
        text += " AS " + from.name;
    return text;
}

/// Whether a local image is of the platform --platform asks for (any, when none is asked).
bool of_platform(Build const& b, store::ImageRecord const& image)
{
    auto const& want = b.options.output;
    return (want.os.empty() || image.os == want.os) && (want.architecture.empty() || image.architecture == want.architecture);
}

/// An image by name, pulled as --pull says (also when the local one is of another platform than --platform's).
Result<store::ImageRecord> find_or_pull(Build const& b, std::string const& name)
{
    if (b.options.pull == "missing" || b.options.pull == "never") {
        auto found = engine::find_image(b.ctx, name);
        if (b.options.pull == "never" || (found && of_platform(b, *found)))
            return found;
    }
    auto pulled = engine::pull(b.ctx, name, b.options.pull_options);
    if (!pulled && b.options.pull == "newer")
        if (auto local = engine::find_image(b.ctx, name))
            return local;  // "newer": the registry is asked, but a local image does when it cannot answer
    return pulled;
}

/// The variables a step sees: the stage's ARGs, its ENV over them.
Environment step_env(StageState const& s)
{
    Environment env = s.args;
    for (auto const& entry : s.config.env) {
        auto eq = entry.find('=');
        env[entry.substr(0, eq)] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
    return env;
}

void set_env(image::ImageConfig& config, std::string const& key, std::string const& value)
{
    std::string entry = key + "=" + value;
    for (auto& e : config.env)
        if (e.substr(0, e.find('=')) == key) {
            e = entry;
            return;
        }
    config.env.push_back(entry);
}

std::string join(std::vector<std::string> const& words)
{
    std::string out;
    for (auto const& w : words)
        out += (out.empty() ? "" : " ") + w;
    return out;
}

/// HEALTHCHECK as the image config's Healthcheck object.
Json healthcheck_json(Healthcheck const& h)
{
    Json j = Json::object();
    if (h.none) {
        j["Test"] = Json::array({ "NONE" });
        return j;
    }
    Json test = Json::array();
    if (h.command.form == Command::Form::Shell) {
        test = Json::array({ "CMD-SHELL", h.command.shell });
    } else {
        test.push_back("CMD");
        for (auto const& w : h.command.exec)
            test.push_back(w);
    }
    j["Test"] = test;
    if (h.interval.count())
        j["Interval"] = h.interval.count();
    if (h.timeout.count())
        j["Timeout"] = h.timeout.count();
    if (h.start_period.count())
        j["StartPeriod"] = h.start_period.count();
    if (h.retries)
        j["Retries"] = h.retries;
    return j;
}

/// ARG: each declaration valued by --build-arg, its default, or the global ARG.
ErrorOr declare_args(Build const& b, StageState& s, Arg const& arg)
{
    for (auto const& decl : arg.args) {
        if (auto given = b.options.build_args.find(decl.name); given != b.options.build_args.end())
            s.args[decl.name] = given->second;
        else if (decl.default_value)
            s.args[decl.name] = *decl.default_value;
        else if (auto global = b.global_args.find(decl.name); global != b.global_args.end())
            s.args[decl.name] = global->second;
        else
            s.args.erase(decl.name);
    }
    return {};
}

/// The config instructions: what they change in `s.config`. False: not a config instruction.
Result<bool> apply_config(StageState& s, Instruction const& in)
{
    auto& c = s.config;
    auto const& body = in.body;
    if (auto const* env = std::get_if<Env>(&body)) {
        for (auto const& kv : env->variables)
            set_env(c, kv.key, kv.value);
    } else if (auto const* label = std::get_if<Label>(&body)) {
        for (auto const& kv : label->labels)
            c.labels[kv.key] = kv.value;
    } else if (auto const* cmd = std::get_if<Cmd>(&body)) {
        c.cmd = cmd->command.argv(s.shell);
        s.cmd_set = true;
    } else if (auto const* ep = std::get_if<Entrypoint>(&body)) {
        c.entrypoint = ep->command.argv(s.shell);
        if (!s.cmd_set)  // Docker: an ENTRYPOINT resets the CMD the base image had
            c.cmd.clear();
    } else if (auto const* wd = std::get_if<Workdir>(&body)) {
        c.working_dir = wd->path.starts_with("/") ? wd->path : fs::join(c.working_dir.empty() ? "/" : c.working_dir, wd->path);
    } else if (auto const* user = std::get_if<User>(&body)) {
        c.user = user->user;
    } else if (auto const* expose = std::get_if<Expose>(&body)) {
        for (auto port : expose->ports) {
            if (port.find('/') == std::string::npos)
                port += "/tcp";
            if (std::find(c.exposed_ports.begin(), c.exposed_ports.end(), port) == c.exposed_ports.end())
                c.exposed_ports.push_back(port);
        }
    } else if (auto const* volume = std::get_if<Volume>(&body)) {
        for (auto const& path : volume->paths)
            if (std::find(c.volumes.begin(), c.volumes.end(), path) == c.volumes.end())
                c.volumes.push_back(path);
    } else if (auto const* sig = std::get_if<Stopsignal>(&body)) {
        c.stop_signal = sig->signal;
    } else if (auto const* hc = std::get_if<Healthcheck>(&body)) {
        c.raw["config"]["Healthcheck"] = healthcheck_json(*hc);
    } else if (auto const* shell = std::get_if<Shell>(&body)) {
        s.shell = shell->shell;
        c.raw["config"]["Shell"] = shell->shell;
    } else if (auto const* onbuild = std::get_if<Onbuild>(&body)) {
        c.on_build.push_back(onbuild->trigger);  // run by builds FROM this image (run_triggers)
    } else if (auto const* maintainer = std::get_if<Maintainer>(&body)) {
        c.author = maintainer->name;
    } else {
        return false;
    }
    return true;
}

/// A config-only step: the same layers, the new config, an empty_layer history entry.
Result<store::ImageRecord> commit_config(Build const& b, StageState const& s, std::string const& created_by)
{
    image::ImageConfig config = s.config;
    config.created = engine::now_rfc3339();
    image::HistoryEntry entry;
    entry.created = config.created;
    entry.created_by = created_by;
    entry.comment = "FROM " + s.image.id.substr(0, 12);
    entry.empty_layer = true;
    config.history.push_back(entry);
    return engine::derive_image(b.ctx, s.image, config);
}

/// The ARGs RUN gets in its environment (those ENV does not override), as KEY=VALUE.
std::vector<std::string> run_args(StageState const& s)
{
    std::vector<std::string> out;
    Environment env = step_env(s);
    for (auto const& [key, value] : s.args)
        if (env[key] == value)
            out.push_back(key + "=" + value);
    return out;
}

/// The argv of RUN: its command through the SHELL; `RUN <<EOF` (the heredoc
/// alone) as a script for the SHELL; a command with heredocs as its input
/// (`RUN cat <<EOF >/file`, several too) as one script of the command line and
/// each heredoc's lines and delimiter, which the shell reads as it would from
/// a file (as BuildKit does).
Result<std::vector<std::string>> run_argv(Run const& run, std::vector<std::string> const& shell)
{
    if (run.heredocs.empty())
        return run.command.argv(shell);
    if (run.command.form != Command::Form::Shell)
        return Error { EINVAL, "RUN in exec form (JSON) cannot take a heredoc: write it in shell form" };
    auto argv = shell;
    if (run.heredocs.size() == 1 && syntax::heredoc_marker(syntax::trim(run.command.shell))) {
        argv.push_back(run.heredocs.front().content);
        return argv;
    }
    std::string script = run.command.shell + "\n";
    for (auto const& heredoc : run.heredocs)
        script += heredoc.content + heredoc.name + "\n";
    argv.push_back(script);
    return argv;
}

/// RUN's history entry, as Docker writes it: "|2 A=1 B=2 /bin/sh -c make" with
/// ARGs; BuildKit's "--mount=..." words (mounts_key) after them.
std::string run_created_by(std::vector<std::string> const& args, std::vector<std::string> const& argv, std::string const& mounts)
{
    std::string out;
    if (!args.empty())
        out = fmt::format("|{} {} ", args.size(), join(args));
    if (!mounts.empty())
        out += mounts.substr(1) + " ";
    return out + join(argv);
}

/// The image a COPY --from or RUN --mount=from= names: a stage built before, else an image.
Result<store::ImageRecord> resolve_from(Build const& b, size_t stage, std::string const& from);

/// RUN: the command as a container of the current image, its changes committed.
/// Its --mount mountpoints are made before it runs and removed after, so
/// that the layer has none of them.
Result<store::ImageRecord> run_step(Build const& b, size_t stage, StageState const& s, Run const& run,
    std::string const& created_by, std::string const& step_text)
{
    container::CreateOptions spec = b.options.run_options;
    spec.image = s.image.id;
    spec.command = TRY(run_argv(run, s.shell));
    spec.interactive = b.options.stdin_to_run;
    spec.network = run.network.empty() || run.network == "default" ? b.options.network : run.network;
    // The stage's environment as it is now (--env is not in an image yet), then the ARGs.
    spec.env = s.config.env;
    for (auto& arg : run_args(s))
        spec.env.push_back(std::move(arg));
    RunMountInputs inputs { b.options.context_dir, &b.options.secrets, s.config.working_dir,
        [&b, stage](std::string const& name) { return resolve_from(b, stage, name); }, &b.context_dirs };
    auto mounts = TRY(RunMounts::prepare(b.ctx, run.mounts, inputs, spec));
    auto container = TRY(StepContainer::create(b.ctx, spec));
    if (!mounts.empty()) {
        TRY(mounts.make_mountpoints(TRY(engine::mount_container(b.ctx, container.id()))));
        TRY(engine::unmount_container(b.ctx, container.id()));
    }
    engine::StartOptions start;
    start.attach = true;
    start.storage_driver = b.ctx.settings.options.storage_driver;
    int status = TRY(engine::start_container(b.ctx, container.id(), start));
    if (status != 0) {
        if (b.run_status)
            *b.run_status = status;
        return Error { 0, "building at STEP \"" + step_text + "\": while running runtime: exit status " + std::to_string(status) };
    }
    if (!mounts.empty())
        TRY(mounts.remove_mountpoints(TRY(engine::mount_container(b.ctx, container.id()))));
    return commit_step(b.ctx, container.id(), s.config, created_by);
}

/// The sha256 digest of a file's content.
Result<image::Digest> file_digest(std::string const& path)
{
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    image::Sha256 hash;
    std::vector<char> buf(1 << 20);
    for (;;) {
        size_t n = TRY(sys::read(fd.get(), buf.data(), buf.size()));
        if (n == 0)
            break;
        hash.update(buf.data(), n);
    }
    return hash.finish();
}

/// The image an earlier build made for this step (reported as used), unless --no-cache.
Result<std::optional<store::ImageRecord>> cached(Build const& b, StageState const& s, std::string const& created_by, NewLayers layers)
{
    if (b.options.no_cache || (b.options.cache_ttl && *b.options.cache_ttl <= 0))
        return std::optional<store::ImageRecord> {};
    auto found = TRY(find_cached_step(b.ctx, s.image, s.config, created_by, layers, b.options.cache_ttl));
    if (found)
        b.report(BuildEvent::Kind::Cached, found->id);
    return found;
}

Result<store::ImageRecord> resolve_from(Build const& b, size_t stage, std::string const& from)
{
    if (auto context = b.options.build_contexts.find(from); context != b.options.build_contexts.end()) {
        if (context->second.kind == BuildContext::Kind::Image)
            return find_or_pull(b, context->second.value);
        return Error { EINVAL, "\"" + from + "\" is a build context of files, not an image: give --build-context " + from
                + "=docker-image://IMAGE to use an image" };
    }
    if (auto index = stage_reference(b.file, from, stage)) {
        auto it = b.built.find(*index);
        if (it == b.built.end())
            return Error { ENOENT, "stage \"" + from + "\" was not built" };
        return it->second;
    }
    return find_or_pull(b, from);
}

/// One instruction after FROM: the stage's next image (or none for ARG).
Result<std::optional<store::ImageRecord>> run_instruction(Build& b, size_t stage, StageState& s, Instruction const& raw,
    std::string const& step_text)
{
    if (raw.as<Arg>()) {
        auto expanded = TRY(expand(b.file, raw, step_env(s)));
        TRY(declare_args(b, s, *expanded.as<Arg>()));
        return std::optional<store::ImageRecord> {};
    }
    auto in = TRY(expand(b.file, raw, step_env(s)));
    std::string nop = "/bin/sh -c #(nop) " + in.keyword + " " + in.text;
    if (auto const* run = in.as<Run>()) {
        // The mounts are in the key: what a bind reads from the context, and where a cache or secret goes.
        std::string mounts = TRY(mounts_key(run->mounts, [&b](Mount const& mount) -> Result<std::string> {
            std::string source = mount.source.empty() ? "." : mount.source;
            if (mount.from.empty())
                return context_digest(b.options.context_dir, CopyArgs { .sources = { source } }, b.ignore);
            if (auto dir = b.context_dirs.find(mount.from); dir != b.context_dirs.end())
                return context_digest(dir->second, CopyArgs { .sources = { source } }, b.no_ignore);
            return std::string();
        }));
        std::string created_by = run_created_by(run_args(s), TRY(run_argv(*run, s.shell)), mounts);
        if (auto hit = TRY(cached(b, s, created_by, NewLayers::One)))
            return hit;
        return std::optional(TRY(run_step(b, stage, s, *run, created_by, step_text)));
    }
    CopyArgs const* args = in.as<Copy>();
    if (!args)
        args = in.as<Add>();
    if (args) {
        std::string from = in.as<Copy>() ? in.as<Copy>()->from : "";
        // COPY --from= a build context directory copies from it as from the context, through the same checks.
        std::string context_dir = b.options.context_dir;
        IgnoreMatcher const* ignore = &b.ignore;
        if (auto dir = b.context_dirs.find(from); dir != b.context_dirs.end()) {
            context_dir = dir->second;
            ignore = &b.no_ignore;
            from.clear();
        }
        auto resolve = [&b, stage](std::string const& name) { return resolve_from(b, stage, name); };
        // ADD's URLs are downloaded first: what they hold is in the key, as the context's files are.
        std::optional<TempDir> downloads;
        std::map<std::string, std::string> fetched;
        std::string urls;
        if (auto const* add = in.as<Add>())
            for (auto const& source : args->sources) {
                if (!engine::is_url(source) || fetched.count(source))
                    continue;
                if (!downloads)
                    downloads.emplace(TRY(TempDir::create(b.ctx.store->layout().data_dir(), ".tmp-build-")));
                std::string file = fs::join(downloads->path(), std::to_string(fetched.size()));
                TRY(engine::download(source, file));
                auto digest = TRY(file_digest(file));
                if (!add->checksum.empty() && add->checksum != digest.str())
                    return Error { EINVAL, "ADD " + source + ": the download has digest " + digest.str() + ", not --checksum=" + add->checksum };
                fetched[source] = file;
                urls += " (url " + source + " " + digest.str() + ")";
            }
        // What it reads is in the key: the source image, or a digest of the context's files.
        std::string created_by = nop + (from.empty() ? " (content " + TRY(context_digest(context_dir, *args, *ignore))
                                                     : " (from " + TRY(resolve(from)).id) + ")" + urls;
        if (auto hit = TRY(cached(b, s, created_by, NewLayers::One)))
            return hit;
        CopyStep step { s.image, s.config, *args, from, context_dir, *ignore, created_by, resolve, in.as<Add>() != nullptr, fetched };
        return std::optional(TRY(copy_step(b.ctx, step)));
    }
    if (!TRY(apply_config(s, in)))
        return Error { ENOTSUP, in.keyword + " is not supported" };
    bool workdir = in.as<Workdir>() != nullptr;
    if (auto hit = TRY(cached(b, s, nop, workdir ? NewLayers::Any : NewLayers::None)))
        return hit;
    if (workdir)  // the directory is made (a layer) when the image lacks it
        if (auto made = TRY(workdir_step(b.ctx, s.image, s.config, nop)))
            return std::optional(*made);
    return std::optional(TRY(commit_config(b, s, nop)));
}

/// FROM scratch: an image with no layers and a config of the host's platform only.
Result<store::ImageRecord> scratch_image(Build const& b)
{
    auto platform = image::Platform::host();
    auto const& want = b.options.output;
    image::ImageConfig config;
    config.os = want.os.empty() ? platform.os : want.os;
    config.architecture = want.architecture.empty() ? platform.architecture : want.architecture;
    config.variant = want.platform_given() ? want.variant : platform.variant;
    config.raw = Json::object();
    return engine::derive_image(b.ctx, store::ImageRecord {}, config);
}

/// The base image's ONBUILD triggers, run right after FROM as Docker runs
/// them; the stage's images do not keep them.
ErrorOr run_triggers(Build& b, size_t index, StageState& s, int line)
{
    auto triggers = std::move(s.config.on_build);
    s.config.on_build.clear();
    for (auto const& trigger : triggers) {
        auto in = TRY(parse_instruction(trigger, b.file.escape, b.file.file, line));
        if (auto next = TRY(run_instruction(b, index, s, in, "ONBUILD " + trigger))) {
            s.image = *next;
            if (index == b.target)
                b.target_steps.push_back(s.image);
            s.config = TRY(engine::image_config(b.ctx, s.image));
        }
    }
    return {};
}

/// One stage: FROM, then every instruction; the last one reports COMMIT when `final`.
Result<store::ImageRecord> run_stage(Build& b, size_t index, std::string const& prefix, bool final)
{
    Stage const& stage = b.file.stages[index];
    size_t total = stage.instructions.size() + 1;
    auto step_line = [&](size_t n, std::string const& text) {
        b.report(BuildEvent::Kind::Step, prefix + "STEP " + std::to_string(n) + "/" + std::to_string(total) + ": " + text);
    };
    step_line(1, from_text(stage.from));
    auto from = TRY(expand_from(b.file, stage, b.global_args));
    StageState s;
    if (to_lower(from.image) == "scratch" && !b.options.build_contexts.count(from.image))
        s.image = TRY(scratch_image(b));
    else
        s.image = TRY(resolve_from(b, index, from.image));
    s.config = TRY(engine::image_config(b.ctx, s.image));
    if (final)
        b.target_base = s.image;
    if (auto ran = run_triggers(b, index, s, stage.line); !ran)
        return Error { ran.error().code, "building at STEP \"" + from_text(stage.from) + "\": " + ran.error().message, ran.error().kind };
    if (final)
        for (auto const& entry : b.options.env) {
            auto eq = entry.find('=');
            set_env(s.config, entry.substr(0, eq), eq == std::string::npos ? "" : entry.substr(eq + 1));
        }
    if (final)
        for (auto const& name : b.options.unsetenv)  // the base image's; an ENV of the file may set it again
            std::erase_if(s.config.env, [&name](std::string const& e) { return e.substr(0, e.find('=')) == name; });
    if (final)
        for (auto const& label : b.options.labels) {
            auto eq = label.find('=');
            s.config.labels[label.substr(0, eq)] = eq == std::string::npos ? "" : label.substr(eq + 1);
        }
    for (size_t i = 0; i < stage.instructions.size(); ++i) {
        auto const& in = stage.instructions[i];
        std::string text = in.keyword + (in.text.empty() ? "" : " " + in.text);
        step_line(i + 2, text);
        auto next = run_instruction(b, index, s, in, text);
        if (!next) {
            if (next.error().message.starts_with("building at STEP"))
                return next.error();
            return Error { next.error().code, "building at STEP \"" + text + "\": " + next.error().message, next.error().kind };
        }
        if (!*next)
            continue;
        s.image = **next;
        s.config = TRY(engine::image_config(b.ctx, s.image));
        if (final)
            b.target_steps.push_back(s.image);
        if (final && i + 1 == stage.instructions.size()) {
            b.report(BuildEvent::Kind::Commit, prefix + "COMMIT" + (b.options.tags.empty() ? "" : " " + b.options.tags.front()));
            break;  // its image is reported when finalize_image has shaped it
        }
        b.report(BuildEvent::Kind::StepDone, s.image.id);
    }
    return s.image;
}

/// Copies what `fd` reads to the new file `path`.
ErrorOr save_stream(int fd, std::string const& path)
{
    UniqueFd out = TRY(sys::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    std::vector<char> buf(1 << 16);
    for (;;) {
        size_t n = TRY(sys::read(fd, buf.data(), buf.size()));
        if (n == 0)
            return {};
        TRY(sys::write_all(out.get(), buf.data(), n));
    }
}

/// Whether the file starts as a tar does, or as gzip, zstd, xz or bzip2 data.
Result<bool> is_archive_file(std::string const& path)
{
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
    char head[512] = {};
    size_t n = 0;
    while (n < sizeof head) {
        size_t got = TRY(sys::read(fd.get(), head + n, sizeof head - n));
        if (got == 0)
            break;
        n += got;
    }
    std::string_view h(head, n);
    return h.starts_with("\x1f\x8b") || h.starts_with("\x28\xb5\x2f\xfd") || h.starts_with("\xfd" "7zXZ") || h.starts_with("BZh")
        || (n >= 262 && h.substr(257, 5) == "ustar");
}

/// A context given as a tar: read from `fd` (when >= 0), else downloaded from
/// the URL `source`, then extracted into a directory in a temporary
/// directory appended to `keep`; a file that is no archive is the
/// Containerfile of an empty context, as Podman takes it. Returns the directory.
Result<std::string> fetch_context(Context& ctx, std::string const& source, int fd, std::string const& what,
    std::vector<std::unique_ptr<TempDir>>& keep)
{
    auto tmp = std::make_unique<TempDir>(TRY(TempDir::create(ctx.store->layout().data_dir(), ".tmp-build-context-")));
    std::string dir = fs::join(tmp->path(), "context");
    std::string file = fs::join(tmp->path(), "context.tar");
    keep.push_back(std::move(tmp));
    TRY(fs::mkdir_p(dir));
    if (fd >= 0)
        TRY_CTX(save_stream(fd, file), what);
    else
        TRY_CTX(engine::download(source, file), what);
    if (TRY(is_archive_file(file))) {
        UniqueFd in = TRY(sys::open(file, O_RDONLY | O_CLOEXEC));
        TRY_CTX(engine::extract_tar_into(in.get(), dir), what);
    } else {
        TRY(sys::rename(file, fs::join(dir, "Containerfile")));
    }
    return dir;
}

} // namespace

Result<std::string> containerfile_path(std::string const& context_dir, std::string const& file)
{
    if (!file.empty())
        return file;
    for (char const* name : { "Containerfile", "Dockerfile" }) {
        std::string path = fs::join(context_dir, name);
        if (fs::exists(path))
            return path;
    }
    return Error { ENOENT, "no Containerfile or Dockerfile in the context directory " + context_dir };
}

Result<store::ImageRecord> build_image(Context& ctx, BuildOptions const& given, int* run_status)
{
    BuildOptions options = given;
    if (auto& out = options.output; out.platform_given()) {  // a part not given is the host's, as Podman
        auto host = image::Platform::host();
        if (out.os.empty())
            out.os = host.os;
        if (out.architecture.empty())
            out.architecture = host.architecture;
        options.pull_options.platform = out.os + "/" + out.architecture + (out.variant.empty() ? "" : "/" + out.variant);
    }
    // A context that is a tar (standard input, or a URL's download) is extracted first.
    std::vector<std::unique_ptr<TempDir>> fetched;
    if (options.context_fd >= 0 || engine::is_url(options.context_dir)) {
        std::string what = options.context_fd >= 0 ? "the build context from standard input" : "the build context";
        options.context_dir = TRY(fetch_context(ctx, options.context_dir, options.context_fd, what, fetched));
        if (!options.containerfile.empty() && !options.containerfile.starts_with("/"))  // -f names a file of the tar
            options.containerfile = fs::join(options.context_dir, options.containerfile);
    }
    if (!fs::is_dir(options.context_dir))
        return Error { ENOENT, "context directory " + options.context_dir + " does not exist" };
    // --build-context directories, a URL's extracted as the main context's is.
    std::map<std::string, std::string> context_dirs;
    for (auto const& [name, context] : options.build_contexts) {
        std::string what = "--build-context " + name + "=" + context.value;
        if (context.kind == BuildContext::Kind::Url)
            context_dirs[name] = TRY(fetch_context(ctx, context.value, -1, what, fetched));
        else if (context.kind == BuildContext::Kind::Directory && !fs::is_dir(context.value))
            return Error { ENOENT, what + ": no such directory: give an existing directory (or docker-image://IMAGE)" };
        else if (context.kind == BuildContext::Kind::Directory)
            context_dirs[name] = std::filesystem::absolute(context.value).lexically_normal().string();
    }
    for (auto const& [id, secret] : options.secrets)
        if (!secret.source.empty() && !fs::exists(secret.source))
            return Error { ENOENT, "--secret id=" + id + ": " + secret.source + " does not exist" };
    auto file = TRY(read_containerfile(TRY(containerfile_path(options.context_dir, options.containerfile))));
    if (file.stages.empty())
        return Error { EINVAL, "no FROM instruction in the Containerfile" };
    if (!options.from.empty())  // --from: the first FROM's image, its AS name kept
        file.stages.front().from.image = options.from;
    Build b { ctx, options, file, TRY(read_ignore_file(options.context_dir, options.ignore_file)), {}, std::move(context_dirs) };
    b.run_status = run_status;

    // The global ARGs, for FROM.
    for (auto const& in : file.global_args) {
        auto expanded = TRY(expand(file, in, b.global_args));
        for (auto const& decl : expanded.as<Arg>()->args) {
            auto given = options.build_args.find(decl.name);
            if (given != options.build_args.end())
                b.global_args[decl.name] = given->second;
            else if (decl.default_value)
                b.global_args[decl.name] = *decl.default_value;
        }
    }
    // The target and the stages it needs.
    size_t target = file.stages.size() - 1;
    if (!options.target.empty()) {
        auto const* stage = file.stage(options.target);
        if (!stage)
            return Error { ENOENT, "the target \"" + options.target + "\" is not a stage of the Containerfile" };
        target = static_cast<size_t>(stage - file.stages.data());
    }
    auto needed = TRY(needed_stages(file, target, b.global_args, options.build_contexts, options.unused_stages));
    b.target = target;

    // Each stage in order; the prefix "[2/3] " only when there are several.
    for (size_t i : needed) {
        std::string prefix = target > 0 ? "[" + std::to_string(i + 1) + "/" + std::to_string(target + 1) + "] " : "";
        b.built[i] = TRY(run_stage(b, i, prefix, i == target));
    }
    auto const& last_step = b.built.at(target);
    auto image = TRY(finalize_image(ctx, last_step, b.target_steps, b.target_base, options.output,
        [&b](std::string const& warning) { b.report(BuildEvent::Kind::Warning, warning); }));
    if (!file.stages[target].instructions.empty())
        b.report(BuildEvent::Kind::StepDone, image.id);
    for (auto const& tag : options.tags) {
        TRY(engine::tag_image(ctx, image.id, tag));
        b.report(BuildEvent::Kind::Tagged, TRY(engine::normalize_tag_name(tag)));
    }
    // A reshaped image is built on none of the steps' images: they would be left dangling.
    if (image.id != last_step.id)
        TRY(engine::remove_build_steps(ctx, last_step, b.target_base, image.id));
    if (options.export_to.kind != BuildOutput::Kind::None)
        TRY(export_rootfs(ctx, image, options.export_to, options.export_fd));
    return TRY(engine::find_image(ctx, image.id));
}

} // namespace berth::build
