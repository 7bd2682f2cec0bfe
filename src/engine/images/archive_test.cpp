// Unit tests for save/load/import/push helpers: --change parsing, manifest
// conversion, compression detection, the name a user meant, and save/load
// round trips through a throw-away store (docker-archive, oci-archive,
// oci-dir, docker-dir), including a corrupted archive that must store nothing.
#include "engine/images/interchange.h"
#include <archive.h>

#include "base/fs.h"
#include "engine/images/images.h"
#include "store/test_tar.h"

#include <cstdlib>
#include <doctest/doctest.h>

using namespace berth;
using engine::apply_change;

namespace {

image::ImageConfig changed(std::vector<std::string> const& changes)
{
    image::ImageConfig config;
    for (auto const& c : changes) {
        auto r = apply_change(config, c);
        REQUIRE_MESSAGE(r.has_value(), (c + ": " + (r.has_value() ? "" : r.error().message)));
    }
    return config;
}

bool change_fails(std::string const& change)
{
    image::ImageConfig config;
    return !apply_change(config, change).has_value();
}

image::Digest digest_of(char c) { return image::Digest::sha256_of(std::string(1, c)); }

/// A Context over a fresh store in a temporary directory.
struct TestContext {
    store::test::TestStore ts;
    engine::Context ctx;
    TestContext()
    {
        ctx.paths.data_dir = ts.data();
        ctx.paths.run_dir = ts.dir.path() + "/run";
        ctx.store = std::move(ts.store);
    }
};

std::string write_temp(std::string const& dir, std::string const& name, std::string const& data)
{
    std::string path = dir + "/" + name;
    REQUIRE(fs::write_file_atomic(path, data).has_value());
    return path;
}

std::vector<store::test::TarEntry> rootfs()
{
    using namespace store::test;
    return { dir("bin"), file("bin/hello", "#!/bin/sh\necho hi\n", 0755), dir("etc"), file("etc/motd", "welcome\n") };
}

store::ImageRecord import_tar(engine::Context& ctx, std::string const& path, std::string const& name)
{
    engine::ImportOptions options;
    options.source = path;
    options.reference = name;
    options.changes = { "CMD [\"/bin/hello\"]" };
    auto record = engine::import_image(ctx, options);
    REQUIRE_MESSAGE(record.has_value(), (record.has_value() ? "" : record.error().message));
    return *record;
}

size_t blob_count(engine::Context& ctx) { return ctx.store->blobs().list().value_or(std::vector<std::string> {}).size(); }

} // namespace

TEST_CASE("archive formats parse by Podman's names")
{
    CHECK(*engine::parse_archive_format("docker-archive") == engine::ArchiveFormat::DockerArchive);
    CHECK(*engine::parse_archive_format("oci-archive") == engine::ArchiveFormat::OciArchive);
    CHECK(*engine::parse_archive_format("oci-dir") == engine::ArchiveFormat::OciDir);
    CHECK(*engine::parse_archive_format("docker-dir") == engine::ArchiveFormat::DockerDir);
    CHECK_FALSE(engine::parse_archive_format("zip").has_value());
}

TEST_CASE("compression is recognised from magic bytes")
{
    using engine::Compression;
    CHECK(engine::detect_compression(std::string("\x1f\x8b\x08\x00", 4)) == Compression::Gzip);
    CHECK(engine::detect_compression("\x28\xb5\x2f\xfd") == Compression::Zstd);
    CHECK(engine::detect_compression("\xfd" "7zXZ\0") == Compression::Xz);
    CHECK(engine::detect_compression("BZh91AY") == Compression::Bzip2);
    CHECK(engine::detect_compression("bin/\0\0\0") == Compression::None);
    CHECK(engine::detect_compression("") == Compression::None);
    CHECK(std::string(engine::oci_layer_media_type(Compression::Gzip)) == image::media_type::oci_layer_gzip);
    CHECK(std::string(engine::oci_layer_media_type(Compression::None)) == image::media_type::oci_layer);
}

