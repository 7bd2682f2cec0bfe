// import: a root filesystem tarball (a file, standard input or an http(s)
// URL) becomes a one-layer image, with Dockerfile-like --change
// instructions applied to its config.
//
// The tarball is stored as the layer blob as it is when it is a plain, gzip
// or zstd tar (OCI has media types for those), hashed while it is copied;
// xz and bzip2 have no OCI media type, so those are stored decompressed. The
// layer store computes the diff ID while extracting. The subtle part is the
// --change grammar, which follows Podman's: "INSTRUCTION VALUE" or
// "INSTRUCTION=VALUE", JSON or shell form for CMD/ENTRYPOINT, key=value
// pairs with optional quotes for ENV/LABEL.
#include "engine/images/interchange.h"

#include "archive/streams.h"
#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/sys.h"
#include "base/temp_dir.h"
#include "engine/images/images.h"
#include "registry/http.h"

#include <csignal>
#include <ctime>
#include <fcntl.h>

namespace berth::engine {

namespace {

/// Splits on whitespace outside quotes; quotes are removed, \" escapes inside "...".
Result<std::vector<std::string>> split_words(std::string_view text, std::string const& change)
{
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            else if (c == '\\' && quote == '"' && i + 1 < text.size())
                cur += text[++i];
            else
                cur += c;
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word)
                words.push_back(std::move(cur));
            cur.clear();
            in_word = false;
        } else {
            cur += c;
            in_word = true;
        }
    }
    if (quote)
        return Error::msg("invalid change \"" + change + "\": unterminated quote");
    if (in_word)
        words.push_back(std::move(cur));
    return words;
}

/// key=value pairs ("A=1 B='two words'"), or Docker's older "KEY VALUE" form when `allow_space`.
Result<std::vector<std::pair<std::string, std::string>>> parse_pairs(std::string const& value, std::string const& change, bool allow_space)
{
    std::vector<std::pair<std::string, std::string>> out;
    auto first_space = value.find_first_of(" \t");
    auto first_eq = value.find('=');
    if (allow_space && first_space != std::string::npos && (first_eq == std::string::npos || first_space < first_eq)) {
        auto rest = value.substr(first_space + 1);
        auto words = TRY(split_words(rest, change));
        std::string joined;
        for (auto const& w : words)
            joined += (joined.empty() ? "" : " ") + w;
        out.emplace_back(value.substr(0, first_space), joined);
        return out;
    }
    for (auto const& word : TRY(split_words(value, change))) {
        auto eq = word.find('=');
        if (eq == std::string::npos || eq == 0)
            return Error::msg("invalid change \"" + change + "\": expected KEY=VALUE");
        out.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    }
    if (out.empty())
        return Error::msg("invalid change \"" + change + "\": expected KEY=VALUE");
    return out;
}

/// A JSON array of strings, or nullopt when `value` is not one (shell form).
std::optional<std::vector<std::string>> json_array(std::string const& value)
{
    if (value.empty() || value.front() != '[')
        return std::nullopt;
    auto doc = json::parse(value, "change");
    if (!doc || !doc->is_array())
        return std::nullopt;
    std::vector<std::string> out;
    for (auto const& item : *doc) {
        if (!item.is_string())
            return std::nullopt;
        out.push_back(item.get<std::string>());
    }
    return out;
}

bool valid_signal(std::string s)
{
    if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit))
        return std::stoi(s.substr(0, 3)) > 0 && std::stoi(s.substr(0, 3)) <= 64;
    for (auto& c : s)
        c = static_cast<char>(::toupper(static_cast<unsigned char>(c)));
    if (s.rfind("SIG", 0) != 0)
        s = "SIG" + s;
    if (s.rfind("SIGRTMIN", 0) == 0 || s.rfind("SIGRTMAX", 0) == 0)
        return true;
    for (int i = 1; i < NSIG; ++i)
        if (char const* abbrev = sigabbrev_np(i); abbrev && s == std::string("SIG") + abbrev)
            return true;
    return false;
}

void set_env(std::vector<std::string>& env, std::string const& key, std::string const& value)
{
    std::string prefix = key + "=";
    auto it = std::find_if(env.begin(), env.end(), [&](std::string const& e) { return e.rfind(prefix, 0) == 0; });
    if (it != env.end())
        *it = prefix + value;
    else
        env.push_back(prefix + value);
}

