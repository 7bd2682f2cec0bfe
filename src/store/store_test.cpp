// Store: image records (tag moving, lookups, listing), delete + gc, repair of
// a store left behind by killed processes, and many processes writing at once.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "base/fs.h"
#include "base/sys.h"
#include "store/test_tar.h"

#include <doctest/doctest.h>
#include <algorithm>
#include <chrono>
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>

using namespace berth;
using namespace berth::store;
using namespace berth::store::test;

// An image with one fresh layer whose content is derived from `seed`.
static ImageRecord make_image(Store& store, std::string const& seed, std::vector<std::string> names = {})
{
    auto [blob, diff_id] = layer_blob({ file("./seed", seed) });
    auto layer = add_layer(store, blob, diff_id);
    REQUIRE_MESSAGE(layer.has_value(), (layer ? "" : layer.error().message));
    std::string config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":\"" + seed + "\"}";
    auto config_digest = store.blobs().put(config).release_value();
    auto manifest_digest = store.blobs().put("{\"manifest\":\"" + seed + "\"}").release_value();
    ImageRecord r;
    r.id = config_digest.hex();
    r.config_digest = config_digest;
    r.manifest_digest = manifest_digest;
    r.manifest_media_type = "application/vnd.oci.image.manifest.v1+json";
    r.names = std::move(names);
    r.layers = { *layer };
    r.created = 1700000000;
    r.architecture = "amd64";
    r.os = "linux";
    return r;
}

TEST_CASE("put_image stores a record that reads back the same")
{
    TestStore ts;
    ImageRecord r = make_image(*ts.store, "a", { "docker.io/library/alpine:latest" });
    r.digests = { "docker.io/library/alpine@" + r.manifest_digest.str() };
    REQUIRE(ts.store->put_image(r).has_value());
    auto got = ts.store->get_image(r.id).release_value();
    REQUIRE(got.has_value());
    CHECK(got->config_digest == r.config_digest);
    CHECK(got->manifest_digest == r.manifest_digest);
    CHECK(got->manifest_media_type == r.manifest_media_type);
    CHECK(got->names == r.names);
    CHECK(got->digests == r.digests);
    REQUIRE(got->layers.size() == 1);
    CHECK(got->layers[0].diff_id == r.layers[0].diff_id);
    CHECK(got->layers[0].blob_digest == r.layers[0].blob_digest);
    CHECK(got->size == r.layers[0].size);
    CHECK(got->added > 0);
    CHECK(got->architecture == "amd64");
    CHECK(ts.store->get_image("sha256:" + r.id).release_value().has_value());
    CHECK(ts.store->find_image_by_name("docker.io/library/alpine:latest").release_value()->id == r.id);
    CHECK(ts.store->find_image_by_name(r.digests[0]).release_value()->id == r.id);
    CHECK(!ts.store->find_image_by_name("docker.io/library/alpine:other").release_value().has_value());
    CHECK(ts.store->find_images_by_id_prefix(r.id.substr(0, 6)).release_value().size() == 1);
    CHECK(ts.store->find_images_by_id_prefix("sha256:" + r.id.substr(0, 6)).release_value().size() == 1);
    CHECK(ts.store->find_images_by_id_prefix("XYZ").release_value().empty());
}

TEST_CASE("put_image refuses layers that are not in the store")
{
    TestStore ts;
    ImageRecord r = make_image(*ts.store, "a");
    r.layers[0].diff_id = image::Digest::sha256_of("not a layer");
    auto put = ts.store->put_image(r);
    REQUIRE(!put.has_value());
    CHECK(put.error().message.find("is not in the store") != std::string::npos);
    CHECK(!ts.store->get_image(r.id).release_value().has_value());
}

