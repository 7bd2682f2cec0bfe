// Layer extraction: formats, digest checks, whiteouts, links, modes and the
// confinement of hostile entries to the layer root.
#include "base/fs.h"
#include "base/sys.h"
#include "store/layer_unpack.h"
#include "store/test_tar.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <thread>

using namespace berth;
using namespace berth::store;
using namespace berth::store::test;

static std::string read_text(std::string const& path) { return fs::read_file(path).value_or(std::string("<missing>")); }

static std::string get_xattr(std::string const& path, char const* key)
{
    char buf[256];
    ssize_t n = ::lgetxattr(path.c_str(), key, buf, sizeof buf);
    return n < 0 ? std::string() : std::string(buf, static_cast<size_t>(n));
}

static std::vector<TarEntry> sample_entries()
{
    return { dir("./"), dir("./etc/"), file("./etc/hostname", "box\n"), file("./bin/tool", "#!/bin/sh\n", 0755) };
}

TEST_CASE("normalize_entry_path")
{
    using V = std::vector<std::string>;
    CHECK(normalize_entry_path("./a/b") == V { "a", "b" });
    CHECK(normalize_entry_path("/etc/passwd") == V { "etc", "passwd" });
    CHECK(normalize_entry_path("a//./b/") == V { "a", "b" });
    CHECK(normalize_entry_path("a/../b") == V { "b" });
    CHECK(normalize_entry_path("./") == V {});
    CHECK(!normalize_entry_path("../x").has_value());
    CHECK(!normalize_entry_path("a/../../x").has_value());
    CHECK(!normalize_entry_path("/..").has_value());
}

TEST_CASE("extracts plain, gzip and zstd layers and verifies the diff id")
{
    TestStore ts;
    for (auto c : { Compression::None, Compression::Gzip, Compression::Zstd }) {
        CAPTURE(static_cast<int>(c));
        auto entries = sample_entries();
        entries.push_back(file("./c" + std::to_string(static_cast<int>(c)), "distinct"));
        auto [blob, diff_id] = layer_blob(entries, c);
        auto info = add_layer(*ts.store, blob, diff_id);
        REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
        CHECK(info->diff_id == diff_id);
        CHECK(info->size == static_cast<int64_t>(make_tar(entries).size()));
        CHECK(info->blob_size == static_cast<int64_t>(blob.size()));
        CHECK(ts.store->layers().has(diff_id));
        std::string root = ts.store->layers().diff_path(diff_id);
        CHECK(read_text(root + "/etc/hostname") == "box\n");
        CHECK((sys::stat(root + "/bin/tool")->st_mode & 07777) == 0755);
        CHECK(sys::stat(root + "/etc/hostname")->st_mtime == 1700000000);
        CHECK(sys::stat(root + "/etc")->st_mtime == 1700000000); // directory times applied last
    }
    CHECK(ts.store->layers().extractions() == 3);
}

TEST_CASE("an empty expected diff id is computed, and a second blob of the same layer is reused")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob(sample_entries(), Compression::Gzip);
    auto info = add_layer(*ts.store, blob, {});
    REQUIRE(info.has_value());
    CHECK(info->diff_id == diff_id);
    auto again = add_layer(*ts.store, blob, {});
    REQUIRE(again.has_value());
    auto zstd = add_layer(*ts.store, compress(make_tar(sample_entries()), Compression::Zstd), {});
    REQUIRE(zstd.has_value());
    CHECK(zstd->diff_id == diff_id);
    CHECK(ts.store->layers().extractions() == 2); // the zstd form was extracted, then found to exist
}

TEST_CASE("a diff id mismatch fails and leaves nothing behind")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob(sample_entries());
    image::Digest wrong = image::Digest::sha256_of("something else");
    auto info = add_layer(*ts.store, blob, wrong);
    REQUIRE(!info.has_value());
    CHECK(info.error().message.find("uncompressed digest mismatch") != std::string::npos);
    CHECK(info.error().message.starts_with("layer sha256:"));
    CHECK(!ts.store->layers().has(wrong));
    CHECK(!ts.store->layers().has(diff_id));
    auto names = sys::stat(ts.data() + "/layers");
    REQUIRE(names.has_value());
    CHECK(names->st_nlink == 2); // no subdirectories: the temporary directory was removed
}

