// registries.conf: parsing, short-name resolution, prefix matching, mirrors,
// location rewriting, insecure/blocked registries, drop-ins and file lookup.
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "image/registries_conf.h"

#include <cstdlib>
#include <optional>

using namespace berth;
using namespace berth::image;

namespace {

RegistriesConf conf_of(std::string_view text)
{
    auto conf = RegistriesConf::parse(text, "test");
    REQUIRE_MESSAGE(conf.has_value(), conf.error().message);
    return conf.release_value();
}

Reference parse_ref(std::string_view text) { return Reference::parse(text).value(); }

std::vector<std::string> strs(std::vector<Reference> const& refs)
{
    std::vector<std::string> out;
    for (auto const& r : refs)
        out.push_back(r.str());
    return out;
}

std::vector<std::string> endpoint_refs(PullSource const& source)
{
    std::vector<std::string> out;
    for (auto const& e : source.endpoints)
        out.push_back(e.reference.str());
    return out;
}

/// Sets an environment variable for one scope.
struct EnvVar {
    std::string name;
    std::optional<std::string> old;
    EnvVar(std::string n, std::optional<std::string> value) : name(std::move(n))
    {
        if (char const* v = std::getenv(name.c_str()))
            old = v;
        if (value)
            setenv(name.c_str(), value->c_str(), 1);
        else
            unsetenv(name.c_str());
    }
    ~EnvVar()
    {
        if (old)
            setenv(name.c_str(), old->c_str(), 1);
        else
            unsetenv(name.c_str());
    }
};

std::string const sha = "sha256:" + std::string(64, 'e');

} // namespace

TEST_CASE("empty configuration: short names go to docker.io")
{
    auto conf = conf_of("");
    CHECK(conf.search_registries().empty());
    CHECK(conf.short_name_mode() == ShortNameMode::Permissive);
    CHECK(strs(conf.resolve(parse_ref("alpine")).value()) == std::vector<std::string> { "docker.io/library/alpine:latest" });
    CHECK(strs(conf.resolve(parse_ref("user/app:1")).value()) == std::vector<std::string> { "docker.io/user/app:1" });
    // Fully qualified names resolve to themselves.
    CHECK(strs(conf.resolve(parse_ref("quay.io/a/b")).value()) == std::vector<std::string> { "quay.io/a/b:latest" });
    auto source = conf.pull_source(Reference::parse_normalized("alpine").value()).value();
    REQUIRE(source.endpoints.size() == 1);
    CHECK(source.endpoints[0].location == "docker.io");
    CHECK(!source.endpoints[0].insecure);
    CHECK(!source.endpoints[0].mirror);
    CHECK(source.endpoints[0].reference.str() == "docker.io/library/alpine:latest");
}

TEST_CASE("search registries and aliases")
{
    auto conf = conf_of(R"(
unqualified-search-registries = ["registry.fedoraproject.org", "quay.io", "docker.io"]
short-name-mode = "enforcing"

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"ubi8/ubi" = "registry.access.redhat.com/ubi8/ubi"
"alpine" = "docker.io/library/alpine"
)");
    CHECK(conf.search_registries().size() == 3);
    CHECK(conf.short_name_mode() == ShortNameMode::Enforcing);
    CHECK(conf.aliases().size() == 3);

    // A matching alias is the only candidate: the search registries are not tried.
    CHECK(strs(conf.resolve(parse_ref("fedora:39")).value()) == std::vector<std::string> { "registry.fedoraproject.org/fedora:39" });
    CHECK(strs(conf.resolve(parse_ref("ubi8/ubi")).value()) == std::vector<std::string> { "registry.access.redhat.com/ubi8/ubi:latest" });
    CHECK(strs(conf.resolve(parse_ref("alpine")).value()) == std::vector<std::string> { "docker.io/library/alpine:latest" });
    // Only the whole short name matches an alias: "ubi8" and "fedora/x" are searched.
    CHECK(conf.resolve(parse_ref("ubi8")).value().size() == 3);
    CHECK(conf.resolve(parse_ref("fedora/x")).value().size() == 3);
    // No alias: the search registries in order; docker.io adds library/ only for single components.
    CHECK(strs(conf.resolve(parse_ref("user/app")).value()) == std::vector<std::string> {
              "registry.fedoraproject.org/user/app:latest", "quay.io/user/app:latest", "docker.io/user/app:latest" });
    // Digests are carried over, without :latest.
    auto by_digest = conf.resolve(parse_ref("fedora@" + sha)).value();
    REQUIRE(by_digest.size() == 1);
    CHECK(by_digest.front().str() == "registry.fedoraproject.org/fedora@" + sha);
}

