// Layers whose every entry has one modification time (build --timestamp):
// pack_changes (layer_pack.h) with the time given, and the store's
// create_layer_from_changes with it.
#pragma once

#include "base/error.h"
#include "store/layer_pack.h"

#include <cstdint>
#include <optional>

namespace berth::store {

class Store;
struct LayerInfo;

/// pack_changes, every entry (and whiteout marker) stamped with `mtime` (unix seconds) when
/// given, without access or change times.
Result<PackedLayer> pack_changes_at(ChangeSource const& source, OwnerMap const& owners, ByteSink const& out,
    std::optional<int64_t> mtime);

/// Store::create_layer_from_changes with every entry's mtime `mtime`; the same bytes for the same
/// changes, so two builds with one --timestamp make one blob.
Result<LayerInfo> create_layer_at(Store& store, ChangeSource const& source, int64_t mtime);

} // namespace berth::store