TEST_CASE("names move between images")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a", { "x/app:latest", "x/app:1" });
    ImageRecord b = make_image(*ts.store, "b", { "x/app:latest" });
    REQUIRE(ts.store->put_image(a).has_value());
    REQUIRE(ts.store->put_image(b).has_value());
    CHECK(ts.store->get_image(a.id).release_value()->names == std::vector<std::string> { "x/app:1" });
    CHECK(ts.store->get_image(b.id).release_value()->names == std::vector<std::string> { "x/app:latest" });

    REQUIRE(ts.store->add_name(a.id, "x/app:latest").has_value());
    CHECK(ts.store->get_image(a.id).release_value()->names == std::vector<std::string> { "x/app:1", "x/app:latest" });
    CHECK(ts.store->get_image(b.id).release_value()->names.empty());

    // Putting an image again keeps its names and its added time.
    auto before = ts.store->get_image(a.id).release_value();
    ImageRecord again = a;
    again.names = { "x/app:2" };
    REQUIRE(ts.store->put_image(again).has_value());
    auto after = ts.store->get_image(a.id).release_value();
    CHECK(after->names == std::vector<std::string> { "x/app:1", "x/app:latest", "x/app:2" });
    CHECK(after->added == before->added);

    REQUIRE(ts.store->remove_name(a.id, "x/app:1").has_value());
    auto missing = ts.store->remove_name(a.id, "x/app:1");
    REQUIRE(!missing.has_value());
    CHECK(missing.error().code == ENOENT);
    CHECK(ts.store->add_name(std::string(64, 'f'), "x/app:3").error().code == ENOENT);
}

TEST_CASE("delete_image and gc remove what only that image used")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a", { "x/a:latest" });
    ImageRecord b = make_image(*ts.store, "b", { "x/b:latest" });
    b.layers.push_back(a.layers[0]); // b shares a's layer
    REQUIRE(ts.store->put_image(a).has_value());
    REQUIRE(ts.store->put_image(b).has_value());
    auto& layers = ts.store->layers();
    auto& blobs = ts.store->blobs();

    REQUIRE(ts.store->delete_image(a.id).has_value());
    CHECK(!ts.store->get_image(a.id).release_value().has_value());
    CHECK(!ts.store->find_image_by_name("x/a:latest").release_value().has_value());
    CHECK(layers.has(a.layers[0].diff_id)); // still used by b
    CHECK(!blobs.has(a.config_digest));
    CHECK(!blobs.has(a.manifest_digest));
    CHECK(blobs.has(a.layers[0].blob_digest));

    REQUIRE(ts.store->delete_image(b.id).has_value());
    CHECK(!layers.has(a.layers[0].diff_id));
    CHECK(!layers.has(b.layers[0].diff_id));
    CHECK(!fs::exists(layers.layer_path(a.layers[0].diff_id)));
    CHECK(!blobs.has(b.layers[0].blob_digest));
    CHECK(blobs.list().release_value().empty());
    CHECK(ts.store->delete_image(b.id).error().code == ENOENT);
}

TEST_CASE("gc leaves content alone while new content is protected or a layer is locked")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a");
    {
        auto guard = ts.store->protect_new_content().release_value();
        REQUIRE(ts.store->gc().has_value());
        CHECK(ts.store->layers().has(a.layers[0].diff_id));
        CHECK(ts.store->blobs().has(a.config_digest));
    }
    {
        auto held = ts.store->layers().lock(a.layers[0].diff_id.hex()).release_value();
        REQUIRE(ts.store->gc().has_value());
        CHECK(ts.store->layers().has(a.layers[0].diff_id));
        CHECK(!ts.store->blobs().has(a.config_digest));
    }
    REQUIRE(ts.store->gc().has_value());
    CHECK(!ts.store->layers().has(a.layers[0].diff_id));
}