ErrorOr apply_expose(image::ImageConfig& config, std::string const& value, std::string const& change)
{
    auto words = TRY(split_words(value, change));
    if (words.empty())
        return Error::msg("invalid change \"" + change + "\": EXPOSE needs PORT[/PROTO]");
    for (auto const& w : words) {
        auto slash = w.find('/');
        std::string port = w.substr(0, slash);
        std::string proto = slash == std::string::npos ? "tcp" : w.substr(slash + 1);
        for (auto& c : proto)
            c = static_cast<char>(::tolower(static_cast<unsigned char>(c)));
        bool numeric = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit);
        if (!numeric || std::stoi(port) < 1 || std::stoi(port) > 65535)
            return Error::msg("invalid change \"" + change + "\": EXPOSE port must be a number from 1 to 65535");
        if (proto != "tcp" && proto != "udp" && proto != "sctp")
            return Error::msg("invalid change \"" + change + "\": EXPOSE protocol must be tcp, udp or sctp");
        std::string entry = std::to_string(std::stoi(port)) + "/" + proto;
        if (std::find(config.exposed_ports.begin(), config.exposed_ports.end(), entry) == config.exposed_ports.end())
            config.exposed_ports.push_back(entry);
    }
    return {};
}

struct StoredBlob {
    image::Digest digest;
    int64_t size = 0;
    std::string media_type;
    bool added = false;
};

/// Copies `head` and then the rest of `fd` into the blob store, hashing on the way.
Result<StoredBlob> store_stream(Context& ctx, std::string_view head, int fd, std::string media_type)
{
    auto writer = TRY(ctx.store->blobs().begin_write());
    image::Sha256 hasher;
    hasher.update(head);
    TRY(writer.write(head));
    std::vector<char> buf(1 << 20);
    for (;;) {
        size_t n = TRY(sys::read(fd, buf.data(), buf.size()));
        if (n == 0)
            break;
        hasher.update(buf.data(), n);
        TRY(writer.write(buf.data(), n));
    }
    StoredBlob blob { hasher.finish(), writer.size(), std::move(media_type), false };
    blob.added = !ctx.store->blobs().has(blob.digest);
    TRY(writer.commit(blob.digest, blob.size));
    return blob;
}

/// Stores an xz/bzip2 tarball decompressed (OCI has no media type for those).
Result<StoredBlob> store_decompressed(Context& ctx, std::string const& path)
{
    auto writer = TRY(ctx.store->blobs().begin_write());
    image::Sha256 hasher;
    TRY(archive::decompress_file(path, [&](char const* data, size_t n) -> ErrorOr {
        hasher.update(data, n);
        return writer.write(data, n);
    }));
    StoredBlob blob { hasher.finish(), writer.size(), image::media_type::oci_layer, false };
    blob.added = !ctx.store->blobs().has(blob.digest);
    TRY(writer.commit(blob.digest, blob.size));
    return blob;
}

