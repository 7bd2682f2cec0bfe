// RUN, COPY and ADD as containers: a step's container is created from the
// stage's current image, changed (run, or files copied in) and committed.
//
// COPY goes through `cp` (engine/containers/copy.h), which never follows a
// link out of the container. What it copies is first staged in a temporary
// directory: only the context's paths the ignore file keeps, owned as --chown
// says (root otherwise, as Docker's COPY makes them), so cp can keep the
// owners as they are. The destination's missing directories are made in the
// mounted rootfs, each resolved inside it (openat2 RESOLVE_IN_ROOT).
#include "build/steps.h"

#include "build/syntax.h"
#include "base/fs.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "engine/containers/containers.h"
#include "engine/containers/copy.h"
#include "engine/containers/lifecycle.h"
#include "engine/images/commit.h"
#include "engine/images/images.h"

#include <fcntl.h>
#include <algorithm>
#include <filesystem>
#include <fnmatch.h>
#include <optional>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::build {

namespace stdfs = std::filesystem;

// ------------------------------------------------------------------ the step's container

Result<StepContainer> StepContainer::create(engine::Context& ctx, container::CreateOptions spec)
{
    spec.pull = "never";
    spec.no_healthcheck = true;
    spec.entrypoint = "";
    spec.image_volume = "ignore";  // RUN writes into VOLUME paths as into any other, and they are in the layer
    auto rec = TRY(engine::create_container(ctx, spec, {}, ctx.settings.options.storage_driver));
    return StepContainer(ctx, rec.id);
}

StepContainer::~StepContainer()
{
    if (!m_ctx)
        return;
    auto rec = engine::find_container(*m_ctx, m_id);
    if (rec)
        (void)engine::remove_container(*m_ctx, *rec, engine::RemoveOptions { .force = true, .volumes = true, .timeout = 0 });
}

Result<store::ImageRecord> commit_step(engine::Context& ctx, std::string const& container_id, image::ImageConfig const& config,
    std::string const& created_by)
{
    engine::CommitOptions options;
    options.config = config;
    options.created_by = created_by;
    return engine::commit_container(ctx, container_id, options);
}

Result<MountedContainer> mounted_container(engine::Context& ctx, std::string const& image_id)
{
    container::CreateOptions spec;
    spec.image = image_id;
    spec.command = { "/" };  // never run
    auto container = TRY(StepContainer::create(ctx, spec));
    std::string root_dir = TRY(engine::mount_container(ctx, container.id()));
    return MountedContainer { std::move(container), std::move(root_dir) };
}

// ------------------------------------------------------------------ the destination

