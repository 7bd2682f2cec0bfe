// Pull: reference -> candidates (registries.conf) -> endpoints (mirrors, then
// the registry) -> manifest (index -> platform) -> config -> layers -> record.
//
// The hard part is doing it fast and safely at once. Layers download in
// parallel; each streams into a BlobWriter that hashes as it writes, so a
// tampered blob fails at commit and never gets its final name. Each layer is
// extracted while it downloads (fetch_layer_streaming, bytes handed over in
// 1 MiB chunks through a ChunkPipe): the blob and the layer are published only
// once both the blob digest and the diff id verify. The layer store takes a
// per-layer lock, so two concurrent pulls that share a layer extract it once. Only when every layer is in place
// is the image record written, in one transaction: a pull killed at any
// point leaves either no image or a complete one.
#include "engine/images/images.h"
#include "engine/system/events.h"

#include "base/log.h"
#include "image/manifest.h"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace berth::engine {

namespace {

/// Serialises observer calls from the download threads.
class Notifier {
public:
    explicit Notifier(PullObserver observer) : m_observer(std::move(observer)) {}
    void operator()(PullEvent::Kind kind, std::string text, int64_t done = 0, int64_t total = 0)
    {
        if (!m_observer)
            return;
        std::lock_guard lock(m_mutex);
        m_observer(PullEvent { kind, std::move(text), done, total });
    }

private:
    PullObserver m_observer;
    std::mutex m_mutex;
};

struct Source {
    std::unique_ptr<registry::Client> client;
    std::string repository;     ///< path on the endpoint's registry
};

registry::ClientOptions client_options(PullOptions const& options, bool insecure)
{
    registry::ClientOptions co;
    co.tls_verify = options.tls_verify;
    co.insecure = insecure;
    co.credentials = options.credentials;
    co.authfile = options.authfile;
    co.cert_dir = options.cert_dir;
    co.retries = options.retries;
    co.retry_delay = options.retry_delay;
    return co;
}

/// Downloads a blob into the blob store unless it is there already; verifies digest and size.
enum class BlobKind { Layer, Config };

Result<std::string> fetch_blob(Context& ctx, Source& src, image::Descriptor const& desc, Notifier& notify, BlobKind kind = BlobKind::Layer)
{
    auto& blobs = ctx.store->blobs();
    bool layer = kind == BlobKind::Layer;
    if (blobs.has(desc.digest)) {
        if (layer)
            notify(PullEvent::Kind::BlobSkipped, desc.digest.str());
        return blobs.path(desc.digest);
    }
    if (layer)
        notify(PullEvent::Kind::BlobStart, desc.digest.str(), 0, desc.size);
    auto writer = TRY(blobs.begin_write());
    int64_t received = 0;
    TRY(src.client->get_blob(src.repository, desc.digest,
        [&](char const* data, size_t size) -> ErrorOr {
            received += static_cast<int64_t>(size);
            if (desc.size > 0 && received > desc.size)
                return Error::msg("blob " + desc.digest.str() + " is larger than the " + std::to_string(desc.size) + " bytes its manifest declares");
            return writer.write(data, size);
        },
        [&](int64_t done, int64_t total) {
            if (layer)
                notify(PullEvent::Kind::BlobProgress, desc.digest.str(), done, total ? total : desc.size);
        }));
    auto path = TRY(writer.commit(desc.digest, desc.size > 0 ? desc.size : -1));
    if (layer)
        notify(PullEvent::Kind::BlobDone, desc.digest.str(), received, desc.size);
    return path;
}

/// Hands a layer's bytes from the download thread to its extraction thread: a bounded queue
/// of 1 MiB chunks. The downloader copies curl's pieces (16 KiB) into a chunk, writes the full
/// chunk to the blob file and queues it; the extractor's libarchive reads it in place. One
/// copy in user space, no system call per piece; at most kQueued chunks wait, so a slow
/// extraction throttles the download instead of buffering the layer in memory.
class ChunkPipe {
public:
    static constexpr size_t kChunk = 1024 * 1024;
    static constexpr size_t kQueued = 4;

    struct Chunk {
        std::unique_ptr<char[]> data;
        size_t size = 0;
    };

