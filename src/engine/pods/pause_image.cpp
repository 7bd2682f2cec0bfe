// The infra image: localhost/berth-pause:VERSION, whose one file is the
// static berth-init, run as `berth-init -P`. It is made here from the binary
// beside berth (a one-entry tar, imported as `berth import` would) the first
// time a pod needs it, so pods never pull anything. Two first creates at once
// both import it: the layer is the same, and the tag ends on either.
#include "engine/pods/pods.h"

#include "archive/streams.h"
#include "base/fs.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "berth_config.h"
#include "engine/images/images.h"
#include "engine/images/interchange.h"

#include <fcntl.h>

namespace berth::engine {

namespace {

constexpr char const* pause_reference = "localhost/berth-pause:" BERTH_VERSION;
constexpr char const* pause_file = "berth-init";

/// Writes a tar holding `content` as /berth-init (mode 0755, root-owned) to `path`.
ErrorOr write_pause_tar(std::string const& path, std::string const& content)
{
    auto fd = TRY(sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    auto tar = TRY_CTX(archive::TarWriter::to_fd(fd.get()), "write " + path);
    TRY_CTX(tar.file(pause_file, 0755, content), "write " + path);
    TRY_CTX(tar.finish(), "write " + path);
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