TEST_CASE("a corrupt blob is an error")
{
    TestStore ts;
    std::string blob = compress(make_tar(sample_entries()), Compression::Gzip);
    blob.resize(blob.size() / 2);
    auto info = add_layer(*ts.store, blob, {});
    CHECK(!info.has_value());
}

// Streams `blob` into extract_stream() through a socket pair (the file descriptor form).
static Result<PendingLayer> stream_layer(Store& store, std::string const& blob, image::Digest const& diff_id)
{
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    UniqueFd writer_end(pair[0]), reader_end(pair[1]);
    std::thread writer([&, fd = std::move(writer_end)]() mutable {
        size_t off = 0;
        while (off < blob.size()) {
            ssize_t n = ::send(fd.get(), blob.data() + off, std::min<size_t>(4096, blob.size() - off), MSG_NOSIGNAL);
            if (n <= 0)
                break;
            off += static_cast<size_t>(n);
        }
    });
    auto pending = store.layers().extract_stream(reader_end.get(), image::Digest::sha256_of(blob),
        "application/vnd.oci.image.layer.v1.tar+gzip", diff_id);
    reader_end.reset();
    writer.join();
    return pending;
}

TEST_CASE("extract_stream: a layer appears only when published; failures leave nothing")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob(sample_entries(), Compression::Gzip);
    auto layers_links = [&] { return sys::stat(ts.data() + "/layers")->st_nlink; };
    SUBCASE("published after the blob verified")
    {
        auto pending = stream_layer(*ts.store, blob + std::string(100, 'x'), diff_id); // trailing bytes are drained
        REQUIRE_MESSAGE(pending.has_value(), (pending ? "" : pending.error().message));
        CHECK(!ts.store->layers().has(diff_id));
        auto info = ts.store->layers().publish_pending(pending.release_value(), 1234);
        REQUIRE(info.has_value());
        CHECK(info->blob_size == 1234);
        CHECK(ts.store->layers().has(diff_id));
        CHECK(read_text(ts.store->layers().diff_path(diff_id) + "/etc/hostname") == "box\n");
        // Streaming the same layer again only drains the stream.
        auto again = stream_layer(*ts.store, blob, diff_id);
        REQUIRE(again.has_value());
        CHECK(!again->tmp.has_value());
        CHECK(ts.store->layers().extractions() == 1);
    }
    SUBCASE("dropped when the blob fails (download error): the temporary directory goes")
    {
        {
            auto pending = stream_layer(*ts.store, blob, diff_id);
            REQUIRE(pending.has_value());
        }
        CHECK(!ts.store->layers().has(diff_id));
        CHECK(layers_links() == 2);
    }
    SUBCASE("a stream cut halfway fails")
    {
        auto pending = stream_layer(*ts.store, blob.substr(0, blob.size() / 2), diff_id);
        CHECK(!pending.has_value());
        CHECK(!ts.store->layers().has(diff_id));
        CHECK(layers_links() == 2);
    }
    SUBCASE("a diff id mismatch fails")
    {
        auto pending = stream_layer(*ts.store, blob, image::Digest::sha256_of("other"));
        REQUIRE(!pending.has_value());
        CHECK(pending.error().message.find("uncompressed digest mismatch") != std::string::npos);
        CHECK(layers_links() == 2);
    }
}

