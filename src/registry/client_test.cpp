#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "image/digest.h"
#include "registry/client.h"
#include "registry/http.h"
#include "registry/test_server.h"

#include <cstdlib>
#include <fcntl.h>

using namespace berth;
using namespace berth::registry;
using namespace berth::registry::test;

namespace {

std::string const manifest_body = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"})";

std::unique_ptr<Client> make_client(std::string const& host, ClientOptions options = {})
{
    options.insecure = true;   // the fake server speaks plain HTTP
    options.retries = 0;
    options.authfile = "/nonexistent/berth-test-auth.json";
    auto c = Client::create(host, options);
    REQUIRE_MESSAGE(c.has_value(), error_text(c));
    return std::move(c).value();
}

/// A registry that wants a Bearer token "T1", which /token hands out for user:pw.
Reply token_registry(SeenRequest const& r, std::string const& host, std::string digest_header)
{
    std::string challenge = "WWW-Authenticate: Bearer realm=\"http://" + host + "/token\",service=\"fake\"";
    if (r.target.starts_with("/token")) {
        if (r.header("authorization") != "Basic dXNlcjpwdw==") // user:pw
            return { 401, {}, "" };
        return { 200, { "Content-Type: application/json" }, R"({"access_token":"T1","expires_in":300})" };
    }
    if (r.header("authorization") != "Bearer T1")
        return { 401, { challenge }, R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})" };
    if (r.target == "/v2/")
        return { 200, {}, "{}" };
    if (r.target == "/v2/lib/app/manifests/v1")
        return { 200, { "Content-Type: application/vnd.oci.image.manifest.v1+json", "Docker-Content-Digest: " + digest_header }, manifest_body };
    return { 404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})" };
}

} // namespace

TEST_CASE("bearer token flow, token cache and manifest digest")
{
    std::string good = image::Digest::sha256_of(manifest_body).str();
    std::string host;
    FakeServer server([&](SeenRequest const& r) { return token_registry(r, host, good); });
    host = server.host();
    ClientOptions options;
    options.credentials = Credentials { "user", "pw" };
    auto client = make_client(host, options);

    auto m = client->get_manifest("lib/app", "v1");
    REQUIRE_MESSAGE(m.has_value(), error_text(m));
    CHECK(m->body == manifest_body);
    CHECK(m->digest.str() == good);
    CHECK(m->media_type == "application/vnd.oci.image.manifest.v1+json");
    // Fetch again: the cached token is reused.
    REQUIRE(client->get_manifest("lib/app", "v1").has_value());
    // The fake serves the manifest only by tag: asking by digest is a 404.
    CHECK(client->get_manifest("lib/app", good).error().code == ENOENT);

    int token_requests = 0;
    for (auto const& r : server.requests()) {
        if (r.target.starts_with("/token")) {
            ++token_requests;
            CHECK(r.target.find("service=fake") != std::string::npos);
            CHECK(r.target.find("scope=repository%3Alib%2Fapp%3Apull") != std::string::npos);
        }
        if (r.target.find("/manifests/") != std::string::npos) {
            CHECK(r.header("accept").find("application/vnd.oci.image.index.v1+json") != std::string::npos);
            CHECK(r.header("accept").find("application/vnd.docker.distribution.manifest.list.v2+json") != std::string::npos);
        }
    }
    CHECK(token_requests == 1);
    CHECK(client->check_login().has_value());
}

TEST_CASE("one client used from several threads")
{
    std::string host;
    FakeServer server([&](SeenRequest const& r) -> Reply {
        if (r.target.starts_with("/v2/x/blobs/"))
            return r.header("authorization") == "Bearer T1" ? Reply { 200, {}, "blob:" + r.target.substr(12) }
                                                             : Reply { 401, { "WWW-Authenticate: Bearer realm=\"http://" + host + "/token\"" }, "" };
        return token_registry(r, host, "");
    });
    host = server.host();
    ClientOptions options;
    options.credentials = Credentials { "user", "pw" };
    auto client = make_client(host, options);
    std::vector<std::thread> threads;
    std::vector<std::string> got(4);
    for (size_t i = 0; i < got.size(); ++i) {
        threads.emplace_back([&, i] {
            auto digest = image::Digest::sha256_of(std::to_string(i));
            (void)client->get_blob("x", digest, [&got, i](char const* d, size_t n) -> ErrorOr { got[i].append(d, n); return {}; });
        });
    }
    for (auto& t : threads)
        t.join();
    for (size_t i = 0; i < got.size(); ++i)
        CHECK(got[i] == "blob:" + image::Digest::sha256_of(std::to_string(i)).str());
}