TEST_CASE("CMD and ENTRYPOINT take JSON or shell form")
{
    CHECK(changed({ "CMD [\"/bin/echo\", \"hi\"]" }).cmd == std::vector<std::string> { "/bin/echo", "hi" });
    CHECK(changed({ "CMD echo hi" }).cmd == std::vector<std::string> { "/bin/sh", "-c", "echo hi" });
    CHECK(changed({ "CMD=/bin/sh" }).cmd == std::vector<std::string> { "/bin/sh", "-c", "/bin/sh" });
    CHECK(changed({ "cmd [\"a\"]" }).cmd == std::vector<std::string> { "a" });
    CHECK(changed({ "ENTRYPOINT [\"/init\"]" }).entrypoint == std::vector<std::string> { "/init" });
    CHECK(changed({ "ENTRYPOINT [\"/init\"]", "ENTRYPOINT " }).entrypoint.empty());
}

TEST_CASE("ENV and LABEL take key=value pairs with quotes")
{
    auto c = changed({ "ENV A=1", "ENV B=\"two words\" C=3", "ENV D four five", "ENV A=replaced" });
    CHECK(c.env == std::vector<std::string> { "A=replaced", "B=two words", "C=3", "D=four five" });
    auto l = changed({ "LABEL a=b \"c d\"=e", "LABEL=x=y" });
    CHECK(l.labels == std::map<std::string, std::string> { { "a", "b" }, { "c d", "e" }, { "x", "y" } });
    CHECK(change_fails("LABEL novalue"));
    CHECK(change_fails("ENV"));
    CHECK(change_fails("ENV A=\"unterminated"));
}

TEST_CASE("EXPOSE, VOLUME, WORKDIR, USER and STOPSIGNAL")
{
    auto c = changed({ "EXPOSE 80", "EXPOSE 53/UDP 8080/tcp", "EXPOSE 80/tcp" });
    CHECK(c.exposed_ports == std::vector<std::string> { "80/tcp", "53/udp", "8080/tcp" });
    CHECK(change_fails("EXPOSE 0"));
    CHECK(change_fails("EXPOSE 70000"));
    CHECK(change_fails("EXPOSE 80/icmp"));
    CHECK(changed({ "VOLUME [\"/a\", \"/b\"]", "VOLUME /c /a" }).volumes == std::vector<std::string> { "/a", "/b", "/c" });
    CHECK(changed({ "WORKDIR /app", "WORKDIR sub" }).working_dir == "/app/sub");
    CHECK(changed({ "WORKDIR rel" }).working_dir == "/rel");
    CHECK(changed({ "USER 1000:1000" }).user == "1000:1000");
    CHECK(changed({ "STOPSIGNAL SIGINT" }).stop_signal == "SIGINT");
    CHECK(changed({ "STOPSIGNAL 9" }).stop_signal == "9");
    CHECK(change_fails("STOPSIGNAL SIGNOPE"));
    CHECK(change_fails("USER"));
    CHECK(changed({ "ONBUILD RUN true", "ONBUILD ADD . /app" }).on_build == std::vector<std::string> { "RUN true", "ADD . /app" });
    CHECK(change_fails("ONBUILD"));
    CHECK(change_fails("BOGUS x"));
    CHECK(change_fails("NOSPACEORVALUE"));
}

TEST_CASE("manifests convert between Docker schema 2 and OCI by media type only")
{
    image::Manifest docker;
    docker.media_type = image::media_type::docker_manifest;
    docker.config = { image::media_type::docker_config, digest_of('c'), 10, {}, {}, {} };
    docker.layers = { { image::media_type::docker_layer_gzip, digest_of('l'), 20, {}, {}, {} },
        { "application/vnd.docker.image.rootfs.diff.tar", digest_of('u'), 30, {}, {}, {} } };
    auto oci = engine::convert_manifest(docker, engine::ManifestFormat::Oci);
    REQUIRE(oci.has_value());
    CHECK(oci->media_type == image::media_type::oci_manifest);
    CHECK(oci->config.media_type == image::media_type::oci_config);
    CHECK(oci->config.digest == digest_of('c'));
    CHECK(oci->layers[0].media_type == image::media_type::oci_layer_gzip);
    CHECK(oci->layers[1].media_type == image::media_type::oci_layer);
    CHECK(oci->layers[1].size == 30);

    auto back = engine::convert_manifest(*oci, engine::ManifestFormat::DockerV2S2);
    REQUIRE(back.has_value());
    CHECK(image::serialize_manifest(*back) == image::serialize_manifest(docker));

    auto zstd = *oci;
    zstd.layers[0].media_type = image::media_type::oci_layer_zstd;
    zstd.annotations["x"] = "y";
    CHECK_FALSE(engine::convert_manifest(zstd, engine::ManifestFormat::DockerV2S2).has_value());
    CHECK(engine::convert_manifest(zstd, engine::ManifestFormat::AsStored)->annotations.at("x") == "y");
}

