// RUN --mount: see run_mounts.h.
#include "build/run_mounts.h"

#include "base/fs.h"
#include "base/sys.h"
#include "build/steps.h"
#include "build/syntax.h"
#include "image/digest.h"

#include <fcntl.h>
#include <cstdlib>
#include <filesystem>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::build {

namespace stdfs = std::filesystem;

namespace {

/// A mount option value with a comma or quote must be quoted for parse_mount.
std::string mount_spec(std::string const& type, std::string const& source, std::string const& target, bool read_only)
{
    auto quoted = [](std::string const& v) { return v.find_first_of(",\"") == std::string::npos ? v : "\"" + v + "\""; };
    std::string out = "type=" + type + ",source=" + quoted(source) + ",target=" + quoted(target);
    if (read_only)
        out += ",ro";
    return out;
}

std::string absolute_target(std::string const& target, std::string const& working_dir)
{
    if (target.starts_with("/"))
        return stdfs::path(target).lexically_normal().string();
    return stdfs::path(fs::join(working_dir.empty() ? "/" : working_dir, target)).lexically_normal().string();
}

/// A bind source in the context: `source` below it, never out of it (by a
/// ".." or by a link), as its real path.
Result<std::string> context_source(std::string const& context_dir, std::string const& source)
{
    std::error_code ec;
    auto root = stdfs::canonical(context_dir, ec);
    if (ec)
        return Error { ec.value(), "the build context " + context_dir + ": " + ec.message() };
    std::string relative = source.starts_with("/") ? source.substr(1) : source;
    auto path = stdfs::canonical(root / relative, ec);
    if (ec)
        return Error { ec.value(), "--mount source=" + source + ": not in the build context: " + ec.message() };
    auto rel = path.lexically_relative(root).string();
    if (rel == ".." || rel.starts_with("../"))
        return Error { EPERM, "--mount source=" + source + " leads out of the build context" };
    return path.string();
}

/// A path inside a mounted image root, resolved within it.
Result<std::string> image_source(std::string const& root_dir, std::string const& source)
{
    UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    std::string inside = source.empty() ? "/" : source;
    UniqueFd fd = TRY_CTX(sys::openat2(root.get(), inside, O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS),
        "--mount source=" + inside);
    // The resolved path, through /proc: the runtime mounts a path, not a descriptor.
    std::error_code ec;
    auto resolved = stdfs::read_symlink("/proc/self/fd/" + std::to_string(fd.get()), ec);
    if (ec)
        return Error { ec.value(), "--mount source=" + inside + ": " + ec.message() };
    return resolved.string();
}

/// The cache directory of a cache mount: build-cache/<sha256 of its id> in the store.
std::string cache_dir(engine::Context& ctx, Mount const& mount, std::string const& target)
{
    std::string id = mount.id.empty() ? target : mount.id;
    return fs::join(ctx.paths.data_dir, "build-cache/" + image::Digest::sha256_of(id).hex());
}

ErrorOr make_cache_dir(std::string const& dir, Mount const& mount)
{
    TRY(fs::mkdir_p(stdfs::path(dir).parent_path().string(), 0700));
    if (::mkdir(dir.c_str(), mount.mode.value_or(0755)) < 0) {
        if (errno == EEXIST)
            return {};
        return Error::from_errno("make the build cache " + dir);
    }
    if ((mount.uid || mount.gid) && ::chown(dir.c_str(), mount.uid.value_or(0), mount.gid.value_or(0)) < 0)
        return Error::from_errno("chown the build cache " + dir);
    if (mount.mode && ::chmod(dir.c_str(), *mount.mode) < 0)
        return Error::from_errno("chmod the build cache " + dir);
    return {};
}

/// A secret's content: its file, or its host environment variable.
Result<std::optional<std::string>> secret_content(RunMountInputs const& in, Mount const& mount)
{
    auto missing = [&]() -> Result<std::optional<std::string>> {
        if (mount.required)
            return Error { ENOENT, "secret \"" + mount.id + "\" is required: give it with `berth build --secret id=" + mount.id + ",src=PATH`" };
        return std::optional<std::string> {};
    };
    if (!in.secrets)
        return missing();
    auto it = in.secrets->find(mount.id);
    if (it == in.secrets->end())
        return missing();
    if (!it->second.env.empty()) {
        char const* value = std::getenv(it->second.env.c_str());
        if (!value)
            return Error { ENOENT, "secret \"" + mount.id + "\": the environment variable " + it->second.env + " is not set" };
        return std::optional<std::string>(value);
    }
    return std::optional<std::string>(TRY_CTX(fs::read_file(it->second.source), "secret \"" + mount.id + "\""));
}

} // namespace