TEST_CASE("manifest errors: wrong Docker-Content-Digest, 404, anonymous 401, bad password")
{
    std::string wrong = image::Digest::sha256_of("something else").str();
    std::string host;
    FakeServer server([&](SeenRequest const& r) { return token_registry(r, host, wrong); });
    host = server.host();
    ClientOptions options;
    options.credentials = Credentials { "user", "pw" };
    auto client = make_client(host, options);

    auto mismatch = client->get_manifest("lib/app", "v1");
    REQUIRE(!mismatch.has_value());
    CHECK(mismatch.error().message.find("digest mismatch") != std::string::npos);

    auto missing = client->get_manifest("lib/app", "nope");
    REQUIRE(!missing.has_value());
    CHECK(missing.error().message == "manifest unknown: lib/app:nope not found in " + host);
    CHECK(missing.error().code == ENOENT);

    auto anonymous = make_client(host);
    auto denied = anonymous->get_manifest("lib/app", "v1");
    REQUIRE(!denied.has_value());
    CHECK(denied.error().message == "authentication required for " + host + ": log in with \"berth login " + host + "\"");
    CHECK(denied.error().code == EACCES);

    options.credentials = Credentials { "user", "wrong" };
    auto bad = make_client(host, options);
    auto rejected = bad->get_manifest("lib/app", "v1");
    REQUIRE(!rejected.has_value());
    CHECK(rejected.error().message.starts_with("invalid username/password for " + host));
    CHECK(!bad->check_login().has_value());
}

TEST_CASE("basic auth, redirects drop Authorization across hosts, sink errors abort")
{
    std::string blob = "layer bytes";
    int port = 0;
    FakeServer server([&](SeenRequest const& r) -> Reply {
        if (r.target == "/storage/blob")
            return { 200, {}, blob };
        if (r.header("authorization") != "Basic dXNlcjpwdw==")
            return { 401, { "WWW-Authenticate: Basic realm=\"fake\"" }, "" };
        if (r.target == "/v2/")
            return { 200, {}, "" };
        // Same server under another name: a different host as far as auth goes.
        return { 307, { "Location: http://localhost:" + std::to_string(port) + "/storage/blob" }, "" };
    });
    port = server.port();
    ClientOptions options;
    options.credentials = Credentials { "user", "pw" };
    auto client = make_client(server.host(), options);
    auto digest = image::Digest::sha256_of(blob);

    std::string got;
    auto r = client->get_blob("x/y", digest, [&](char const* d, size_t n) -> ErrorOr { got.append(d, n); return {}; });
    REQUIRE_MESSAGE(r.has_value(), error_text(r));
    CHECK(got == blob);
    bool saw_storage = false;
    for (auto const& req : server.requests()) {
        if (req.target == "/storage/blob") {
            saw_storage = true;
            CHECK(req.header("authorization").empty());
        }
    }
    CHECK(saw_storage);

    auto aborted = client->get_blob("x/y", digest, [](char const*, size_t) -> ErrorOr { return Error::msg("disk full"); });
    REQUIRE(!aborted.has_value());
    CHECK(aborted.error().message.ends_with("disk full"));
    CHECK(aborted.error().message.find(digest.str()) != std::string::npos);
}

TEST_CASE("5xx is retried, 4xx is not")
{
    int calls = 0;
    FakeServer server([&](SeenRequest const& r) -> Reply {
        if (r.target == "/v2/")
            return { 200, {}, "" };
        if (r.target.find("/tags/list") != std::string::npos)
            return ++calls == 1 ? Reply { 503, {}, "" } : Reply { 200, {}, R"({"name":"a","tags":["1"]})" };
        return { 400, {}, R"({"errors":[{"code":"BAD","message":"nope"}]})" };
    });
    ClientOptions options;
    auto client = make_client(server.host(), options);
    CHECK(!client->list_tags("a").has_value()); // retries = 0: the 503 is final
    CHECK(calls == 1);

    options.retries = 1;
    options.insecure = true;
    options.authfile = "/nonexistent/berth-test-auth.json";
    auto retrying = Client::create(server.host(), options).release_value();
    auto tags = retrying->list_tags("a");
    REQUIRE_MESSAGE(tags.has_value(), error_text(tags));
    CHECK(tags.value() == std::vector<std::string> { "1" });

    size_t before = server.requests().size();
    auto bad = retrying->blob_exists("a", image::Digest::sha256_of("x"));
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message.find("HTTP 400") != std::string::npos);
    CHECK(server.requests().size() == before + 1);
}