TEST_CASE("invalid configurations are refused clearly")
{
    struct {
        char const* text;
        char const* expect;
    } const cases[] = {
        { "unqualified-search-registries = [", "registries.conf test: line" },
        { "unqualified-search-registries = \"docker.io\"", "must be an array of strings" },
        { "unqualified-search-registries = [1]", "must be a string" },
        { "short-name-mode = \"strict\"", "short-name-mode \"strict\"" },
        { "[[registry]]\ninsecure = true", "needs a prefix or a location" },
        { "[[registry]]\nlocation = \"example.com\"\ninsecure = \"yes\"", "\"insecure\" must be true or false" },
        { "[[registry]]\nlocation = \"https://example.com\"", "must not include a scheme" },
        { "[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"\"", "needs a location" },
        { "[[registry]]\nprefix = \"*.example.com/foo\"", "wildcard prefix" },
        { "[[registry]]\nprefix = \"ex*ample.com\"\nlocation = \"x.com\"", "'*' is only allowed" },
        { "[[registry]]\nlocation = \"example.com\"\n[[registry.mirror]]\ninsecure = true", "needs a location" },
        { "[[registry]]\nlocation = \"example.com\"\n[[registry.mirror]]\nlocation = \"m.com\"\npull-from-mirror = \"some\"",
            "pull-from-mirror" },
        { "[aliases]\n\"docker.io/alpine\" = \"docker.io/library/alpine\"", "must be a short name" },
        { "[aliases]\n\"alpine\" = \"alpine\"", "fully qualified" },
        { "[aliases]\n\"alpine\" = \"docker.io/library/alpine:3\"", "without tag or digest" },
        { "[aliases]\n\"alpine\" = 3", "must be a string" },
        { "unqualified-search-registries = [\"a.io\"]\n[registries.search]\nregistries = [\"b.io\"]", "version 1" },
    };
    for (auto const& c : cases) {
        CAPTURE(c.text);
        auto r = RegistriesConf::parse(c.text, "test");
        REQUIRE(!r.has_value());
        CHECK_MESSAGE(r.error().message.find(c.expect) != std::string::npos, r.error().message);
        CHECK(r.error().message.find("registries.conf test") == 0);
        CHECK(r.error().message.find('\n') == std::string::npos);
    }
}

TEST_CASE("unknown keys are ignored")
{
    auto conf = conf_of(R"(
credential-helpers = ["containers-auth.json"]
[[registry]]
location = "example.com"
some-future-key = 1
)");
    CHECK(conf.registries().size() == 1);
}

TEST_CASE("prefix matching follows containers-registries.conf(5)")
{
    CHECK(match_prefix("example.com/foo/bar:1", "example.com/foo") == 15);
    CHECK(match_prefix("example.com/foo:tag", "example.com/foo") == 15);
    CHECK(match_prefix("example.com/foo@" + sha, "example.com/foo") == 15);
    CHECK(match_prefix("example.com/foo", "example.com/foo") == 15);
    CHECK(match_prefix("example.com/foobar", "example.com/foo") == -1);
    CHECK(match_prefix("example.com/foo/bar", "example.com") == 11);
    CHECK(match_prefix("example.com:5000/foo", "example.com") == -1);
    CHECK(match_prefix("example.com.evil/foo", "example.com") == -1);
    CHECK(match_prefix("example.co", "example.com") == -1);
    CHECK(match_prefix("a.example.com/foo", "*.example.com") == 13);
    CHECK(match_prefix("a.b.example.com/foo:1", "*.example.com") == 15);
    CHECK(match_prefix("a.example.com:5000/foo", "*.example.com") == 18);
    CHECK(match_prefix("a.example.com", "*.example.com") == 13);
    CHECK(match_prefix("example.com/foo", "*.example.com") == -1);
    CHECK(match_prefix("aexample.com/foo", "*.example.com") == -1);
    CHECK(match_prefix("other.com/a.example.com", "*.example.com") == -1);
}

