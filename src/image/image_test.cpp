// Unit tests for digests and the SHA-256 hasher; the test main for image_test.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "image/digest.h"

#include <set>

using namespace berth;
using namespace berth::image;

static std::string const empty_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static std::string const abc_sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST_CASE("sha256 of known strings")
{
    CHECK(Digest::sha256_of("").str() == "sha256:" + empty_sha256);
    CHECK(Digest::sha256_of("abc").str() == "sha256:" + abc_sha256);
    CHECK(Digest::sha256_of("abc").algorithm() == "sha256");
    CHECK(Digest::sha256_of("abc").path() == "sha256/" + abc_sha256);
}

TEST_CASE("streaming sha256 equals one-shot")
{
    Sha256 hasher;
    hasher.update("a");
    hasher.update("");
    hasher.update(std::string_view("bc"));
    CHECK(hasher.finish().hex() == abc_sha256);

    // A million 'a's: a chunked stream across many update() calls.
    Sha256 big;
    std::string chunk(1000, 'a');
    for (int i = 0; i < 1000; ++i)
        big.update(chunk.data(), chunk.size());
    CHECK(big.finish().hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256 can be moved before finishing")
{
    Sha256 a;
    a.update("ab");
    Sha256 b = std::move(a);
    b.update("c");
    CHECK(b.finish().hex() == abc_sha256);
}

TEST_CASE("digest parsing accepts sha256 and sha512")
{
    auto d = Digest::parse("sha256:" + abc_sha256);
    REQUIRE(d.has_value());
    CHECK(d->algorithm() == "sha256");
    CHECK(d->hex() == abc_sha256);
    CHECK(d->str() == "sha256:" + abc_sha256);
    CHECK(!d->empty());
    CHECK(*d == Digest::sha256_of("abc"));

    auto long_digest = Digest::parse("sha512:" + std::string(128, 'f'));
    REQUIRE(long_digest.has_value());
    CHECK(long_digest->algorithm() == "sha512");
    CHECK(Digest().empty());
}

TEST_CASE("digest parsing rejects malformed input with the input named")
{
    std::string const inputs[] = {
        "",
        "sha256",
        "sha256:",
        ":" + abc_sha256,
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:" + abc_sha256.substr(1),          // 63 digits
        "sha256:" + abc_sha256 + "0",              // 65 digits
        "sha256:" + std::string(64, 'F'),          // uppercase hex
        "sha256:" + std::string(63, 'a') + "g",    // not hex
        "sha512:" + std::string(64, 'a'),          // wrong length for sha512
        "SHA256:" + abc_sha256,                    // algorithm is case-sensitive
    };
    for (auto const& input : inputs) {
        CAPTURE(input);
        auto d = Digest::parse(input);
        REQUIRE(!d.has_value());
        CHECK(d.error().message.find("invalid digest \"" + input + "\"") == 0);
    }
    CHECK(Digest::parse("md5:abc").error().message.find("unsupported algorithm") != std::string::npos);
}

TEST_CASE("digests order and compare by value")
{
    auto a = Digest::sha256_of("a");
    auto b = Digest::sha256_of("b");
    std::set<Digest> set { a, b, a };
    CHECK(set.size() == 2);
    CHECK(a != b);
    CHECK(Digest::parse(a.str()).value() == a);
}