/// Reads the source and stores it as a layer blob.
Result<StoredBlob> store_source(Context& ctx, ImportOptions const& options, std::optional<Scratch>& scratch)
{
    std::string path = options.source;
    if (is_url(path)) {
        scratch.emplace(TRY(make_scratch(ctx, "import")));
        path = scratch->path() + "/download";
        TRY(download(options.source, path));
    }
    bool from_stdin = path == "-";
    UniqueFd owned;
    if (!from_stdin) {
        owned = TRY(sys::open(path, O_RDONLY | O_CLOEXEC));
        auto st = TRY(sys::fstat(owned.get()));
        if (S_ISDIR(st.st_mode))
            return Error { EISDIR, "is a directory: import wants a tarball" };
    }
    int fd = from_stdin ? options.source_fd : owned.get();
    std::string head(8, '\0');
    size_t got = 0;
    while (got < head.size()) {
        size_t n = TRY(sys::read(fd, head.data() + got, head.size() - got));
        if (n == 0)
            break;
        got += n;
    }
    head.resize(got);
    if (got == 0)
        return Error::msg("the tarball is empty");
    auto compression = detect_compression(head);
    if (compression == Compression::None || compression == Compression::Gzip || compression == Compression::Zstd)
        return store_stream(ctx, head, fd, oci_layer_media_type(compression));
    if (from_stdin) {
        // libarchive needs the whole stream from its start: spool it first.
        scratch.emplace(TRY(make_scratch(ctx, "import")));
        path = scratch->path() + "/stdin";
        UniqueFd out = TRY(sys::open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        TRY(sys::write_all(out.get(), head));
        std::vector<char> buf(1 << 20);
        for (size_t n; (n = TRY(sys::read(fd, buf.data(), buf.size()))) > 0;)
            TRY(sys::write_all(out.get(), buf.data(), n));
    }
    return store_decompressed(ctx, path);
}

/// The image config for the imported layer.
Result<image::ImageConfig> make_config(ImportOptions const& options, image::Digest const& diff_id, std::string const& created)
{
    image::ImageConfig config;
    for (auto const& change : options.changes)
        TRY(apply_change(config, change));
    auto host = image::Platform::host();
    config.os = options.os.empty() ? host.os : options.os;
    config.architecture = options.architecture.empty() ? host.architecture : options.architecture;
    config.variant = options.variant.empty() && options.architecture.empty() ? host.variant : options.variant;
    config.created = created;
    config.diff_ids = { diff_id };
    image::HistoryEntry h;
    h.created = created;
    h.created_by = "/bin/sh -c #(nop) ADD file:" + diff_id.hex() + " in / ";
    h.comment = options.message.empty() ? "imported from " + (options.source == "-" ? std::string("standard input") : options.source) : options.message;
    config.history = { h };
    return config;
}

} // namespace

std::string now_rfc3339()
{
    timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm {};
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ldZ", ts.tv_nsec);
    return std::string(buf) + frac;
}