TEST_CASE("name_for_input finds the stored name the user meant")
{
    store::ImageRecord r;
    r.id = std::string(64, 'a');
    r.names = { "docker.io/library/busybox:latest", "localhost/mine:v1" };
    CHECK(engine::name_for_input(r, "busybox") == "docker.io/library/busybox:latest");
    CHECK(engine::name_for_input(r, "mine:v1") == "localhost/mine:v1");
    CHECK(engine::name_for_input(r, "localhost/mine:v1") == "localhost/mine:v1");
    CHECK_FALSE(engine::name_for_input(r, "aaaaaa").has_value());
    CHECK_FALSE(engine::name_for_input(r, "sha256:" + r.id).has_value());
    r.names.clear();
    CHECK_FALSE(engine::name_for_input(r, "busybox").has_value());
}

TEST_CASE("import stores a gzip rootfs as one layer, unchanged")
{
    TestContext t;
    auto [blob, diff_id] = store::test::layer_blob(rootfs(), store::test::Compression::Gzip);
    auto path = write_temp(t.ts.dir.path(), "rootfs.tar.gz", blob);
    auto record = import_tar(t.ctx, path, "imported:v1");
    CHECK(record.names == std::vector<std::string> { "localhost/imported:v1" });
    REQUIRE(record.layers.size() == 1);
    CHECK(record.layers[0].diff_id == diff_id);
    CHECK(record.layers[0].blob_digest == image::Digest::sha256_of(blob));
    auto config = engine::image_config(t.ctx, record);
    REQUIRE(config.has_value());
    CHECK(config->cmd == std::vector<std::string> { "/bin/hello" });
    CHECK(config->diff_ids == std::vector<image::Digest> { diff_id });
    CHECK(fs::exists(t.ctx.store->layers().diff_path(diff_id) + "/etc/motd"));
}

TEST_CASE("import of something that is not a tarball stores nothing")
{
    TestContext t;
    auto path = write_temp(t.ts.dir.path(), "junk", "this is not a tar archive at all, not even close\n");
    engine::ImportOptions options;
    options.source = path;
    CHECK_FALSE(engine::import_image(t.ctx, options).has_value());
    CHECK(blob_count(t.ctx) == 0);
    CHECK(t.ctx.store->list_images()->empty());
}

TEST_CASE("every save format loads back into another store as the same image")
{
    TestContext src;
    auto [blob, diff_id] = store::test::layer_blob(rootfs(), store::test::Compression::Gzip);
    auto record = import_tar(src.ctx, write_temp(src.ts.dir.path(), "rootfs.tgz", blob), "app:1");
    struct Case {
        engine::ArchiveFormat format;
        char const* name;
        bool named;
    };
    for (auto c : { Case { engine::ArchiveFormat::DockerArchive, "d.tar", true }, Case { engine::ArchiveFormat::OciArchive, "o.tar", true },
             Case { engine::ArchiveFormat::OciDir, "odir", true }, Case { engine::ArchiveFormat::DockerDir, "ddir", false } }) {
        CAPTURE(c.name);
        engine::SaveOptions save;
        save.format = c.format;
        save.output = src.ts.dir.path() + "/" + c.name;
        auto saved = engine::save_images(src.ctx, { "app:1" }, save);
        REQUIRE_MESSAGE(saved.has_value(), (saved.has_value() ? "" : saved.error().message));

        TestContext dst;
        engine::LoadOptions load;
        load.input = save.output;
        auto loaded = engine::load_images(dst.ctx, load);
        REQUIRE_MESSAGE(loaded.has_value(), (loaded.has_value() ? "" : loaded.error().message));
        CHECK(*loaded == std::vector<std::string> { c.named ? "localhost/app:1" : "sha256:" + record.id });
        auto got = dst.ctx.store->get_image(record.id);
        REQUIRE(got.has_value());
        REQUIRE(got->has_value());
        CHECK((*got)->layers.at(0).diff_id == diff_id);
        CHECK(fs::exists(dst.ctx.store->layers().diff_path(diff_id) + "/bin/hello"));
    }
}

