// Short layer links: the name function, and the links a store keeps beside its
// layers (made on publish, made lazily for old stores, removed with the layer).
#include "base/fs.h"
#include "base/sys.h"
#include "store/layer_links.h"
#include "store/test_tar.h"

#include <doctest/doctest.h>
#include <set>
#include <unistd.h>

using namespace berth;
using namespace berth::store;
using namespace berth::store::test;

static std::string const zero_hex(64, '0');
static std::string const ff_hex(64, 'f');

TEST_CASE("layer link names: 26 base32 characters of the diff id's first 130 bits")
{
    CHECK(layer_link_name(zero_hex) == std::string(26, 'A'));
    CHECK(layer_link_name(ff_hex) == std::string(26, '7'));
    // 0x08 = 00001 000 -> "B" then "A"...; 0x84 = 10000 100 -> "Q" then "Q..."
    CHECK(layer_link_name("08" + std::string(62, '0')) == "BA" + std::string(24, 'A'));
    CHECK(layer_link_name("84" + std::string(62, '0')) == "QQ" + std::string(24, 'A'));
    // Only the first 33 hex digits (130 bits) matter: digit 33's low two bits are cut.
    std::string a = std::string(32, '0') + "3" + std::string(31, '0');
    std::string b = std::string(32, '0') + "0" + std::string(31, 'f');
    CHECK(layer_link_name(a) == layer_link_name(b));
    CHECK(layer_link_name(std::string(32, '0') + "4" + std::string(31, '0')) != layer_link_name(zero_hex));

    std::set<std::string> seen;
    for (char c : std::string("0123456789abcdef")) {
        std::string name = layer_link_name(std::string(1, c) + std::string(63, '1'));
        CHECK(is_layer_link_name(name));
        seen.insert(name);
    }
    CHECK(seen.size() == 16);

    CHECK(layer_link_name("abc").empty());
    CHECK(layer_link_name(std::string(64, 'A')).empty());
    CHECK(layer_link_name(std::string(63, '0') + "g").empty());
    CHECK(layer_link_entry(zero_hex) == "l/" + std::string(26, 'A'));
    CHECK(layer_link_target(zero_hex) == "../" + zero_hex + "/diff");
}

TEST_CASE("is_layer_link_name")
{
    CHECK(is_layer_link_name(std::string(26, 'Z')));
    CHECK(is_layer_link_name("ABCDEFGHIJKLMNOPQRSTUVWXYZ"));
    CHECK_FALSE(is_layer_link_name(std::string(25, 'A')));
    CHECK_FALSE(is_layer_link_name(std::string(27, 'A')));
    CHECK_FALSE(is_layer_link_name("ABCDEFGHIJKLMNOPQRSTUVWXY1")); // 1 is not base32
    CHECK_FALSE(is_layer_link_name("abcdefghijklmnopqrstuvwxyz"));
    CHECK_FALSE(is_layer_link_name("../AAAAAAAAAAAAAAAAAAAAAAAA"));
}

TEST_CASE("ensure_layer_link creates l/, accepts a right link, repairs a wrong one")
{
    auto dir = TempDir::create("/tmp", "berth-links-test-").release_value();
    std::string layers = dir.path();
    std::string path = layers + "/" + layer_link_entry(zero_hex);
    CHECK(ensure_layer_link(layers, zero_hex).value() == layer_link_entry(zero_hex)); // no l/ yet
    CHECK(sys::readlink(path).value() == layer_link_target(zero_hex));
    CHECK(ensure_layer_link(layers, zero_hex).has_value()); // already right

    REQUIRE(::unlink(path.c_str()) == 0);
    REQUIRE(::symlink("../elsewhere/diff", path.c_str()) == 0);
    CHECK(ensure_layer_link(layers, zero_hex).has_value());
    CHECK(sys::readlink(path).value() == layer_link_target(zero_hex));

    REQUIRE(::unlink(path.c_str()) == 0);
    REQUIRE(fs::write_file_atomic(path, "not a link").has_value());
    CHECK(ensure_layer_link(layers, zero_hex).has_value());
    CHECK(sys::readlink(path).value() == layer_link_target(zero_hex));

    CHECK(remove_layer_link(layers, zero_hex).has_value());
    CHECK(!fs::exists(path));
    CHECK(remove_layer_link(layers, zero_hex).has_value()); // already gone
    CHECK(ensure_layer_link(layers, "nothex").error().code == EINVAL);
}

TEST_CASE("a published layer has its link; removing the layer removes it; an old store gets it lazily")
{
    TestStore ts;
    auto& layers = ts.store->layers();
    auto [blob, diff_id] = layer_blob({ file("./bottom", "b") });
    auto info = add_layer(*ts.store, blob, diff_id);
    REQUIRE_MESSAGE(info.has_value(), (info ? "" : info.error().message));
    std::string link = layers.layers_dir() + "/" + layer_link_entry(diff_id.hex());
    CHECK(sys::readlink(link).value() == layer_link_target(diff_id.hex()));
    CHECK(fs::read_file(link + "/bottom").value() == "b"); // resolves to the diff dir

    // A store from before links: none there until a mount asks for it.
    REQUIRE(fs::remove_tree(layers.layers_dir() + "/l").has_value());
    CHECK(layers.mount_link(diff_id).value() == layer_link_entry(diff_id.hex()));
    CHECK(fs::read_file(link + "/bottom").value() == "b");

    CHECK(layers.remove_if_unused(diff_id).value());
    CHECK(!fs::exists(layers.layer_path(diff_id)));
    CHECK(!sys::readlink(link).has_value());
}