Result<std::pair<std::string, BuildSecret>> parse_build_secret(std::string const& spec)
{
    std::string id, type;
    BuildSecret secret;
    std::string_view rest = spec;
    while (!rest.empty()) {
        auto comma = std::min(rest.find(','), rest.size());
        std::string_view part = rest.substr(0, comma);
        rest.remove_prefix(std::min(comma + 1, rest.size()));
        auto eq = part.find('=');
        if (eq == std::string_view::npos)
            return Error { EINVAL, "--secret " + spec + ": \"" + std::string(part) + "\" is not KEY=VALUE (id=ID,src=PATH or id=ID,env=VAR)" };
        std::string key(part.substr(0, eq)), value(part.substr(eq + 1));
        if (key == "id")
            id = value;
        else if (key == "src" || key == "source")
            secret.source = value;
        else if (key == "env")
            secret.env = value;
        else if (key == "type")
            type = value;
        else
            return Error { EINVAL, "--secret " + spec + ": unknown key \"" + key + "\" (use id=, src= or env=)" };
    }
    if (!type.empty() && type != "file" && type != "env")
        return Error { EINVAL, "--secret " + spec + ": type=" + type + ": use file or env" };
    if (type == "env" && secret.env.empty()) {
        secret.env = secret.source.empty() ? id : secret.source;
        secret.source.clear();
    }
    if (id.empty())
        id = !secret.source.empty() ? stdfs::path(secret.source).filename().string() : secret.env;
    if (id.empty())
        return Error { EINVAL, "--secret " + spec + ": give id=ID and src=PATH (or env=VAR)" };
    if (secret.source.empty() && secret.env.empty())
        secret.env = id;  // Docker: id=X alone reads the environment variable X
    return std::pair { id, secret };
}

Result<RunMounts> RunMounts::prepare(engine::Context& ctx, std::vector<Mount> const& mounts, RunMountInputs const& in,
    container::CreateOptions& spec)
{
    RunMounts out;
    for (auto const& mount : mounts) {
        std::string target = mount.target.empty() ? "" : absolute_target(mount.target, in.working_dir);
        switch (mount.type) {
        case MountType::Bind: {
            std::string source;
            std::string const* context = mount.from.empty() ? &in.context_dir : nullptr;  // else from= an image, or:
            if (in.context_dirs && !mount.from.empty())
                if (auto it = in.context_dirs->find(mount.from); it != in.context_dirs->end())
                    context = &it->second;  // a --build-context directory
            if (context) {
                source = TRY(context_source(*context, mount.source.empty() ? "." : mount.source));
            } else {
                auto image = TRY(in.resolve_from(mount.from));
                auto mounted = TRY(mounted_container(ctx, image.id));
                source = TRY(image_source(mounted.root_dir, mount.source));
                out.m_sources.push_back(std::move(mounted.container));
            }
            if (!mount.read_only) {
                // Writes go to a copy, thrown away after the step (as BuildKit does).
                auto scratch = std::make_unique<TempDir>(TRY(TempDir::create(ctx.paths.run_dir, "build-bind-")));
                std::string copy = fs::join(scratch->path(), "copy");
                std::error_code ec;
                stdfs::copy(source, copy, stdfs::copy_options::recursive | stdfs::copy_options::copy_symlinks, ec);
                if (ec)
                    return Error { ec.value(), "--mount " + mount.str() + ": copy " + source + ": " + ec.message() };
                source = copy;
                out.m_scratch.push_back(std::move(scratch));
            }
            spec.mounts.push_back(mount_spec("bind", source, target, mount.read_only));
            out.m_targets.push_back({ target, !stdfs::is_directory(source) });
            break;
        }
        case MountType::Cache: {
            if (!mount.from.empty())
                return Error { ENOTSUP, "--mount " + mount.str() + ": a cache mount with from= is not supported: drop from=" };
            std::string dir = cache_dir(ctx, mount, target);
            TRY(make_cache_dir(dir, mount));
            if (mount.sharing == CacheSharing::Locked) {
                out.m_locks.push_back(TRY(FileLock::acquire(dir + ".lock")));
            } else if (mount.sharing == CacheSharing::Private) {
                auto lock = FileLock::try_acquire(dir + ".lock");
                if (lock) {
                    out.m_locks.push_back(std::move(*lock));
                } else {
                    auto scratch = std::make_unique<TempDir>(TRY(TempDir::create(ctx.paths.data_dir, "build-cache-private-")));
                    dir = scratch->path();
                    out.m_scratch.push_back(std::move(scratch));
                }
            }
            spec.mounts.push_back(mount_spec("bind", dir, target, mount.read_only));
            out.m_targets.push_back({ target, false });
            break;
        }
        case MountType::Tmpfs:
            spec.tmpfs.push_back(target + (mount.size ? ":size=" + std::to_string(*mount.size) : ""));
            out.m_targets.push_back({ target, false });
            break;
        case MountType::Secret: {
            auto content = TRY(secret_content(in, mount));
            if (!content)
                break;
            if (!mount.env.empty())
                spec.env.push_back(mount.env + "=" + *content);
            if (target.empty())
                break;
            auto scratch = std::make_unique<TempDir>(TRY(TempDir::create(ctx.paths.run_dir, "build-secret-")));
            std::string file = fs::join(scratch->path(), "secret");
            TRY(fs::write_file_atomic(file, *content));
            if (::chmod(file.c_str(), mount.mode.value_or(0400)) < 0)
                return Error::from_errno("chmod the secret " + mount.id);
            if ((mount.uid || mount.gid) && ::chown(file.c_str(), mount.uid.value_or(0), mount.gid.value_or(0)) < 0)
                return Error::from_errno("chown the secret " + mount.id);
            spec.mounts.push_back(mount_spec("bind", file, target, true));
            out.m_targets.push_back({ target, true });
            out.m_scratch.push_back(std::move(scratch));
            break;
        }
        case MountType::Ssh:
            return Error { ENOTSUP, "--mount type=ssh is not supported: berth has no SSH agent forwarding for builds" };
        }
    }
    return out;
}