TEST_CASE("mirrors come first, then the rewritten primary location")
{
    auto conf = conf_of(R"(
[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "127.0.0.1:5000"
insecure = true

[[registry.mirror]]
location = "mirror.example/hub"
)");
    auto source = conf.pull_source(Reference::parse_normalized("alpine:3").value()).value();
    CHECK(source.reference.str() == "docker.io/library/alpine:3");
    CHECK(endpoint_refs(source) == std::vector<std::string> {
              "127.0.0.1:5000/library/alpine:3", "mirror.example/hub/library/alpine:3", "docker.io/library/alpine:3" });
    REQUIRE(source.endpoints.size() == 3);
    CHECK(source.endpoints[0].location == "127.0.0.1:5000");
    CHECK(source.endpoints[0].insecure);
    CHECK(source.endpoints[0].mirror);
    CHECK(source.endpoints[1].reference.domain == "mirror.example");
    CHECK(source.endpoints[1].reference.path == "hub/library/alpine");
    CHECK(!source.endpoints[1].insecure);
    CHECK(!source.endpoints[2].mirror);
    CHECK(conf.is_insecure("127.0.0.1:5000"));
    CHECK(!conf.is_insecure("docker.io"));
    CHECK(!conf.is_insecure("mirror.example"));
}

TEST_CASE("the longest prefix rewrites the location")
{
    auto conf = conf_of(R"(
[[registry]]
prefix = "example.com"
location = "general.example.net"

[[registry]]
prefix = "example.com/team"
location = "team-registry.local:5000/mirrored"
insecure = true

[[registry]]
prefix = "example.com/team/app"
location = "app-host/app"
)");
    auto at = [&](std::string_view text) { return endpoint_refs(conf.pull_source(parse_ref(text)).value()); };
    CHECK(at("example.com/other/x:1") == std::vector<std::string> { "general.example.net/other/x:1" });
    CHECK(at("example.com/team/x:1") == std::vector<std::string> { "team-registry.local:5000/mirrored/x:1" });
    CHECK(at("example.com/teamwork/x:1") == std::vector<std::string> { "general.example.net/teamwork/x:1" });
    // A location without '.' or ':' is still the host.
    auto app = conf.pull_source(parse_ref("example.com/team/app:2")).value();
    REQUIRE(app.endpoints.size() == 1);
    CHECK(app.endpoints[0].reference.domain == "app-host");
    CHECK(app.endpoints[0].reference.str() == "app-host/app:2");
    CHECK(!app.endpoints[0].insecure);
    auto team = conf.pull_source(parse_ref("example.com/team/x@" + sha)).value();
    CHECK(team.endpoints[0].insecure);
    CHECK(team.endpoints[0].reference.str() == "team-registry.local:5000/mirrored/x@" + sha);
    // Unrelated registries are fetched from themselves.
    CHECK(at("quay.io/a/b:1") == std::vector<std::string> { "quay.io/a/b:1" });
    CHECK(conf.is_insecure("team-registry.local:5000"));
    CHECK(!conf.is_insecure("example.com"));
}

TEST_CASE("pull_source refuses short names")
{
    auto conf = conf_of("");
    CHECK(!conf.pull_source(parse_ref("alpine")).has_value());
}

TEST_CASE("blocked registries")
{
    auto conf = conf_of(R"(
[[registry]]
location = "evil.example.com"
blocked = true

[[registry]]
prefix = "docker.io/badorg"
location = "docker.io/badorg"
blocked = true
)");
    auto r = conf.pull_source(parse_ref("evil.example.com/x:1"));
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("blocked") != std::string::npos);
    CHECK(r.error().message.find("evil.example.com/x:1") != std::string::npos);
    CHECK(!conf.pull_source(Reference::parse_normalized("badorg/tool").value()).has_value());
    CHECK(conf.pull_source(Reference::parse_normalized("goodorg/tool").value()).has_value());
    CHECK(conf.is_blocked("evil.example.com"));
    CHECK(!conf.is_blocked("docker.io"));
}

TEST_CASE("wildcard prefixes")
{
    auto conf = conf_of(R"(
[[registry]]
prefix = "*.internal.example"
insecure = true

[[registry.mirror]]
location = "cache.local"

[[registry]]
prefix = "special.internal.example"
location = "special.internal.example"
)");
    CHECK(conf.is_insecure("a.internal.example"));
    CHECK(conf.is_insecure("b.c.internal.example:5000"));
    CHECK(!conf.is_insecure("internal.example"));
    // The exact host beats the wildcard.
    CHECK(!conf.is_insecure("special.internal.example"));
    auto source = conf.pull_source(parse_ref("a.internal.example/team/app:1")).value();
    CHECK(endpoint_refs(source) == std::vector<std::string> { "cache.local/team/app:1", "a.internal.example/team/app:1" });
    CHECK(source.endpoints[1].insecure);
    CHECK(source.endpoints[1].location == "a.internal.example");
}