    /// A chunk to fill (recycled when one is free).
    Chunk take_free()
    {
        std::lock_guard lock(m_mutex);
        if (m_free.empty())
            return Chunk { std::make_unique_for_overwrite<char[]>(kChunk), 0 };
        Chunk c = std::move(m_free.back());
        m_free.pop_back();
        c.size = 0;
        return c;
    }
    /// Queues a filled chunk; waits while kQueued are queued. EPIPE once the reader stopped.
    ErrorOr push(Chunk chunk)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_full.size() < kQueued || m_stopped; });
        if (m_stopped)
            return Error { EPIPE, "layer extraction stopped" };
        m_full.push_back(std::move(chunk));
        m_cv.notify_all();
        return {};
    }
    /// No more chunks: the reader sees the end (or `error`).
    void close(std::optional<Error> error = {})
    {
        std::lock_guard lock(m_mutex);
        if (m_closed)
            return;
        m_closed = true;
        m_error = std::move(error);
        m_cv.notify_all();
    }
    /// The reader side (a store::ChunkReader): the next chunk, valid until the next call;
    /// empty at the end.
    Result<std::string_view> next()
    {
        std::unique_lock lock(m_mutex);
        if (m_reading.data)
            m_free.push_back(std::move(m_reading));
        m_reading = {};
        m_cv.wait(lock, [&] { return !m_full.empty() || m_closed; });
        if (m_full.empty()) {
            if (m_error)
                return *m_error;
            return std::string_view();
        }
        m_reading = std::move(m_full.front());
        m_full.pop_front();
        m_cv.notify_all();
        return std::string_view(m_reading.data.get(), m_reading.size);
    }
    /// The reader is gone: push() fails from now on.
    void stop()
    {
        std::lock_guard lock(m_mutex);
        m_stopped = true;
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Chunk> m_full;
    std::vector<Chunk> m_free;
    Chunk m_reading;
    bool m_closed = false;
    bool m_stopped = false;
    std::optional<Error> m_error;
};

/// Downloads a layer blob and extracts it at the same time: the bytes go into the BlobWriter
/// (hashed on this thread: the blob digest) and through a ChunkPipe to an extraction thread
/// (hashed after decompression: the diff id). The blob is verified and fsync'd while the
/// extraction finishes; only when both digests verify are the blob and then the layer
/// published. On any error the writer and the pending layer remove their temporary files.
Result<store::LayerInfo> fetch_layer_streaming(Context& ctx, Source& src, image::Descriptor const& desc,
    image::Digest const& diff_id, Notifier& notify)
{
    ChunkPipe pipe;
    std::optional<Result<store::PendingLayer>> extracted;
    std::thread extractor([&] {
        extracted.emplace(ctx.store->layers().extract_stream([&] { return pipe.next(); }, desc.digest, desc.media_type, diff_id));
        pipe.stop(); // an extractor that stopped early makes the download's next push fail
    });
    auto downloaded = [&]() -> Result<int64_t> {
        notify(PullEvent::Kind::BlobStart, desc.digest.str(), 0, desc.size);
        auto writer = TRY(ctx.store->blobs().begin_write());
        int64_t received = 0;
        ChunkPipe::Chunk chunk = pipe.take_free();
        auto flush = [&]() -> ErrorOr {
            if (chunk.size == 0)
                return {};
            TRY(writer.write(chunk.data.get(), chunk.size));
            TRY(pipe.push(std::move(chunk)));
            chunk = pipe.take_free();
            return {};
        };
        TRY(src.client->get_blob(src.repository, desc.digest,
            [&](char const* data, size_t size) -> ErrorOr {
                received += static_cast<int64_t>(size);
                if (desc.size > 0 && received > desc.size)
                    return Error::msg("blob " + desc.digest.str() + " is larger than the " + std::to_string(desc.size) + " bytes its manifest declares");
                while (size > 0) {
                    size_t n = std::min(size, ChunkPipe::kChunk - chunk.size);
                    std::memcpy(chunk.data.get() + chunk.size, data, n);
                    chunk.size += n;
                    data += n;
                    size -= n;
                    if (chunk.size == ChunkPipe::kChunk)
                        TRY(flush());
                }
                return {};
            },
            [&](int64_t done, int64_t total) { notify(PullEvent::Kind::BlobProgress, desc.digest.str(), done, total ? total : desc.size); }));
        TRY(flush());
        pipe.close(); // the end of the stream for the extractor
        // Verify the blob and make it durable while the extraction finishes; it gets its name
        // only after the extraction (and its diff id check) succeeded.
        int64_t expected_size = desc.size > 0 ? desc.size : -1;
        TRY(writer.seal(desc.digest, expected_size));
        extractor.join();
        if (!extracted->has_value())
            return Error(extracted->error());
        TRY(writer.commit(desc.digest, expected_size));
        notify(PullEvent::Kind::BlobDone, desc.digest.str(), received, desc.size);
        return received;
    }();
    if (extractor.joinable()) {
        pipe.close(downloaded ? std::optional<Error>() : std::optional<Error>(downloaded.error()));
        extractor.join();
    }
    // The extractor's error explains a failed push better than "extraction stopped".
    if (!downloaded && downloaded.error().code == EPIPE && extracted && !extracted->has_value())
        return Error(extracted->error());
    if (!downloaded)
        return std::move(downloaded).error();
    return ctx.store->layers().publish_pending(std::move(*extracted).release_value(), *downloaded);
}