ErrorOr RunMounts::make_mountpoints(std::string const& root_dir)
{
    for (auto const& t : m_targets) {
        std::string dir = t.is_file ? stdfs::path(t.path).parent_path().string() : t.path;
        TRY_CTX(make_dirs_in_root(root_dir, dir, &m_made), "make the mountpoint " + t.path);
        if (!t.is_file)
            continue;
        UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
        UniqueFd parent = TRY(sys::openat2(root.get(), dir, O_PATH | O_DIRECTORY | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
        std::string name = stdfs::path(t.path).filename().string();
        int fd = ::openat(parent.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0) {
            ::close(fd);
            m_made.push_back(t.path);
        } else if (errno != EEXIST) {
            return Error::from_errno("make the mountpoint " + t.path);
        }
    }
    return {};
}

ErrorOr RunMounts::remove_mountpoints(std::string const& root_dir)
{
    UniqueFd root = TRY(sys::open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    for (auto it = m_made.rbegin(); it != m_made.rend(); ++it) {
        std::string parent_path = stdfs::path(*it).parent_path().string();
        auto parent = sys::openat2(root.get(), parent_path.empty() ? "/" : parent_path, O_PATH | O_DIRECTORY | O_CLOEXEC,
            RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (!parent)
            continue;  // the step removed it
        std::string name = stdfs::path(*it).filename().string();
        struct stat st {};
        if (::fstatat(parent->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        // What the step put there stays; an empty mountpoint goes.
        if (S_ISDIR(st.st_mode))
            (void)::unlinkat(parent->get(), name.c_str(), AT_REMOVEDIR);
        else if (S_ISREG(st.st_mode) && st.st_size == 0)
            (void)::unlinkat(parent->get(), name.c_str(), 0);
    }
    m_made.clear();
    return {};
}

Result<std::string> mounts_key(std::vector<Mount> const& mounts,
    std::function<Result<std::string>(Mount const& bind)> const& content_digest)
{
    std::string out;
    for (auto const& mount : mounts) {
        out += " --mount=" + mount.str();
        if (mount.type != MountType::Bind)
            continue;
        if (auto digest = TRY(content_digest(mount)); !digest.empty())
            out += " (content " + digest + ")";
    }
    return out;
}

} // namespace berth::build
