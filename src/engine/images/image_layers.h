// `image tree` and `image diff`: views of an image's layers.
//
// The tree is Podman's layer tree: every layer of every image is a node keyed
// by its chain ID (the layer and all below it), so two images share a node
// exactly where they share a stack of layers. A pulled layer's chain ID is
// the ID Podman gives it; a built one's differs (Podman's are random).
// `image diff` reads a layer's directory the way `diff` reads a container's
// upper directory (store/layer_pack.h), against the layers beneath it.
#pragma once

#include "base/error.h"
#include "engine/containers/copy.h"
#include "engine/context.h"
#include "store/store.h"

#include <optional>
#include <string>
#include <vector>

namespace berth::engine {

/// One layer as `image tree` draws it.
struct LayerTreeNode {
    std::string id;                       ///< chain ID hex
    int64_t size = 0;                     ///< uncompressed bytes
    std::vector<std::string> top_of;      ///< tags of the images whose top layer it is
    std::vector<LayerTreeNode> children;  ///< the items drawn beneath it
};

/// `image tree`: the image and its layers as items to draw.
struct ImageTree {
    std::string id;
    std::vector<std::string> tags;
    int64_t size = 0;
    bool has_layers = false;
    std::vector<LayerTreeNode> items;
};

enum class TreeDirection {
    Layers,        ///< the image's layers, bottom to top, one flat list
    WhatRequires,  ///< the image's top layer and every layer built on it (--whatrequires)
};

/// The tree of `image` among `all` images (the store's): Podman's shape, where
/// a layer with one child goes on in a straight line and each of several
/// children opens a branch of its own. Pure; `all` ordered oldest first.
ImageTree layer_tree(std::vector<store::ImageRecord> const& all, store::ImageRecord const& image, TreeDirection direction);

/// `image tree IMAGE`.
Result<ImageTree> image_tree(Context& ctx, std::string const& name_or_id, TreeDirection direction);

/// `image diff IMAGE`: the changes of its top layer against the layers below
/// it. `image diff IMAGE BASE`: the changes from BASE to IMAGE, where one's
/// layers are a stack on the other's (ENOTSUP otherwise). Sorted by path.
Result<std::vector<Change>> diff_image(Context& ctx, std::string const& name_or_id, std::optional<std::string> const& base);

} // namespace berth::engine