TEST_CASE("extract_stream from a chunk reader: pieces of any size, errors from the reader")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob(sample_entries(), Compression::Gzip);
    size_t off = 0;
    size_t step = 1;
    bool fail_halfway = false;
    ChunkReader read = [&]() -> Result<std::string_view> {
        if (fail_halfway && off >= blob.size() / 2)
            return Error::msg("connection reset");
        size_t n = std::min(step, blob.size() - off);
        std::string_view piece(blob.data() + off, n);
        off += n;
        step = step * 3 + 1; // 1, 4, 13, 40 ... bytes
        return piece;
    };
    SUBCASE("odd piece sizes")
    {
        auto pending = ts.store->layers().extract_stream(read, image::Digest::sha256_of(blob),
            "application/vnd.oci.image.layer.v1.tar+gzip", diff_id);
        REQUIRE_MESSAGE(pending.has_value(), (pending ? "" : pending.error().message));
        CHECK(off == blob.size());
        REQUIRE(ts.store->layers().publish_pending(pending.release_value(), 1).has_value());
        CHECK(read_text(ts.store->layers().diff_path(diff_id) + "/etc/hostname") == "box\n");
    }
    SUBCASE("the reader's error is the layer's error")
    {
        fail_halfway = true;
        auto pending = ts.store->layers().extract_stream(read, image::Digest::sha256_of(blob),
            "application/vnd.oci.image.layer.v1.tar+gzip", diff_id);
        REQUIRE(!pending.has_value());
        CHECK(pending.error().message.find("connection reset") != std::string::npos);
        CHECK(!ts.store->layers().has(diff_id));
    }
}

TEST_CASE("whiteouts become overlay whiteouts and opaque directories get the xattr")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: whiteout devices and trusted.* xattrs need root");
        return;
    }
    for (bool rootless : { false, true }) {
        CAPTURE(rootless);
        TestStore ts(rootless);
        auto [blob, diff_id] = layer_blob({ dir("./"), dir("./etc/"), file("./etc/.wh.motd", ""),
            dir("./var/"), file("./var/.wh..wh..opq", ""), file("./var/new", "x") });
        auto info = add_layer(*ts.store, blob, diff_id);
        REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
        std::string root = ts.store->layers().diff_path(diff_id);
        auto st = sys::lstat(root + "/etc/motd");
        REQUIRE(st.has_value());
        CHECK(S_ISCHR(st->st_mode));
        CHECK(st->st_rdev == makedev(0, 0));
        CHECK(!lexists(root + "/etc/.wh.motd"));
        CHECK(!lexists(root + "/var/.wh..wh..opq"));
        CHECK(read_text(root + "/var/new") == "x");
        char const* key = rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
        CHECK(get_xattr(root + "/var", key) == "y");
    }
}

TEST_CASE("hard links, symlinks, setuid modes and xattrs")
{
    TestStore ts;
    auto f = file("./usr/bin/su", "su", 04755);
    f.xattrs.push_back({ "user.berth-test", "value" });
    auto [blob, diff_id] = layer_blob({ dir("./"), dir("./usr/"), dir("./usr/bin/"), f,
        hardlink_entry("./usr/bin/su2", "./usr/bin/su"), symlink_entry("./usr/bin/link", "/usr/bin/su"),
        file("./tmp/sticky/x", "", 0644), dir("./tmp/", 01777) });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string root = ts.store->layers().diff_path(diff_id);
    auto su = sys::stat(root + "/usr/bin/su");
    auto su2 = sys::stat(root + "/usr/bin/su2");
    REQUIRE((su.has_value() && su2.has_value()));
    CHECK(su->st_ino == su2->st_ino);
    CHECK((su->st_mode & 07777) == 04755);
    CHECK(sys::readlink(root + "/usr/bin/link").value_or("") == "/usr/bin/su");
    CHECK((sys::stat(root + "/tmp")->st_mode & 07777) == 01777);
    CHECK(get_xattr(root + "/usr/bin/su", "user.berth-test") == "value");
}

