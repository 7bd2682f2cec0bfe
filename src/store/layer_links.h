// Short names for layers, so that an overlay mount of many layers fits in the
// one page the kernel takes as mount options. As containers/storage keeps
// overlay/l/<26 chars> -> ../<id>/diff, berth keeps data_dir/layers/l/<name>
// -> ../<hex>/diff and mounts with lowerdir=l/<name>:... from the layers
// directory (container/rootfs.cpp): 29 bytes per layer instead of ~100.
//
// The name is not random but derived from the diff id (26 base32 characters,
// the first 130 bits of the sha256), so nothing has to be recorded or looked
// up: a mount computes the names, and a link missing from a store made before
// links existed is created then (ensure_layer_link). The hard part is the
// races: two mounts may create the same link at once (EEXIST is success when
// the link says the right thing), and a link that says something else is
// replaced by rename, never left half-made.
#pragma once

#include "base/error.h"

#include <string>
#include <string_view>

namespace berth::store {

/// The directory of the links, relative to data_dir/layers.
inline constexpr std::string_view layer_link_dir = "l";
/// Characters in a link name.
inline constexpr size_t layer_link_length = 26;

/// The link name for a layer: 26 characters A-Z2-7 (RFC 4648 base32 of the
/// first 130 bits of the 64-digit hex diff id). Empty when `hex` is not 64
/// lowercase hex digits.
std::string layer_link_name(std::string_view hex);
/// True for a name layer_link_name can return.
bool is_layer_link_name(std::string_view name);
/// "l/<name>": the lowerdir entry, relative to data_dir/layers.
std::string layer_link_entry(std::string_view hex);
/// "../<hex>/diff": what the link says (relative, so the store can move).
std::string layer_link_target(std::string_view hex);

/// Makes layers_dir/l/<name> point at the layer's diff directory (creating
/// l/ if needed) and returns "l/<name>". Costs one readlink when the link is
/// already right.
Result<std::string> ensure_layer_link(std::string const& layers_dir, std::string_view hex);
/// Removes the layer's link; a missing one is not an error.
ErrorOr remove_layer_link(std::string const& layers_dir, std::string_view hex);

} // namespace berth::store
