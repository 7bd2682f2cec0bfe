#include "format/tree.h"

#include <doctest/doctest.h>

using berth::format::render_tree;
using berth::format::TreeItem;

TEST_CASE("tree: a flat list, the last item with a corner")
{
    CHECK(render_tree("Image Layers", { { "a", {} }, { "b", {} } }) == "Image Layers\n├── a\n└── b\n");
}

TEST_CASE("tree: a multi-line root and no items")
{
    CHECK(render_tree("Image ID: x\nNo Image Layers", {}) == "Image ID: x\nNo Image Layers\n");
}

TEST_CASE("tree: nested items carry their parent's column")
{
    // As `podman image tree --whatrequires` draws a base with three children.
    std::vector<TreeItem> items {
        { "base", {} },
        { "two", { { "three", {} } } },
        { "z", {} },
        { "w", { { "five", {} } } },
    };
    CHECK(render_tree("Image Layers", items)
        == "Image Layers\n"
           "├── base\n"
           "├── two\n"
           "│   └── three\n"
           "├── z\n"
           "└── w\n"
           "    └── five\n");
}

TEST_CASE("tree: an item's further lines continue under its branch")
{
    CHECK(render_tree("r", { { "a\nb", {} }, { "c", {} } }) == "r\n├── a\n│   b\n└── c\n");
}