/// Fetches the manifest for `ref`, descending through an index to the wanted platform.
/// Returns the manifest response and fills `index_digest` when an index was crossed.
Result<registry::ManifestResponse> fetch_manifest(Source& src, image::Reference const& ref, image::Platform const& platform,
    std::optional<image::Digest>& index_digest, std::string& index_body)
{
    auto resp = TRY(src.client->get_manifest(src.repository, ref.manifest_ref()));
    if (ref.digest && resp.digest != *ref.digest)
        return Error::msg("manifest digest mismatch for " + ref.str() + ": registry served " + resp.digest.str());
    if (!image::is_index_media_type(resp.media_type))
        return resp;
    auto index = TRY(image::parse_index(resp.body));
    auto desc = TRY_CTX(image::select_platform(index, platform), ref.str());
    index_digest = resp.digest;
    index_body = resp.body;
    auto inner = TRY(src.client->get_manifest(src.repository, desc.digest.str()));
    if (inner.digest != desc.digest)
        return Error::msg("manifest digest mismatch for " + desc.digest.str() + ": registry served " + inner.digest.str());
    if (image::is_index_media_type(inner.media_type))
        return Error::msg(ref.str() + ": nested image indexes are not supported");
    return inner;
}

/// Downloads and extracts every layer not yet in the store, in parallel.
ErrorOr fetch_layers(Context& ctx, Source& src, image::Manifest const& manifest, image::ImageConfig const& config,
    std::vector<store::LayerInfo>& out, Notifier& notify)
{
    size_t n = manifest.layers.size();
    out.resize(n);
    std::vector<size_t> todo;
    for (size_t i = 0; i < n; ++i) {
        auto const& diff_id = config.diff_ids[i];
        auto const& desc = manifest.layers[i];
        if (ctx.store->layers().has(diff_id)) {
            if (auto have = TRY(ctx.store->layers().get(diff_id))) {
                notify(PullEvent::Kind::BlobSkipped, desc.digest.str());
                // This image's own blob for the layer, with the stored layer's size. The blob
                // itself is not fetched when the layer came from another blob: push and save
                // then describe the layer by the blob the store has (engine/images/save.cpp,
                // describe_stored_blobs), which saves a download per shared layer.
                out[i] = store::LayerInfo { diff_id, desc.digest, desc.media_type, have->size, desc.size };
                continue;
            }
        }
        todo.push_back(i);
    }
    std::atomic<size_t> next { 0 };
    std::mutex error_mutex;
    std::optional<Error> first_error;
    auto worker = [&] {
        for (;;) {
            size_t k = next.fetch_add(1);
            if (k >= todo.size())
                return;
            {
                std::lock_guard lock(error_mutex);
                if (first_error)
                    return;
            }
            size_t i = todo[k];
            auto const& desc = manifest.layers[i];
            auto result = [&]() -> Result<store::LayerInfo> {
                if (!ctx.store->blobs().has(desc.digest))
                    return fetch_layer_streaming(ctx, src, desc, config.diff_ids[i], notify);
                auto path = TRY(fetch_blob(ctx, src, desc, notify));
                return ctx.store->layers().create_from_blob(path, desc.digest, desc.media_type, config.diff_ids[i]);
            }();
            if (!result) {
                std::lock_guard lock(error_mutex);
                if (!first_error)
                    first_error = std::move(result).error();
                return;
            }
            out[i] = result.release_value();
        }
    };
    // One worker per layer (up to 8): with fewer, the last layer's download waits
    // for a worker to finish extracting another, and the tail of the pull grows.
    size_t threads = std::min<size_t>(todo.size(), 8);
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    if (threads > 0)
        worker();
    for (auto& t : pool)
        t.join();
    if (first_error)
        return std::move(*first_error);
    return {};
}

