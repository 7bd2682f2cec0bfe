// create_layer_at (layer_stamp.h): Store::create_layer_from_changes through
// pack_changes_at.
#include "store/layer_stamp.h"

#include "store/store.h"

namespace berth::store {

Result<LayerInfo> create_layer_at(Store& store, ChangeSource const& source, int64_t mtime)
{
    BlobWriter writer = TRY(store.blobs().begin_write());
    PackedLayer packed = TRY(pack_changes_at(source, {}, [&](char const* data, size_t n) { return writer.write(data, n); }, mtime));
    TRY(writer.commit(packed.blob_digest, packed.blob_size));
    LayerInfo layer = TRY(store.layers().create_from_blob(store.blobs().path(packed.blob_digest), packed.blob_digest,
        packed.media_type, packed.diff_id));
    layer.blob_digest = packed.blob_digest;  // as create_layer_from_changes: the blob just written
    layer.blob_size = packed.blob_size;
    layer.media_type = packed.media_type;
    return layer;
}

} // namespace berth::store