TEST_CASE("connection refused is a one-line ping error")
{
    int port = free_port();
    std::string host = "127.0.0.1:" + std::to_string(port);
    auto client = make_client(host);
    auto r = client->get_manifest("a", "latest");
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("pinging container registry " + host + ": ") != std::string::npos);
    CHECK(r.error().message.find('\n') == std::string::npos);
}

TEST_CASE("Link headers: the rel=\"next\" target, wherever it stands")
{
    CHECK(http::next_link(R"(</v2/_catalog?last=a%2Fb&n=3>; rel="next")") == "/v2/_catalog?last=a%2Fb&n=3");
    CHECK(http::next_link("</v2/x/tags/list?n=1&last=1>; rel=next") == "/v2/x/tags/list?n=1&last=1");
    CHECK(http::next_link(R"(<https://r.example/v2/_catalog?last=z>; REL="Next")") == "https://r.example/v2/_catalog?last=z");
    CHECK(http::next_link(R"(</a>; rel="prev", </b>; rel="next")") == "/b");
    CHECK(http::next_link(R"(</a,b>; rel="next last")") == "/a,b");
    CHECK(http::next_link(R"(</a>; rel="prev")").empty());
    CHECK(http::next_link("").empty());
    CHECK(http::next_link("</unterminated; rel=next").empty());
}

TEST_CASE("catalog follows Link pages until the callback stops; v1 search falls back on 404")
{
    FakeServer server([](SeenRequest const& r) -> Reply {
        if (r.target == "/v2/")
            return { 200, {}, "{}" };
        if (r.target == "/v2/_catalog?n=2")
            return { 200, { "Link: </v2/_catalog?last=b&n=2>; rel=\"next\"" }, R"({"repositories":["a","b"]})" };
        if (r.target == "/v2/_catalog?last=b&n=2")
            return { 200, { "Link: </v2/_catalog?last=d&n=2>; rel=\"next\"" }, R"({"repositories":["c","d"]})" };
        if (r.target == "/v2/_catalog?last=d&n=2")
            return { 200, {}, R"({"repositories":["e"]})" };
        if (r.target.starts_with("/v1/search?q=hub"))
            return { 200, {}, R"({"results":[{"name":"hub","description":"d","star_count":7,"is_official":true}]})" };
        return { 404, {}, "404 page not found" };
    });
    auto client = make_client(server.host());

    std::vector<std::string> seen;
    auto all = client->list_catalog([&](std::vector<std::string> const& page) {
        seen.insert(seen.end(), page.begin(), page.end());
        return true;
    }, 2);
    REQUIRE_MESSAGE(all.has_value(), error_text(all));
    CHECK(seen == std::vector<std::string> { "a", "b", "c", "d", "e" });

    seen.clear();
    size_t before = server.requests().size();
    auto first = client->list_catalog([&](std::vector<std::string> const& page) {
        seen.insert(seen.end(), page.begin(), page.end());
        return false;
    }, 2);
    REQUIRE(first.has_value());
    CHECK(seen == std::vector<std::string> { "a", "b" });
    CHECK(server.requests().size() == before + 1);

    auto none = client->search("busy box", 5);
    REQUIRE_MESSAGE(none.has_value(), error_text(none));
    CHECK_FALSE(none->has_value());
    CHECK(server.requests().back().target == "/v1/search?q=busy%20box&n=5");
    auto hub = client->search("hub", 5);
    REQUIRE_MESSAGE(hub.has_value(), error_text(hub));
    REQUIRE(hub->has_value());
    REQUIRE((*hub)->size() == 1);
    CHECK((**hub)[0].name == "hub");
    CHECK((**hub)[0].stars == 7);
    CHECK((**hub)[0].official);
    CHECK_FALSE((**hub)[0].automated);
}

TEST_CASE("catalog of a registry without one is an error naming the registry")
{
    FakeServer server([](SeenRequest const& r) -> Reply {
        if (r.target == "/v2/")
            return { 200, {}, "{}" };
        return { 404, {}, R"({"errors":[{"code":"UNSUPPORTED","message":"the operation is unsupported"}]})" };
    });
    auto client = make_client(server.host());
    auto r = client->list_catalog([](std::vector<std::string> const&) { return true; });
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("listing the repositories of " + server.host()) != std::string::npos);
    CHECK(r.error().message.find("HTTP 404") != std::string::npos);
}