void merge_unique(std::vector<std::string>& into, std::vector<std::string> const& from)
{
    for (auto const& s : from)
        if (std::find(into.begin(), into.end(), s) == into.end())
            into.push_back(s);
}

/// Pulls from one endpoint of one fully-qualified reference.
Result<store::ImageRecord> pull_from(Context& ctx, image::Reference const& ref, image::Reference const& at,
    Source& src, image::Platform const& platform, Notifier& notify)
{
    std::optional<image::Digest> index_digest;
    std::string index_body;
    auto resp = TRY(fetch_manifest(src, at, platform, index_digest, index_body));
    // Until put_image references them, the blobs and layers written below must survive
    // a concurrent gc (an rmi in another process).
    auto protect = TRY(ctx.store->protect_new_content());
    auto manifest = TRY_CTX(image::parse_manifest(resp.body), "manifest " + resp.digest.str());

    auto config_path = TRY_CTX(fetch_blob(ctx, src, manifest.config, notify, BlobKind::Config), "config " + manifest.config.digest.str());
    (void)config_path;
    auto config_text = TRY(ctx.store->blobs().read(manifest.config.digest));
    auto config = TRY_CTX(image::ImageConfig::parse(config_text), "config " + manifest.config.digest.str());
    if (config.diff_ids.size() != manifest.layers.size())
        return Error::msg("image " + ref.str() + ": the manifest lists " + std::to_string(manifest.layers.size())
            + " layers but the config has " + std::to_string(config.diff_ids.size()) + " diff IDs");
    notify(PullEvent::Kind::ConfigDone, manifest.config.digest.str());

    // The manifest (and index) blobs first: verified already, they are small, and storing
    // them now keeps their fsyncs off the end of the pull. Unreferenced if the pull fails,
    // like the layer blobs, they are protected until then and collected by gc afterwards.
    TRY(ctx.store->blobs().put(resp.body));
    if (index_digest)
        TRY(ctx.store->blobs().put(index_body));
    store::ImageRecord record;
    TRY(fetch_layers(ctx, src, manifest, config, record.layers, notify));

    record.id = manifest.config.digest.hex();
    record.config_digest = manifest.config.digest;
    record.manifest_digest = resp.digest;
    record.manifest_media_type = resp.media_type;
    if (!ref.digest)
        record.names.push_back(ref.repository() + ":" + ref.tag);
    record.digests.push_back(ref.repository() + "@" + resp.digest.str());
    if (index_digest)
        record.digests.push_back(ref.repository() + "@" + index_digest->str());
    record.created = parse_time(config.created);
    record.architecture = config.architecture;
    record.os = config.os;
    for (auto const& layer : record.layers)
        record.size += layer.size;
    bool replaces_manifest = false;
    if (auto existing = TRY(ctx.store->get_image(record.id))) {
        merge_unique(record.names, existing->names);
        merge_unique(record.digests, existing->digests);
        record.added = existing->added;
        replaces_manifest = existing->manifest_digest != record.manifest_digest;
    }
    TRY(ctx.store->put_image(record));
    notify(PullEvent::Kind::ManifestWritten, record.id);
    if (replaces_manifest) {
        // The image had another manifest (loaded, or pulled from elsewhere): once nothing
        // is protected, gc takes its blob, which no image names any more.
        { FileLock done = std::move(protect); }
        TRY(ctx.store->gc());
    }
    return TRY(ctx.store->get_image(record.id)).value_or(record);
}

/// Tries the mirrors, then the registry itself, for one fully-qualified
/// reference: `attempt` gets each endpoint's source and its reference there
/// until one succeeds; the last error otherwise.
template<typename T, typename Attempt>
Result<T> on_first_endpoint(Context& ctx, image::Reference const& ref, PullOptions const& options, Attempt attempt)
{
    auto source = TRY(TRY(ctx.registries())->pull_source(ref));
    std::optional<Error> last;
    for (auto const& endpoint : source.endpoints) {
        auto client = registry::Client::create(endpoint.reference.domain, client_options(options, endpoint.insecure));
        if (!client) {
            last = std::move(client).error();
            continue;
        }
        Source src { client.release_value(), endpoint.reference.path };
        Result<T> result = attempt(src, endpoint.reference);
        if (result)
            return result;
        log::debug("{} from {}: {}", ref.str(), endpoint.location, result.error().message);
        last = std::move(result).error();
    }
    if (!last)
        return Error::msg(ref.str() + ": no registry to pull from");
    return std::move(*last);
}