TEST_CASE("a docker-archive holds the layer uncompressed under its diff ID")
{
    TestContext t;
    auto [blob, diff_id] = store::test::layer_blob(rootfs(), store::test::Compression::Gzip);
    import_tar(t.ctx, write_temp(t.ts.dir.path(), "rootfs.tgz", blob), "app:1");
    engine::SaveOptions save;
    save.output = t.ts.dir.path() + "/d.tar";
    REQUIRE(engine::save_images(t.ctx, { "app:1" }, save).has_value());
    // The layer is a plain file named <diffid>.tar.
    std::string extracted = t.ts.dir.path() + "/x";
    REQUIRE(fs::mkdir_p(extracted).has_value());
    REQUIRE(std::system(("tar -xf " + save.output + " -C " + extracted).c_str()) == 0);
    auto layer = fs::read_file(extracted + "/" + diff_id.hex() + ".tar");
    REQUIRE(layer.has_value());
    CHECK(image::Digest::sha256_of(*layer) == diff_id);
    auto manifest = fs::read_file(extracted + "/manifest.json");
    REQUIRE(manifest.has_value());
    CHECK(manifest->find("\"RepoTags\":[\"localhost/app:1\"]") != std::string::npos);
}

TEST_CASE("a corrupted archive is refused and stores nothing")
{
    TestContext src;
    auto [blob, diff_id] = store::test::layer_blob(rootfs(), store::test::Compression::Gzip);
    import_tar(src.ctx, write_temp(src.ts.dir.path(), "rootfs.tgz", blob), "app:1");
    engine::SaveOptions save;
    save.format = engine::ArchiveFormat::OciDir;
    save.output = src.ts.dir.path() + "/odir";
    REQUIRE(engine::save_images(src.ctx, { "app:1" }, save).has_value());
    // Flip one byte in the middle of the layer blob.
    std::string layer_path = save.output + "/blobs/sha256/" + image::Digest::sha256_of(blob).hex();
    auto bytes = fs::read_file(layer_path);
    REQUIRE(bytes.has_value());
    (*bytes)[bytes->size() / 2] ^= 0x55;
    REQUIRE(fs::write_file_atomic(layer_path, *bytes).has_value());

    TestContext dst;
    engine::LoadOptions load;
    load.input = save.output;
    auto loaded = engine::load_images(dst.ctx, load);
    REQUIRE_FALSE(loaded.has_value());
    CHECK(loaded.error().message.find("corrupted") != std::string::npos);
    CHECK(dst.ctx.store->list_images()->empty());
    CHECK(blob_count(dst.ctx) == 0);
}

TEST_CASE("save refuses several images in a docker-archive without multi_image, and a non-empty directory")
{
    TestContext t;
    auto [a, da] = store::test::layer_blob({ store::test::file("a", "a") }, store::test::Compression::Gzip);
    auto [b, db] = store::test::layer_blob({ store::test::file("b", "b") }, store::test::Compression::Gzip);
    import_tar(t.ctx, write_temp(t.ts.dir.path(), "a.tgz", a), "a");
    import_tar(t.ctx, write_temp(t.ts.dir.path(), "b.tgz", b), "b");
    engine::SaveOptions save;
    save.output = t.ts.dir.path() + "/ab.tar";
    CHECK_FALSE(engine::save_images(t.ctx, { "a", "b" }, save).has_value());
    CHECK_FALSE(fs::exists(save.output));
    save.multi_image = true;
    REQUIRE(engine::save_images(t.ctx, { "a", "b" }, save).has_value());
    TestContext dst;
    engine::LoadOptions load;
    load.input = save.output;
    auto loaded = engine::load_images(dst.ctx, load);
    REQUIRE(loaded.has_value());
    CHECK(*loaded == std::vector<std::string> { "localhost/a:latest", "localhost/b:latest" });

    save.format = engine::ArchiveFormat::OciDir;
    save.output = t.ts.dir.path();   // not empty
    CHECK_FALSE(engine::save_images(t.ctx, { "a" }, save).has_value());
}