ErrorOr apply_change(image::ImageConfig& config, std::string const& change)
{
    auto cut = change.find_first_of(" \t");
    if (cut == std::string::npos)
        cut = change.find('=');
    if (cut == std::string::npos)
        return Error::msg("invalid change \"" + change + "\": use INSTRUCTION VALUE, e.g. CMD /bin/sh");
    std::string key = change.substr(0, cut);
    for (auto& c : key)
        c = static_cast<char>(::toupper(static_cast<unsigned char>(c)));
    std::string value = change.substr(cut + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    auto need_value = [&]() -> ErrorOr {
        if (value.empty())
            return Error::msg("invalid change \"" + change + "\": " + key + " needs a value");
        return {};
    };
    if (key == "CMD" || key == "ENTRYPOINT") {
        auto& target = key == "CMD" ? config.cmd : config.entrypoint;
        if (auto array = json_array(value))
            target = *array;
        else if (value.empty())
            target = key == "CMD" ? std::vector<std::string> { "/bin/sh", "-c" } : std::vector<std::string> {};
        else
            target = { "/bin/sh", "-c", value };
    } else if (key == "ENV") {
        TRY(need_value());
        for (auto const& [k, v] : TRY(parse_pairs(value, change, true)))
            set_env(config.env, k, v);
    } else if (key == "LABEL") {
        TRY(need_value());
        for (auto const& [k, v] : TRY(parse_pairs(value, change, false)))
            config.labels[k] = v;
    } else if (key == "USER") {
        TRY(need_value());
        config.user = value;
    } else if (key == "WORKDIR") {
        TRY(need_value());
        config.working_dir = value[0] == '/' || config.working_dir.empty() ? value : fs::join(config.working_dir, value);
        if (config.working_dir[0] != '/')
            config.working_dir = "/" + config.working_dir;
    } else if (key == "EXPOSE") {
        TRY(apply_expose(config, value, change));
    } else if (key == "VOLUME") {
        TRY(need_value());
        auto paths = json_array(value);
        if (!paths)
            paths = TRY(split_words(value, change));
        for (auto const& p : *paths) {
            if (p.empty())
                return Error::msg("invalid change \"" + change + "\": VOLUME paths must not be empty");
            if (std::find(config.volumes.begin(), config.volumes.end(), p) == config.volumes.end())
                config.volumes.push_back(p);
        }
    } else if (key == "ONBUILD") {
        TRY(need_value());
        config.on_build.push_back(value);
    } else if (key == "STOPSIGNAL") {
        TRY(need_value());
        if (!valid_signal(value))
            return Error::msg("invalid change \"" + change + "\": " + value + " is not a signal");
        config.stop_signal = value;
    } else {
        return Error::msg("invalid change \"" + change + "\": " + key
            + " is not supported: use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR");
    }
    return {};
}

ErrorOr set_import_platform(ImportOptions& options, std::string_view platform)
{
    auto parsed = TRY(image::Platform::parse(platform));
    options.os = parsed.os;
    options.architecture = parsed.architecture;
    options.variant = parsed.variant;
    return {};
}

Result<store::ImageRecord> import_image(Context& ctx, ImportOptions const& options)
{
    std::string what = "import " + (options.source == "-" ? std::string("standard input") : options.source);
    // Check the name and the changes before reading anything.
    std::string name = options.reference.empty() ? "" : TRY_CTX(normalize_tag_name(options.reference), what);
    {
        image::ImageConfig probe;
        for (auto const& change : options.changes)
            TRY_CTX(apply_change(probe, change), what);
    }
    auto protect = TRY(ctx.store->protect_new_content());
    std::optional<Scratch> scratch;
    auto blob = TRY_CTX(store_source(ctx, options, scratch), what);
    ArmedScopeGuard drop_blob([&] {
        if (blob.added)
            (void)ctx.store->blobs().remove(blob.digest);
    });
    auto layer = TRY_CTX(ctx.store->layers().create_from_blob(ctx.store->blobs().path(blob.digest), blob.digest, blob.media_type, {}), what);
    if (options.observer)
        options.observer(CopyEvent { CopyEvent::Kind::BlobDone, blob.digest.str() });
    layer.blob_digest = blob.digest;
    layer.blob_size = blob.size;
    layer.media_type = blob.media_type;

    std::string created = now_rfc3339();
    auto config = TRY_CTX(make_config(options, layer.diff_id, created), what);
    std::string config_body = config.serialize();
    auto config_digest = TRY(ctx.store->blobs().put(config_body));
    if (options.observer)
        options.observer(CopyEvent { CopyEvent::Kind::ConfigDone, config_digest.str() });

    image::Manifest manifest;
    manifest.media_type = image::media_type::oci_manifest;
    manifest.config = image::Descriptor { image::media_type::oci_config, config_digest, static_cast<int64_t>(config_body.size()), {}, {}, {} };
    manifest.layers = { image::Descriptor { blob.media_type, blob.digest, blob.size, {}, {}, {} } };
    std::string manifest_body = image::serialize_manifest(manifest);

    store::ImageRecord record;
    record.id = config_digest.hex();
    record.config_digest = config_digest;
    record.manifest_digest = TRY(ctx.store->blobs().put(manifest_body));
    record.manifest_media_type = image::media_type::oci_manifest;
    if (!name.empty())
        record.names.push_back(name);
    record.layers = { layer };
    record.created = parse_time(created);
    record.size = layer.size;
    record.architecture = config.architecture;
    record.os = config.os;
    TRY_CTX(ctx.store->put_image(record), what);
    drop_blob.disarm();
    if (options.observer)
        options.observer(CopyEvent { CopyEvent::Kind::ManifestWritten, {} });
    return TRY(ctx.store->get_image(record.id)).value_or(record);
}

bool is_url(std::string const& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

/// Downloads `url` into `path`, following up to 10 redirects.
ErrorOr download(std::string url, std::string const& path)
{
    registry::http::global_init();
    UniqueFd fd = TRY(sys::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    for (int hop = 0; hop < 10; ++hop) {
        registry::http::Request req;
        req.url = url;
        req.sink = [&](char const* data, size_t n) { return sys::write_all(fd.get(), data, n); };
        auto outcome = registry::http::perform(req);
        if (outcome.sink_error)
            return std::move(*outcome.sink_error);
        if (outcome.curl_code != 0)
            return Error::msg("download " + url + ": " + outcome.error);
        long status = outcome.response.status;
        if (status >= 300 && status < 400 && !outcome.response.redirect_url.empty()) {
            url = outcome.response.redirect_url;
            if (::ftruncate(fd.get(), 0) < 0 || ::lseek(fd.get(), 0, SEEK_SET) < 0)
                return Error::from_errno("truncate " + path);
            continue;
        }
        if (status < 200 || status >= 300)
            return Error::msg("download " + url + ": HTTP " + std::to_string(status));
        return sys::fsync(fd.get());
    }
    return Error::msg("download " + url + ": too many redirects");
}

} // namespace berth::engine
