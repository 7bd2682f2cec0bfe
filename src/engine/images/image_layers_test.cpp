// image tree: the layer graph and Podman's shape of it, from image records alone.
#include <doctest/doctest.h>

#include "engine/images/image_layers.h"

#include <string>
#include <vector>

using namespace berth;
using engine::TreeDirection;

namespace {

image::Digest digest_of(std::string const& text) { return image::Digest::sha256_of(text); }

/// An image whose layers have the diff IDs sha256(name) for each of `layers`.
store::ImageRecord image_with(std::string id, std::vector<std::string> names, std::vector<std::string> const& layers)
{
    store::ImageRecord r;
    r.id = std::move(id);
    r.names = std::move(names);
    for (auto const& l : layers)
        r.layers.push_back({ digest_of(l), digest_of(l), "", static_cast<int64_t>(l.size() * 1000), 0 });
    return r;
}

} // namespace

TEST_CASE("image tree: the image's layers bottom to top, each with the tags it tops")
{
    auto base = image_with("b", { "docker.io/library/busybox:latest", "docker.io/library/busybox@sha256:00" }, { "base" });
    auto two = image_with("t", { "localhost/two:latest", "localhost/two2:latest" }, { "base", "two" });
    auto tree = engine::layer_tree({ base, two }, two, TreeDirection::Layers);
    CHECK(tree.tags == std::vector<std::string> { "localhost/two:latest", "localhost/two2:latest" });
    REQUIRE(tree.items.size() == 2);
    // The bottom layer's chain ID is its diff ID.
    CHECK(tree.items[0].id == digest_of("base").hex());
    CHECK(tree.items[0].top_of == std::vector<std::string> { "docker.io/library/busybox:latest" });
    CHECK(tree.items[1].id != digest_of("two").hex());
    CHECK(tree.items[1].size == 3000);
    CHECK(tree.items[1].top_of.size() == 2);
    CHECK(tree.items[0].children.empty());
}

TEST_CASE("image tree --whatrequires: one child goes on in line, several open branches")
{
    auto base = image_with("b", { "busybox:latest" }, { "base" });
    auto two = image_with("t", { "two:latest" }, { "base", "two" });
    auto three = image_with("3", { "three:latest" }, { "base", "two", "three" });
    auto z = image_with("z", {}, { "base", "z" });
    auto w = image_with("w", { "five:latest" }, { "base", "w", "five" });
    std::vector<store::ImageRecord> all { base, two, three, z, w };

    auto tree = engine::layer_tree(all, base, TreeDirection::WhatRequires);
    REQUIRE(tree.items.size() == 4);
    CHECK(tree.items[0].top_of == std::vector<std::string> { "busybox:latest" });
    CHECK(tree.items[0].children.empty());
    REQUIRE(tree.items[1].children.size() == 1);
    CHECK(tree.items[1].children[0].top_of == std::vector<std::string> { "three:latest" });
    CHECK(tree.items[2].top_of.empty());
    CHECK(tree.items[2].children.empty());
    REQUIRE(tree.items[3].children.size() == 1);

    // From a layer without siblings' parent branching, its children follow in line.
    auto from_three = engine::layer_tree({ base, two, three }, two, TreeDirection::WhatRequires);
    REQUIRE(from_three.items.size() == 2);
    CHECK(from_three.items[1].top_of == std::vector<std::string> { "three:latest" });
}

TEST_CASE("image tree: an image without layers has no items")
{
    auto empty = image_with("e", { "scratch:latest" }, {});
    auto tree = engine::layer_tree({ empty }, empty, TreeDirection::WhatRequires);
    CHECK_FALSE(tree.has_layers);
    CHECK(tree.items.empty());
}