TEST_CASE("repair removes what killed processes left behind")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a", { "x/a:latest" });
    ImageRecord b = make_image(*ts.store, "b", { "x/b:latest" });
    REQUIRE(ts.store->put_image(a).has_value());
    REQUIRE(ts.store->put_image(b).has_value());
    std::string layers_dir = ts.data() + "/layers";
    std::string hex = std::string(64, 'c');
    // An interrupted extraction, an interrupted removal, a half blob, an unrecorded layer.
    REQUIRE(fs::mkdir_p(layers_dir + "/.tmp-" + hex + "-abc123/diff/usr").has_value());
    REQUIRE(fs::mkdir_p(layers_dir + "/.tmp-" + std::string(64, 'd') + "-del-1-0/diff").has_value());
    REQUIRE(fs::write_file_atomic(ts.data() + "/blobs/sha256/.tmp-XYZ", "half").has_value());
    REQUIRE(fs::mkdir_p(layers_dir + "/" + std::string(64, 'e') + "/diff").has_value());
    // An extraction still running in another process: its lock is held.
    std::string live = layers_dir + "/.tmp-" + std::string(64, 'f') + "-live01";
    REQUIRE(fs::mkdir_p(live).has_value());
    auto held = ts.store->layers().lock(std::string(64, 'f')).release_value();
    // A layer whose directory vanished: image b must go with it.
    REQUIRE(fs::remove_tree(ts.store->layers().layer_path(b.layers[0].diff_id)).has_value());
    // A whole blob of an image never recorded (a pull or commit killed before put_image).
    auto orphan = ts.store->blobs().put("{\"orphan\": true}").release_value();

    ts.store.reset();
    // The marker of a writer that was killed (its lock is free) makes open() repair.
    REQUIRE(fs::write_file_atomic(ts.data() + "/writers/1-killed", "").has_value());
    auto reopened = Store::open(ts.options());
    REQUIRE_MESSAGE(reopened.has_value(), (reopened ? "" : reopened.error().message));
    auto& store = *reopened.value();
    CHECK(!fs::exists(ts.data() + "/writers/1-killed"));
    CHECK(!fs::exists(layers_dir + "/.tmp-" + hex + "-abc123"));
    CHECK(!fs::exists(layers_dir + "/.tmp-" + std::string(64, 'd') + "-del-1-0"));
    CHECK(!fs::exists(ts.data() + "/blobs/sha256/.tmp-XYZ"));
    CHECK(!fs::exists(layers_dir + "/" + std::string(64, 'e')));
    CHECK(fs::exists(live));
    CHECK(store.get_image(a.id).release_value().has_value());
    CHECK(!store.get_image(b.id).release_value().has_value());
    CHECK(!store.find_image_by_name("x/b:latest").release_value().has_value());
    CHECK(store.layers().has(a.layers[0].diff_id));
    CHECK(!store.layers().get(b.layers[0].diff_id).release_value().has_value());
    CHECK(!store.blobs().has(orphan));
    CHECK(store.blobs().has(a.config_digest));
}

static bool has_problem(std::vector<Problem> const& problems, std::string const& what, bool repaired)
{
    return std::any_of(problems.begin(), problems.end(),
        [&](Problem const& p) { return p.what.starts_with(what) && p.repaired == repaired; });
}