ErrorOr make_dirs_in_root(std::string const& root_dir, std::string const& path, std::vector<std::string>* made)
{
    UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    std::string so_far;
    for (auto const& part : stdfs::path(path)) {
        std::string name = part.string();
        if (name == "/" || name.empty() || name == ".")
            continue;
        std::string parent = so_far.empty() ? "/" : so_far;
        so_far += "/" + name;
        auto fd = sys::openat2(root.get(), so_far, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd)
            continue;
        if (fd.error().code != ENOENT)
            return Error { fd.error().code, "destination \"" + so_far + "\": " + fd.error().message };
        UniqueFd at = TRY(sys::openat2(root.get(), parent, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
        if (::mkdirat(at.get(), name.c_str(), 0755) < 0 && errno != EEXIST)
            return Error::from_errno("mkdir " + so_far);
        if (made)
            made->push_back(so_far);
    }
    return {};
}

namespace {


std::string parent_of(std::string const& path)
{
    auto p = stdfs::path(path).parent_path().string();
    return p.empty() ? "/" : p;
}

/// The destination as an absolute path: a relative one is below WORKDIR.
std::string absolute_destination(std::string const& dest, image::ImageConfig const& config)
{
    if (dest.starts_with("/"))
        return dest;
    std::string base = config.working_dir.empty() ? "/" : config.working_dir;
    std::string out = fs::join(base, dest);
    if (dest.ends_with("/") && !out.ends_with("/"))
        out += "/";
    return out;
}

// ------------------------------------------------------------------ owners

/// An id of --chown: a number, or a name looked up in the image's `file` (/etc/passwd or /etc/group).
Result<uint32_t> lookup_id(std::string const& name, std::string const& root_dir, char const* file)
{
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
        return static_cast<uint32_t>(std::stoul(name));
    auto fd = sys::openat2(TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC)).get(), file, O_RDONLY | O_CLOEXEC,
        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
    std::string text;
    if (fd) {
        char buf[4096];
        for (ssize_t n; (n = ::read(fd->get(), buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<size_t>(n));
    }
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        pos = end == std::string::npos ? text.size() : end + 1;
        auto c1 = line.find(':');
        auto c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
        auto c3 = c2 == std::string::npos ? c2 : line.find(':', c2 + 1);
        if (c3 != std::string::npos && line.substr(0, c1) == name)
            return static_cast<uint32_t>(std::stoul(line.substr(c2 + 1, c3 - c2 - 1)));
    }
    return Error { ENOENT, std::string("--chown: no ") + (file[5] == 'p' ? "user" : "group") + " \"" + name + "\" in the image" };
}

/// What COPY gives the files it copies: --chown's owner (root without it), --chmod's mode.
struct Attributes {
    uid_t uid = 0;
    gid_t gid = 0;
    std::optional<mode_t> mode;
};

/// --chown=USER[:GROUP] (a user alone: its uid is the gid too, as Docker does) and --chmod=OCTAL.
Result<Attributes> parse_attributes(std::string const& spec, std::string const& chmod, std::string const& root_dir)
{
    Attributes owner;
    if (!chmod.empty()) {
        if (chmod.size() > 4 || chmod.find_first_not_of("01234567") != std::string::npos)
            return Error { EINVAL, "--chmod=" + chmod + ": an octal mode is expected (0755)" };
        owner.mode = static_cast<mode_t>(std::stoul(chmod, nullptr, 8));
    }
    if (spec.empty())
        return owner;
    auto colon = spec.find(':');
    std::string user = spec.substr(0, colon);
    std::string group = colon == std::string::npos ? user : spec.substr(colon + 1);
    owner.uid = TRY(lookup_id(user, root_dir, "/etc/passwd"));
    owner.gid = colon == std::string::npos && user.find_first_not_of("0123456789") != std::string::npos
        ? owner.uid
        : TRY(lookup_id(group, root_dir, "/etc/group"));
    return owner;
}

// ------------------------------------------------------------------ staging

/// Copies one context entry (not following links) to `to`, with `owner`'s owner and mode.
ErrorOr stage_entry(std::string const& from, std::string const& to, Attributes owner)
{
    std::error_code ec;
    auto status = stdfs::symlink_status(from, ec);
    if (ec)
        return Error { ec.value(), "stat " + from + ": " + ec.message() };
    if (stdfs::is_directory(status))
        stdfs::create_directories(to, ec);
    else if (stdfs::is_symlink(status))
        stdfs::copy_symlink(from, to, ec);
    else
        stdfs::copy_file(from, to, stdfs::copy_options::overwrite_existing, ec);
    if (ec)
        return Error { ec.value(), "copy " + from + ": " + ec.message() };
    if (::lchown(to.c_str(), owner.uid, owner.gid) < 0)
        return Error::from_errno("chown " + to);
    if (!stdfs::is_symlink(status))
        stdfs::permissions(to, owner.mode ? static_cast<stdfs::perms>(*owner.mode) : status.permissions(), ec);
    return {};
}

/// The file name ADD gives a URL's download: the last element of its path.
Result<std::string> url_file_name(std::string const& url)
{
    std::string path = url.substr(url.find("://") + 3);
    path = path.substr(0, path.find_first_of("?#"));
    auto slash = path.find('/');
    std::string name = slash == std::string::npos ? "" : stdfs::path(path.substr(slash)).filename().string();
    if (name.empty() || name == "." || name == "..")
        return Error { EINVAL, "ADD " + url + ": the URL names no file: give a destination file name" };
    return name;
}

/// The context's paths a source names: itself, or what its wildcards match.
Result<std::vector<std::string>> matching_sources(std::string const& source, std::vector<std::string> const& included)
{
    std::string pattern = clean_path(source);
    if (pattern.starts_with("/"))
        pattern = clean_path(pattern.substr(1));
    if (pattern == ".." || pattern.starts_with("../"))
        return Error { EPERM, "source \"" + source + "\" is outside the build context" };
    std::vector<std::string> out;
    bool wildcard = pattern.find_first_of("*?[") != std::string::npos;
    for (auto const& path : included)
        if (wildcard ? ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0 : path == pattern)
            out.push_back(path);
    if (pattern == ".")
        out.push_back(".");
    if (out.empty())
        return Error { ENOENT, "source \"" + source + "\": no such file or directory in the build context (or excluded by its ignore file)" };
    return out;
}

/// Stages `rel` (and, for a directory, what is kept below it) as staging/NAME.
ErrorOr stage_source(std::string const& context_dir, std::string const& rel, std::vector<std::string> const& included,
    std::string const& target, Attributes owner)
{
    TRY(stage_entry(fs::join(context_dir, rel), target, owner));
    if (!fs::is_dir(target))
        return {};
    std::string prefix = rel == "." ? "" : rel + "/";
    for (auto const& path : included)
        if (path.starts_with(prefix) && path != rel)
            TRY(stage_entry(fs::join(context_dir, path), fs::join(target, path.substr(prefix.size())), owner));
    return {};
}

/// Whether ADD extracts the context file `path`: a tar, plain or gzip,
/// bzip2, xz or zstd compressed, known by its first bytes as Docker knows it.
bool is_archive(std::string const& path)
{
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    unsigned char head[512] = {};
    ssize_t n = fd.valid() ? ::read(fd.get(), head, sizeof head) : -1;
    if (n < 6)
        return false;
    auto starts = [&](std::initializer_list<unsigned char> magic) { return std::equal(magic.begin(), magic.end(), head); };
    return starts({ 0x1f, 0x8b }) || starts({ 'B', 'Z', 'h' }) || starts({ 0xfd, '7', 'z', 'X', 'Z', 0 })
        || starts({ 0x28, 0xb5, 0x2f, 0xfd }) || (n == sizeof head && std::string_view(reinterpret_cast<char*>(head) + 257, 5) == "ustar");
}

/// ADD's archive: extracted (owners as the tar has them) into the directory `staged`.
ErrorOr stage_archive(std::string const& path, std::string const& staged)
{
    TRY(fs::mkdir_p(staged, 0755));
    UniqueFd fd = TRY(sys::open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    return engine::extract_tar_into(fd.get(), staged);
}

/// Copies the host path `staged` into the container: a directory's contents into `dest`, a file to or into it.
ErrorOr place_into(engine::Context& ctx, std::string const& container_id, std::string const& root_dir, std::string const& staged,
    bool is_dir, std::string const& dest, bool dest_is_dir)
{
    engine::CopyOptions copy_options;
    copy_options.archive = false;  // the staged owners are the ones wanted
    if (is_dir || dest_is_dir) {
        TRY(make_dirs_in_root(root_dir, dest));
        return engine::copy(ctx, is_dir ? staged + "/." : staged, container_id + ":" + dest, copy_options);
    }
    TRY(make_dirs_in_root(root_dir, parent_of(dest)));
    return engine::copy(ctx, staged, container_id + ":" + dest, copy_options);
}

/// Gives everything at and below `top` (links not followed) `owner`'s owner and --chmod mode.
ErrorOr apply_attributes(std::string const& top, Attributes const& owner)
{
    std::vector<std::string> paths { top };
    std::error_code ec;
    if (fs::is_dir(top))
        for (auto const& entry : stdfs::recursive_directory_iterator(top, ec))
            paths.push_back(entry.path().string());
    if (ec)
        return Error { ec.value(), "read " + top + ": " + ec.message() };
    for (auto const& path : paths) {
        if (::lchown(path.c_str(), owner.uid, owner.gid) < 0)
            return Error::from_errno("chown " + path);
        if (owner.mode && !stdfs::is_symlink(stdfs::symlink_status(path, ec)) && ::chmod(path.c_str(), *owner.mode) < 0)
            return Error::from_errno("chmod " + path);
    }
    return {};
}

/// COPY's heredoc `name` as the file `staged` (its variables substituted by expand()).
ErrorOr stage_heredoc(CopyArgs const& args, std::string const& name, std::string const& staged, Attributes const& owner)
{
    auto it = std::find_if(args.heredocs.begin(), args.heredocs.end(), [&](Heredoc const& h) { return h.name == name; });
    if (it == args.heredocs.end())
        return Error { EINVAL, "no here-document \"" + name + "\"" };
    TRY(fs::write_file_atomic(staged, it->content, 0644));
    return apply_attributes(staged, owner);
}

/// COPY --from: `source` of the stage's or image's filesystem, copied out of a
/// container of it (cp resolves it inside that root) to `staged`.
ErrorOr stage_from_image(engine::Context& ctx, CopyStep const& step, std::string const& source, std::string const& staged,
    Attributes const& owner)
{
    auto image = TRY(step.resolve_from(step.from));
    container::CreateOptions spec;
    spec.image = image.id;
    spec.command = { "/" };  // never run
    auto from = TRY(StepContainer::create(ctx, spec));
    engine::CopyOptions copy_options;
    copy_options.archive = false;
    TRY_CTX(engine::copy(ctx, from.id() + ":" + source, staged, copy_options), "COPY --from=" + step.from);
    return apply_attributes(staged, owner);
}

} // namespace

Result<std::optional<store::ImageRecord>> workdir_step(engine::Context& ctx, store::ImageRecord const& image,
    image::ImageConfig const& config, std::string const& created_by)
{
    auto [container, root_dir] = TRY(mounted_container(ctx, image.id));
    UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (sys::openat2(root.get(), config.working_dir, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS))
        return std::optional<store::ImageRecord> {};
    TRY(make_dirs_in_root(root_dir, config.working_dir));
    return std::optional(TRY(commit_step(ctx, container.id(), config, created_by)));
}

Result<store::ImageRecord> copy_step(engine::Context& ctx, CopyStep const& step)
{
    auto const& args = step.args;
    auto [container, root_dir] = TRY(mounted_container(ctx, step.image.id));
    std::string dest = absolute_destination(args.destination, step.config);
    bool dest_is_dir = dest.ends_with("/") || args.sources.size() > 1;

    Attributes owner = TRY(parse_attributes(args.chown, args.chmod, root_dir));
    auto staging = TRY(TempDir::create(ctx.store->layout().data_dir(), ".tmp-build-"));
    int n = 0;
    if (!step.from.empty()) {
        for (auto const& source : args.sources) {
            std::string name = stdfs::path(clean_path(source)).filename().string();
            std::string slot = fs::join(staging.path(), std::to_string(n++));
            TRY(fs::mkdir_p(slot, 0700));
            std::string staged = fs::join(slot, name.empty() ? "root" : name);
            TRY(stage_from_image(ctx, step, source, staged, owner));
            TRY(place_into(ctx, container.id(), root_dir, staged, fs::is_dir(staged), dest, dest_is_dir));
        }
        return commit_step(ctx, container.id(), step.config, step.created_by);
    }
    auto included = TRY(included_paths(step.context_dir, step.ignore));
    for (auto const& source : args.sources) {
        if (auto download = step.downloads.find(source); download != step.downloads.end()) {
            // ADD URL: the file as downloaded, named by the URL's last path element, 0600 unless --chmod.
            std::string slot = fs::join(staging.path(), std::to_string(n++));
            TRY(fs::mkdir_p(slot, 0700));
            std::string staged = fs::join(slot, TRY(url_file_name(source)));
            Attributes file_owner = owner;
            file_owner.mode = owner.mode.value_or(0600);
            TRY(stage_entry(download->second, staged, file_owner));
            TRY(place_into(ctx, container.id(), root_dir, staged, false, dest, dest_is_dir));
            continue;
        }
        if (auto heredoc = syntax::heredoc_marker(source)) {  // COPY <<EOF /file: the text is the file
            std::string slot = fs::join(staging.path(), std::to_string(n++));
            TRY(fs::mkdir_p(slot, 0700));
            std::string staged = fs::join(slot, heredoc->name);
            TRY(stage_heredoc(args, heredoc->name, staged, owner));
            TRY(place_into(ctx, container.id(), root_dir, staged, false, dest, dest_is_dir));
            continue;
        }
        auto matches = TRY(matching_sources(source, included));
        if (matches.size() > 1)
            dest_is_dir = true;
        for (auto const& rel : matches) {
            std::string slot = fs::join(staging.path(), std::to_string(n++));
            TRY(fs::mkdir_p(slot, 0700));
            std::string name = rel == "." ? "context" : stdfs::path(rel).filename().string();
            std::string staged = fs::join(slot, name);
            std::string followed = TRY(follow_source_link(step.context_dir, rel, source));
            std::string path = fs::join(step.context_dir, followed);
            if (step.extract_archives && !fs::is_dir(path) && is_archive(path)) {
                TRY(stage_archive(path, staged));
                if (!args.chown.empty() || owner.mode)  // else the archive's owners stay
                    TRY(apply_attributes(staged, owner));
            } else
                TRY(stage_source(step.context_dir, followed, included, staged, owner));
            TRY(place_into(ctx, container.id(), root_dir, staged, fs::is_dir(staged), dest, dest_is_dir));
        }
    }
    return commit_step(ctx, container.id(), step.config, step.created_by);
}

} // namespace berth::build
