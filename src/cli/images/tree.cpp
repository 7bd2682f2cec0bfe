// berth image tree: an image's layers as Podman draws them, each with its
// size and the tags of the images it is the top layer of; --whatrequires
// draws the layers built on the image's top layer instead.
#include "cli/commands.h"
#include "engine/images/image_layers.h"
#include "format/tree.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

struct TreeArgs {
    std::string image;
    bool what_requires = false;
};

/// Go's fmt "%s" of a []string: "[a b]".
std::string go_list(std::vector<std::string> const& items)
{
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i)
        out += (i ? " " : "") + items[i];
    return out + "]";
}

format::TreeItem tree_item(engine::LayerTreeNode const& node)
{
    char size[32];
    std::snprintf(size, sizeof size, "%7s", human_size_compact(node.size).c_str());
    format::TreeItem item { "ID: " + node.id.substr(0, 12) + " Size: " + size, {} };
    if (!node.top_of.empty())
        item.text += " Top Layer of: " + go_list(node.top_of);
    for (auto const& child : node.children)
        item.children.push_back(tree_item(child));
    return item;
}

int run_tree(TreeArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto tree = engine::image_tree(*ctx, a.image, a.what_requires ? engine::TreeDirection::WhatRequires : engine::TreeDirection::Layers);
    if (!tree)
        return report(tree.error());
    std::string root = "Image ID: " + tree->id.substr(0, 12) + "\nTags:     " + go_list(tree->tags)
        + "\nSize:     " + human_size_compact(tree->size) + (tree->has_layers ? "\nImage Layers" : "\nNo Image Layers");
    std::vector<format::TreeItem> items;
    for (auto const& node : tree->items)
        items.push_back(tree_item(node));
    // Podman prints the drawing with Println: a blank line follows it.
    std::printf("%s\n", format::render_tree(root, items).c_str());
    return 0;
}

} // namespace

void setup_image_tree(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<TreeArgs>();
    auto* cmd = parent.add_subcommand("tree", "Print the layer hierarchy of an image in a tree format");
    cmd->add_option("image", a->image, "Image name or ID")->required();
    cmd->add_flag("--whatrequires", a->what_requires, "Show all child images and layers of the specified image");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_tree(*a, globals); });
}

} // namespace berth::cli