TEST_CASE("check reports what repair would remove, and removes it only when asked")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a", { "x/a:latest" });
    ImageRecord b = make_image(*ts.store, "b", { "x/b:latest" });
    ImageRecord c = make_image(*ts.store, "c", { "x/c:latest" });
    for (auto const* r : { &a, &b, &c })
        REQUIRE(ts.store->put_image(*r).has_value());
    std::string layers_dir = ts.data() + "/layers";
    std::string run_locks = ts.dir.path() + "/run/locks";
    REQUIRE(fs::write_file_atomic(ts.data() + "/blobs/sha256/.tmp-XYZ", "half").has_value());
    REQUIRE(fs::write_file_atomic(run_locks + "/layer-" + std::string(64, 'a') + ".lock", "").has_value());
    REQUIRE(fs::remove_tree(ts.store->layers().diff_path(b.layers[0].diff_id)).has_value()); // incomplete
    REQUIRE(::unlink(ts.store->blobs().path(c.config_digest).c_str()) == 0);                  // config gone

    auto report = ts.store->check({}).release_value();
    CHECK(has_problem(report, "half-written blob .tmp-XYZ", false));
    CHECK(has_problem(report, "stale lock file layer-" + std::string(64, 'a'), false));
    CHECK(has_problem(report, "damaged image " + b.id.substr(0, 12), false));
    CHECK(has_problem(report, "damaged image " + c.id.substr(0, 12), false));
    CHECK(has_problem(report, "damaged layer " + b.layers[0].diff_id.str(), false));
    CHECK_FALSE(has_problem(report, "damaged image " + a.id.substr(0, 12), false));
    CHECK(report.size() == 5);
    CHECK(fs::exists(ts.data() + "/blobs/sha256/.tmp-XYZ"));
    CHECK(ts.store->get_image(b.id).release_value().has_value());

    // Image c is kept (a container uses it), b goes with its layer.
    CheckOptions repair;
    repair.repair = true;
    repair.keep_images = { c.id };
    auto repaired = ts.store->check(repair).release_value();
    CHECK(has_problem(repaired, "half-written blob .tmp-XYZ", true));
    CHECK(has_problem(repaired, "damaged image " + b.id.substr(0, 12), true));
    CHECK(has_problem(repaired, "damaged image " + c.id.substr(0, 12), false));
    CHECK(has_problem(repaired, "damaged layer " + b.layers[0].diff_id.str(), true));
    CHECK(has_problem(repaired, "unreferenced blob " + b.config_digest.str(), true));
    CHECK(!fs::exists(ts.data() + "/blobs/sha256/.tmp-XYZ"));
    CHECK(!fs::exists(run_locks + "/layer-" + std::string(64, 'a') + ".lock"));
    CHECK(!fs::exists(ts.store->layers().layer_path(b.layers[0].diff_id)));
    CHECK(!ts.store->get_image(b.id).release_value().has_value());
    CHECK(ts.store->get_image(c.id).release_value().has_value());

    // What remains is the kept image only.
    auto again = ts.store->check({}).release_value();
    REQUIRE(again.size() == 1);
    CHECK(again[0].what == "damaged image " + c.id.substr(0, 12));
}

TEST_CASE("a removed layer takes its lock file with it")
{
    TestStore ts;
    ImageRecord a = make_image(*ts.store, "a");
    std::string lock = ts.dir.path() + "/run/locks/layer-" + a.layers[0].diff_id.hex() + ".lock";
    CHECK(fs::exists(lock));
    REQUIRE(ts.store->gc().has_value());
    CHECK(!ts.store->layers().has(a.layers[0].diff_id));
    CHECK(!fs::exists(lock));
}

TEST_CASE("open repairs only when a writer died")
{
    TestStore ts;
    std::string leftover = ts.data() + "/blobs/sha256/.tmp-clean";
    REQUIRE(fs::write_file_atomic(leftover, "x").has_value());
    // A clean store (no writer marker): open() does not look at the blobs.
    ts.store.reset();
    REQUIRE(Store::open(ts.options()).has_value());
    CHECK(fs::exists(leftover));
    // A writer killed in the middle of a blob: its marker and temporary file stay behind.
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        auto store = Store::open(ts.options());
        if (!store)
            ::_exit(1);
        auto writer = store.value()->blobs().begin_write();
        if (!writer || !writer->write("half").has_value())
            ::_exit(1);
        ::_exit(0); // no destructors: as if killed
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    REQUIRE(fs::list_dir(ts.data() + "/writers")->size() == 1);
    // A live writer's marker is left alone.
    auto live = Store::open(ts.options()).release_value();
    REQUIRE(live->blobs().put("live").has_value());
    auto reopened = Store::open(ts.options());
    REQUIRE(reopened.has_value());
    CHECK(!fs::exists(leftover));
    CHECK(fs::list_dir(ts.data() + "/blobs/sha256")->size() == 1); // the blob "live", no temporary files
    CHECK(fs::list_dir(ts.data() + "/writers")->size() == 1);      // the live writer's marker
    live.reset();
    CHECK(fs::list_dir(ts.data() + "/writers")->empty());         // removed on a clean close
}