TEST_CASE("later entries replace earlier ones")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob({ dir("./a/"), file("./a/inner", "1"), file("./a", "now a file"),
        file("./b", "old"), dir("./b/"), file("./b/c", "new") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string root = ts.store->layers().diff_path(diff_id);
    CHECK(read_text(root + "/a") == "now a file");
    CHECK(read_text(root + "/b/c") == "new");
}

TEST_CASE("entries that climb out of the root are rejected")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob({ dir("./"), file("../escaped", "x") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE(!info.has_value());
    CHECK(info.error().message.find("entry \"../escaped\" escapes the layer root") != std::string::npos);
    CHECK(!lexists(ts.data() + "/layers/escaped"));
    CHECK(!ts.store->layers().has(diff_id));
}

TEST_CASE("absolute names are confined to the root")
{
    TestStore ts;
    std::string marker = "/tmp/berth-store-test-absolute-" + std::to_string(::getpid());
    auto [blob, diff_id] = layer_blob({ file(marker, "inside") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE(info.has_value());
    CHECK(!lexists(marker));
    CHECK(read_text(ts.store->layers().diff_path(diff_id) + marker) == "inside");
}

TEST_CASE("a file written through a symlink to /tmp stays inside the root")
{
    TestStore ts;
    std::string name = "berth-store-test-through-" + std::to_string(::getpid());
    auto [blob, diff_id] = layer_blob({ dir("./tmp/", 01777), symlink_entry("./evil", "/tmp"), file("./evil/" + name, "x"),
        symlink_entry("./rel", "../../../../../../tmp"), file("./rel/" + name + "-rel", "y") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string root = ts.store->layers().diff_path(diff_id);
    CHECK(!lexists("/tmp/" + name));
    CHECK(!lexists("/tmp/" + name + "-rel"));
    CHECK(read_text(root + "/tmp/" + name) == "x");
    CHECK(read_text(root + "/tmp/" + name + "-rel") == "y");
}

TEST_CASE("a file through a dangling symlink fails instead of escaping")
{
    TestStore ts;
    std::string target = "/tmp/berth-store-test-dangling-" + std::to_string(::getpid());
    auto [blob, diff_id] = layer_blob({ symlink_entry("./evil", target), file("./evil/x", "x") });
    auto info = add_layer(*ts.store, blob, diff_id);
    CHECK(!info.has_value());
    CHECK(!lexists(target));
}

TEST_CASE("hard links out of the root are rejected")
{
    TestStore ts;
    auto [blob, diff_id] = layer_blob({ dir("./"), hardlink_entry("./passwd", "../../etc/passwd") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE(!info.has_value());
    CHECK(info.error().message.find("entry \"./passwd\" escapes the layer root") != std::string::npos);

    // An absolute target is resolved inside the root, where /etc/passwd does not exist.
    auto [blob2, diff_id2] = layer_blob({ hardlink_entry("./passwd", "/etc/passwd") });
    auto info2 = add_layer(*ts.store, blob2, diff_id2);
    CHECK(!info2.has_value());

    // A hard link through a symlinked directory is resolved inside the root as well.
    auto [blob3, diff_id3] = layer_blob({ symlink_entry("./hostetc", "/etc"), hardlink_entry("./passwd", "hostetc/passwd") });
    auto info3 = add_layer(*ts.store, blob3, diff_id3);
    CHECK(!info3.has_value());
}

TEST_CASE("devices and FIFOs")
{
    TestStore ts;
    TarEntry null { "./dev/null", TarEntry::Type::CharDevice };
    null.mode = 0666;
    null.rdev = makedev(1, 3);
    TarEntry fifo { "./run/fifo", TarEntry::Type::Fifo };
    auto [blob, diff_id] = layer_blob({ null, fifo });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string root = ts.store->layers().diff_path(diff_id);
    auto dev = sys::lstat(root + "/dev/null");
    REQUIRE(dev.has_value());
    if (::geteuid() == 0)
        CHECK((S_ISCHR(dev->st_mode) || S_ISREG(dev->st_mode)));
    CHECK(S_ISFIFO(sys::lstat(root + "/run/fifo")->st_mode));
}

TEST_CASE("ownership from the tar is applied")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root");
        return;
    }
    TestStore ts;
    auto f = file("./home/user/file", "x", 04750);
    f.uid = 1234;
    f.gid = 2345;
    auto d = dir("./home/user/");
    d.uid = 1234;
    auto link = symlink_entry("./home/user/link", "file");
    link.uid = 1234;
    link.gid = 99;
    auto [blob, diff_id] = layer_blob({ d, f, link });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string root = ts.store->layers().diff_path(diff_id);
    auto st = sys::stat(root + "/home/user/file");
    CHECK(st->st_uid == 1234);
    CHECK(st->st_gid == 2345);
    CHECK((st->st_mode & 07777) == 04750); // chmod after chown keeps setuid
    CHECK(sys::stat(root + "/home/user")->st_uid == 1234);
    auto l = sys::lstat(root + "/home/user/link");
    CHECK(l->st_uid == 1234);
    CHECK(l->st_gid == 99);
}

TEST_CASE("an owner that is not mapped in the user namespace is a clear error")
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: needs root");
        return;
    }
    TestStore ts;
    auto f = file("./owned", "x");
    f.uid = 4321;
    auto [blob, diff_id] = layer_blob({ f });
    image::Digest digest = ts.store->blobs().put(blob).value();
    std::string blob_path = ts.store->blobs().path(digest);
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Child: a user namespace where only uid/gid 0 are mapped.
        ::close(pipe_fds[0]);
        auto say = [&](std::string const& s) { (void)::write(pipe_fds[1], s.data(), s.size()); ::_exit(0); };
        if (::unshare(CLONE_NEWUSER) < 0)
            say("skip: unshare: " + std::string(std::strerror(errno)));
        int fd = ::open("/proc/self/uid_map", O_WRONLY);
        bool ok = fd >= 0 && ::write(fd, "0 0 1", 5) == 5;
        ::close(fd);
        fd = ::open("/proc/self/setgroups", O_WRONLY);
        if (fd >= 0) { (void)::write(fd, "deny", 4); ::close(fd); }
        fd = ::open("/proc/self/gid_map", O_WRONLY);
        ok = ok && fd >= 0 && ::write(fd, "0 0 1", 5) == 5;
        ::close(fd);
        if (!ok)
            say("skip: cannot write the id maps");
        auto store = Store::open(ts.options());
        if (!store)
            say("error: " + store.error().message);
        auto info = store.value()->layers().create_from_blob(blob_path, digest, "", diff_id);
        say(info ? std::string("extracted") : "error: " + info.error().message);
    }
    ::close(pipe_fds[1]);
    std::string report = sys::read_all(pipe_fds[0]).value_or("");
    ::close(pipe_fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (report.starts_with("skip")) {
        MESSAGE(report);
        return;
    }
    CHECK(report.find("file \"./owned\" is owned by uid 4321, which is not mapped in the user namespace: "
                      "add a larger range to /etc/subuid")
        != std::string::npos);
    CHECK(report.starts_with("error: layer sha256:"));
}

TEST_CASE("two threads creating the same layer extract it once")
{
    TestStore ts;
    std::vector<TarEntry> entries = sample_entries();
    for (int i = 0; i < 200; ++i)
        entries.push_back(file("./data/f" + std::to_string(i), std::string(4096, 'a' + i % 26)));
    auto [blob, diff_id] = layer_blob(entries);
    image::Digest digest = ts.store->blobs().put(blob).value();
    std::string path = ts.store->blobs().path(digest);
    Result<LayerInfo> results[2] = { Error::msg("not run"), Error::msg("not run") };
    std::thread threads[2];
    for (int i = 0; i < 2; ++i)
        threads[i] = std::thread([&, i] { results[i] = ts.store->layers().create_from_blob(path, digest, "", diff_id); });
    for (auto& t : threads)
        t.join();
    for (auto& r : results) {
        REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message));
        CHECK(r->diff_id == diff_id);
    }
    CHECK(ts.store->layers().extractions() == 1);
}