Result<store::ImageRecord> pull_qualified(Context& ctx, image::Reference const& ref, PullOptions const& options,
    image::Platform const& platform, Notifier& notify)
{
    return on_first_endpoint<store::ImageRecord>(ctx, ref, options, [&](Source& src, image::Reference const& at) {
        return pull_from(ctx, ref, at, src, platform, notify);
    });
}

/// The tags of a fully-qualified repository, from its mirrors or the registry itself.
Result<std::vector<std::string>> list_tags(Context& ctx, image::Reference const& ref, PullOptions const& options)
{
    auto tags = on_first_endpoint<std::vector<std::string>>(ctx, ref, options,
        [](Source& src, image::Reference const&) { return src.client->list_tags(src.repository); });
    if (!tags)
        return Error { tags.error().code, "list the tags of " + ref.str() + ": " + tags.error().message };
    return tags;
}

} // namespace

Result<store::ImageRecord> pull(Context& ctx, std::string const& text, PullOptions const& options)
{
    auto ref = TRY(image::Reference::parse(text));
    auto platform = options.platform.empty() ? image::Platform::host() : TRY(image::Platform::parse(options.platform));
    auto candidates = TRY(TRY(ctx.registries())->resolve(ref));
    Notifier notify(options.observer);
    std::optional<Error> last;
    for (auto candidate : candidates) {
        if (candidate.tag.empty() && !candidate.digest)
            candidate.tag = "latest";
        notify(PullEvent::Kind::Trying, candidate.str());
        auto result = pull_qualified(ctx, candidate, options, platform, notify);
        if (result) {
            record_image_event(ctx.paths, "pull", result->id, candidate.str());
            return result;
        }
        last = std::move(result).error();
    }
    if (!last)
        return Error::msg("pull " + text + ": short name did not resolve to any registry: set unqualified-search-registries in registries.conf");
    return std::move(*last);
}

Result<image::Digest> registry_manifest_digest(Context& ctx, std::string const& text, PullOptions const& options)
{
    auto ref = TRY(image::Reference::parse(text));
    if (ref.is_short_name())
        return Error { EINVAL, text + ": not a fully qualified reference: name its registry (registry/repository:tag)" };
    ref = ref.with_default_tag();
    auto platform = options.platform.empty() ? image::Platform::host() : TRY(image::Platform::parse(options.platform));
    return on_first_endpoint<image::Digest>(ctx, ref, options, [&](Source& src, image::Reference const& at) -> Result<image::Digest> {
        std::optional<image::Digest> index_digest;
        std::string index_body;
        auto resp = TRY(fetch_manifest(src, at, platform, index_digest, index_body));
        return resp.digest;
    });
}

Result<std::vector<store::ImageRecord>> pull_all_tags(Context& ctx, std::string const& text, PullOptions const& options)
{
    auto ref = TRY(image::Reference::parse(text));
    // As Podman 4's: a tag in the reference is ignored; a digest names one image.
    if (ref.digest)
        return Error { EINVAL, "a digest can't be used with --all-tags/-a" };
    ref.tag.clear();
    auto platform = options.platform.empty() ? image::Platform::host() : TRY(image::Platform::parse(options.platform));
    Notifier notify(options.observer);
    std::optional<Error> last;
    // The first candidate registry whose tag list can be read has the repository.
    auto candidates = TRY(TRY(ctx.registries())->resolve(ref));
    for (auto const& candidate : candidates) {
        auto tags = list_tags(ctx, candidate, options);
        if (!tags) {
            last = std::move(tags).error();
            continue;
        }
        std::vector<store::ImageRecord> out;
        for (auto const& tag : *tags) {
            auto tagged = candidate;
            tagged.tag = tag;
            notify(PullEvent::Kind::Trying, tagged.str());
            auto record = TRY_CTX(pull_qualified(ctx, tagged, options, platform, notify), tagged.str());
            record_image_event(ctx.paths, "pull", record.id, tagged.str());
            out.push_back(std::move(record));
        }
        return out;
    }
    if (!last)
        return Error::msg("pull " + text + ": short name did not resolve to any registry: set unqualified-search-registries in registries.conf");
    return std::move(*last);
}

std::string platform_from_parts(std::string const& os, std::string const& arch, std::string const& variant)
{
    auto host = image::Platform::host();
    image::Platform p { os.empty() ? host.os : os, arch.empty() ? host.architecture : arch, variant };
    return p.str();
}

} // namespace berth::engine
