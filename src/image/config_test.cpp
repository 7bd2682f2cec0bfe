// Image configuration parsing (including the untidy shapes real builders
// write) and serialisation.
#include <doctest/doctest.h>

#include "image/config.h"

using namespace berth;
using namespace berth::image;

namespace {

std::string const diff1 = "sha256:" + std::string(64, 'a');
std::string const diff2 = "sha256:" + std::string(64, 'b');

std::string const full_config = R"({
  "architecture": "arm64",
  "variant": "v8",
  "os": "linux",
  "created": "2024-02-03T04:05:06Z",
  "author": "someone",
  "config": {
    "User": "1000:1000",
    "Env": ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8"],
    "Entrypoint": ["/entry.sh"],
    "Cmd": ["serve", "--port", "80"],
    "WorkingDir": "/srv",
    "Labels": {"org.opencontainers.image.title": "demo", "maintainer": "x"},
    "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
    "Volumes": {"/data": {}},
    "StopSignal": "SIGQUIT",
    "Healthcheck": {"Test": ["CMD", "true"]}
  },
  "rootfs": {"type": "layers", "diff_ids": [")" + diff1 + R"(", ")" + diff2 + R"("]},
  "history": [
    {"created": "2024-01-01T00:00:00Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in /"},
    {"created": "2024-01-02T00:00:00Z", "created_by": "/bin/sh -c #(nop) CMD [\"sh\"]", "empty_layer": true, "comment": "c", "author": "a"}
  ]
})";

} // namespace

TEST_CASE("parse a full config")
{
    auto c = ImageConfig::parse(full_config);
    REQUIRE_MESSAGE(c.has_value(), c.error().message);
    CHECK(c->architecture == "arm64");
    CHECK(c->variant == "v8");
    CHECK(c->os == "linux");
    CHECK(c->created == "2024-02-03T04:05:06Z");
    CHECK(c->author == "someone");
    CHECK(c->user == "1000:1000");
    CHECK(c->env == std::vector<std::string> { "PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8" });
    CHECK(c->entrypoint == std::vector<std::string> { "/entry.sh" });
    CHECK(c->cmd == std::vector<std::string> { "serve", "--port", "80" });
    CHECK(c->working_dir == "/srv");
    CHECK(c->labels.size() == 2);
    CHECK(c->labels.at("org.opencontainers.image.title") == "demo");
    CHECK(c->exposed_ports == std::vector<std::string> { "53/udp", "80/tcp" });
    CHECK(c->volumes == std::vector<std::string> { "/data" });
    CHECK(c->stop_signal == "SIGQUIT");
    REQUIRE(c->diff_ids.size() == 2);
    CHECK(c->diff_ids[1].str() == diff2);
    REQUIRE(c->history.size() == 2);
    CHECK(!c->history[0].empty_layer);
    CHECK(c->history[1].empty_layer);
    CHECK(c->history[1].comment == "c");
    CHECK(c->history[1].author == "a");
    // The raw document keeps fields berth does not model.
    CHECK(c->raw["config"]["Healthcheck"]["Test"][0] == "CMD");
}

TEST_CASE("optional fields may be missing or null")
{
    auto minimal = ImageConfig::parse(R"({"architecture": "amd64", "os": "linux"})");
    REQUIRE(minimal.has_value());
    CHECK(minimal->env.empty());
    CHECK(minimal->labels.empty());
    CHECK(minimal->diff_ids.empty());
    CHECK(minimal->history.empty());

    auto nulls = ImageConfig::parse(R"({"architecture": "amd64", "os": "linux", "created": null,
        "config": {"Env": null, "Cmd": null, "Entrypoint": null, "Labels": null, "ExposedPorts": null,
                   "Volumes": null, "User": null},
        "rootfs": {"type": "layers", "diff_ids": null}, "history": null})");
    REQUIRE_MESSAGE(nulls.has_value(), nulls.error().message);
    CHECK(nulls->labels.empty());
    CHECK(nulls->cmd.empty());

    CHECK(ImageConfig::parse(R"({"config": null})").has_value());
    CHECK(ImageConfig::parse("{}").has_value());
}