TEST_CASE("list_images with 100 images")
{
    TestStore ts;
    ImageRecord base = make_image(*ts.store, "shared");
    for (int i = 0; i < 100; ++i) {
        ImageRecord r = base;
        r.id = image::Digest::sha256_of("image " + std::to_string(i)).hex();
        r.config_digest = {};
        r.names = { "x/img" + std::to_string(i) + ":latest", "x/img" + std::to_string(i) + ":v1" };
        r.added = 1000 + i;
        REQUIRE(ts.store->put_image(r).has_value());
    }
    auto start = std::chrono::steady_clock::now();
    auto images = ts.store->list_images().release_value();
    auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    MESSAGE("list_images of 100 images took " << elapsed.count() << " us"); // informational, no assertion
    REQUIRE(images.size() == 100);
    CHECK(images.front().names == std::vector<std::string> { "x/img99:latest", "x/img99:v1" }); // newest first
    CHECK(images.back().added == 1000);
    for (auto const& img : images) {
        CHECK(img.names.size() == 2);
        CHECK(img.layers.size() == 1);
    }
}

TEST_CASE("many processes writing at once lose nothing")
{
    TestStore ts;
    ImageRecord base = make_image(*ts.store, "shared");
    auto options = ts.options();
    ts.store.reset();
    constexpr int processes = 8, per_process = 10;
    std::vector<pid_t> pids;
    for (int p = 0; p < processes; ++p) {
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            auto store = Store::open(options);
            if (!store)
                ::_exit(2);
            for (int i = 0; i < per_process; ++i) {
                ImageRecord r = base;
                r.id = image::Digest::sha256_of(std::to_string(p) + "/" + std::to_string(i)).hex();
                r.config_digest = {};
                r.names = { "x/p" + std::to_string(p) + ":" + std::to_string(i), "x/contended:latest" };
                if (!store.value()->put_image(r))
                    ::_exit(3);
            }
            ::_exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    auto store = Store::open(options).release_value();
    auto images = store->list_images().release_value();
    CHECK(images.size() == processes * per_process);
    int holders = 0;
    for (auto const& img : images)
        holders += std::count(img.names.begin(), img.names.end(), "x/contended:latest");
    CHECK(holders == 1);
}

static int count_entries(std::string const& dir, std::string_view prefix)
{
    int n = 0;
    DIR* d = ::opendir(dir.c_str());
    while (struct dirent* e = d ? ::readdir(d) : nullptr) {
        std::string_view name = e->d_name;
        n += name != "." && name != ".." && name.starts_with(prefix);
    }
    if (d)
        ::closedir(d);
    return n;
}

TEST_CASE("kill -9 during extraction leaves a store that opens consistent")
{
    TestStore ts;
    std::vector<TarEntry> entries;
    for (int i = 0; i < 1500; ++i)
        entries.push_back(file("./d" + std::to_string(i % 10) + "/f" + std::to_string(i), std::string(2048, 'x')));
    auto [blob, diff_id] = layer_blob(entries);
    image::Digest digest = ts.store->blobs().put(blob).release_value();
    std::string blob_path = ts.store->blobs().path(digest);
    auto options = ts.options();
    // As a pull does, the blob's writer keeps gc (which repair runs) off it until an image uses it.
    auto protect = ts.store->protect_new_content().release_value();
    ts.store.reset();
    std::string layers_dir = ts.data() + "/layers";

    for (int delay_ms : { 0, 3, 10, 30, 80, 200 }) {
        CAPTURE(delay_ms);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            auto store = Store::open(options);
            if (store)
                (void)store.value()->layers().create_from_blob(blob_path, digest, "", diff_id);
            ::_exit(0);
        }
        ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);

        auto store = Store::open(options);
        REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().message));
        CHECK(count_entries(layers_dir, ".tmp-") == 0);
        auto& layers = store.value()->layers();
        if (layers.has(diff_id)) {
            // Complete: every file is there.
            CHECK(fs::read_file(layers.diff_path(diff_id) + "/d9/f1499").value_or("") == std::string(2048, 'x'));
            REQUIRE(layers.remove_if_unused(diff_id).value_or(false)); // for the next round
        } else {
            CHECK(count_entries(layers_dir, "") == 0);
        }
        CHECK(!layers.has(diff_id));
    }
    auto store = Store::open(options).release_value();
    auto info = store->layers().create_from_blob(blob_path, digest, "", diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
}