// ---- against the real distribution registry, when installed ----------------

namespace {

std::string write_blob(TempDir const& dir, std::string const& name, std::string const& data)
{
    std::string path = fs::join(dir.path(), name);
    REQUIRE(fs::write_file_atomic(path, data).has_value());
    return path;
}

ErrorOr push_blob(Client& client, TempDir const& dir, std::string const& repo, std::string const& data, std::string const& mount_from = {})
{
    auto digest = image::Digest::sha256_of(data);
    std::string path = write_blob(dir, digest.hex(), data);
    return client.put_blob(repo, digest, path, static_cast<int64_t>(data.size()), mount_from);
}

std::string fetch_blob(Client& client, std::string const& repo, image::Digest const& digest)
{
    std::string got;
    auto r = client.get_blob(repo, digest, [&](char const* d, size_t n) -> ErrorOr { got.append(d, n); return {}; });
    REQUIRE_MESSAGE(r.has_value(), error_text(r));
    return got;
}

} // namespace

TEST_CASE("push and pull against docker-registry")
{
    char const* binary = "/usr/bin/docker-registry";
    if (::access(binary, X_OK) != 0) {
        MESSAGE("skipped: docker-registry is not installed");
        return;
    }
    auto dir = TempDir::create("/tmp", "berth-registry-test-").release_value();
    int port = free_port();
    std::string config = fs::join(dir.path(), "config.yml");
    REQUIRE(fs::write_file_atomic(config, "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: "
        + fs::join(dir.path(), "storage") + "\nhttp:\n  addr: 127.0.0.1:" + std::to_string(port) + "\n").has_value());
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(binary, binary, "serve", config.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ChildGuard guard(pid);
    REQUIRE_MESSAGE(wait_for_port(port, 5000), "docker-registry did not start");

    ClientOptions options;
    options.monolithic_upload_limit = 8;   // force the chunked path for the layer
    options.upload_chunk_size = 5;
    auto client = make_client("127.0.0.1:" + std::to_string(port), options);

    std::string config_json = "{}";
    std::string layer = "not really a tarball, but 40 bytes long!";
    REQUIRE(push_blob(*client, dir, "test/app", config_json).has_value());
    auto pushed = push_blob(*client, dir, "test/app", layer);
    REQUIRE_MESSAGE(pushed.has_value(), error_text(pushed));
    auto layer_digest = image::Digest::sha256_of(layer);
    CHECK(client->blob_exists("test/app", layer_digest).value());
    CHECK(!client->blob_exists("test/app", image::Digest::sha256_of("absent")).value());
    CHECK(fetch_blob(*client, "test/app", layer_digest) == layer);

    // Cross-repository mount.
    auto mounted = push_blob(*client, dir, "test/other", layer, "test/app");
    REQUIRE_MESSAGE(mounted.has_value(), error_text(mounted));
    CHECK(client->blob_exists("test/other", layer_digest).value());

    std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")"
        + image::Digest::sha256_of(config_json).str() + R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":")"
        + layer_digest.str() + R"(","size":)" + std::to_string(layer.size()) + "}]}";
    auto put = client->put_manifest("test/app", "v1", manifest, "application/vnd.oci.image.manifest.v1+json");
    REQUIRE_MESSAGE(put.has_value(), error_text(put));
    REQUIRE(client->put_manifest("test/app", "v2", manifest, "application/vnd.oci.image.manifest.v1+json").has_value());

    auto m = client->get_manifest("test/app", "v1");
    REQUIRE_MESSAGE(m.has_value(), error_text(m));
    CHECK(m->body == manifest);
    CHECK(m->media_type == "application/vnd.oci.image.manifest.v1+json");
    CHECK(m->digest == image::Digest::sha256_of(manifest));
    REQUIRE(client->get_manifest("test/app", m->digest.str()).has_value());

    auto wrong = client->get_manifest("test/app", image::Digest::sha256_of("not the manifest").str());
    REQUIRE(!wrong.has_value());
    CHECK(wrong.error().message.starts_with("manifest unknown: test/app@sha256:"));

    auto tags = client->list_tags("test/app");
    REQUIRE_MESSAGE(tags.has_value(), error_text(tags));
    CHECK(tags.value() == std::vector<std::string> { "v1", "v2" });
}
