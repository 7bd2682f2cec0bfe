// `image tree` and `image diff` (see image_layers.h). The tree is built from
// the store's image records alone; the diff reads layer directories.
#include "engine/images/image_layers.h"

#include "engine/images/images.h"
#include "image/digest.h"
#include "store/layer_pack.h"

#include <algorithm>
#include <map>

namespace berth::engine {

namespace {

/// Every layer of every image, keyed by chain ID.
struct LayerGraph {
    struct Node {
        std::string id;
        int64_t size = 0;
        std::optional<size_t> parent;
        std::vector<size_t> children;      ///< in the order their images were stored
        std::vector<std::string> top_of;
    };
    std::vector<Node> nodes;
    std::map<std::string, size_t> by_id;
};

/// An image's names that are tags (not "name@digest"), as Podman's RepoTags.
std::vector<std::string> repo_tags(store::ImageRecord const& image)
{
    std::vector<std::string> tags;
    for (auto const& name : image.names)
        if (name.find('@') == std::string::npos)
            tags.push_back(name);
    return tags;
}

/// The chain IDs of an image's layers, bottom to top (OCI image-spec config.md).
std::vector<std::string> chain_ids(store::ImageRecord const& image)
{
    std::vector<std::string> ids;
    for (auto const& layer : image.layers)
        ids.push_back(ids.empty() ? layer.diff_id.hex()
                                  : image::Digest::sha256_of("sha256:" + ids.back() + " " + layer.diff_id.str()).hex());
    return ids;
}

LayerGraph build_graph(std::vector<store::ImageRecord> const& all)
{
    LayerGraph graph;
    for (auto const& image : all) {
        auto ids = chain_ids(image);
        std::optional<size_t> parent;
        for (size_t i = 0; i < ids.size(); ++i) {
            auto [it, added] = graph.by_id.emplace(ids[i], graph.nodes.size());
            if (added) {
                graph.nodes.push_back({ ids[i], image.layers[i].size, parent, {}, {} });
                if (parent)
                    graph.nodes[*parent].children.push_back(it->second);
            }
            parent = it->second;
        }
        if (parent) {
            auto& top_of = graph.nodes[*parent].top_of;
            for (auto const& tag : repo_tags(image))
                if (std::find(top_of.begin(), top_of.end(), tag) == top_of.end())
                    top_of.push_back(tag);
        }
    }
    return graph;
}

LayerTreeNode item_of(LayerGraph::Node const& node) { return { node.id, node.size, node.top_of, {} }; }

/// Podman's whatrequires walk (libimage image_tree.go): a layer whose parent has
/// no other child goes on the list it is drawn in; one of several siblings
/// opens a branch that holds its descendants.
void add_requiring(LayerGraph const& graph, size_t index, std::vector<LayerTreeNode>& into)
{
    auto const& node = graph.nodes[index];
    if (!node.parent || graph.nodes[*node.parent].children.size() <= 1) {
        into.push_back(item_of(node));
        for (size_t child : node.children)
            add_requiring(graph, child, into);
        return;
    }
    auto branch = item_of(node);
    for (size_t child : node.children)
        add_requiring(graph, child, branch.children);
    into.push_back(std::move(branch));
}

/// Whether `prefix`'s layers are the first layers of `image`.
bool stacks_on(store::ImageRecord const& image, store::ImageRecord const& prefix)
{
    return prefix.layers.size() <= image.layers.size()
        && std::equal(prefix.layers.begin(), prefix.layers.end(), image.layers.begin(),
            [](store::LayerInfo const& a, store::LayerInfo const& b) { return a.diff_id == b.diff_id; });
}

/// Folds one layer's change of `path` into what the layers below it changed.
void fold_change(std::map<std::string, char>& changes, std::string const& path, char kind)
{
    auto it = changes.find(path);
    if (kind == 'D') {
        // What was below a deleted directory is gone with it.
        std::string below = path + "/";
        for (auto c = changes.lower_bound(below); c != changes.end() && c->first.starts_with(below);)
            c = changes.erase(c);
        if (it != changes.end() && it->second == 'A')
            changes.erase(it);
        else
            changes[path] = 'D';
        return;
    }
    if (it == changes.end())
        changes[path] = kind;
    else if (it->second == 'D')
        it->second = 'C';  // deleted, then made again
    // An added path stays added; a changed one stays changed.
}

/// The changes of layers [from, to) of `image`, each against those below it.
Result<std::map<std::string, char>> layer_changes(Context& ctx, store::ImageRecord const& image, size_t from, size_t to)
{
    std::map<std::string, char> changes;
    for (size_t i = from; i < to; ++i) {
        store::ChangeSource source { store::ChangeSource::Kind::OverlayUpper,
            ctx.store->layers().diff_path(image.layers[i].diff_id), {} };
        for (size_t j = 0; j < i; ++j)
            source.lower_dirs.push_back(ctx.store->layers().diff_path(image.layers[j].diff_id));
        for (auto const& change : TRY(store::list_changes(source)))
            fold_change(changes, "/" + change.path, "ACD"[static_cast<int>(change.kind)]);
    }
    return changes;
}

} // namespace

ImageTree layer_tree(std::vector<store::ImageRecord> const& all, store::ImageRecord const& image, TreeDirection direction)
{
    ImageTree tree { image.id, repo_tags(image), image.size, !image.layers.empty(), {} };
    if (image.layers.empty())
        return tree;
    auto graph = build_graph(all);
    size_t top = graph.by_id.at(chain_ids(image).back());
    if (direction == TreeDirection::WhatRequires) {
        add_requiring(graph, top, tree.items);
        return tree;
    }
    for (std::optional<size_t> at = top; at; at = graph.nodes[*at].parent)
        tree.items.push_back(item_of(graph.nodes[*at]));
    std::reverse(tree.items.begin(), tree.items.end());
    return tree;
}

Result<ImageTree> image_tree(Context& ctx, std::string const& name_or_id, TreeDirection direction)
{
    auto image = TRY(find_image(ctx, name_or_id));
    auto all = TRY(ctx.store->list_images());
    // Oldest first (the store lists newest first), so that a layer's
    // children are drawn in the order they were made.
    std::reverse(all.begin(), all.end());
    if (std::none_of(all.begin(), all.end(), [&](auto const& r) { return r.id == image.id; }))
        all.push_back(image);
    return layer_tree(all, image, direction);
}

Result<std::vector<Change>> diff_image(Context& ctx, std::string const& name_or_id, std::optional<std::string> const& base)
{
    auto image = TRY(find_image(ctx, name_or_id));
    std::map<std::string, char> changes;
    if (!base) {
        if (!image.layers.empty())
            changes = TRY(layer_changes(ctx, image, image.layers.size() - 1, image.layers.size()));
    } else {
        auto from = TRY(find_image(ctx, *base));
        if (stacks_on(image, from)) {
            changes = TRY(layer_changes(ctx, image, from.layers.size(), image.layers.size()));
        } else if (stacks_on(from, image)) {
            // The way back down: what the upper layers added is deleted, and the reverse.
            changes = TRY(layer_changes(ctx, from, image.layers.size(), from.layers.size()));
            for (auto& [path, kind] : changes)
                kind = kind == 'A' ? 'D' : kind == 'D' ? 'A' : 'C';
        } else {
            return Error { ENOTSUP, "diff of images " + name_or_id + " and " + *base + ": one image's layers must be a stack on the other's" };
        }
    }
    std::vector<Change> out;
    for (auto const& [path, kind] : changes)
        out.push_back({ kind, path });
    return out;
}

} // namespace berth::engine
