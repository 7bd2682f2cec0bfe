// Fuzz target: layer tars through the real extraction path
// (store/layer_unpack.h), each into a fresh directory removed afterwards.
// Besides crashes, an entry must never land outside that directory: the
// target checks that its parent holds nothing but the layer root.
#include "base/temp_dir.h"
#include "fuzz.h"
#include "store/layer_unpack.h"

#include <dirent.h>
#include <cstring>
#include <unistd.h>

using namespace berth;

namespace {

/// A private directory for this process's layer roots, created once and removed at exit
/// (the string is never destroyed, so the exit handler can still use it).
std::string const& parent_dir()
{
    static std::string const& dir = *new std::string([] {
        char const* tmp = std::getenv("TMPDIR");
        auto d = TempDir::create(tmp && *tmp ? tmp : "/tmp", "berth-fuzz-tar-");
        FUZZ_CHECK(d.has_value());
        d->keep();
        std::string path = d->path();
        std::atexit([] { ::rmdir(parent_dir().c_str()); });
        return path;
    }());
    return dir;
}

size_t entries_in(std::string const& dir)
{
    size_t n = 0;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                ++n;
        ::closedir(d);
    }
    return n;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto root = TempDir::create(parent_dir(), "root-");
    FUZZ_CHECK(root.has_value());
    bool given = false;
    store::ChunkReader read = [&]() -> Result<std::string_view> {
        if (given)
            return std::string_view();
        given = true;
        return fuzz::as_text(data, size);
    };
    (void)store::unpack_layer_stream(read, "fuzz.tar", root->path(), store::Whiteouts::Rootless);
    FUZZ_CHECK(entries_in(parent_dir()) == 1);
    return 0;
}
