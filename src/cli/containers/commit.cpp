// berth commit / container commit: a container's changes become a new image;
// prints its full ID on stdout, with Podman's copy progress on stderr unless -q.
#include "cli/commands.h"
#include "cli/progress.h"
#include "base/fs.h"
#include "base/log.h"
#include "engine/images/commit.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct CommitArgs {
    std::string container, image;
    std::vector<std::string> changes;
    std::string message, author, format = "oci", iidfile;
    bool quiet = false, pause = false, squash = false, include_volumes = false;
};

int run_commit(CommitArgs const& a, Globals const& globals)
{
    engine::CommitOptions options;
    auto format = engine::parse_commit_format(a.format);
    if (!format)
        return report(format.error());
    options.format = *format;
    options.reference = a.image;
    options.changes = a.changes;
    options.message = a.message;
    options.author = a.author;
    options.pause = a.pause;
    options.squash = a.squash;
    options.include_volumes = a.include_volumes;
    options.warn = [](std::string const& text) { log::warn("{}", text); };
    options.observer = copy_progress(a.quiet);
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto record = engine::commit_container(*ctx, a.container, options);
    if (!record)
        return report(record.error());
    if (!a.iidfile.empty())
        if (auto r = fs::write_file_atomic(a.iidfile, record->id); !r)
            return report(r.error());
    std::printf("%s\n", record->id.c_str());
    return 0;
}

} // namespace

void setup_commit(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<CommitArgs>();
    auto* cmd = parent.add_subcommand("commit", "Create new image based on the changed container");
    cmd->add_option("container", a->container, "Container (name or ID)")->required();
    cmd->add_option("image", a->image, "Name for the new image");
    cmd->add_option("-a,--author", a->author, "Set the author for the image committed");
    cmd->add_option("-c,--change", a->changes,
           "Apply an instruction: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR")
        ->allow_extra_args(false);
    cmd->add_option("-f,--format", a->format, "Format of the image manifest and metadata: oci or docker");
    cmd->add_option("--iidfile", a->iidfile, "Write the image ID to this file");
    cmd->add_flag("--include-volumes", a->include_volumes, "Include container volumes as image volumes");
    cmd->add_option("-m,--message", a->message, "Set the commit message (docker format only)");
    cmd->add_flag("-p,--pause", a->pause, "Pause the container during the commit");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->add_flag("-s,--squash", a->squash, "Squash the image's layers and the changes into a single new layer");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_commit(*a, globals); });
}

} // namespace berth::cli