TEST_CASE("mirror-by-digest-only and pull-from-mirror")
{
    auto conf = conf_of(R"(
[[registry]]
location = "a.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "m1.io"

[[registry]]
location = "b.io"
[[registry.mirror]]
location = "digests.io"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.io"
pull-from-mirror = "tag-only"
)");
    CHECK(endpoint_refs(conf.pull_source(parse_ref("a.io/x:1")).value()) == std::vector<std::string> { "a.io/x:1" });
    CHECK(endpoint_refs(conf.pull_source(parse_ref("a.io/x@" + sha)).value()) == std::vector<std::string> { "m1.io/x@" + sha, "a.io/x@" + sha });
    CHECK(endpoint_refs(conf.pull_source(parse_ref("b.io/x:1")).value()) == std::vector<std::string> { "tags.io/x:1", "b.io/x:1" });
    CHECK(endpoint_refs(conf.pull_source(parse_ref("b.io/x@" + sha)).value())
        == std::vector<std::string> { "digests.io/x@" + sha, "b.io/x@" + sha });
}

TEST_CASE("insecure registries")
{
    auto conf = conf_of(R"(
[[registry]]
location = "localhost:5000"
insecure = true
)");
    CHECK(conf.is_insecure("localhost:5000"));
    CHECK(!conf.is_insecure("localhost"));
    CHECK(!conf.is_insecure("localhost:5001"));
    auto source = conf.pull_source(parse_ref("localhost:5000/app:1")).value();
    CHECK(source.endpoints.at(0).insecure);
}

TEST_CASE("version 1 format")
{
    auto conf = conf_of(R"(
[registries.search]
registries = ["quay.io", "docker.io"]
[registries.insecure]
registries = ["10.0.0.1:5000"]
[registries.block]
registries = ["bad.io"]
)");
    CHECK(conf.search_registries() == std::vector<std::string> { "quay.io", "docker.io" });
    CHECK(conf.is_insecure("10.0.0.1:5000"));
    CHECK(conf.is_blocked("bad.io"));
    CHECK(!conf.pull_source(parse_ref("bad.io/x:1")).has_value());
}

TEST_CASE("drop-ins override per setting")
{
    auto conf = conf_of(R"(
unqualified-search-registries = ["quay.io"]
[aliases]
"a" = "quay.io/a/a"
"b" = "quay.io/b/b"
[[registry]]
location = "x.io"
insecure = true
)");
    // No search list in the drop-in: the main file's stays.
    REQUIRE(conf.merge_text(R"(
short-name-mode = "disabled"
[aliases]
"b" = "docker.io/other/b"
"c" = "docker.io/c/c"
[[registry]]
location = "x.io"
insecure = false
blocked = true
[[registry]]
location = "y.io"
)", "drop-in").has_value());
    CHECK(conf.search_registries() == std::vector<std::string> { "quay.io" });
    CHECK(conf.short_name_mode() == ShortNameMode::Disabled);
    CHECK(conf.aliases().at("a") == "quay.io/a/a");
    CHECK(conf.aliases().at("b") == "docker.io/other/b");
    CHECK(conf.aliases().at("c") == "docker.io/c/c");
    REQUIRE(conf.registries().size() == 2);
    CHECK(!conf.is_insecure("x.io"));
    CHECK(conf.is_blocked("x.io"));

    REQUIRE(conf.merge_text("unqualified-search-registries = []\n[aliases]\n\"a\" = \"\"", "drop-in 2").has_value());
    CHECK(conf.search_registries().empty());
    CHECK(!conf.aliases().contains("a"));
    // A broken drop-in is an error naming it.
    auto bad = conf.merge_text("[[registry]]\nblocked = true", "drop-in 3");
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message.find("registries.conf drop-in 3") == 0);
}