TEST_CASE("a bare-string Cmd is one argument")
{
    auto c = ImageConfig::parse(R"({"config": {"Cmd": "/bin/sh", "Entrypoint": "/init"}})").value();
    CHECK(c.cmd == std::vector<std::string> { "/bin/sh" });
    CHECK(c.entrypoint == std::vector<std::string> { "/init" });
}

TEST_CASE("wrongly typed fields are errors")
{
    struct {
        char const* body;
        char const* expect;
    } const cases[] = {
        { "nope", "parse image config" },
        { "[1]", "not a JSON object" },
        { R"({"os": 5})", "\"os\" must be a string" },
        { R"({"config": []})", "\"config\" must be an object" },
        { R"({"config": {"Env": [1]}})", "\"Env\" must be an array of strings" },
        { R"({"config": {"Env": {}}})", "\"Env\" must be an array of strings" },
        { R"({"config": {"Labels": {"a": 1}}})", "\"Labels\" must be an object of strings" },
        { R"({"config": {"ExposedPorts": ["80/tcp"]}})", "\"ExposedPorts\" must be an object" },
        { R"({"rootfs": {"diff_ids": ["sha256:short"]}})", "invalid digest" },
        { R"({"history": [{"empty_layer": "yes"}]})", "empty_layer" },
        { R"({"history": {}})", "\"history\"" },
    };
    for (auto const& c : cases) {
        CAPTURE(c.body);
        auto r = ImageConfig::parse(c.body);
        REQUIRE(!r.has_value());
        CHECK_MESSAGE(r.error().message.find(c.expect) != std::string::npos, r.error().message);
    }
}

TEST_CASE("serialize keeps os.version and os.features, and only when they have the right type")
{
    auto c = ImageConfig::parse(R"({"architecture":"amd64","os":"windows","os.version":"10.0.17763","os.features":["win32k"],"rootfs":{"type":"layers","diff_ids":[]}})").value();
    std::string text = c.serialize();
    CHECK(text.find(R"("os":"windows","os.version":"10.0.17763","os.features":["win32k"],"config")") != std::string::npos);
    c.raw["os.version"] = 7;
    c.raw.erase("os.features");
    text = c.serialize();
    CHECK(text.find("os.version") == std::string::npos);
    CHECK(text.find("os.features") == std::string::npos);
}

TEST_CASE("serialize writes what parse reads")
{
    ImageConfig c = ImageConfig::parse(full_config).value();
    std::string text = c.serialize();
    ImageConfig again = ImageConfig::parse(text).value();
    CHECK(again.architecture == c.architecture);
    CHECK(again.variant == c.variant);
    CHECK(again.os == c.os);
    CHECK(again.created == c.created);
    CHECK(again.user == c.user);
    CHECK(again.env == c.env);
    CHECK(again.entrypoint == c.entrypoint);
    CHECK(again.cmd == c.cmd);
    CHECK(again.working_dir == c.working_dir);
    CHECK(again.labels == c.labels);
    CHECK(again.exposed_ports == c.exposed_ports);
    CHECK(again.volumes == c.volumes);
    CHECK(again.stop_signal == c.stop_signal);
    CHECK(again.diff_ids == c.diff_ids);
    REQUIRE(again.history.size() == 2);
    CHECK(again.history[1].empty_layer);
    CHECK(again.history[0].created_by == c.history[0].created_by);
    // Members of raw's config that no field models are kept (a commit keeps the base's Healthcheck).
    CHECK(text.find("Healthcheck") != std::string::npos);
    CHECK(again.serialize() == text);
}

TEST_CASE("serialize of a fresh config has the required members")
{
    ImageConfig c;
    c.architecture = "amd64";
    c.os = "linux";
    c.diff_ids.push_back(Digest::sha256_of("layer"));
    Json j = Json::parse(c.serialize());
    CHECK(j["architecture"] == "amd64");
    CHECK(j["os"] == "linux");
    CHECK(j["rootfs"]["type"] == "layers");
    CHECK(j["rootfs"]["diff_ids"].size() == 1);
    CHECK(j["config"].is_object());
    CHECK(!j.contains("history"));
}
