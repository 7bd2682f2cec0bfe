// Blob store: verification on commit and read, temporary files, repair.
#include "base/fs.h"
#include "base/sys.h"
#include "store/test_tar.h"

#include <doctest/doctest.h>
#include <dirent.h>

using namespace berth;
using namespace berth::store;
using namespace berth::store::test;

static int count_temp_files(std::string const& dir)
{
    int n = 0;
    DIR* d = ::opendir(dir.c_str());
    while (struct dirent* e = d ? ::readdir(d) : nullptr)
        n += std::string_view(e->d_name).starts_with(".tmp-");
    if (d)
        ::closedir(d);
    return n;
}

TEST_CASE("put, has, read and remove")
{
    TestStore ts;
    auto& blobs = ts.store->blobs();
    auto digest = blobs.put("{\"hello\":1}");
    REQUIRE(digest.has_value());
    CHECK(*digest == image::Digest::sha256_of("{\"hello\":1}"));
    CHECK(blobs.has(*digest));
    CHECK(blobs.path(*digest) == ts.data() + "/blobs/sha256/" + digest->hex());
    CHECK(blobs.read(*digest).value_or("") == "{\"hello\":1}");
    CHECK(blobs.put("{\"hello\":1}").has_value()); // idempotent
    CHECK(blobs.remove(*digest).has_value());
    CHECK(!blobs.has(*digest));
    CHECK(!blobs.read(*digest).has_value());
    CHECK(blobs.remove(*digest).has_value()); // missing is fine
}

TEST_CASE("streaming write commits only matching content")
{
    TestStore ts;
    auto& blobs = ts.store->blobs();
    std::string dir = ts.data() + "/blobs/sha256";
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("abc").has_value());
        CHECK(writer.write("def").has_value());
        CHECK(count_temp_files(dir) == 1);
        auto path = writer.commit(image::Digest::sha256_of("abcdef"), 6);
        REQUIRE(path.has_value());
        CHECK(fs::read_file(*path).value_or("") == "abcdef");
    }
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("tampered").has_value());
        image::Digest expected = image::Digest::sha256_of("original");
        auto path = writer.commit(expected);
        REQUIRE(!path.has_value());
        CHECK(path.error().message == "digest mismatch for " + expected.str() + ": got "
                + image::Digest::sha256_of("tampered").str());
        CHECK(!blobs.has(expected));
        CHECK(count_temp_files(dir) == 0);
    }
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("abc").has_value());
        CHECK(!writer.commit(image::Digest::sha256_of("abc"), 4).has_value()); // size mismatch
    }
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("abandoned").has_value());
    } // destructor removes the temporary file
    CHECK(count_temp_files(dir) == 0);
}

TEST_CASE("seal verifies and keeps the temporary name until commit")
{
    TestStore ts;
    auto& blobs = ts.store->blobs();
    std::string dir = ts.data() + "/blobs/sha256";
    image::Digest digest = image::Digest::sha256_of("abcdef");
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("abcdef").has_value());
        REQUIRE(writer.seal(digest, 6).has_value());
        CHECK(!blobs.has(digest));
        CHECK(count_temp_files(dir) == 1);
        CHECK(!writer.write("more").has_value()); // sealed: no more data
        CHECK(!writer.commit(image::Digest::sha256_of("other")).has_value()); // not what was sealed
    }
    CHECK(count_temp_files(dir) == 0);
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("abcdef").has_value());
        REQUIRE(writer.seal(digest, 6).has_value());
        REQUIRE(writer.commit(digest, 6).has_value());
        CHECK(blobs.has(digest));
    }
    {
        auto writer = blobs.begin_write().release_value();
        CHECK(writer.write("tampered").has_value());
        CHECK(!writer.seal(image::Digest::sha256_of("original")).has_value());
        CHECK(count_temp_files(dir) == 0); // a failed seal removes the temporary file
    }
}

TEST_CASE("read re-verifies the content")
{
    TestStore ts;
    auto digest = ts.store->blobs().put("genuine").release_value();
    REQUIRE(fs::write_file_atomic(ts.store->blobs().path(digest), "forged").has_value());
    auto data = ts.store->blobs().read(digest);
    REQUIRE(!data.has_value());
    CHECK(data.error().message.find("does not match its digest") != std::string::npos);
}

TEST_CASE("read_trusted returns the stored bytes without hashing; read still catches the damage")
{
    TestStore ts;
    auto& blobs = ts.store->blobs();
    auto digest = blobs.put("genuine").release_value();
    CHECK(blobs.read_trusted(digest).release_value() == "genuine");
    REQUIRE(fs::write_file_atomic(blobs.path(digest), "forged").has_value());
    CHECK(blobs.read_trusted(digest).release_value() == "forged");
    CHECK(!blobs.read(digest).has_value());
    auto missing = blobs.read_trusted(image::Digest::sha256_of("absent"));
    REQUIRE(!missing.has_value());
    CHECK(missing.error().code == ENOENT);
}

TEST_CASE("stale temporary files are removed, live ones are kept")
{
    TestStore ts;
    std::string dir = ts.data() + "/blobs/sha256";
    REQUIRE(fs::write_file_atomic(dir + "/.tmp-killed", "half a blob").has_value());
    auto live = ts.store->blobs().begin_write().release_value();
    CHECK(live.write("in progress").has_value());
    CHECK(count_temp_files(dir) == 2);
    CHECK(ts.store->blobs().stale_temp_files(berth::store::Cleanup::Remove).has_value());
    CHECK(count_temp_files(dir) == 1);
    CHECK(live.commit(image::Digest::sha256_of("in progress")).has_value());
}

TEST_CASE("only sha256 digests are stored")
{
    TestStore ts;
    auto sha512 = image::Digest::parse("sha512:" + std::string(128, 'a'));
    REQUIRE(sha512.has_value());
    auto writer = ts.store->blobs().begin_write().release_value();
    auto r = writer.commit(*sha512);
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("only sha256") != std::string::npos);
}