TEST_CASE("load reads the main file and drop-ins in lexical order")
{
    auto dir = TempDir::create("/tmp", "berth-regconf-").value();
    std::string main = fs::join(dir.path(), "registries.conf");
    std::string system_d = fs::join(dir.path(), "system.d");
    std::string user_d = fs::join(dir.path(), "user.d");
    REQUIRE(fs::mkdir_p(system_d).has_value());
    REQUIRE(fs::mkdir_p(user_d).has_value());
    REQUIRE(fs::write_file_atomic(main, "unqualified-search-registries = [\"main.io\"]\n").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(system_d, "20-b.conf"), "unqualified-search-registries = [\"b.io\"]\n").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(system_d, "10-a.conf"), "unqualified-search-registries = [\"a.io\"]\n[aliases]\n\"x\" = \"a.io/x\"\n").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(system_d, "99-ignored.txt"), "this is not toml [").has_value());
    REQUIRE(fs::write_file_atomic(fs::join(user_d, "00-user.conf"), "[aliases]\n\"x\" = \"user.io/x\"\n").has_value());

    RegistriesConfPaths paths { main, false, { system_d, user_d } };
    auto conf = RegistriesConf::load(paths);
    REQUIRE_MESSAGE(conf.has_value(), conf.error().message);
    // 20-b.conf comes after 10-a.conf; the user directory after the system one.
    CHECK(conf->search_registries() == std::vector<std::string> { "b.io" });
    CHECK(conf->aliases().at("x") == "user.io/x");

    // Missing files are defaults, unless the file was named explicitly.
    RegistriesConfPaths missing { fs::join(dir.path(), "none.conf"), false, { fs::join(dir.path(), "none.d") } };
    CHECK(RegistriesConf::load(missing).value().search_registries().empty());
    missing.main_required = true;
    auto required = RegistriesConf::load(missing);
    REQUIRE(!required.has_value());
    CHECK(required.error().message.find("does not exist") != std::string::npos);

    // A broken drop-in fails the load with its path in the message.
    std::string broken = fs::join(system_d, "30-broken.conf");
    REQUIRE(fs::write_file_atomic(broken, "short-name-mode = 1\n").has_value());
    auto failed = RegistriesConf::load(paths);
    REQUIRE(!failed.has_value());
    CHECK(failed.error().message.find(broken) != std::string::npos);
}

TEST_CASE("default paths: $CONTAINERS_REGISTRIES_CONF and the rootless user file")
{
    auto dir = TempDir::create("/tmp", "berth-regconf-").value();
    {
        EnvVar env("CONTAINERS_REGISTRIES_CONF", fs::join(dir.path(), "only.conf"));
        auto paths = RegistriesConfPaths::defaults(true);
        CHECK(paths.main == fs::join(dir.path(), "only.conf"));
        CHECK(paths.main_required);
        CHECK(paths.dropin_dirs.empty());
        CHECK(!RegistriesConf::load(true).has_value());
        REQUIRE(fs::write_file_atomic(paths.main, "unqualified-search-registries = [\"env.io\"]\n").has_value());
        CHECK(RegistriesConf::load(false).value().search_registries() == std::vector<std::string> { "env.io" });
    }
    EnvVar no_env("CONTAINERS_REGISTRIES_CONF", std::nullopt);
    EnvVar xdg("XDG_CONFIG_HOME", dir.path());
    auto root_paths = RegistriesConfPaths::defaults(false);
    CHECK(root_paths.main == "/etc/containers/registries.conf");
    CHECK(root_paths.dropin_dirs == std::vector<std::string> { "/etc/containers/registries.conf.d" });

    auto rootless_paths = RegistriesConfPaths::defaults(true);
    CHECK(rootless_paths.main == "/etc/containers/registries.conf");
    CHECK(rootless_paths.dropin_dirs.back() == fs::join(dir.path(), "containers/registries.conf.d"));
    REQUIRE(fs::mkdir_p(fs::join(dir.path(), "containers")).has_value());
    REQUIRE(fs::write_file_atomic(fs::join(dir.path(), "containers/registries.conf"), "").has_value());
    CHECK(RegistriesConfPaths::defaults(true).main == fs::join(dir.path(), "containers/registries.conf"));
}

TEST_CASE("the host's own configuration loads")
{
    // Whatever /etc/containers holds on this machine must parse (or be absent).
    EnvVar no_env("CONTAINERS_REGISTRIES_CONF", std::nullopt);
    auto conf = RegistriesConf::load(false);
    CHECK_MESSAGE(conf.has_value(), (conf.has_value() ? "" : conf.error().message));
}
