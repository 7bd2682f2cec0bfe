// The infra image: localhost/berth-pause:VERSION, whose one file is the
// static berth-init, run as `berth-init -P`. It is made here from the binary
// beside berth (a one-entry tar, imported as `berth import` would) the first
// time a pod needs it, so pods never pull anything. Two first creates at once
// both import it: the layer is the same, and the tag ends on either.
#include "engine/pods/pods.h"

#include "base/fs.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "berth_config.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"
#include "store/archive_handle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>

namespace berth::engine {

namespace {

constexpr char const* pause_reference = "localhost/berth-pause:" BERTH_VERSION;
constexpr char const* pause_file = "berth-init";

/// Writes a tar holding `content` as /berth-init (mode 0755, root-owned) to `path`.
ErrorOr write_pause_tar(std::string const& path, std::string const& content)
{
    auto fd = TRY(sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    auto ar = store::new_archive_writer();
    archive_write_set_format_pax_restricted(ar.get());
    if (archive_write_open_fd(ar.get(), fd.get()) != ARCHIVE_OK)
        return store::archive_error(ar.get(), "write " + path);
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, pause_file);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0755);
    archive_entry_set_size(e, static_cast<la_int64_t>(content.size()));
    archive_entry_set_mtime(e, 0, 0);
    int rc = archive_write_header(ar.get(), e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK)
        return store::archive_error(ar.get(), "write " + path);
    if (archive_write_data(ar.get(), content.data(), content.size()) != static_cast<la_ssize_t>(content.size()))
        return store::archive_error(ar.get(), "write " + path);
    if (archive_write_close(ar.get()) != ARCHIVE_OK)
        return store::archive_error(ar.get(), "finish " + path);
    return {};
}

} // namespace

Result<std::string> ensure_pause_image(Context& ctx)
{
    if (TRY(image_exists(ctx, pause_reference)))
        return std::string(pause_reference);
    std::string what = std::string("build the infra image ") + pause_reference;
    auto binary = TRY_CTX(sys::helper_path(pause_file), what);
    auto content = TRY_CTX(fs::read_file(binary), what);
    TRY(fs::mkdir_p(ctx.paths.layout().run_dir(), 0700));
    auto dir = TRY_CTX(TempDir::create(ctx.paths.layout().run_dir(), "pause-image-"), what);
    std::string tar = fs::join(dir.path(), "pause.tar");
    TRY_CTX(write_pause_tar(tar, content), what);
    ImportOptions options;
    options.source = tar;
    options.reference = pause_reference;
    options.changes = { std::string("ENTRYPOINT [\"/") + pause_file + "\", \"-P\"]" };
    options.message = "berth's pod infra image";
    TRY_CTX(import_image(ctx, options), what);
    return std::string(pause_reference);
}

} // namespace berth::engine
